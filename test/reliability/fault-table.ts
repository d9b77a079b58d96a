/**
 * The fault scenarios of the reliability suite, as data: what is injected on the mock server and
 * what must come out. The same table drives the client operations, the library sync, maybeRefresh
 * and the CLI sync, and docs/reliability.md is checked against it (doc-counts.test.ts).
 *
 * Expectations are written by hand from the fault: a fault that hits once costs exactly one more
 * request of the faulted route (the retry); a permanent fault costs `RETRIES + 1` attempts and
 * ends in a coded error; an expired session costs one sign-in and one replay.
 */
import type { ErrorCode } from '../../src/errors.js';
import type { MockRoute, MockTableauServer } from '../../src/testing/index.js';
import { RETRIES, signInElsewhere, TIMEOUT_MS } from './harness.js';

/** Which operations a case applies to: any route, or only Metadata API / refresh / job routes. */
export type RouteKind = 'graphql' | 'refresh' | 'job';

export type FaultExpectation =
  /** The operation succeeds with its normal result. */
  | {
      outcome: 'recovered';
      /** Requests beyond the fault-free run (exact, or an inclusive range). */
      extra: number | [number, number];
      /** Sign-ins during the operation (the client signed in before the fault was armed). */
      signIns: number;
    }
  /** The operation answers something other than its normal result (e.g. `already_queued`). */
  | { outcome: 'answer'; answer: string; signIns: number }
  /** The operation fails with a coded error after `attempts` requests of the faulted route. */
  | {
      outcome: 'error';
      code: ErrorCode;
      /** Requests of the faulted route; `halving`: the first page size halved down to 1. */
      attempts: number | 'halving';
      status?: number;
      message: RegExp;
    };

/** Attempts of a page asked again with half the size until 1: 4 → 2 → 1 is 3 attempts. */
export function halvingAttempts(pageSize: number): number {
  return Math.floor(Math.log2(pageSize)) + 1;
}

/** What `arm` may use besides the server. */
export interface ArmContext {
  /** Trigger the operation's refresh once (through the client under test). */
  refreshOnce(): Promise<unknown>;
}

export interface FaultCase {
  id: string;
  /** What is injected, in words (docs/reliability.md). */
  fault: string;
  /** Route kinds the case makes sense on (default: all). */
  only?: RouteKind[];
  /** Before the client's first request (job plans, site state). */
  setup?(mock: MockTableauServer, route: MockRoute): void;
  /** After the client signed in, right before the operation (requests made here are not counted). */
  arm?(mock: MockTableauServer, route: MockRoute, context: ArmContext): unknown;
  /** Refresh a target without an extract instead of the usual one. */
  liveTarget?: boolean;
  /** Abort the operation's signal this many ms after it starts. */
  abortAfterMs?: number;
  expect: FaultExpectation;
}

/** A latency spike longer than the client's per-request timeout. */
export const SPIKE_MS = TIMEOUT_MS + 1500;
/** Retry-After the 429 case sends, in seconds. */
export const RETRY_AFTER_SECONDS = 1;
/**
 * How long job waits last: ONE deadline for the whole wait (polls, their retries and any
 * Retry-After), so it must hold a timed-out attempt and its retry, or the Retry-After.
 */
export const JOB_WAIT_MS = SPIKE_MS + 1000;

const once =
  (fault: Parameters<MockTableauServer['inject']>[1]) =>
  (mock: MockTableauServer, route: MockRoute): void =>
    mock.inject(route, fault);

const permanent =
  (fault: Exclude<Parameters<MockTableauServer['inject']>[1], unknown[]>) =>
  (mock: MockTableauServer, route: MockRoute): void =>
    mock.inject(route, { fault: fault as never, times: Number.POSITIVE_INFINITY });

const recovered = (extra: number | [number, number], signIns = 0): FaultExpectation => ({
  outcome: 'recovered',
  extra,
  signIns,
});

