/**
 * A small seeded PRNG (mulberry32) and the draws the generators need. Deterministic: the same seed
 * gives the same sequence on every machine, so generated inputs are byte-identical across runs.
 */

/** A seeded random source. Not cryptographic; only for reproducible synthetic data. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    const value = list[Math.floor(this.next() * list.length)];
    if (value === undefined) throw new Error('Rng.pick: empty list');
    return value;
  }

  /**
   * A log-normal draw around `median` (spread `sigma` in natural-log units), clamped to
   * [min, max]: text field sizes in real manifests are heavy-tailed like this.
   */
  logNormal(median: number, sigma: number, min: number, max: number): number {
    // Box-Muller; 1 - next() avoids log(0).
    const z = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return Math.max(min, Math.min(max, Math.round(median * Math.exp(sigma * z))));
  }

  /** A 32-bit hex string of `length` digits (checksums, ids). */
  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }
}

const WORDS = [
  'order',
  'customer',
  'payment',
  'invoice',
  'product',
  'session',
  'event',
  'account',
  'refund',
  'shipment',
  'campaign',
  'lead',
  'ledger',
  'balance',
  'subscription',
  'plan',
  'region',
  'store',
  'inventory',
  'supplier',
  'contract',
  'ticket',
  'agent',
  'visit',
  'click',
  'cohort',
  'revenue',
  'margin',
  'forecast',
  'budget',
  'employee',
  'department',
  'asset',
  'claim',
  'policy',
  'device',
  'user',
  'channel',
  'partner',
  'warehouse',
  'carrier',
  'return',
  'discount',
  'coupon',
  'tax',
  'currency',
  'rate',
  'segment',
  'territory',
  'quota',
  'opportunity',
  'pipeline',
  'churn',
  'usage',
] as const;

/** Lorem-like prose of about `length` characters, built from domain words. */
export function prose(rng: Rng, length: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const word = rng.pick(WORDS);
    parts.push(word);
    size += word.length + 1;
  }
  return parts.join(' ').slice(0, length);
}

/** A domain word. */
export function word(rng: Rng): string {
  return rng.pick(WORDS);
}
