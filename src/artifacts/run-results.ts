/**
 * `parseRunResults`: raw run_results.json (schema v1–v6, dbt Fusion) to the version-agnostic
 * `RunResults`. Pure; each result is checked with a fast check, and zod only names the offending
 * field of a malformed one.
 */
import { throwSchemaError } from './artifact-errors.js';
import { identifyArtifact, readIdentified } from './identify.js';
import { isFusionVersion, type ParseArtifactOptions } from './manifest.js';
import {
  isRawRunResult,
  isRawRunResultsTop,
  rawRunResultSchema,
  rawRunResultsTopSchema,
} from './raw-schemas.js';
import type { ArtifactNote, RunResult, RunResults, RunTiming } from './types.js';

type Raw = Record<string, unknown>;

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

/**
 * Read a parsed `run_results.json`. Errors as `parseManifest`. Results keep the file's order;
 * statuses are passed through as written, and a status outside `KNOWN_RUN_STATUSES` adds an `info`
 * note (one per distinct value) so callers can see it rather than guess.
 */
export function parseRunResults(json: unknown, opts: ParseArtifactOptions = {}): RunResults {
  const ctx = { file: opts.path, label: 'run_results' as const };
  const header = identifyArtifact(json, 'run_results', ctx.file);
  return readIdentified(header, ctx, () =>
    readRunResults(header.root, header.schemaVersion, header.notes, ctx),
  );
}

function readRunResults(
  root: Raw,
  schemaVersion: number,
  notes: ArtifactNote[],
  ctx: { file: string | undefined; label: 'run_results' },
): RunResults {
  if (!isRawRunResultsTop(root)) throwSchemaError(rawRunResultsTopSchema, root, [], ctx);
  const metadata = root.metadata as Raw;
  const dbtVersion = (metadata.dbt_version as string | null | undefined) ?? '';
  const rawResults = root.results as unknown[];
  const results: RunResult[] = new Array(rawResults.length);
  const unknownStatuses = new Set<string>();
  for (let i = 0; i < rawResults.length; i += 1) {
    const raw = rawResults[i];
    if (!isRawRunResult(raw)) throwSchemaError(rawRunResultSchema, raw, ['results', i], ctx);
    const status = raw.status as string;
    if (!KNOWN_RUN_STATUSES.has(status)) unknownStatuses.add(status);
    results[i] = {
      uniqueId: raw.unique_id as string,
      status,
      message: (raw.message as string | null | undefined) ?? null,
      executionTime: (raw.execution_time as number | null | undefined) ?? null,
      failures: (raw.failures as number | null | undefined) ?? null,
      timing: readTiming(raw.timing),
      relationName: (raw.relation_name as string | null | undefined) ?? null,
    };
  }
  for (const status of [...unknownStatuses].sort()) {
    notes.push({
      level: 'info',
      code: 'RUN_STATUS_UNKNOWN',
      message: `${ctx.file ?? 'run_results'}: status ${JSON.stringify(status)} is not one dbt Core writes; it is passed through as is.`,
    });
  }
  const args = root.args as Raw | null | undefined;
  return {
    path: ctx.file ?? null,
    schemaVersion,
    dbtVersion,
    isFusion: isFusionVersion(dbtVersion),
    invocationId: (metadata.invocation_id as string | null | undefined) ?? null,
    generatedAt: (metadata.generated_at as string | null | undefined) ?? null,
    command: (args?.which as string | null | undefined) ?? null,
    elapsedTime: (root.elapsed_time as number | null | undefined) ?? null,
    results,
    notes,
  };
}

function readTiming(value: unknown): RunTiming[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: Raw) => ({
    name: entry.name as string,
    startedAt: (entry.started_at as string | null | undefined) ?? null,
    completedAt: (entry.completed_at as string | null | undefined) ?? null,
  }));
}
