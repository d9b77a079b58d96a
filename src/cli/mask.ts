/**
 * The CLI's last line of defence: the token secret is replaced by `***` in everything it prints
 * and in the report file it writes (the library never puts a secret in a message; this makes
 * sure the CLI cannot show or store one either, whatever a refresher or a server sent).
 */

/** What a masked secret is replaced with. */
export const MASK = '***';

/** Whether a secret is worth masking (a very short value would mask ordinary text). */
export function isMaskable(secret: string): boolean {
  return secret.length >= 4;
}

function maskable(secrets: readonly string[]): string[] {
  return secrets.filter(isMaskable);
}

/** `text` with every secret replaced by `***`. */
export function maskText(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of maskable(secrets)) clean = clean.split(secret).join(MASK);
  return clean;
}

/** A deep copy of plain JSON data with every secret in every string (keys included) masked. */
export function maskData<T>(value: T, secrets: readonly string[]): T {
  if (maskable(secrets).length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([key, item]) => [maskText(key, secrets), walk(item)]),
      );
    }
    return v;
  };
  return walk(value) as T;
}

/** The secrets the CLI masks in everything it prints and writes (from the environment). */
export function secretsOf(env: Record<string, string | undefined>): string[] {
  return [env.TABLEAU_TOKEN_SECRET, env.TABLEAU_CONNECTED_APP_SECRET_VALUE].filter(
    (secret): secret is string => secret !== undefined && secret !== '',
  );
}

/** A URL as it may be shown: without user name and password (they may be credentials). */
export function urlWithoutUserinfo(url: string): string {
  // A bare host (`user:pw@host`) would parse as a URL whose scheme is `user:`; and a URL that
  // does not parse (`http://user:pw@bad host`) must lose its user info too.
  const authority = /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i;
  if (!url.includes('//')) return url.replace(authority, '');
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(authority, '$1');
  }
}
