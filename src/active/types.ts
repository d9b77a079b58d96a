/**
 * Active exposures: the Refresher interface (the Tableau client implements it, tests fake it,
 * other BI tools may later) and the report `maybeRefresh` returns.
 */
import type { LogEntry } from '../log/types.js';
import type {
  JobOutcome,
  RefreshTarget,
  RefreshTrigger,
  RequestOptions,
  WaitForJobOptions,
} from '../tableau/types.js';

export interface Refresher {
  /**
   * Current last-refresh time per target, keyed by `refreshTargetKey`. Optional: a refresher that
   * cannot report times is paired with a `lastRefreshStore`.
   */
  getLastRefreshTimes?(
    targets: RefreshTarget[],
    options?: RequestOptions,
  ): Promise<Map<string, Date | null>>;
  refresh(target: RefreshTarget, options?: RequestOptions): Promise<RefreshTrigger>;
  /** Needed only when `wait` is used. */
  waitForJob?(jobId: string, options?: WaitForJobOptions): Promise<JobOutcome>;
}

/** Where last refresh times live for refreshers that cannot report them. */
export interface LastRefreshStore {
  get(targetKey: string): Promise<Date | null>;
  set(targetKey: string, at: Date): Promise<void>;
}

export type RefreshStatus = 'success' | 'skipped' | 'error';

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

export interface RefreshResult {
  exposure: string;
  target: { kind: 'workbook' | 'datasource'; luid: string; name: string } | null;
  status: RefreshStatus;
  reason?: RefreshReason;
  /** Human detail: Tableau's message, the time left, the failed nodes. */
  detail?: string;
  jobId?: string;
  durationMs?: number;
  /** Whether this result shares a refresh call made for another exposure. */
  sharedWith?: string[];
  upstream: { rebuilt: string[]; failed: string[] };
}

export interface RefreshReport {
  enabled: boolean;
  dryRun: boolean;
  buildAfterMinutes: number;
  invocationId: string | null;
  results: RefreshResult[];
  log: LogEntry[];
  debug: LogEntry[];
}
