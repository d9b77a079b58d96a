/**
 * Building `ArtifactError`s with the file, the JSON path of the first offending field and what was
 * expected there, so a message always tells the user where to look.
 */
import type { z } from 'zod';
import { ArtifactError } from '../errors.js';
import type { RawSchemaName } from './raw-checks.js';

/** One step of a JSON path. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['nodes', 'model.x.y', 'schema']` → `nodes["model.x.y"].schema`; `['results', 3]` → `results[3]`. */
export function formatJsonPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(the top level)' : out;
}

/** How a value looks, for "got …" in messages (never the value itself: it may be huge). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? 'a string' : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

/** The value at `path` in a parsed JSON document; undefined when the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** What an artifact is called in messages. */
export type ArtifactLabel = 'manifest' | 'run_results';

function fileLabel(file: string | undefined, label: ArtifactLabel): string {
  return file ?? `the ${label}.json given`;
}

/**
 * Validate `value` (found at `basePath` in the document) with `schema` and throw
 * `ERR_ARTIFACT_SCHEMA` naming the first offending field. Called only after a fast check failed;
 * if zod accepts the value after all, the fast check's verdict still stands and the error names
 * the entry as a whole (this cannot happen while the two agree, which a test enforces).
 */
export function throwSchemaError(
  schema: z.ZodType,
  value: unknown,
  basePath: readonly PathSegment[],
  context: { file: string | undefined; label: ArtifactLabel },
): never {
  const result = schema.safeParse(value);
  const issue = result.success ? undefined : result.error.issues[0];
  const relative = (issue?.path ?? []).filter(
    (p): p is PathSegment => typeof p === 'string' || typeof p === 'number',
  );
  const path = [...basePath, ...relative];
  const field = formatJsonPath(path);
  const expected = issue?.message ?? 'a valid entry';
  const got = describeValue(valueAt(value, relative));
  throw new ArtifactError(
    'ERR_ARTIFACT_SCHEMA',
    `${fileLabel(context.file, context.label)}: ${field} must be ${expected}, got ${got}. ` +
      `The file does not look like a ${context.label}.json written by dbt: regenerate it ` +
      `(e.g. \`dbt compile\` or \`dbt build\`) or fix that field.`,
    { file: context.file, field, expected, details: { got } },
  );
}

/**
 * What a reader calls when a fast check rejected `value`: throw the error for it. `parseManifest`
 * and `parseRunResults` pass zod's (`reportWithZod`, the detailed `ERR_ARTIFACT_SCHEMA`); the
 * loaders pass one that defers to them, so a valid artifact never loads zod.
 */
export type SchemaErrorReporter = (
  schema: RawSchemaName,
  value: unknown,
  basePath: readonly PathSegment[],
  context: { file: string | undefined; label: ArtifactLabel },
) => never;

/** Re-label a schema error of a newer-than-known artifact as a version problem. */
export function asVersionError(
  error: ArtifactError,
  context: { file: string | undefined; label: ArtifactLabel; version: number; maxKnown: number },
): ArtifactError {
  return new ArtifactError(
    'ERR_ARTIFACT_VERSION',
    `${fileLabel(context.file, context.label)}: ${context.label} schema v${context.version} is newer ` +
      `than this library knows (v1–v${context.maxKnown}) and its content differs where it is read: ` +
      `${error.field ?? 'a field'} must be ${error.expected ?? 'as before'}. Upgrade ` +
      'dbt-auto-exposures, or write the artifact with an older dbt.',
    {
      file: context.file,
      field: error.field,
      expected: error.expected,
      details: { schemaVersion: context.version, maxKnownVersion: context.maxKnown },
      cause: error,
    },
  );
}

export { fileLabel };
