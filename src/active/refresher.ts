/**
 * The contract between `maybeRefresh` and whatever refreshes the BI tool's extracts. Tool-neutral:
 * the Tableau client satisfies it structurally (a type-level test checks it), `createFakeRefresher`
 * fakes it, a refresher for another BI tool implements it (docs/active-exposures.md, "The Refresher
 * contract").
 */

/** What can be refreshed: a workbook or a published data source, by its id in the BI tool. */
export interface RefreshTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
}

/** How a refresh call ended. */
export type RefreshTrigger =
  | { status: 'queued'; jobId: string }
  /** A refresh of this target is already queued or running (Tableau 409093). */
  | { status: 'already_queued'; detail?: string | undefined }
  /** The target has no extract that can be refreshed (Tableau 409090). */
  | { status: 'not_refreshable'; detail?: string | undefined };

/** How a refresh job ended, as `waitForJob` reports it. */
export interface JobOutcome {
  jobId: string;
  status: 'success' | 'failed' | 'cancelled' | 'timeout';
  /** The tool's finish code (Tableau: 0 success, 1 failed, 2 cancelled), when finished. */
  finishCode: number | null;
  /** The tool's failure notes, when it failed. */
  notes: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Time spent waiting, in ms. */
  durationMs: number;
  /** How many status polls were made. */
  polls: number;
}

/** Options of every refresher call: `maybeRefresh` passes its `signal`. */
export interface RefresherCallOptions {
  signal?: AbortSignal | undefined;
}

/** Options of `Refresher.waitForJob`: the wait's `timeoutMs` and `signal`. */
export interface WaitForJobOptions extends RefresherCallOptions {
  /** How long this wait may last; `maybeRefresh` passes what is left of the run's one deadline. */
  timeoutMs?: number | undefined;
}

/**
 * The tool-neutral contract `maybeRefresh` acts through: refresh a target, optionally report last
 * refresh times and wait for jobs; the Tableau client satisfies it.
 */
export interface Refresher {
  /**
   * Current last-refresh time per target, keyed by `refreshTargetKey` (`kind:luid`); null when
   * never refreshed. Optional: a refresher that cannot report times is paired with a
   * `lastRefreshStore`.
   */
  getLastRefreshTimes?:
    | ((
        targets: RefreshTarget[],
        options?: RefresherCallOptions,
      ) => Promise<Map<string, Date | null>>)
    | undefined;
  refresh(target: RefreshTarget, options?: RefresherCallOptions): Promise<RefreshTrigger>;
  /** Needed only when `wait` is used. */
  waitForJob?: ((jobId: string, options?: WaitForJobOptions) => Promise<JobOutcome>) | undefined;
}

/** Where last refresh times live for refreshers that cannot report them (keys as above). */
export interface LastRefreshStore {
  get(targetKey: string): Promise<Date | null>;
  set(targetKey: string, at: Date): Promise<void>;
}

/** The key of a target in `getLastRefreshTimes`' map and in a store: `workbook:<luid>`. */
export function refreshTargetKey(target: Pick<RefreshTarget, 'kind' | 'luid'>): string {
  return `${target.kind}:${target.luid}`;
}
