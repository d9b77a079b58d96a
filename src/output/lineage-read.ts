/**
 * Reading the lineage JSON file without loading zod: what `refresh` does on every run. A valid
 * document (the hand-written check of lineage-guard.ts) is returned in canonical form; anything
 * else goes to `parseLineage` (lineage-io.ts), loaded on that path only, which throws the same
 * coded error as it always has.
 */
import { readFile } from 'node:fs/promises';
import { LineageError } from '../errors.js';
import { type ExposureLineage, LINEAGE_VERSION } from '../lineage/types.js';
import { parseJsonText as parseJson } from '../util/json-file.js';
import { canonicalLineage } from './lineage-canonical.js';
import { isLineageV1 } from './lineage-guard.js';

export interface LineageIoOptions {
  signal?: AbortSignal | undefined;
}

/** How a lineage document is named in messages. */
export function lineageLabel(path: string | undefined): string {
  return path ?? 'the lineage JSON given';
}

/**
 * The parsed value of `json` (JSON text is parsed; a lineage document is never a bare string),
 * after the version check, and the document in canonical form when the fast check accepts it.
 *
 * @throws LineageError `ERR_LINEAGE_READ` (text that is not JSON), `ERR_LINEAGE_VERSION`.
 */
export function checkLineage(
  json: unknown,
  path: string | undefined,
): { value: unknown; lineage: ExposureLineage | null } {
  const value = typeof json === 'string' ? parseJsonText(json, path) : json;
  const version =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>).version
      : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > LINEAGE_VERSION) {
    throw new LineageError(
      'ERR_LINEAGE_VERSION',
      `${lineageLabel(path)}: lineage version ${version} is newer than this library reads (version ` +
        `${LINEAGE_VERSION}). Upgrade dbt-auto-exposures, or re-run sync with this version.`,
      { file: path, field: 'version', expected: `${LINEAGE_VERSION}`, details: { version } },
    );
  }
  return { value, lineage: isLineageV1(value) ? canonicalLineage(value) : null };
}

/**
 * Read and validate a lineage file.
 *
 * @throws LineageError `ERR_LINEAGE_READ` when the file is missing or unreadable, or any error of
 *   `parseLineage`.
 */
export async function readLineage(
  path: string,
  options: LineageIoOptions = {},
): Promise<ExposureLineage> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal: options.signal });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((error as Error).name === 'AbortError') {
      throw new LineageError('ERR_ABORTED', `Reading ${path} was aborted`, {
        file: path,
        cause: error,
      });
    }
    const reason =
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new LineageError(
      'ERR_LINEAGE_READ',
      `Lineage file ${path} ${reason}. Run sync first, or pass the path of an existing lineage file.`,
      { file: path, details: { code }, cause: error },
    );
  }
  // A UTF-8 byte order mark is not JSON, but editors add one; accept it.
  const { value, lineage } = checkLineage(
    text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    path,
  );
  if (lineage !== null) return lineage;
  const { parseLineage } = await import('./lineage-io.js');
  return parseLineage(value, { path });
}

function parseJsonText(text: string, path: string | undefined): unknown {
  return parseJson(text, (problem, cause) => {
    const at = problem.kind === 'not_json' && problem.line !== null ? problem : null;
    const reason = problem.kind === 'not_json' ? problem.message : 'the text is empty';
    return new LineageError(
      'ERR_LINEAGE_READ',
      `${lineageLabel(path)} is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}: ` +
        reason,
      { file: path, ...(at ? { details: { line: at.line, column: at.column } } : {}), cause },
    );
  });
}
