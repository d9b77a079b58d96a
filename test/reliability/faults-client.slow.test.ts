/**
 * Fault injection over real HTTP for the client operations: every case of the fault table on
 * `listWorkbooks`, `getLastRefreshTimes`, `refresh` and `waitForJob`. For each: the outcome
 * (recovered, a documented answer, or a coded error naming the operation), the requests and
 * sign-ins it cost, an elapsed time bounded by the configured timeouts, and no secret anywhere.
 */
import t, { type Test } from 'tap';
import { DbtAutoExposuresError, type TableauApiError } from '../../src/errors.js';
import type { TableauHttpClient } from '../../src/tableau/client.js';
import type { RefreshTarget } from '../../src/tableau/types.js';
import type { MockRoute, MockTableauServer } from '../../src/testing/index.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import {
  casesFor,
  type FaultCase,
  halvingAttempts,
  JOB_WAIT_MS,
  RETRY_AFTER_SECONDS,
  type RouteKind,
} from './fault-table.js';
import {
  captureLogger,
  client,
  EXAMPLE_WORKBOOKS,
  RETRIES,
  RETRY_MAX_DELAY_MS,
  startMock,
  TIMEOUT_MS,
} from './harness.js';

const CUSTOMER_HEALTH: RefreshTarget = {
  kind: 'workbook',
  luid: '1a2b3c4d-0000-4000-8000-00000000e003',
  name: 'Customer Health',
};
const OPS_LIVE: RefreshTarget = {
  kind: 'workbook',
  luid: '1a2b3c4d-0000-4000-8000-00000000e005',
  name: 'Ops Live Monitor',
};
const wb = (suffix: string, name: string): RefreshTarget => ({
  kind: 'workbook',
  luid: `1a2b3c4d-0000-4000-8000-00000000${suffix}`,
  name,
});
const ds = (suffix: string, name: string): RefreshTarget => ({
  kind: 'datasource',
  luid: `9c3e2d1a-0000-4000-8000-00000000${suffix}`,
  name,
});
const TIME_TARGETS = [
  wb('e001', 'Sales Overview'),
  wb('e002', 'Executive KPIs'),
  wb('e003', 'Customer Health'),
  wb('e005', 'Ops Live Monitor'),
  ds('d001', 'Orders (certified)'),
  ds('d002', 'Payments'),
];
/** From examples/jaffle-tableau/tableau-site.json (a workbook's time is its extract's). */
const EXPECTED_TIMES: [string, string | null][] = [
  ['datasource:9c3e2d1a-0000-4000-8000-00000000d001', '2026-01-05T02:00:00.000Z'],
  ['datasource:9c3e2d1a-0000-4000-8000-00000000d002', '2026-01-05T02:30:00.000Z'],
  ['workbook:1a2b3c4d-0000-4000-8000-00000000e001', null],
  ['workbook:1a2b3c4d-0000-4000-8000-00000000e002', '2026-01-04T23:00:00.000Z'],
  ['workbook:1a2b3c4d-0000-4000-8000-00000000e003', '2026-01-03T05:00:00.000Z'],
  ['workbook:1a2b3c4d-0000-4000-8000-00000000e005', null],
];

interface Operation {
  name: string;
  kind: RouteKind;
  route: MockRoute;
  /** `first` of its first Metadata API page (client pageSize 2; refresh times: one per target). */
  firstPageSize?: number;
  /** The words every error of the operation names it by. */
  names: RegExp;
  run(
    client: TableauHttpClient,
    prepared: Prepared,
    signal: AbortSignal | undefined,
  ): Promise<unknown>;
  /** Assert the operation's normal result. */
  normal(t: Test, result: unknown): void;
  /** The operation's answer, for `answer` outcomes. */
  answer?(result: unknown): string;
}

interface Prepared {
  target: RefreshTarget;
  jobId: string | null;
}

const signalOpt = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal });

const OPERATIONS: Operation[] = [
  {
    name: 'listWorkbooks',
    kind: 'graphql',
    route: 'graphql',
    firstPageSize: 2,
    names: /list workbooks/,
    run: (c, _p, signal) => c.listWorkbooks(signalOpt(signal)),
    normal: (t, result) =>
      t.same(
        (result as { name: string }[]).map((w) => w.name),
        EXAMPLE_WORKBOOKS,
        'every workbook, once',
      ),
  },
  {
    name: 'getLastRefreshTimes',
    kind: 'graphql',
    route: 'graphql',
    firstPageSize: 4,
    names: /read refresh times/,
    run: (c, _p, signal) => c.getLastRefreshTimes(TIME_TARGETS, signalOpt(signal)),
    normal: (t, result) =>
      t.same(
        [...(result as Map<string, Date | null>)].map(([k, v]) => [k, v?.toISOString() ?? null]),
        EXPECTED_TIMES,
      ),
  },
  {
    name: 'refresh',
    kind: 'refresh',
    route: 'refresh-workbook',
    names: /refresh workbook "(Customer Health|Ops Live Monitor)"/,
    run: (c, p, signal) => c.refresh(p.target, signalOpt(signal)),
    normal: (t, result) => t.match(result, { status: 'queued', jobId: /^[0-9a-f-]{36}$/ }),
    answer: (result) => (result as { status: string }).status,
  },
  {
    name: 'waitForJob',
    kind: 'job',
    route: 'job',
    names: /wait for job/,
    run: (c, p, signal) =>
      c.waitForJob(p.jobId ?? '', {
        timeoutMs: JOB_WAIT_MS,
        pollIntervalMs: 10,
        ...signalOpt(signal),
      }),
    normal: (t, result) =>
      t.match(result, { status: 'success', finishCode: 0, notes: null, polls: 1 }),
    answer: (result) => (result as { status: string }).status,
  },
];

