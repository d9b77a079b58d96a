/**
 * What every dbt artifact (manifest.json, run_results.json) shares: which artifact a document is
 * and its schema version (`metadata.dbt_schema_version`), the words of the field schemas, how a
 * field that is not what dbt writes becomes an error, and loading from a file or a directory.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ArtifactError, abortedError } from '../errors.js';
import { type JsonProblem, readJsonFile } from '../util/json-file.js';
import { describeValue, type FieldProblem, firstProblem } from '../util/zod-issue.js';
import type { ArtifactNote } from './types.js';

/** What an artifact is called in messages. */
export type ArtifactLabel = 'manifest' | 'run_results';

/** Options of `parseManifest` / `parseRunResults`. */
export interface ParseArtifactOptions {
  /** The file the JSON came from, named in errors and kept on the result. */
  path?: string | undefined;
}

/** Options of `loadManifest` / `loadRunResults`. */
export interface LoadArtifactOptions {
  /** Aborts reading; the loader then rejects with `ERR_ABORTED`. */
  signal?: AbortSignal | undefined;
}

interface ArtifactFacts {
  /** The kind in the schema URL (`…/dbt/<kind>/v12.json`). */
  kind: string;
  /** The newest schema version this library was written against. */
  maxVersion: number;
  fileName: string;
  loaders: string;
  /** What to run when the file is missing. */
  toWriteIt: string;
}

const ARTIFACTS: Record<ArtifactLabel, ArtifactFacts> = {
  manifest: {
    kind: 'manifest',
    maxVersion: 12,
    fileName: 'manifest.json',
    loaders: 'loadManifest / parseManifest',
    toWriteIt: 'Run dbt first (`dbt parse`, `dbt build` or any other command writes it)',
  },
  run_results: {
    kind: 'run-results',
    maxVersion: 6,
    fileName: 'run_results.json',
    loaders: 'loadRunResults / parseRunResults',
    toWriteIt: 'Run `dbt build` or `dbt run` first (they write it; `dbt parse` does not)',
  },
};

const KIND_DESCRIPTIONS: Record<string, string> = {
  manifest: 'a dbt manifest.json',
  'run-results': 'a dbt run_results.json',
  catalog: 'a dbt catalog.json (written by `dbt docs generate`)',
  sources: 'a dbt sources.json (written by `dbt source freshness`)',
  'semantic-manifest': 'a dbt semantic_manifest.json',
};

const SCHEMA_URL = /\/dbt\/([A-Za-z0-9_-]+)\/v(\d+)\.json$/;

/** True when `version` names a dbt Fusion release (dbt_version 2.x and later). */
export function isFusionVersion(version: string): boolean {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) && major >= 2;
}

// ---- the words of the field schemas: `expected` in every error says what dbt writes there

export const str = z.string({ error: 'a string' });
export const nullishStr = z.string({ error: 'a string or null' }).nullish();
export const nullishBool = z.boolean({ error: 'a boolean or null' }).nullish();
export const nullishNum = z.number({ error: 'a number or null' }).nullish();
export const strList = z.array(str, { error: 'an array of strings' });
/**
 * A map from unique id (or name) to entries, each read on its own: only checked to be an object
 * (`z.record` would copy every key of a 100,000-entry map before any entry is read).
 */
export const collection = z.custom<Record<string, unknown>>(isObject, { error: 'an object' });

/**
 * An object of the fields read. Other fields pass unread (and are not in the result): dbt adds
 * fields within a schema version.
 */
export function fields<T extends z.core.$ZodShape>(shape: T, expected: string) {
  return z.object(shape, { error: expected });
}

// ---- reading a document

