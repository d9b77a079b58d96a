/**
 * Extract refresh jobs of the mock server. A job's state is a function of the (injectable) clock:
 * queued for `queuedMs`, then in progress for `runMs`, then finished with the planned outcome
 * (finishCode 0 success, 1 failed with notes, 2 cancelled), or in progress forever (`hang`).
 */
import type { RefreshTarget } from '../tableau/types.js';

/** How a refresh job behaves. */
export interface MockJobPlan {
  /** Default "success". */
  outcome?: 'success' | 'failed' | 'cancelled' | 'hang';
  /** Time spent queued, in ms of the server clock. Default 50. */
  queuedMs?: number;
  /** Time spent running, in ms of the server clock. Default 100. */
  runMs?: number;
  /** Tableau's failure notes (for "failed"). Default: a realistic driver error. */
  notes?: string;
}

/** Default plan values. */
export const DEFAULT_JOB_PLAN = {
  outcome: 'success',
  queuedMs: 50,
  runMs: 100,
  notes:
    'com.tableausoftware.nativeapi.dll.DataSourceException: The database returned an error: relation does not exist',
} as const satisfies Required<MockJobPlan>;

/** A job as created. */
export interface MockJob {
  id: string;
  target: RefreshTarget;
  createdAtMs: number;
  plan: Required<MockJobPlan>;
  /** Whether its success has been applied to the site's refresh times. */
  applied: boolean;
}

/** A job as reported at some time. */
export interface MockJobState {
  id: string;
  status: 'queued' | 'in_progress' | 'success' | 'failed' | 'cancelled';
  progress: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  finishCode: number | null;
  notes: string | null;
}

/** ISO time without milliseconds, as Tableau writes it. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Complete a partial plan with the defaults. */
export function resolveJobPlan(plan: MockJobPlan | undefined): Required<MockJobPlan> {
  return { ...DEFAULT_JOB_PLAN, ...(plan ?? {}) };
}

/** When the job finishes (ms), or null if it never does. */
export function jobEndMs(job: MockJob): number | null {
  if (job.plan.outcome === 'hang') return null;
  return job.createdAtMs + job.plan.queuedMs + job.plan.runMs;
}

/** The state of a job at `nowMs`. */
export function jobState(job: MockJob, nowMs: number): MockJobState {
  const startMs = job.createdAtMs + job.plan.queuedMs;
  const endMs = jobEndMs(job);
  const base = { id: job.id, createdAt: isoSeconds(job.createdAtMs) };
  if (nowMs < startMs) {
    return {
      ...base,
      status: 'queued',
      progress: 0,
      startedAt: null,
      completedAt: null,
      finishCode: null,
      notes: null,
    };
  }
  if (endMs === null || nowMs < endMs) {
    const progress =
      endMs === null
        ? 50
        : Math.min(99, Math.floor(((nowMs - startMs) / Math.max(1, endMs - startMs)) * 100));
    return {
      ...base,
      status: 'in_progress',
      progress,
      startedAt: isoSeconds(startMs),
      completedAt: null,
      finishCode: null,
      notes: null,
    };
  }
  const outcome = job.plan.outcome as 'success' | 'failed' | 'cancelled';
  return {
    ...base,
    status: outcome,
    progress: 100,
    startedAt: isoSeconds(startMs),
    completedAt: isoSeconds(endMs),
    finishCode: outcome === 'success' ? 0 : outcome === 'failed' ? 1 : 2,
    notes: outcome === 'failed' ? job.plan.notes : null,
  };
}

/** Whether the job is queued or running at `nowMs` (a new refresh of its target gets 409093). */
export function jobActive(job: MockJob, nowMs: number): boolean {
  const endMs = jobEndMs(job);
  return endMs === null || nowMs < endMs;
}
