/**
 * run_results.json (schema v1–v6 and later, dbt Fusion) into the version-agnostic `RunResults`:
 * the fields read (zod schemas) and `parseRunResults` / `loadRunResults`. The top level is checked
 * first, then each result on its own.
 */
import { z } from 'zod';
import { compareStrings } from '../util/compare.js';
import {
  fields,
  identifyArtifact,
  isFusionVersion,
  type LoadArtifactOptions,
  loadArtifact,
  nullishNum,
  nullishStr,
  type ParseArtifactOptions,
  readEntry,
  str,
} from './artifact.js';
import { checkArtifactPairing } from './pairing.js';
import type { Manifest, RunResult, RunResults } from './types.js';

const runResultsSchema = fields(
  {
    metadata: fields(
      {
        dbt_schema_version: str,
        dbt_version: nullishStr,
        generated_at: nullishStr,
        invocation_id: nullishStr,
      },
      'an object',
    ),
    args: fields({ which: nullishStr }, 'an object or null').nullish(),
    elapsed_time: nullishNum,
    results: z.array(z.unknown(), { error: 'an array' }),
  },
  'an object',
);

const resultSchema = fields(
  {
    unique_id: str,
    status: str,
    message: nullishStr,
    execution_time: nullishNum,
    failures: nullishNum,
    relation_name: nullishStr,
    timing: z
      .array(
        fields(
          { name: str, started_at: nullishStr, completed_at: nullishStr },
          'an object (a timing entry)',
        ),
        { error: 'an array of timing entries, or null' },
      )
      .nullish(),
  },
  'an object (a run result)',
);

/** Every status dbt Core has written (Fusion types status as a free string). */
export const KNOWN_RUN_STATUSES: ReadonlySet<string> = new Set([
  'success',
  'error',
  'fail',
  'warn',
  'skipped',
  'pass',
  'runtime error',
  'partial success',
  'no-op',
  'reused',
]);

/** The manifest a run is read against, so `notes` say when the two do not belong together. */
export interface RunResultsPairingOptions {
  /**
   * The manifest this run will be read against. When given, `notes` gains a `warn` note for
   * each reason they do not belong together (another invocation, an older run, another
   * project: docs/artifacts.md, "Pairing"). Default: not checked.
   */
  manifest?: Manifest | undefined;
}

/** Options of `parseRunResults`. */
export interface ParseRunResultsOptions extends ParseArtifactOptions, RunResultsPairingOptions {}

/** Options of `loadRunResults`. */
export interface LoadRunResultsOptions extends LoadArtifactOptions, RunResultsPairingOptions {}

/**
 * Read a parsed `run_results.json`. Errors as `parseManifest`. Results keep the file's order;
 * statuses are passed through as written, and a status outside `KNOWN_RUN_STATUSES` adds an `info`
 * note (one per distinct value) so callers can see it rather than guess. With `manifest`, notes
 * also say when the run does not belong with that manifest.
 */
export function parseRunResults(json: unknown, options: ParseRunResultsOptions = {}): RunResults {
  const artifact = identifyArtifact(json, 'run_results', options.path);
  const top = readEntry(artifact, runResultsSchema, artifact.root);
  const { metadata } = top;
  const dbtVersion = metadata.dbt_version ?? '';
  const unknownStatuses = new Set<string>();
  const results = top.results.map((value, i): RunResult => {
    const raw = readEntry(artifact, resultSchema, value, 'results', i);
    if (!KNOWN_RUN_STATUSES.has(raw.status)) unknownStatuses.add(raw.status);
    return {
      uniqueId: raw.unique_id,
      status: raw.status,
      message: raw.message ?? null,
      executionTime: raw.execution_time ?? null,
      failures: raw.failures ?? null,
      timing: (raw.timing ?? []).map((entry) => ({
        name: entry.name,
        startedAt: entry.started_at ?? null,
        completedAt: entry.completed_at ?? null,
      })),
      relationName: raw.relation_name ?? null,
    };
  });
  const notes = artifact.notes;
  for (const status of [...unknownStatuses].sort(compareStrings)) {
    notes.push({
      level: 'info',
      code: 'RUN_STATUS_UNKNOWN',
      message: `${artifact.file ?? 'run_results'}: status ${JSON.stringify(status)} is not one dbt Core writes; it is passed through as is.`,
    });
  }
  const runResults: RunResults = {
    path: artifact.file ?? null,
    schemaVersion: artifact.schemaVersion,
    dbtVersion,
    isFusion: isFusionVersion(dbtVersion),
    invocationId: metadata.invocation_id ?? null,
    generatedAt: metadata.generated_at ?? null,
    command: top.args?.which ?? null,
    elapsedTime: top.elapsed_time ?? null,
    results,
    notes,
  };
  if (options.manifest !== undefined)
    notes.push(...checkArtifactPairing(runResults, options.manifest));
  return runResults;
}

/**
 * Read `run_results.json` from a file or a directory (`path/run_results.json`, then
 * `path/target/run_results.json`). Errors as `loadManifest`; `manifest` as `parseRunResults`.
 */
export function loadRunResults(
  path: string,
  options: LoadRunResultsOptions = {},
): Promise<RunResults> {
  const { manifest } = options;
  return loadArtifact(
    path,
    'run_results',
    (json, parseOptions) => parseRunResults(json, { ...parseOptions, manifest }),
    options,
  );
}
