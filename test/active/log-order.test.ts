/**
 * The log is in the order things happened: entry timestamps never decrease (returned log and
 * debug entries, the text log, what a logger receives), even with several exposures sharing
 * targets and refreshes finishing out of order, while every line still names its exposure and the
 * output stays deterministic under an injected clock.
 */
import type { Test } from 'tap';
import t from 'tap';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import type { Refresher, RefreshReport } from '../../src/index.js';
import { isLogEntry, type LogEntry, renderLogEntry } from '../../src/index.js';
import { mergeInTimeOrder } from '../../src/log/entries.js';
import { createTableauClient } from '../../src/tableau/client.js';
import { createFakeRefresher } from '../../src/testing/fake-refresher.js';
import type { MockWorkbookInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import {
  BQ,
  exposure,
  fixtureManifest,
  fixtureRun,
  frozenClock,
  lineage,
  NOW,
  target,
} from './helpers.js';

const CUSTOMERS = 'model.jaffle_shop.customers';

/** A clock advancing 1 s per reading: every entry gets its own second, in the order it was made. */
function steppingClock(): () => number {
  let ms = 0;
  return () => {
    ms += 1000;
    return ms;
  };
}

/**
 * Four exposures over three refresh targets, two of them shared. Targets are refreshed in key
 * order (ds-1, ds-2, wb-sales), and planned to finish in the reverse order.
 */
const SHARED_LINEAGE = lineage([
  exposure('alpha', [CUSTOMERS], [target('datasource', 'ds-1', 'Shared 1')]),
  exposure(
    'beta',
    [CUSTOMERS],
    [target('datasource', 'ds-1', 'Shared 1'), target('workbook', 'wb-sales', 'Sales')],
  ),
  exposure(
    'gamma',
    [CUSTOMERS],
    [target('workbook', 'wb-sales', 'Sales'), target('datasource', 'ds-2', 'Shared 2')],
  ),
  exposure('delta', [CUSTOMERS], [target('workbook', 'wb-live', 'Live Ops', false)]),
]);
/** Target luids in the order their jobs are planned to finish. */
const FINISH_ORDER = ['wb-sales', 'ds-2', 'ds-1'];

const times = (entries: readonly LogEntry[]): number[] =>
  entries.map((entry) => Date.parse(entry.info.ts));

function assertNonDecreasing(t: Test, values: readonly (number | string)[], what: string): void {
  const backwards = values.flatMap((value, i) =>
    i > 0 && value < (values[i - 1] as typeof value) ? [`#${i}: ${values[i - 1]} -> ${value}`] : [],
  );
  t.same(backwards, [], `${what}: timestamps never decrease`);
}

/** Everything the ordering promises, on one report. */
function assertTimeOrdered(t: Test, report: RefreshReport): void {
  assertNonDecreasing(t, times(report.log), 'log entries');
  assertNonDecreasing(t, times(report.debug), 'debug entries');
  assertNonDecreasing(
    t,
    report.log.map((entry) => renderLogEntry(entry, 'text').slice(0, 8)),
    'text log',
  );
  assertNonDecreasing(t, times(mergeInTimeOrder(report.log, report.debug)), 'merged log');
  // Per-exposure readability: every START and result line names its exposure, and an
  // exposure's START comes before its results.
  const started = new Set<string>();
  let resultLines = 0;
  for (const entry of report.log) {
    const { code, msg } = entry.info;
    if (
      !isLogEntry(entry, 'AE003') &&
      !isLogEntry(entry, 'AE004') &&
      !isLogEntry(entry, 'AE005') &&
      !isLogEntry(entry, 'AE006')
    )
      continue;
    const name = entry.data.exposure;
    t.match(msg, new RegExp(`\\b${name}\\b`), `${code} line names its exposure: ${msg}`);
    if (code === 'AE003') started.add(name);
    else {
      resultLines += 1;
      t.ok(started.has(name), `${name}: START before its result`);
    }
  }
  t.equal(resultLines, report.results.length, 'one result line per result');
  t.equal(report.log[0]?.info.code, 'AE002', 'header first');
  t.equal(report.log.at(-1)?.info.code, 'AE007', 'Done. last');
}

/** Target luids of the AE104 (job outcome) entries, by time (whatever the entries' order). */
const finished = (report: RefreshReport): string[] =>
  report.debug
    .filter((entry) => isLogEntry(entry, 'AE104'))
    .sort((a, b) => Date.parse(a.info.ts) - Date.parse(b.info.ts))
    .map((entry) => entry.data.target.luid);

const workbooks: MockWorkbookInput[] = [
  { luid: 'wb-sales', name: 'Sales', embeddedDatasources: [{ name: 'sales', hasExtracts: true }] },
  { luid: 'wb-live', name: 'Live Ops', embeddedDatasources: [{ name: 'ops', hasExtracts: false }] },
  ...[1, 2].map((n) => ({
    luid: `wb-shared-${n}`,
    name: `Uses Shared ${n}`,
    embeddedDatasources: [{ name: `e${n}`, publishedDatasourceLuids: [`ds-${n}`] }],
    publishedDatasources: [{ luid: `ds-${n}`, name: `Shared ${n}`, hasExtracts: true }],
  })),
];

t.test(
  'mock Tableau server: shared targets, jobs finishing out of order, time-ordered log',
  async (t) => {
    const server = await createMockTableauServer({
      workbooks,
      tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
      issueSessionToken: () => SENTINEL_SESSION_TOKEN,
      // Triggered in key order ds-1, ds-2, wb-sales (all at once); finish in reverse.
      jobPlans: {
        'datasource:ds-1': { queuedMs: 0, runMs: 900 },
        'datasource:ds-2': { queuedMs: 0, runMs: 300 },
        'workbook:wb-sales': { queuedMs: 0, runMs: 0 },
      },
    });
    t.teardown(() => server.close());
    const client = createTableauClient({
      serverUrl: server.url,
      siteName: server.siteName,
      tokenName: SENTINEL_TOKEN_NAME,
      tokenSecret: SENTINEL_SECRET,
    });
    // Poll every 10 ms (the default 500 ms would make the test slow, not different).
    const refresher: Refresher = {
      getLastRefreshTimes: (targets, options) => client.getLastRefreshTimes(targets, options),
      refresh: (target, options) => client.refresh(target, options),
      waitForJob: (jobId, options) =>
        client.waitForJob(jobId, { ...options, pollIntervalMs: 10, pollFactor: 1 }),
    };
    const logged: string[] = [];
    const made: LogEntry[] = [];
    const report = await maybeRefresh({
      lineage: SHARED_LINEAGE,
      runResults: fixtureRun(BQ),
      manifest: fixtureManifest(BQ),
      env: { DBT_ACTIVE_EXPOSURES: '1' },
      now: NOW,
      clock: steppingClock(),
      refresher,
      wait: { timeoutMs: 30_000 },
      concurrency: 3,
      logger: {
        debug: (msg) => logged.push(msg),
        info: (msg) => logged.push(msg),
        warn: (msg) => logged.push(msg),
        error: (msg) => logged.push(msg),
      },
      onEntry: (entry) => made.push(entry),
    });

    t.same(server.counters.refreshCalls, {
      'datasource:ds-1': 1,
      'datasource:ds-2': 1,
      'workbook:wb-sales': 1,
    });
    t.same(finished(report), FINISH_ORDER, 'the refreshes finished out of their start order');
    t.same(
      report.results.map((r) => [r.exposure, r.target?.luid, r.status, r.reason ?? null]),
      [
        ['alpha', 'ds-1', 'success', null],
        ['beta', 'ds-1', 'success', null],
        ['beta', 'wb-sales', 'success', null],
        ['delta', 'wb-live', 'skipped', 'no_extract'],
        ['gamma', 'ds-2', 'success', null],
        ['gamma', 'wb-sales', 'success', null],
      ],
      'results stay in exposure, then target order',
    );
    assertTimeOrdered(t, report);
    // Results are logged as they were known: the shared wb-sales (beta, gamma) first, ds-1 last.
    const okOrder = report.log
      .filter((entry) => isLogEntry(entry, 'AE004'))
      .map((entry) => `${entry.data.exposure} ${entry.data.target.luid}`);
    t.same(okOrder, ['beta wb-sales', 'gamma wb-sales', 'gamma ds-2', 'alpha ds-1', 'beta ds-1']);
    t.same(
      logged,
      made.map((entry) => entry.info.msg),
      'the logger and onEntry receive the same entries, as they are made',
    );
    t.same(
      [...made].sort((a, b) => Date.parse(a.info.ts) - Date.parse(b.info.ts)),
      made,
      'the entries are made in time order',
    );
    t.same(
      made.filter((entry) => report.log.includes(entry)),
      report.log,
      'the report log holds the same entries in the same order',
    );
    t.equal(made.length, report.log.length + report.debug.length);
    assertNoSecrets(t, report, report.log, report.debug, logged, server.requests);
    await client.signOut();
  },
);

/** The fake refresher, its jobs taking `delays` ms (real timers) per target luid. */
function slowFake(delays: Record<string, number>): Refresher {
  const fake = createFakeRefresher({
    jobOutcomes: {
      'datasource:ds-1': { status: 'success', durationMs: 2400 },
      'datasource:ds-2': { status: 'success', durationMs: 1200 },
      'workbook:wb-sales': { status: 'failed', notes: 'ODBC: Login failed' },
    },
  });
  const jobLuid = new Map<string, string>();
  return {
    getLastRefreshTimes: (targets, options) => fake.getLastRefreshTimes!(targets, options),
    async refresh(target, options) {
      const trigger = await fake.refresh(target, options);
      if (trigger.status === 'queued') jobLuid.set(trigger.jobId, target.luid);
      return trigger;
    },
    async waitForJob(jobId, options) {
      const delay = delays[jobLuid.get(jobId) ?? ''] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      return fake.waitForJob!(jobId, options);
    },
  };
}

async function fakeRun(clock: () => number): Promise<RefreshReport> {
  return maybeRefresh({
    lineage: SHARED_LINEAGE,
    runResults: fixtureRun(BQ),
    manifest: fixtureManifest(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '1' },
    now: NOW,
    clock,
    refresher: slowFake({ 'ds-1': 120, 'ds-2': 60, 'wb-sales': 0 }),
    // One deadline for every wait, on the stepping clock: long enough for all of them.
    wait: { timeoutMs: 600_000 },
    concurrency: 3,
  });
}

const text = (entries: readonly LogEntry[]): string =>
  entries.map((entry) => renderLogEntry(entry, 'text')).join('\n');

t.test('fake refresher: out-of-order jobs, time order, deterministic under a clock', async (t) => {
  const first = await fakeRun(steppingClock());
  t.same(finished(first), FINISH_ORDER, 'the refreshes finished out of their start order');
  assertTimeOrdered(t, first);
  const second = await fakeRun(steppingClock());
  t.equal(text(second.log), text(first.log), 'same text log on a second run');
  t.same(second.log, first.log, 'same log entries');
  t.same(second.debug, first.debug, 'same debug entries');
  t.match(
    text(first.log),
    /ERROR refreshing workbook 'Sales' for beta .*\n.*ERROR refreshing workbook 'Sales' for gamma .*\n.*OK refreshed datasource 'Shared 2' for gamma .*\n.*OK refreshed datasource 'Shared 1' for alpha .*\n.*OK refreshed datasource 'Shared 1' for beta /,
  );
});

t.test(
  'a frozen clock: one timestamp, entries in the order made, the same every run',
  async (t) => {
    const first = await fakeRun(frozenClock);
    assertTimeOrdered(t, first);
    t.equal(new Set(times([...first.log, ...first.debug])).size, 1, 'every entry at `now`');
    t.same(
      first.log.map((entry) => [
        entry.info.code,
        'exposure' in entry.data ? entry.data.exposure : null,
      ]),
      [
        ['AE002', null],
        ['AE003', 'alpha'],
        ['AE003', 'beta'],
        ['AE003', 'delta'],
        ['AE003', 'gamma'],
        ['AE005', 'delta'],
        ['AE006', 'beta'],
        ['AE006', 'gamma'],
        ['AE004', 'gamma'],
        ['AE004', 'alpha'],
        ['AE004', 'beta'],
        ['AE007', null],
      ],
      'the decisions, then each outcome as it was known (wb-sales, ds-2, ds-1)',
    );
    const second = await fakeRun(frozenClock);
    t.same(second.log, first.log);
    t.same(second.debug, first.debug);
  },
);

t.test('a clock that steps back never moves the timestamps back', async (t) => {
  // Readings swing back and forth, ever wider: 0, 1000, -1000, 2000, -2000, 3000, …
  let reading = 0;
  let step = 0;
  const wobbly = (): number => {
    const value = reading;
    step += 1;
    reading += step % 2 === 1 ? 1000 * step : -1000 * step;
    return value;
  };
  const report = await fakeRun(wobbly);
  assertTimeOrdered(t, report);
  t.ok(times(report.log).at(-1)! > NOW.getTime(), 'the timestamps still advance with the clock');
});
