/**
 * Reading and writing the lineage JSON file: what `sync` writes and `refresh` (and other tools)
 * read. Written canonically (stable key order, sorted arrays, 2-space indent, trailing newline) and
 * atomically; validated on read with coded errors that name the file and the field. Reading a
 * valid file needs no zod (lineage-read.ts); this module loads it to describe an invalid one.
 */
import { LineageError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { firstProblem } from '../util/zod-issue.js';
import { canonicalLineage } from './lineage-canonical.js';
import { checkLineage, type LineageIoOptions, lineageLabel } from './lineage-read.js';
import { lineageSchemaV1 } from './lineage-schema.js';

export { type LineageIoOptions, readLineage } from './lineage-read.js';

export interface ParseLineageOptions {
  /** The file the JSON came from, for error messages. */
  path?: string | undefined;
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
  const { value, lineage } = checkLineage(json, path);
  if (lineage !== null) return lineage;
  // The fast check rejected it: zod names the first offending field.
  const result = lineageSchemaV1.safeParse(value);
  if (!result.success) {
    const { field, expected, got } = firstProblem(result.error, value);
    throw new LineageError(
      'ERR_LINEAGE_SCHEMA',
      `${lineageLabel(path)}: ${field} is invalid (${expected}), got ${got}. ` +
        'The file was not written by dbt-auto-exposures or was edited by hand: re-run sync.',
      { file: path, field, expected, details: { got } },
    );
  }
  // Unreachable while the fast check and the schema agree (test/output/lineage-guard.test.ts).
  return canonicalLineage(result.data as ExposureLineage);
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
