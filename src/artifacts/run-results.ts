/**
 * `parseRunResults`: raw run_results.json (schema v1–v6, dbt Fusion) to the version-agnostic
 * `RunResults`. Pure. The reading is in run-results-read.ts; this module adds zod's detailed error
 * for a result a fast check rejects (loaders reach it only on that path).
 */
import type { ParseArtifactOptions } from './manifest-read.js';
import { reportWithZod } from './raw-schemas.js';
import { readRunResultsJson } from './run-results-read.js';
import type { RunResults } from './types.js';

export { KNOWN_RUN_STATUSES } from './run-results-read.js';

/**
 * Read a parsed `run_results.json`. Errors as `parseManifest`. Results keep the file's order;
 * statuses are passed through as written, and a status outside `KNOWN_RUN_STATUSES` adds an `info`
 * note (one per distinct value) so callers can see it rather than guess.
 */
export function parseRunResults(json: unknown, opts: ParseArtifactOptions = {}): RunResults {
  return readRunResultsJson(json, opts, reportWithZod);
}
