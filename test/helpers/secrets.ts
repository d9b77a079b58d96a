/**
 * Sentinel secrets: every test that signs in uses these, and `assertNoSecrets` checks that none of
 * them reached any output (strings, objects, errors with their stack and cause chain, files);
 * `assertNoSecretsInDir` sweeps every file written under a directory.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';

export const SENTINEL_TOKEN_NAME = 'ci-token-name';
export const SENTINEL_SECRET = 'SENTINEL-SECRET-7f3a9c1e-do-not-log';
export const SENTINEL_SESSION_TOKEN = 'SENTINEL-SESSION-b41d2e77-do-not-log';
export const SENTINELS = [SENTINEL_SECRET, SENTINEL_SESSION_TOKEN] as const;

/** Everything a value can show: JSON, util.inspect (deep), and for errors message, stack and causes. */
export function renderAll(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  const parts: string[] = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true })];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // circular or BigInt: inspect above already covered it
  }
  if (value instanceof Error) {
    parts.push(value.message, value.stack ?? '', renderAll(value.cause, seen));
  }
  if (Array.isArray(value)) for (const v of value) parts.push(renderAll(v, seen));
  return parts.join('\n');
}

interface Asserter {
  notOk(value: unknown, message: string): unknown;
}

/** Assert no sentinel secret appears anywhere in the given values. */
export function assertNoSecrets(t: Asserter, ...values: unknown[]): void {
  for (const [i, value] of values.entries()) {
    const text = renderAll(value);
    for (const secret of SENTINELS) {
      t.notOk(text.includes(secret), `output #${i} must not contain a secret`);
    }
  }
}

/** Every file under `dir` (hidden and nested ones included) by path relative to `dir`, sorted. */
export async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files: [string, string][] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push([relative(dir, path), await readFile(path, 'utf8')]);
    }
  };
  await walk(dir);
  return new Map(files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Read back every file under `dir` and assert no sentinel secret is in any of them (a failure
 * names the file). Returns the files, for further checks.
 */
export async function assertNoSecretsInDir(t: Asserter, dir: string): Promise<Map<string, string>> {
  const files = await filesUnder(dir);
  for (const [path, text] of files) {
    for (const secret of SENTINELS) t.notOk(text.includes(secret), `${path} holds no secret`);
  }
  return files;
}
