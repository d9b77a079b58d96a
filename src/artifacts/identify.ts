/**
 * The first look at a document: is it the artifact the caller asked for, and which schema version?
 * Answers `ERR_ARTIFACT_KIND` (another artifact, or not a dbt artifact at all) and
 * `ERR_ARTIFACT_VERSION` (a version that cannot be read) before any field is read.
 */
import { ArtifactError } from '../errors.js';
import { type ArtifactLabel, asVersionError, describeValue, fileLabel } from './artifact-errors.js';
import { isObject } from './raw-checks.js';
import { describeKind, parseSchemaVersion } from './schema-version.js';
import type { ArtifactNote } from './types.js';

/** Schema versions this library was written against. */
export const KNOWN_VERSIONS: Record<ArtifactLabel, { kind: string; max: number }> = {
  manifest: { kind: 'manifest', max: 12 },
  run_results: { kind: 'run-results', max: 6 },
};

const LOADERS: Record<string, string> = {
  manifest: 'loadManifest / parseManifest',
  'run-results': 'loadRunResults / parseRunResults',
};

/** What the header says. */
export interface ArtifactHeader {
  root: Record<string, unknown>;
  schemaVersion: number;
  /** Newer than the library knows: read anyway, with a warning note. */
  isFuture: boolean;
  notes: ArtifactNote[];
}

/** Check kind and version of `json`, expected to be a `label` artifact. */
export function identifyArtifact(
  json: unknown,
  label: ArtifactLabel,
  file: string | undefined,
): ArtifactHeader {
  const where = fileLabel(file, label);
  const want = KNOWN_VERSIONS[label];
  if (!isObject(json)) {
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${where} is not a dbt ${label}.json: expected a JSON object, got ${describeValue(json)}. ` +
        `Pass the ${label}.json that dbt writes to the project's target/ directory.`,
      { file, field: '(the top level)', expected: 'a JSON object' },
    );
  }
  const metadata = json.metadata;
  const url = isObject(metadata) ? metadata.dbt_schema_version : undefined;
  if (typeof url !== 'string') {
    const looksRight = label === 'manifest' ? isObject(json.nodes) : Array.isArray(json.results);
    if (looksRight) {
      throw new ArtifactError(
        'ERR_ARTIFACT_SCHEMA',
        `${where}: metadata.dbt_schema_version must be a string (a schemas.getdbt.com URL), got ` +
          `${describeValue(url)}. Regenerate the file with dbt.`,
        { file, field: 'metadata.dbt_schema_version', expected: 'a string' },
      );
    }
    const guess =
      'project_configuration' in json && 'semantic_models' in json
        ? ' It looks like a semantic_manifest.json.'
        : '';
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${where} is not a dbt artifact: it has no metadata.dbt_schema_version.${guess} ` +
        `Pass the ${label}.json that dbt writes to the project's target/ directory.`,
      { file, field: 'metadata.dbt_schema_version', expected: `a ${label}.json` },
    );
  }
  const parsed = parseSchemaVersion(url);
  if (!parsed) {
    throw new ArtifactError(
      'ERR_ARTIFACT_VERSION',
      `${where}: metadata.dbt_schema_version ${JSON.stringify(url)} is not a dbt schema URL ` +
        `(https://schemas.getdbt.com/dbt/${want.kind}/v<N>.json). Regenerate the file with dbt.`,
      { file, field: 'metadata.dbt_schema_version', expected: 'a dbt schema URL' },
    );
  }
  if (parsed.kind !== want.kind) {
    const other = LOADERS[parsed.kind];
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${where} is ${describeKind(parsed.kind)} (schema v${parsed.version}), not a ${label}.json. ` +
        (other
          ? `Read it with ${other}, and pass the ${label}.json from the same target/ directory here.`
          : `Pass the ${label}.json from the same target/ directory instead.`),
      {
        file,
        field: 'metadata.dbt_schema_version',
        expected: `a ${label}.json`,
        details: { kind: parsed.kind, schemaVersion: parsed.version },
      },
    );
  }
  if (parsed.version < 1) {
    throw new ArtifactError(
      'ERR_ARTIFACT_VERSION',
      `${where}: ${label} schema v${parsed.version} does not exist (dbt writes v1 and later). ` +
        'Regenerate the file with dbt.',
      { file, field: 'metadata.dbt_schema_version', expected: `v1–v${want.max}` },
    );
  }
  const isFuture = parsed.version > want.max;
  const notes: ArtifactNote[] = isFuture
    ? [
        {
          level: 'warn',
          code: 'ARTIFACT_VERSION_NEWER',
          message:
            `${where}: ${label} schema v${parsed.version} is newer than this library knows ` +
            `(v1–v${want.max}); it was read because every field used is present. Check for a ` +
            'newer dbt-auto-exposures.',
        },
      ]
    : [];
  return { root: json, schemaVersion: parsed.version, isFuture, notes };
}

/**
 * Read an identified artifact with `read`. In an artifact newer than this library knows, a schema
 * error means its fields changed, not that the file is broken: it is re-labelled as a version error.
 */
export function readIdentified<T>(
  header: ArtifactHeader,
  context: { file: string | undefined; label: ArtifactLabel },
  read: () => T,
): T {
  try {
    return read();
  } catch (error) {
    if (header.isFuture && error instanceof ArtifactError && error.code === 'ERR_ARTIFACT_SCHEMA') {
      throw asVersionError(error, {
        ...context,
        version: header.schemaVersion,
        maxKnown: KNOWN_VERSIONS[context.label].max,
      });
    }
    throw error;
  }
}