export const FAULT_CASES: FaultCase[] = [
  {
    id: 'latency-within-timeout',
    fault: 'latency spike of 200 ms (below the timeout)',
    arm: once({ kind: 'latency', ms: 200 }),
    expect: recovered(0),
  },
  {
    id: 'latency-beyond-timeout',
    fault: `latency spike of ${SPIKE_MS} ms (beyond the ${TIMEOUT_MS} ms timeout), once`,
    arm: once({ kind: 'latency', ms: SPIKE_MS }),
    expect: recovered(1),
  },
  {
    id: '429-retry-after',
    fault: `429 with Retry-After: ${RETRY_AFTER_SECONDS}, once`,
    arm: once({ kind: 'rate-limit', retryAfter: RETRY_AFTER_SECONDS }),
    expect: recovered(1),
  },
  {
    id: '429-no-retry-after',
    fault: '429 without Retry-After, once',
    arm: once({ kind: 'rate-limit' }),
    expect: recovered(1),
  },
  {
    id: '500',
    fault: 'HTTP 500 with a Tableau error body, once',
    arm: once({ kind: 'status', status: 500 }),
    expect: recovered(1),
  },
  {
    id: '502-html',
    fault: 'HTTP 502 with an HTML error page, once',
    arm: once({ kind: 'status', status: 502, html: true }),
    expect: recovered(1),
  },
  {
    id: '503',
    fault: 'HTTP 503, once',
    arm: once({ kind: 'status', status: 503 }),
    expect: recovered(1),
  },
  {
    id: 'reset',
    fault: 'connection reset (socket destroyed, no answer), once',
    arm: once({ kind: 'drop' }),
    expect: recovered(1),
  },
  {
    id: 'truncated',
    fault: 'truncated body (half of the real answer, then the socket closes), once',
    arm: once({ kind: 'truncate' }),
    expect: recovered(1),
  },
  {
    id: '503-permanent',
    fault: 'HTTP 503 on every attempt',
    arm: permanent({ kind: 'status', status: 503 }),
    expect: {
      outcome: 'error',
      code: 'ERR_TABLEAU_API',
      status: 503,
      attempts: RETRIES + 1,
      message: new RegExp(`answered HTTP 503.*gave up after ${RETRIES + 1} attempts`),
    },
  },
  {
    id: 'reset-permanent',
    fault: 'connection reset on every attempt',
    arm: permanent({ kind: 'drop' }),
    expect: {
      outcome: 'error',
      code: 'ERR_TABLEAU_NETWORK',
      attempts: RETRIES + 1,
      message: new RegExp(`failed: .*gave up after ${RETRIES + 1} attempts`),
    },
  },
  {
    id: 'html-200',
    fault: 'HTTP 200 with an HTML page (a proxy or login page), not retried',
    arm: once({ kind: 'status', status: 200, html: true }),
    expect: {
      outcome: 'error',
      code: 'ERR_TABLEAU_RESPONSE',
      status: 200,
      attempts: 1,
      message: /answered HTTP 200 with an HTML page instead of an API response/,
    },
  },
  {
    id: 'graphql-partial',
    fault: 'GraphQL partial data with a time-limit error, once',
    only: ['graphql'],
    arm: once({ kind: 'graphql-errors' }),
    // The page is asked again at half the size, and the rest of the listing keeps the smaller
    // page: at worst (7 workbooks, pages of 2 → 1) four more requests.
    expect: recovered([1, 4]),
  },
  {
    id: 'graphql-partial-permanent',
    fault: 'GraphQL partial data with errors on every attempt',
    only: ['graphql'],
    arm: permanent({ kind: 'graphql-errors' }),
    expect: {
      outcome: 'error',
      code: 'ERR_TABLEAU_GRAPHQL',
      attempts: 'halving',
      message: /partial data and errors: Reached time limit/,
    },
  },
  {
    id: 'session-expired',
    fault: 'session expired mid-run (401000)',
    arm: once({ kind: 'expire-session' }),
    expect: recovered(2, 1),
  },
  {
    id: 'session-taken',
    fault: 'another process signs in with the same token mid-run (one session per token)',
    arm: (mock) => signInElsewhere(mock),
    // our renewal and the replay of the refused request (the other sign-in happens before)
    expect: recovered(2, 1),
  },
  {
    id: 'already-queued',
    fault: 'refresh already queued or running (409093)',
    only: ['refresh'],
    setup: (mock) => mock.setJobPlan(null, { outcome: 'hang' }),
    arm: (_mock, _route, context) => context.refreshOnce(),
    expect: { outcome: 'answer', answer: 'already_queued', signIns: 0 },
  },
  {
    id: 'not-refreshable',
    fault: 'target without an extract (409090)',
    only: ['refresh'],
    liveTarget: true,
    expect: { outcome: 'answer', answer: 'not_refreshable', signIns: 0 },
  },
  {
    id: 'job-failed',
    fault: 'refresh job fails (finishCode 1)',
    only: ['job'],
    setup: (mock) => mock.setJobPlan(null, { outcome: 'failed', queuedMs: 0, runMs: 0 }),
    expect: { outcome: 'answer', answer: 'failed', signIns: 0 },
  },
  {
    id: 'job-hangs',
    fault: 'refresh job never finishes',
    only: ['job'],
    setup: (mock) => mock.setJobPlan(null, { outcome: 'hang' }),
    expect: { outcome: 'answer', answer: 'timeout', signIns: 0 },
  },
  {
    id: 'abort',
    fault: 'abort signal fired while a request hangs',
    arm: once({ kind: 'latency', ms: SPIKE_MS }),
    abortAfterMs: 100,
    expect: { outcome: 'error', code: 'ERR_ABORTED', attempts: 1, message: /was aborted/ },
  },
];

/** Cases that apply to an operation whose main route is of `kind`. */
export function casesFor(kind: RouteKind): FaultCase[] {
  return FAULT_CASES.filter((c) => c.only === undefined || c.only.includes(kind));
}

/** maybeRefresh with the real client: faults on the trigger (no wait). 409090/409093 are not faults there. */
export const REFRESH_TRIGGER_CASES = casesFor('refresh').filter(
  (c) => c.id !== 'not-refreshable' && c.id !== 'already-queued',
);
/** maybeRefresh with `wait`: faults on the job polls (abort is covered on the trigger). */
export const REFRESH_JOB_CASES = casesFor('job').filter((c) => c.id !== 'abort');
/** maybeRefresh: the last refresh times cannot be read. */
export const REFRESH_LOOKUP_CASES = FAULT_CASES.filter((c) =>
  ['503-permanent', 'reset-permanent', 'graphql-partial-permanent'].includes(c.id),
);
/** The CLI sync (a separate process: its abort is SIGINT, tested on its own). */
export const CLI_CASES = casesFor('graphql').filter(
  (c) => c.abortAfterMs === undefined && c.id !== 'session-taken',
);

/** Scenarios per operation, as docs/reliability.md counts them. */
export function scenarioCounts(): Record<string, number> {
  return {
    listWorkbooks: casesFor('graphql').length,
    getLastRefreshTimes: casesFor('graphql').length,
    refresh: casesFor('refresh').length,
    waitForJob: casesFor('job').length,
    'sync (library)': casesFor('graphql').length,
    maybeRefresh:
      REFRESH_TRIGGER_CASES.length + REFRESH_JOB_CASES.length + REFRESH_LOOKUP_CASES.length,
    'sync (CLI)': CLI_CASES.length + 1,
  };
}