interface Run {
  mock: MockTableauServer;
  result: unknown;
  error: unknown;
  elapsedMs: number;
  log: ReturnType<typeof captureLogger>;
}

/** Sign in (one Metadata API call), prepare, arm the case, reset the counters, run. */
async function runCase(t: Test, op: Operation, fault: FaultCase | null): Promise<Run> {
  const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  fault?.setup?.(mock, op.route);
  const log = captureLogger();
  const c = client(mock, { logger: log.logger });
  await c.getLastRefreshTimes([CUSTOMER_HEALTH]);
  const target = fault?.liveTarget ? OPS_LIVE : CUSTOMER_HEALTH;
  let jobId: string | null = null;
  if (op.kind === 'job') {
    const trigger = await c.refresh(target);
    jobId = trigger.status === 'queued' ? trigger.jobId : null;
  }
  await fault?.arm?.(mock, op.route, { refreshOnce: () => c.refresh(target) });
  mock.resetCounters();
  const controller = new AbortController();
  const timer =
    fault?.abortAfterMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(), fault.abortAfterMs);
  const started = performance.now();
  let result: unknown;
  let error: unknown;
  try {
    result = await op.run(c, { target, jobId }, controller.signal);
  } catch (caught) {
    error = caught;
  } finally {
    clearTimeout(timer);
  }
  const elapsedMs = performance.now() - started;
  await c.signOut().catch(() => undefined);
  return { mock, result, error, elapsedMs, log };
}

const baselines = new Map<string, number>();

for (const op of OPERATIONS) {
  t.test(op.name, async (t) => {
    const base = await runCase(t, op, null);
    t.equal(base.error, undefined, 'fault-free run succeeds');
    op.normal(t, base.result);
    // requests of the fault-free run, minus the sign-out
    const baseline = base.mock.counters.total - base.mock.counters.requests.signout;
    baselines.set(op.name, baseline);
    t.ok(baseline >= 1);

    for (const fault of casesFor(op.kind)) {
      t.test(fault.id, async (t) => {
        const run = await runCase(t, op, fault);
        const counters = run.mock.counters;
        const requests = counters.total - counters.requests.signout;
        const expect = fault.expect;
        if (expect.outcome === 'error') {
          t.type(run.error, DbtAutoExposuresError, `${fault.fault}: a coded error`);
          const error = run.error as TableauApiError;
          t.equal(error.code, expect.code);
          t.match(error.message, expect.message);
          t.match(error.message, op.names, 'the message names the operation');
          if (expect.status !== undefined) t.equal(error.status, expect.status);
          const attempts =
            expect.attempts === 'halving'
              ? halvingAttempts(op.firstPageSize ?? 1)
              : expect.attempts;
          t.equal(counters.requests[op.route], attempts, 'attempts of the faulted route');
        } else {
          t.equal(run.error, undefined, `${fault.fault}: no error`);
          if (expect.outcome === 'recovered') {
            op.normal(t, run.result);
            const [min, max] = Array.isArray(expect.extra)
              ? expect.extra
              : [expect.extra, expect.extra];
            t.ok(
              requests >= baseline + min && requests <= baseline + max,
              `requests ${requests} within ${baseline}+[${min}, ${max}]`,
            );
          } else {
            t.equal(op.answer?.(run.result), expect.answer);
          }
          t.equal(counters.signIns, expect.signIns, 'sign-ins during the operation');
        }
        t.ok(counters.faults <= RETRIES + 1, 'faults hit at most once per attempt');
        // Elapsed: every request may take the timeout on each attempt, plus the waits.
        const bound =
          Math.max(requests, 1) * TIMEOUT_MS +
          RETRIES * RETRY_MAX_DELAY_MS +
          RETRY_AFTER_SECONDS * 1000 +
          JOB_WAIT_MS;
        t.ok(run.elapsedMs < bound, `finished within ${bound} ms`);
        assertNoSecrets(t, run.result, run.error, run.log.lines, run.mock.requests);
      });
    }
  });
}

t.test('Retry-After is honoured (the retry waits what the server asked)', async (t) => {
  const mock = await startMock(t);
  const log = captureLogger();
  const c = client(mock, { logger: log.logger });
  mock.inject('graphql', { kind: 'rate-limit', retryAfter: RETRY_AFTER_SECONDS });
  await c.listWorkbooks();
  const waits = log.lines.filter((l) => /retry in \d+ ms/.test(l.message));
  t.equal(waits.length, 1);
  t.match(waits[0]?.message, `retry in ${RETRY_AFTER_SECONDS * 1000} ms`);
  assertNoSecrets(t, log.lines);
});
