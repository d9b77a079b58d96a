import t from 'tap';
import {
  maybeRefresh,
  type Refresher,
  type RefreshReport,
  type RefreshTarget,
} from '../../src/index.js';
import { createFakeRefresher } from '../../src/testing/index.js';
import { BQ, exposure, fixtureRun, lineage, NOW, target } from './helpers.js';

const ENV = { DBT_ACTIVE_EXPOSURES: '1' };
const three = lineage([
  exposure(
    'x',
    ['model.jaffle_shop.customers'],
    ['a', 'b', 'c'].map((id) => target('workbook', id, id)),
  ),
]);

t.test(
  'at most `concurrency` refreshes (call and wait) at once, started in target order',
  async (t) => {
    const five = lineage([
      exposure(
        'x',
        ['model.jaffle_shop.customers'],
        ['a', 'b', 'c', 'd', 'e'].map((id) => target('workbook', id, id)),
      ),
    ]);
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const gates: Array<() => void> = [];
    const refresher: Refresher = {
      refresh: async (target) => {
        started.push(target.luid);
        running += 1;
        peak = Math.max(peak, running);
        if (target.luid === 'b') {
          running -= 1;
          throw new Error('boom');
        }
        return { status: 'queued', jobId: `job-${target.luid}` };
      },
      // Each job finishes only when the test opens its gate: a slot is held until then.
      waitForJob: async (jobId) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        return {
          jobId,
          status: 'success',
          finishCode: 0,
          notes: null,
          startedAt: null,
          completedAt: null,
          durationMs: 5,
          polls: 1,
        };
      },
    };
    let report: RefreshReport | undefined;
    const run = maybeRefresh({
      lineage: five,
      runResults: fixtureRun(BQ),
      env: ENV,
      now: NOW,
      refresher,
      wait: { timeoutMs: 60_000 },
      concurrency: 2,
    }).then((done) => {
      report = done;
    });
    while (report === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    await run;
    t.equal(peak, 2, 'never more than 2 at once');
    t.same(started, ['a', 'b', 'c', 'd', 'e']);
    t.same(
      report.results.map((r) => [r.target?.luid, r.status, r.reason ?? null]),
      [
        ['a', 'success', null],
        ['b', 'error', 'trigger_failed'],
        ['c', 'success', null],
        ['d', 'success', null],
        ['e', 'success', null],
      ],
      'a failed call frees its slot',
    );
  },
);

t.test(
  'abort during a refresh call: in-flight call gets the signal, the rest are not started',
  async (t) => {
    const controller = new AbortController();
    const seen: Array<{ luid: string; signal: AbortSignal | undefined }> = [];
    const refresher: Refresher = {
      getLastRefreshTimes: async () => new Map(),
      refresh: async (target: RefreshTarget, options) => {
        seen.push({ luid: target.luid, signal: options?.signal });
        if (target.luid === 'a') return { status: 'queued', jobId: 'job-a' };
        // b: in flight until aborted (the abort happens while it waits).
        const inFlight = new Promise<never>((_, reject) => {
          options?.signal?.addEventListener('abort', () =>
            reject(new Error('This operation was aborted')),
          );
        });
        controller.abort();
        return inFlight;
      },
    };
    const report = await maybeRefresh({
      lineage: three,
      runResults: fixtureRun(BQ),
      env: ENV,
      now: NOW,
      clock: () => 0,
      refresher,
      concurrency: 1,
      signal: controller.signal,
    });
    t.same(
      seen.map((s) => s.luid),
      ['a', 'b'],
    );
    t.equal(seen[1]?.signal, controller.signal, 'the in-flight call got the signal');
    t.same(
      report.results.map((r) => [r.target?.luid, r.status, r.reason ?? null, r.jobId ?? null]),
      [
        ['a', 'triggered', null, 'job-a'],
        ['b', 'skipped', 'aborted', null],
        ['c', 'skipped', 'aborted', null],
      ],
    );
    t.equal(
      report.results[1]?.detail,
      'aborted while the refresh call was in flight; Tableau may have queued it',
    );
    t.equal(report.results[2]?.detail, 'aborted before the refresh was triggered');
    const aborted = report.log.find((e) => e.info.code === 'AE008');
    t.equal(
      aborted?.info.msg,
      'Active exposures aborted: 1 refresh(es) not started, 1 triggered before the abort',
    );
  },
);

t.test(
  'abort before the last refresh lookup: nothing asked, all extract targets aborted',
  async (t) => {
    const controller = new AbortController();
    controller.abort();
    const refresher = createFakeRefresher();
    const report = await maybeRefresh({
      lineage: lineage([
        exposure(
          'x',
          ['model.jaffle_shop.customers'],
          [target('workbook', 'a', 'A'), target('workbook', 'l', 'L', false)],
        ),
      ]),
      runResults: fixtureRun(BQ),
      env: ENV,
      now: NOW,
      refresher,
      signal: controller.signal,
    });
    t.same(refresher.calls, []);
    t.same(
      report.results.map((r) => [r.target?.luid, r.reason, r.detail]),
      [
        ['a', 'aborted', 'aborted before the last refresh time was read'],
        ['l', 'no_extract', 'live connection, no extract to refresh'],
      ],
    );
  },
);

t.test('abort while the lookup is in flight, and while waiting for a job', async (t) => {
  const lookupAbort = new AbortController();
  const report = await maybeRefresh({
    lineage: three,
    runResults: fixtureRun(BQ),
    env: ENV,
    now: NOW,
    refresher: {
      getLastRefreshTimes: async () => {
        lookupAbort.abort();
        throw new Error('aborted');
      },
      refresh: async () => ({ status: 'queued', jobId: 'never' }),
    },
    signal: lookupAbort.signal,
  });
  t.same(
    report.results.map((r) => r.reason),
    ['aborted', 'aborted', 'aborted'],
  );

  const waitAbort = new AbortController();
  const waited = await maybeRefresh({
    lineage: lineage([
      exposure('x', ['model.jaffle_shop.customers'], [target('workbook', 'a', 'A')]),
    ]),
    runResults: fixtureRun(BQ),
    env: ENV,
    now: NOW,
    wait: { timeoutMs: 1000 },
    refresher: {
      refresh: async () => ({ status: 'queued', jobId: 'job-1' }),
      waitForJob: async () => {
        waitAbort.abort();
        throw new Error('aborted');
      },
    },
    signal: waitAbort.signal,
  });
  t.same(
    waited.results.map((r) => [r.status, r.jobId, r.detail]),
    [['triggered', 'job-1', 'refresh queued as job job-1; waiting was aborted']],
  );
});

t.test('a failing waitForJob (not aborted) is an error naming the job', async (t) => {
  const report = await maybeRefresh({
    lineage: lineage([
      exposure('x', ['model.jaffle_shop.customers'], [target('workbook', 'a', 'A')]),
    ]),
    runResults: fixtureRun(BQ),
    env: ENV,
    now: NOW,
    wait: { timeoutMs: 1000 },
    refresher: {
      refresh: async () => ({ status: 'queued', jobId: 'job-1' }),
      waitForJob: async () => {
        throw 'socket hang up';
      },
    },
  });
  t.same(
    report.results.map((r) => [r.status, r.reason, r.detail]),
    [['error', 'job_failed', 'could not follow job job-1: socket hang up']],
  );
});