/** A document whose kind and schema version were checked: what its fields are read against. */
export interface Artifact {
  label: ArtifactLabel;
  /** The file it came from, when known. */
  file: string | undefined;
  root: Record<string, unknown>;
  schemaVersion: number;
  /** Newer than this library knows: a field read that differs is a version error. */
  isFuture: boolean;
  notes: ArtifactNote[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a document is named in messages. */
/** The hint of an artifact dbt writes that has the wrong shape or version. */
const REGENERATE = 'regenerate the file with dbt (`dbt compile` or `dbt build` writes it again)';

/** The hint of a file that is not the artifact asked for. */
function passTheArtifact(label: ArtifactLabel): string {
  return `pass the ${ARTIFACTS[label].fileName} dbt writes in the project's target/ directory`;
}

function where(label: ArtifactLabel, file: string | undefined): string {
  return file ?? `the ${label}.json given`;
}

/**
 * Check that `json` is the `label` artifact and read its schema version. Answers
 * `ERR_ARTIFACT_KIND` (another artifact, or not a dbt artifact) and `ERR_ARTIFACT_VERSION` (a
 * version that cannot be read) before any field is read.
 */
export function identifyArtifact(
  json: unknown,
  label: ArtifactLabel,
  file: string | undefined,
): Artifact {
  const at = where(label, file);
  const want = ARTIFACTS[label];
  if (!isObject(json)) {
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${at} is not a dbt ${label}.json: expected a JSON object, got ${describeValue(json)}. ` +
        `Pass the ${label}.json that dbt writes to the project's target/ directory.`,
      { file, field: '(the top level)', expected: 'a JSON object', hint: passTheArtifact(label) },
    );
  }
  const url = isObject(json.metadata) ? json.metadata.dbt_schema_version : undefined;
  if (typeof url !== 'string') {
    const looksRight = label === 'manifest' ? isObject(json.nodes) : Array.isArray(json.results);
    if (looksRight) {
      throw new ArtifactError(
        'ERR_ARTIFACT_SCHEMA',
        `${at}: metadata.dbt_schema_version must be a string (a schemas.getdbt.com URL), got ` +
          `${describeValue(url)}. Regenerate the file with dbt.`,
        { file, field: 'metadata.dbt_schema_version', expected: 'a string', hint: REGENERATE },
      );
    }
    const guess =
      'project_configuration' in json && 'semantic_models' in json
        ? ' It looks like a semantic_manifest.json.'
        : '';
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${at} is not a dbt artifact: it has no metadata.dbt_schema_version.${guess} ` +
        `Pass the ${label}.json that dbt writes to the project's target/ directory.`,
      {
        file,
        field: 'metadata.dbt_schema_version',
        expected: `a ${label}.json`,
        hint: passTheArtifact(label),
      },
    );
  }
  const match = SCHEMA_URL.exec(url.trim());
  if (!match) {
    throw new ArtifactError(
      'ERR_ARTIFACT_VERSION',
      `${at}: metadata.dbt_schema_version ${JSON.stringify(url)} is not a dbt schema URL ` +
        `(https://schemas.getdbt.com/dbt/${want.kind}/v<N>.json). Regenerate the file with dbt.`,
      {
        file,
        field: 'metadata.dbt_schema_version',
        expected: 'a dbt schema URL',
        hint: REGENERATE,
      },
    );
  }
  const kind = match[1]!;
  const version = Number(match[2]);
  if (kind !== want.kind) {
    const other = Object.values(ARTIFACTS).find((a) => a.kind === kind);
    const description = KIND_DESCRIPTIONS[kind] ?? `a dbt "${kind}" artifact`;
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${at} is ${description} (schema v${version}), not a ${label}.json. ` +
        (other
          ? `Read it with ${other.loaders}, and pass the ${label}.json from the same target/ directory here.`
          : `Pass the ${label}.json from the same target/ directory instead.`),
      {
        file,
        field: 'metadata.dbt_schema_version',
        expected: `a ${label}.json`,
        details: { kind, schemaVersion: version },
        hint: passTheArtifact(label),
      },
    );
  }
  if (version < 1) {
    throw new ArtifactError(
      'ERR_ARTIFACT_VERSION',
      `${at}: ${label} schema v${version} does not exist (dbt writes v1 and later). ` +
        'Regenerate the file with dbt.',
      {
        file,
        field: 'metadata.dbt_schema_version',
        expected: `v1–v${want.maxVersion}`,
        hint: REGENERATE,
      },
    );
  }
  const isFuture = version > want.maxVersion;
  const notes: ArtifactNote[] = isFuture
    ? [
        {
          level: 'warn',
          code: 'ARTIFACT_VERSION_NEWER',
          message:
            `${at}: ${label} schema v${version} is newer than this library knows ` +
            `(v1–v${want.maxVersion}); it was read because every field used is present. Check for a ` +
            'newer dbt-auto-exposures.',
        },
      ]
    : [];
  return { label, file, root: json, schemaVersion: version, isFuture, notes };
}

/**
 * `value` read with `schema`; `value` is the document's `section[key]` (or the top level when
 * `section` is not given). A value the schema rejects is `ERR_ARTIFACT_SCHEMA` naming the first
 * offending field, or `ERR_ARTIFACT_VERSION` in a document newer than this library knows (there
 * it means the fields changed, not that the file is broken).
 */
export function readEntry<S extends z.ZodType>(
  artifact: Artifact,
  schema: S,
  value: unknown,
  section?: string,
  key?: string | number,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const base = section === undefined ? [] : key === undefined ? [section] : [section, key];
  throw fieldError(artifact, firstProblem(result.error, value, base));
}

function fieldError(artifact: Artifact, problem: FieldProblem): ArtifactError {
  const { label, file } = artifact;
  const { field, expected, got } = problem;
  const schemaError = new ArtifactError(
    'ERR_ARTIFACT_SCHEMA',
    `${where(label, file)}: ${field} must be ${expected}, got ${got}. ` +
      `The file does not look like a ${label}.json written by dbt: regenerate it ` +
      '(e.g. `dbt compile` or `dbt build`) or fix that field.',
    { file, field, expected, details: { got }, hint: REGENERATE },
  );
  if (!artifact.isFuture) return schemaError;
  const maxVersion = ARTIFACTS[label].maxVersion;
  return new ArtifactError(
    'ERR_ARTIFACT_VERSION',
    `${where(label, file)}: ${label} schema v${artifact.schemaVersion} is newer than this library ` +
      `knows (v1–v${maxVersion}) and its content differs where it is read: ${field} must be ` +
      `${expected}. Upgrade dbt-auto-exposures, or write the artifact with an older dbt.`,
    {
      file,
      field,
      expected,
      details: { schemaVersion: artifact.schemaVersion, maxKnownVersion: maxVersion },
      hint: 'upgrade dbt-auto-exposures, or write the artifact with an older dbt',
      cause: schemaError,
    },
  );
}

// ---- loading from disk

/**
 * Read the `label` artifact from `path` (the file itself, or `path/<file>`, or
 * `path/target/<file>`, first found) and hand its JSON to `parse`.
 */
export async function loadArtifact<T>(
  path: string,
  label: ArtifactLabel,
  parse: (json: unknown, options: ParseArtifactOptions) => T,
  options: LoadArtifactOptions,
): Promise<T> {
  const { signal } = options;
  const file = await locateArtifact(path, label, signal);
  const json = await readJsonFile(
    file,
    (problem, cause) => jsonError(file, label, problem, cause),
    {
      signal,
    },
  );
  return parse(json, { path: file });
}

/** The file `path` designates: itself when not a directory, else the first candidate in it. */
async function locateArtifact(
  path: string,
  label: ArtifactLabel,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { fileName } = ARTIFACTS[label];
  const info = await statOrNull(path, signal);
  if (info === null) throw notFound(path, label, [path]);
  if (!info.isDirectory()) return path;
  const candidates = [join(path, fileName), join(path, 'target', fileName)];
  for (const candidate of candidates) {
    const found = await statOrNull(candidate, signal);
    if (found?.isFile()) return candidate;
  }
  throw notFound(path, label, candidates);
}

async function statOrNull(path: string, signal: AbortSignal | undefined): Promise<Stats | null> {
  if (signal?.aborted) throw abortedError(`Reading ${path}`, signal);
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ArtifactError(
      'ERR_ARTIFACT_READ',
      `Cannot access ${path}: ${(error as Error).message}. Check the path and its permissions.`,
      { file: path, hint: 'check the path and its permissions', cause: error },
    );
  }
}

function notFound(path: string, label: ArtifactLabel, tried: string[]): ArtifactError {
  const { fileName, toWriteIt } = ARTIFACTS[label];
  const place =
    tried.length === 1 && tried[0] === path
      ? `No ${fileName} at ${path}`
      : `No ${fileName} in ${path} (tried ${tried.join(', ')})`;
  return new ArtifactError(
    'ERR_ARTIFACT_NOT_FOUND',
    `${place}. ${toWriteIt}, then pass the file, the target/ directory or the project directory.`,
    {
      file: path,
      expected: fileName,
      details: { tried },
      hint: `${toWriteIt.charAt(0).toLowerCase()}${toWriteIt.slice(1)}, or pass the path of the ${fileName} it wrote`,
    },
  );
}

function jsonError(
  file: string,
  label: ArtifactLabel,
  problem: JsonProblem,
  cause: unknown,
): ArtifactError {
  switch (problem.kind) {
    case 'missing':
      return notFound(file, label, [file]);
    case 'unreadable':
      return new ArtifactError(
        'ERR_ARTIFACT_READ',
        `Cannot read ${file}: ${problem.reason}. Check the file and its permissions.`,
        { file, hint: 'check the file and its permissions', cause },
      );
    case 'empty':
      return new ArtifactError(
        'ERR_ARTIFACT_JSON',
        `${file} is empty: expected JSON. dbt may have been interrupted while writing it: run dbt again.`,
        {
          file,
          expected: 'JSON',
          hint: 'run dbt again: it was interrupted while writing the file',
        },
      );
    case 'not_json': {
      const { line, column } = problem;
      const at = line === null ? '' : ` (line ${line}, column ${column})`;
      return new ArtifactError(
        'ERR_ARTIFACT_JSON',
        `${file} is not valid JSON: ${problem.message}${at}. ` +
          (problem.truncated
            ? 'The file ends too early: it was probably truncated (dbt interrupted, or a partial copy). Run dbt again.'
            : 'Regenerate it with dbt rather than editing it by hand.'),
        {
          file,
          expected: 'JSON',
          ...(line === null ? {} : { details: { line, column } }),
          hint: problem.truncated
            ? 'run dbt again: the file was cut short (dbt interrupted, or a partial copy)'
            : 'regenerate the file with dbt rather than editing it by hand',
          cause,
        },
      );
    }
  }
}
