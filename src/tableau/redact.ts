/**
 * Redaction of Tableau secrets. The token secret is known up front; the session token is learnt at
 * sign-in and registered then. Everything that may reach an error, a log line or a debug entry
 * goes through `redact` first. Besides known secret values, well-known secret-bearing keys
 * (`X-Tableau-Auth`, `personalAccessTokenSecret`, `token`, …) are masked whatever their value, and
 * so is the user info of any URL in text (`https://user:password@host` → `https://[REDACTED]@host`).
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Object keys (case-insensitive) whose values are always masked. */
const SECRET_KEYS = new Set([
  'x-tableau-auth',
  'authorization',
  'personalaccesstokensecret',
  'tokensecret',
  'token',
  'password',
  'jwt',
]);

/** Secret-bearing attributes in XML/JSON text (`token="…"`, `"token":"…"`). */
const SECRET_TEXT_PATTERNS: RegExp[] = [
  /((?:personalAccessTokenSecret|token|password|jwt)\s*=\s*")[^"]*(")/gi,
  /("(?:personalAccessTokenSecret|token|password|jwt|tokenSecret)"\s*:\s*")(?:[^"\\]|\\.)*(")/gi,
  /((?:x-tableau-auth|authorization)\s*:\s*)[^\s,;]+/gi,
];

/** The user info of a URL in text (`scheme://user:password@`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Redacts registered secrets from strings and (deeply, without mutating) from objects. */
export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Register a secret (and its URL-encoded form). Empty strings are ignored. */
  add(secret: string): void {
    if (secret.length === 0) return;
    this.#secrets.add(secret);
    this.#secrets.add(encodeURIComponent(secret));
  }

  /** Whether `secret` is registered. Secrets are never forgotten (an old token may linger in text). */
  has(secret: string): boolean {
    return this.#secrets.has(secret);
  }

  /**
   * `text` with every registered secret masked and nothing else changed (for data a server sent,
   * where a pattern could alter real content such as custom SQL).
   */
  redactKnownSecrets(text: string): string {
    let out = text;
    // Longest first so a secret that contains another is masked whole.
    const secrets = [...this.#secrets].sort((a, b) => b.length - a.length);
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** A string with every registered secret, secret-looking attribute and URL user info masked. */
  redactString(text: string): string {
    let out = this.redactKnownSecrets(text).replace(URL_USERINFO, `$1${REDACTED}@`);
    for (const pattern of SECRET_TEXT_PATTERNS) {
      out = out.replace(pattern, (_match, before: string, after: string | number) =>
        typeof after === 'string' ? `${before}${REDACTED}${after}` : `${before}${REDACTED}`,
      );
    }
    return out;
  }

  /** A deep copy of `value` with secrets masked in every string and under every secret key. */
  redact<T>(value: T): T {
    return this.#redactValue(value, new WeakMap()) as T;
  }

  #redactValue(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.#redactValue(item, seen));
      return copy;
    }
    if (value instanceof Error) {
      // Errors are rendered to plain data: their message, name and code survive, nothing else.
      const plain: Record<string, unknown> = { name: value.name, message: '' };
      seen.set(value, plain);
      plain.message = this.redactString(value.message);
      const code = (value as { code?: unknown }).code;
      if (typeof code === 'string') plain.code = code;
      return plain;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) {
      copy[key] = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : this.#redactValue(item, seen);
    }
    return copy;
  }
}

/** A URL without user info (`user:pass@`) and with registered secrets masked. */
export function redactUrl(url: string, redactor: Redactor): string {
  return redactor.redactString(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1'));
}
