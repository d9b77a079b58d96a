/**
 * "Did you mean": the known names closest to a mistyped one (commands, flags, config keys, dbt
 * node names), by edit distance, so `synk`, `--projet`, `--dryrun` and `parseCustomSQL` each get
 * the name that was meant.
 */
import { compareStrings } from '../util/compare.js';

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]!.push(best);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * Up to `limit` known names close to `given` (case and `-`/`_` ignored), closest first: within a
 * third of the name's length in edits, or one that starts with it.
 */
export function closestNames(given: string, known: Iterable<string>, limit = 3): string[] {
  const simple = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const target = simple(given);
  if (target === '') return [];
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(known)) {
    const candidate = simple(name);
    const score = distance(target, candidate);
    const near = score <= Math.max(1, Math.floor(target.length / 3));
    if (near || (target.length >= 3 && candidate.startsWith(target))) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || compareStrings(a.name, b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** `; did you mean "x" or "y"?`, or "" when nothing is close. */
export function didYouMean(given: string, known: Iterable<string>, quote = '"'): string {
  const names = closestNames(given, known);
  if (names.length === 0) return '';
  return `; did you mean ${names.map((n) => `${quote}${n}${quote}`).join(' or ')}?`;
}
