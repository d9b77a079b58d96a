/**
 * An in-memory `Refresher` for unit tests of code that calls `maybeRefresh`: records every call,
 * answers from configuration (last refresh times, 409093 / 409090 answers, failing triggers,
 * failing jobs). No network, no timers, deterministic job ids (`fake-job-1`, `fake-job-2`, …).
 * An aborted signal rejects a call with `ERR_ABORTED`, as the Tableau client does.
 */
import {
  type JobOutcome,
  type Refresher,
  type RefresherCallOptions,
  type RefreshTarget,
  type RefreshTrigger,
  refreshTargetKey,
  type WaitForJobOptions,
} from '../active/refresher.js';
import { abortedError } from '../errors.js';

/** How the fake answers a refresh of one target (by `refreshTargetKey`). Default `queued`. */
export type FakeRefreshAnswer =
  | 'queued'
  | 'already_queued'
  | 'not_refreshable'
  /** The refresh call rejects with an Error carrying this message. */
  | { error: string };

/** How a job of one target ends when waited for. Default `success` in 0 ms after 1 poll. */
export interface FakeJobOutcome {
  status: JobOutcome['status'];
  notes?: string | undefined;
  durationMs?: number | undefined;
}

/** Options of `createFakeRefresher`: last refresh times, answers per target, job outcomes. */
export interface FakeRefresherOptions {
  /** Last refresh time per target key (`workbook:<luid>`); missing keys answer null. */
  lastRefreshTimes?: Readonly<Record<string, Date | string | null>> | undefined;
  /** False: the fake has no `getLastRefreshTimes` (pair it with a `lastRefreshStore`). Default true. */
  canReportLastRefreshTimes?: boolean | undefined;
  /** `getLastRefreshTimes` rejects with an Error carrying this message. */
  lastRefreshTimesError?: string | undefined;
  /** Answer per target key. */
  refreshAnswers?: Readonly<Record<string, FakeRefreshAnswer>> | undefined;
  /** Job outcome per target key. */
  jobOutcomes?: Readonly<Record<string, FakeJobOutcome>> | undefined;
  /**
   * When given, a queued refresh sets the target's last refresh time to `refreshedAt()`, so a
   * second run within the cadence sees it (like Tableau after the job ran).
   */
  refreshedAt?: (() => Date) | undefined;
}

/** One recorded call. */
export type FakeRefresherCall =
  | { method: 'getLastRefreshTimes'; targets: RefreshTarget[] }
  | { method: 'refresh'; target: RefreshTarget }
  | { method: 'waitForJob'; jobId: string; timeoutMs: number | null };

/** A scripted `Refresher` for tests: answers as configured and records every call. */
export interface FakeRefresher extends Refresher {
  /** Every call, in order. */
  readonly calls: FakeRefresherCall[];
  /** The targets of the refresh calls, in order. */
  refreshedTargets(): RefreshTarget[];
  /** Change a target's last refresh time. */
  setLastRefreshTime(key: string, at: Date | null): void;
}

/** Create a fake refresher (see {@link FakeRefresherOptions}). */
export function createFakeRefresher(options: FakeRefresherOptions = {}): FakeRefresher {
  const calls: FakeRefresherCall[] = [];
  const lastTimes = new Map<string, Date | null>();
  for (const [key, value] of Object.entries(options.lastRefreshTimes ?? {})) {
    lastTimes.set(key, value === null ? null : new Date(value));
  }
  const jobTargets = new Map<string, string>();
  let jobCounter = 0;

  const fake: FakeRefresher = {
    calls,
    refreshedTargets: () =>
      calls.flatMap((call) => (call.method === 'refresh' ? [call.target] : [])),
    setLastRefreshTime: (key, at) => {
      lastTimes.set(key, at);
    },
    async refresh(target: RefreshTarget, request?: RefresherCallOptions): Promise<RefreshTrigger> {
      throwIfAborted(request, `Refreshing ${target.kind} '${target.name}'`);
      calls.push({ method: 'refresh', target: { ...target } });
      const key = refreshTargetKey(target);
      const answer = options.refreshAnswers?.[key] ?? 'queued';
      if (typeof answer === 'object') throw new Error(answer.error);
      if (answer === 'already_queued') {
        return {
          status: 'already_queued',
          detail: `Job for '${target.name}' is already queued. Not queuing a duplicate.`,
        };
      }
      if (answer === 'not_refreshable') {
        return {
          status: 'not_refreshable',
          detail: `Extract operation for the ${target.kind} '${target.name}' is not allowed.`,
        };
      }
      jobCounter += 1;
      const jobId = `fake-job-${jobCounter}`;
      jobTargets.set(jobId, key);
      if (options.refreshedAt !== undefined) lastTimes.set(key, options.refreshedAt());
      return { status: 'queued', jobId };
    },
    async waitForJob(jobId: string, wait?: WaitForJobOptions): Promise<JobOutcome> {
      throwIfAborted(wait, `Waiting for job ${jobId}`);
      calls.push({ method: 'waitForJob', jobId, timeoutMs: wait?.timeoutMs ?? null });
      const key = jobTargets.get(jobId);
      if (key === undefined) throw new Error(`Unknown job ${jobId}`);
      const configured = options.jobOutcomes?.[key] ?? { status: 'success' };
      const finishCode = { success: 0, failed: 1, cancelled: 2, timeout: null }[configured.status];
      return {
        jobId,
        status: configured.status,
        finishCode,
        notes: configured.notes ?? null,
        startedAt: null,
        completedAt: null,
        durationMs: configured.durationMs ?? 0,
        polls: 1,
      };
    },
  };
  if (options.canReportLastRefreshTimes !== false) {
    fake.getLastRefreshTimes = async (targets, request) => {
      throwIfAborted(request, 'Reading the last refresh times');
      calls.push({ method: 'getLastRefreshTimes', targets: targets.map((t) => ({ ...t })) });
      if (options.lastRefreshTimesError !== undefined)
        throw new Error(options.lastRefreshTimesError);
      return new Map(
        targets.map((t) => [refreshTargetKey(t), lastTimes.get(refreshTargetKey(t)) ?? null]),
      );
    };
  }
  return fake;
}

function throwIfAborted(options: RefresherCallOptions | undefined, operation: string): void {
  if (options?.signal?.aborted) throw abortedError(operation, options.signal);
}
