/**
 * Reading and writing the lineage JSON file: what `sync` writes and `refresh` (and other tools)
 * read. Written canonically (stable key order, sorted arrays, 2-space indent, trailing newline) and
 * atomically; validated on read with coded errors that name the file and the field.
 */
import { readFile } from 'node:fs/promises';
import {
  describeValue,
  formatJsonPath,
  type PathSegment,
  valueAt,
} from '../artifacts/artifact-errors.js';
import { jsonErrorIndex, textPosition } from '../artifacts/json-position.js';
import { LineageError } from '../errors.js';
import { type ExposureLineage, LINEAGE_VERSION } from '../lineage/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { canonicalLineage, lineageSchemaV1 } from './lineage-schema.js';

export interface ParseLineageOptions {
  /** The file the JSON came from, for error messages. */
  path?: string | undefined;
}

export interface LineageIoOptions {
  signal?: AbortSignal | undefined;
}

function where(path: string | undefined): string {
  return path ?? 'the lineage JSON given';
}

/**
 * Validate a lineage document and return it in canonical form.
 *
 * @param json - the parsed JSON value, or the JSON text itself (a string is parsed first: a
 *   lineage document is never a bare string).
 * @throws LineageError `ERR_LINEAGE_READ` (text that is not JSON, with line and column),
 *   `ERR_LINEAGE_VERSION` (a `version` newer than this library knows: upgrade it),
 *   `ERR_LINEAGE_SCHEMA` (a field missing or of the wrong shape; `field` is its JSON path).
 */
export function parseLineage(json: unknown, options: ParseLineageOptions = {}): ExposureLineage {
  const { path } = options;
  const value = typeof json === 'string' ? parseJsonText(json, path) : json;
  const version =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>).version
      : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > LINEAGE_VERSION) {
    throw new LineageError(
      'ERR_LINEAGE_VERSION',
      `${where(path)}: lineage version ${version} is newer than this library reads (version ` +
        `${LINEAGE_VERSION}). Upgrade dbt-auto-exposures, or re-run sync with this version.`,
      { file: path, field: 'version', expected: `${LINEAGE_VERSION}`, details: { version } },
    );
  }
  const result = lineageSchemaV1.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const segments = (issue?.path ?? []).filter(
      (p): p is PathSegment => typeof p === 'string' || typeof p === 'number',
    );
    const field = formatJsonPath(segments);
    const expected = issue?.message ?? 'a valid lineage document';
    const got = describeValue(valueAt(value, segments));
    throw new LineageError(
      'ERR_LINEAGE_SCHEMA',
      `${where(path)}: ${field} is invalid (${expected}), got ${got}. ` +
        'The file was not written by dbt-auto-exposures or was edited by hand: re-run sync.',
      { file: path, field, expected, details: { got } },
    );
  }
  return canonicalLineage(result.data as ExposureLineage);
}

/**
 * Read and validate a lineage file.
 *
 * @throws LineageError `ERR_LINEAGE_READ` when the file is missing or unreadable, or any error of
 *   {@link parseLineage}.
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
  return parseLineage(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { path });
}

/** The exact text `writeLineage` writes: canonical JSON, 2-space indent, trailing newline. */
export function serializeLineage(lineage: ExposureLineage): string {
  return `${JSON.stringify(canonicalLineage(lineage), null, 2)}\n`;
}

/**
 * Write a lineage file atomically (see `writeFileAtomic`), in canonical form. The lineage is
 * validated first, so a file this writes always reads back.
 *
 * @throws LineageError `ERR_LINEAGE_SCHEMA` for an invalid lineage (nothing written),
 *   `ERR_OUTPUT_WRITE` when writing fails (the previous file is untouched).
 */
export async function writeLineage(
  path: string,
  lineage: ExposureLineage,
  options: LineageIoOptions = {},
): Promise<void> {
  const text = serializeLineage(parseLineage(lineage));
  await writeFileAtomic(path, text, { signal: options.signal });
}

function parseJsonText(text: string, path: string | undefined): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const at = textPosition(text, jsonErrorIndex(text, error));
    throw new LineageError(
      'ERR_LINEAGE_READ',
      `${where(path)} is not valid JSON (line ${at.line}, column ${at.column}): ` +
        `${(error as Error).message}`,
      { file: path, details: { line: at.line, column: at.column }, cause: error },
    );
  }
}
