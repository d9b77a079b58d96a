/**
 * The I/O side of maybeRefresh: ask for last refresh times, trigger refreshes (a bounded number at
 * once), wait for jobs — all through the `Refresher` contract (and the optional
 * `LastRefreshStore`). Every outcome, including failures and aborts, becomes data; nothing here
 * throws.
 */
import { DbtAutoExposuresError } from '../errors.js';
import {
  callFailedEntry,
  type EntryContext,
  jobOutcomeEntry,
  refreshCallEntry,
} from '../log/entries.js';
import type { LogEntry } from '../log/types.js';
import type { LastRefresh, LastRefreshLookup, PlannedTarget, TargetPlan } from './decide.js';
import type { LastRefreshStore, Refresher, RefreshTarget, RefreshTrigger } from './refresher.js';
import type { RefreshReason, RefreshStatus } from './report.js';

/** What act needs from the run. */
export interface ActContext {
  refresher: Refresher;
  store: LastRefreshStore | undefined;
  signal: AbortSignal | undefined;
  now: Date;
  /** Monotonic milliseconds (for elapsed times). */
  clock: () => number;
  /** Entry context for "now" (timestamp from the injected clock). */
  entryContext: () => EntryContext;
  /** Receives each evidence entry (debug) the moment it is made. */
  record: (entry: LogEntry) => void;
  wait: { timeoutMs: number } | undefined;
  /** Bounds the refresh calls (and job waits) in flight across the whole run. */
  limiter: Limiter;
  /** The run's one wait deadline, set by its first refresh call. */
  deadline: WaitDeadline | undefined;
}

/** The last refresh lookup for all targets needing one. */
interface LookupOutcome extends LastRefreshLookup {
  times: Map<string, LastRefresh>;
  failed: Map<string, string>;
}

/** Runs at most `concurrency` tasks at once, starting them in the order they were given. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createLimiter(concurrency: number): Limiter {
  let running = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    running -= 1;
    queue.shift()?.();
  };
  return {
    async run(task) {
      if (running >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
      running += 1;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

/** A refresher call's failure, as data (the message is the refresher's, already redacted). */
function describeFailure(error: unknown): { code: string | null; message: string } {
  if (error instanceof DbtAutoExposuresError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: null, message: error.message };
  return { code: null, message: String(error) };
}

/** Record a failed refresher or store call as `callFailed` evidence; returns its message. */
function recordFailedCall(
  context: ActContext,
  operation: string,
  target: PlannedTarget | null,
  error: unknown,
  started: number,
): string {
  const { code, message } = describeFailure(error);
  context.record(
    callFailedEntry(context.entryContext(), {
      operation,
      target,
      errorCode: code,
      message,
      elapsedMs: elapsed(context, started),
    }),
  );
  return message;
}

