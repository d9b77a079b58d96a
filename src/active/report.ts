/**
 * The report `maybeRefresh` returns, and its file: `active_exposures.json` next to
 * run_results.json by default, written atomically (a failed write never leaves a truncated report).
 */
import { dirname, join } from 'node:path';
import type { LogEntry } from '../log/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { RefreshTarget } from './refresher.js';

/**
 * `triggered`: the refresh was queued and not waited on (whether it succeeds is unknown);
 * `success`: the job was waited on and succeeded.
 */
export type RefreshStatus = 'triggered' | 'success' | 'skipped' | 'error';

/**
 * Why a result has its status (`upstream_failed`, `build_after_not_elapsed`, `no_extract`,
 * `job_failed`, …).
 */
export type RefreshReason =
  | 'disabled'
  | 'upstream_failed'
  | 'no_upstream_rebuilt'
  | 'not_a_build'
  | 'no_refresh_target'
  | 'no_extract'
  | 'build_after_not_elapsed'
  /** The last refresh time could not be read (refresher or store failed): not refreshed. */
  | 'lookup_failed'
  | 'already_queued'
  | 'not_refreshable'
  | 'dry_run'
  | 'aborted'
  | 'trigger_failed'
  | 'job_failed'
  | 'job_cancelled'
  | 'job_timeout';

/**
 * One exposure × refresh target: its status, the reason, and the evidence (job id, timings,
 * detail).
 */
export interface RefreshResult {
  exposure: string;
  target: RefreshTarget | null;
  status: RefreshStatus;
  reason?: RefreshReason | undefined;
  /** Human detail: Tableau's message, the time left, the failed nodes. */
  detail?: string | undefined;
  jobId?: string | undefined;
  durationMs?: number | undefined;
  /** Whether this result shares a refresh call made for another exposure. */
  sharedWith?: string[] | undefined;
  upstream: { rebuilt: string[]; failed: string[] };
}

/**
 * The counts of the `Done.` line. Targets are counted once each (a data source shared by three
 * exposures is one target), by the outcome of its one refresh decision.
 */
export interface RefreshSummary {
  exposures: number;
  /** Distinct refresh targets of all exposures. */
  targets: number;
  triggered: number;
  /** Refreshed: waited on, and the job succeeded. */
  refreshed: number;
  skipped: number;
  errors: number;
  /** Refresh calls made (sent, whatever their answer). */
  refreshCalls: number;
}

/** Version of the report's shape (1: no `version` field, before `triggered` and `summary`). */
export const REFRESH_REPORT_VERSION = 2;

/**
 * What `maybeRefresh` and `followDbtLog` return: the settings used, one result per exposure and
 * target, the summary, and the log and debug entries.
 */
export interface RefreshReport {
  version: typeof REFRESH_REPORT_VERSION;
  enabled: boolean;
  dryRun: boolean;
  buildAfterMinutes: number;
  invocationId: string | null;
  results: RefreshResult[];
  summary: RefreshSummary;
  log: LogEntry[];
  debug: LogEntry[];
}

/** File name of the report next to run_results.json. */
export const DEFAULT_REPORT_FILE = 'active_exposures.json';

/** `<dir of run_results.json>/active_exposures.json` */
export function defaultReportPath(runResultsPath: string): string {
  return join(dirname(runResultsPath), DEFAULT_REPORT_FILE);
}

/** The report as written: pretty JSON (2 spaces) with a final newline. */
export function serializeRefreshReport(report: RefreshReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Write `report` to `path` atomically (temporary file in the same directory, fsync, rename).
 *
 * @throws LineageError `ERR_OUTPUT_WRITE` naming the file when it cannot be written, or
 *   `ERR_ABORTED` when `signal` aborts; the previous file is then left unchanged.
 */
export async function writeRefreshReport(
  path: string,
  report: RefreshReport,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  await writeFileAtomic(path, serializeRefreshReport(report), { signal: options.signal });
}
