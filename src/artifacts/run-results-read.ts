/**
 * Reading raw run_results.json (schema v1–v6, dbt Fusion) into the version-agnostic `RunResults`:
 * the body of `parseRunResults` (run-results.ts) and `loadRunResults` (load.ts). Pure; each result
 * is checked with a fast check, and a malformed one goes to the caller's `SchemaErrorReporter`.
 */
import type { SchemaErrorReporter } from './artifact-errors.js';
import { identifyArtifact, readIdentified } from './identify.js';
import { isFusionVersion, type ParseArtifactOptions } from './manifest-read.js';
import { isRawRunResult, isRawRunResultsTop } from './raw-checks.js';
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
 * Read a parsed `run_results.json` (see `parseRunResults`); a result a fast check rejects is passed
 * to `invalid`, which throws.
 */
export function readRunResultsJson(
  json: unknown,
  opts: ParseArtifactOptions,
  invalid: SchemaErrorReporter,
): RunResults {
  const ctx = { file: opts.path, label: 'run_results' as const, invalid };
  const header = identifyArtifact(json, 'run_results', ctx.file);
  return readIdentified(header, ctx, () =>
    readRunResults(header.root, header.schemaVersion, header.notes, ctx),
  );
}

function readRunResults(
  root: Raw,
  schemaVersion: number,
  notes: ArtifactNote[],
  ctx: { file: string | undefined; label: 'run_results'; invalid: SchemaErrorReporter },
): RunResults {
  if (!isRawRunResultsTop(root)) ctx.invalid('runResultsTop', root, [], ctx);
  const metadata = root.metadata as Raw;
  const dbtVersion = (metadata.dbt_version as string | null | undefined) ?? '';
  const rawResults = root.results as unknown[];
  const results: RunResult[] = new Array(rawResults.length);
  const unknownStatuses = new Set<string>();
  for (let i = 0; i < rawResults.length; i += 1) {
    const raw = rawResults[i];
    if (!isRawRunResult(raw)) ctx.invalid('runResult', raw, ['results', i], ctx);
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