function toTarget(target: PlannedTarget): RefreshTarget {
  return { kind: target.kind, luid: target.luid, name: target.name };
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

/**
 * Last refresh times: from `refresher.getLastRefreshTimes` in one call when it exists (a target
 * it does not answer for falls back to the store), else from the store, else unknown.
 */
export async function lookupLastRefreshTimes(
  plans: readonly TargetPlan[],
  context: ActContext,
): Promise<LookupOutcome> {
  const outcome: LookupOutcome = { times: new Map(), failed: new Map(), aborted: false };
  if (plans.length === 0) return outcome;
  if (context.signal?.aborted) return { ...outcome, aborted: true };
  const { refresher, store } = context;
  let fromRefresher: Map<string, Date | null> | undefined;
  if (refresher.getLastRefreshTimes !== undefined) {
    const started = context.clock();
    try {
      fromRefresher = await refresher.getLastRefreshTimes(
        plans.map((plan) => toTarget(plan.target)),
        signalOption(context.signal),
      );
    } catch (error) {
      if (context.signal?.aborted) return { ...outcome, aborted: true };
      const message = recordFailedCall(context, 'getLastRefreshTimes', null, error, started);
      if (store === undefined) {
        for (const plan of plans) outcome.failed.set(plan.target.key, message);
        return outcome;
      }
    }
  }
  for (const plan of plans) {
    const { key } = plan.target;
    if (fromRefresher?.has(key)) {
      outcome.times.set(key, { at: fromRefresher.get(key) ?? null, source: 'refresher' });
      continue;
    }
    if (store === undefined) {
      outcome.times.set(key, { at: null, source: 'unknown' });
      continue;
    }
    if (context.signal?.aborted) return { ...outcome, aborted: true };
    const started = context.clock();
    try {
      outcome.times.set(key, { at: await store.get(key), source: 'store' });
    } catch (error) {
      const message = recordFailedCall(
        context,
        'lastRefreshStore.get',
        plan.target,
        error,
        started,
      );
      outcome.failed.set(key, message);
    }
  }
  return outcome;
}

/** How acting on one target ended. */
export interface TargetOutcome {
  status: RefreshStatus;
  reason?: RefreshReason;
  detail?: string;
  jobId?: string;
  durationMs?: number;
  /** ISO time the outcome was known. */
  ts: string;
  /** Whether a refresh call was sent (it may have reached Tableau even if it failed). */
  called: boolean;
}

/**
 * Refresh every target through the run's limiter (at most `concurrency` calls and waits in
 * flight across the run, started in the given order); `onOutcome` gets each outcome the moment it
 * is known. Outcomes in the order of `targets`. With `wait`, every job wait of the run ends at ONE
 * deadline: `wait.timeoutMs` after the run's first refresh call.
 */
export async function refreshTargets(
  targets: readonly PlannedTarget[],
  context: ActContext,
  onOutcome: (target: PlannedTarget, outcome: TargetOutcome) => void,
): Promise<TargetOutcome[]> {
  return Promise.all(
    targets.map((target) =>
      context.limiter.run(async () => {
        const outcome = await refreshTarget(target, context);
        onOutcome(target, outcome);
        return outcome;
      }),
    ),
  );
}

/** Trigger one refresh (and wait for it when asked). Never throws. */
async function refreshTarget(target: PlannedTarget, context: ActContext): Promise<TargetOutcome> {
  const done = (fields: Omit<TargetOutcome, 'ts' | 'called'>, called = true): TargetOutcome => ({
    ...fields,
    ts: context.entryContext().ts,
    called,
  });
  if (context.signal?.aborted) {
    return done(
      { status: 'skipped', reason: 'aborted', detail: 'aborted before the refresh was triggered' },
      false,
    );
  }
  const started = context.clock();
  if (context.wait !== undefined && context.deadline === undefined) {
    context.deadline = { timeoutMs: context.wait.timeoutMs, at: started + context.wait.timeoutMs };
  }
  let trigger: RefreshTrigger;
  try {
    trigger = await context.refresher.refresh(toTarget(target), signalOption(context.signal));
  } catch (error) {
    const message = recordFailedCall(context, 'refresh', target, error, started);
    if (context.signal?.aborted) {
      return done({
        status: 'skipped',
        reason: 'aborted',
        detail: 'aborted while the refresh call was in flight; Tableau may have queued it',
      });
    }
    return done({ status: 'error', reason: 'trigger_failed', detail: message });
  }
  context.record(
    refreshCallEntry(context.entryContext(), {
      target,
      outcome: trigger.status,
      jobId: trigger.status === 'queued' ? trigger.jobId : null,
      elapsedMs: elapsed(context, started),
    }),
  );
  if (trigger.status === 'already_queued') {
    return done({
      status: 'skipped',
      reason: 'already_queued',
      detail: `already queued: ${trigger.detail ?? 'a refresh of this target is already queued or running'}`,
    });
  }
  if (trigger.status === 'not_refreshable') {
    return done({
      status: 'skipped',
      reason: 'not_refreshable',
      detail: `not refreshable: ${trigger.detail ?? 'Tableau does not allow an extract refresh of this target'}`,
    });
  }
  const { jobId } = trigger;
  await remember(target, context);
  const waitForJob = context.refresher.waitForJob?.bind(context.refresher);
  const { deadline } = context;
  if (deadline === undefined || waitForJob === undefined) {
    return done({ status: 'triggered', jobId });
  }
  return waitFor({ target, jobId, deadline, waitForJob }, context, done);
}

/** The run's one wait: `timeoutMs` long, ending at the `clock()` reading `at`. */
export interface WaitDeadline {
  timeoutMs: number;
  at: number;
}

interface WaitInput {
  target: PlannedTarget;
  jobId: string;
  deadline: WaitDeadline;
  waitForJob: NonNullable<Refresher['waitForJob']>;
}

async function waitFor(
  { target, jobId, deadline, waitForJob }: WaitInput,
  context: ActContext,
  done: (fields: Omit<TargetOutcome, 'ts' | 'called'>) => TargetOutcome,
): Promise<TargetOutcome> {
  const timedOut = (durationMs?: number): TargetOutcome =>
    done({
      status: 'error',
      reason: 'job_timeout',
      detail: `job still running when the run's wait of ${deadline.timeoutMs} ms ended (not cancelled)`,
      jobId,
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  const remaining = Math.floor(deadline.at - context.clock());
  if (remaining <= 0) return timedOut();
  const started = context.clock();
  try {
    const job = await waitForJob(jobId, {
      timeoutMs: remaining,
      ...signalOption(context.signal),
    });
    context.record(
      jobOutcomeEntry(context.entryContext(), {
        target,
        jobId,
        status: job.status,
        finishCode: job.finishCode,
        notes: job.notes,
        durationMs: job.durationMs,
        polls: job.polls,
      }),
    );
    const durationMs = job.durationMs;
    if (job.status === 'success') return done({ status: 'success', jobId, durationMs });
    if (job.status === 'failed') {
      return done({
        status: 'error',
        reason: 'job_failed',
        detail: `job failed: ${job.notes ?? `finishCode ${String(job.finishCode)}`}`,
        jobId,
        durationMs,
      });
    }
    if (job.status === 'cancelled') {
      return done({
        status: 'error',
        reason: 'job_cancelled',
        detail: 'job cancelled in Tableau',
        jobId,
        durationMs,
      });
    }
    return timedOut(durationMs);
  } catch (error) {
    const message = recordFailedCall(context, 'waitForJob', target, error, started);
    if (context.signal?.aborted) {
      return done({
        status: 'triggered',
        jobId,
        detail: `refresh queued as job ${jobId}; waiting was aborted`,
      });
    }
    return done({
      status: 'error',
      reason: 'job_failed',
      detail: `could not follow job ${jobId}: ${message}`,
      jobId,
    });
  }
}

/** Record the trigger in the store (best effort: a failure is evidence, not an error). */
async function remember(target: PlannedTarget, context: ActContext): Promise<void> {
  if (context.store === undefined) return;
  const started = context.clock();
  try {
    await context.store.set(target.key, context.now);
  } catch (error) {
    recordFailedCall(context, 'lastRefreshStore.set', target, error, started);
  }
}

function elapsed(context: ActContext, started: number): number {
  return Math.max(0, Math.round(context.clock() - started));
}
