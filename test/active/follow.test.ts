/**
 * followDbtLog over real dbt JSON logs and logs written in the same shapes: refreshes start while
 * dbt still writes its log, failures block, shared targets refresh once, and the end decides as
 * maybeRefresh does over the same invocation's run_results.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  followDbtLog,
  isLogEntry,
  loadManifest,
  loadRunResults,
  loadRunResultsFromLog,
  maybeRefresh,
  type RefreshReport,
  type RefreshResult,
} from '../../src/index.js';
import { createFakeRefresher, type FakeRefresher } from '../../src/testing/index.js';
import { sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import {
  INVOCATION,
  jaffleManifest,
  lineFeed,
  REAL_LOG,
  realLogLines,
  until,
  writeRun,
} from './dbt-log-helpers.js';
import { exposure, lineage, NOW, target } from './helpers.js';

const ENABLED = { DBT_ACTIVE_EXPOSURES: '1' };
const SHARED = target('datasource', 'ds-orders', 'Orders (shared)');

/** Exposures over the jaffle_shop graph of the real log. */
const JAFFLE = lineage([
  // Upstream: the snapshot (and its seed), done in the first seconds of the build.
  exposure(
    'snap_dash',
    ['snapshot.jaffle_shop.orders_snapshot'],
    [target('workbook', 'wb-snap', 'Snapshots'), SHARED],
  ),
  // Upstream: stg_orders; done once its three tests passed.
  exposure('stg_dash', ['model.jaffle_shop.stg_orders'], [SHARED]),
  // Upstream: customers, whose accepted_values test fails.
  exposure(
    'customers_dash',
    ['model.jaffle_shop.customers'],
    [target('workbook', 'wb-cust', 'Customers')],
  ),
]);

const keys = (refresher: FakeRefresher): string[] =>
  refresher.refreshedTargets().map((x) => `${x.kind}:${x.luid}`);

/** The parts of a result that do not depend on when the refresh ran (job ids are numbered in call order). */
const decision = (r: RefreshResult) => ({
  exposure: r.exposure,
  target: r.target === null ? null : `${r.target.kind}:${r.target.luid}`,
  status: r.status,
  reason: r.reason ?? null,
  detail: r.detail ?? null,
  sharedWith: r.sharedWith ?? [],
  upstream: r.upstream,
});

t.test('a real dbt 1.8 log: refreshes start while the log is held back', async (t) => {
  const lines = realLogLines();
  const snapshotDone = lines.findIndex(
    (l) => l.includes('"NodeFinished"') && l.includes('snapshot.jaffle_shop.orders_snapshot'),
  );
  const stgTestsDone = lines.findIndex(
    (l) =>
      l.includes('"NodeFinished"') && l.includes('test.jaffle_shop.unique_stg_orders_order_id'),
  );
  t.ok(snapshotDone > 0 && stgTestsDone > snapshotDone, 'the log has both events');
  const feed = lineFeed();
  const refresher = createFakeRefresher();
  const following = followDbtLog({
    source: feed,
    lineage: JAFFLE,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    refresher,
  });
  feed.push(...lines.slice(0, snapshotDone + 1));
  await until(() => keys(refresher).length === 2);
  t.same(
    keys(refresher),
    ['datasource:ds-orders', 'workbook:wb-snap'],
    'snapshot upstream refreshed',
  );
  t.equal(feed.ended, false, '… while dbt has not finished its log');

  feed.push(...lines.slice(snapshotDone + 1, stgTestsDone + 1));
  // stg_dash wants the shared data source, already refreshed for snap_dash: no second call.
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(keys(refresher).length, 2, 'a shared data source is refreshed once');

  feed.push(...lines.slice(stgTestsDone + 1));
  feed.end();
  const report = await following;
  t.same(report.results.map(decision), [
    {
      exposure: 'customers_dash',
      target: 'workbook:wb-cust',
      status: 'skipped',
      reason: 'upstream_failed',
      detail:
        'upstream failed: test.jaffle_shop.accepted_values_customers_first_name__Jane.21e890a312 (fail)',
      sharedWith: [],
      upstream: report.results[0]!.upstream,
    },
    {
      exposure: 'snap_dash',
      target: 'datasource:ds-orders',
      status: 'triggered',
      reason: null,
      detail: null,
      sharedWith: ['stg_dash'],
      upstream: {
        rebuilt: ['seed.jaffle_shop.raw_orders', 'snapshot.jaffle_shop.orders_snapshot'],
        failed: [],
      },
    },
    {
      exposure: 'snap_dash',
      target: 'workbook:wb-snap',
      status: 'triggered',
      reason: null,
      detail: null,
      sharedWith: [],
      upstream: {
        rebuilt: ['seed.jaffle_shop.raw_orders', 'snapshot.jaffle_shop.orders_snapshot'],
        failed: [],
      },
    },
    {
      exposure: 'stg_dash',
      target: 'datasource:ds-orders',
      status: 'triggered',
      reason: null,
      detail: null,
      sharedWith: ['snap_dash'],
      upstream: {
        rebuilt: ['model.jaffle_shop.stg_orders', 'seed.jaffle_shop.raw_orders'],
        failed: [],
      },
    },
  ]);
  t.same(
    keys(refresher),
    ['datasource:ds-orders', 'workbook:wb-snap'],
    'the failing test blocked customers',
  );
  t.equal(report.invocationId, 'bafba111-8366-4a41-b03b-2b9243c64d42');
  t.same(report.summary, {
    exposures: 3,
    targets: 3,
    triggered: 2,
    refreshed: 0,
    skipped: 1,
    errors: 0,
    refreshCalls: 2,
  });
  const ready = report.debug.filter((e) => isLogEntry(e, 'AE107')).map((e) => e.data.exposure);
  t.same(ready, ['snap_dash', 'stg_dash'], 'both were decided before the end');
  const ended = report.log.find((e) => e.info.code === 'AE011');
  t.match(ended?.data, { how: 'command_completed', command: 'build', success: false });
});

t.test('the end decides exactly as maybeRefresh over the same run_results', async (t) => {
  const runs = {
    'core build with a failed model and a skipped child': writeRun('core', 'build', [
      { id: 'seed.jaffle_shop.raw_orders', status: 'success' },
      { id: 'seed.jaffle_shop.raw_customers', status: 'success' },
      { id: 'model.jaffle_shop.stg_orders', status: 'success' },
      { id: 'snapshot.jaffle_shop.orders_snapshot', status: 'success' },
      { id: 'model.jaffle_shop.stg_customers', status: 'error', message: 'Database Error' },
      { id: 'model.jaffle_shop.customers', status: 'skipped' },
    ]),
    'fusion run with an error': writeRun('fusion', 'run', [
      { id: 'model.jaffle_shop.stg_orders', status: 'success' },
      { id: 'model.jaffle_shop.stg_customers', status: 'success' },
      { id: 'model.jaffle_shop.customers', status: 'error' },
    ]),
    'core test (not a build)': writeRun('core', 'test', [
      { id: 'test.jaffle_shop.unique_stg_orders_order_id.e3b841c71a', status: 'pass' },
    ]),
    'core build killed mid-run (no CommandCompleted)': writeRun(
      'core',
      'build',
      [
        { id: 'seed.jaffle_shop.raw_orders', status: 'success' },
        { id: 'model.jaffle_shop.stg_orders', status: 'success' },
      ],
      { complete: false },
    ),
  };
  for (const [name, run] of Object.entries(runs)) {
    const common = {
      lineage: JAFFLE,
      manifest: jaffleManifest(),
      env: ENABLED,
      now: NOW,
      clock: () => 0,
    };
    const followed = await followDbtLog({
      ...common,
      source: run.lines,
      refresher: createFakeRefresher(),
    });
    const decided = await maybeRefresh({
      ...common,
      runResults: run.runResults,
      refresher: createFakeRefresher(),
    });
    t.same(followed.results.map(decision), decided.results.map(decision), name);
    t.same(followed.summary, decided.summary, `${name}: summary`);
  }
});

t.test('a Fusion log: non-JSON lines skipped with a debug entry, early refresh', async (t) => {
  const run = writeRun('fusion', 'build', [
    { id: 'seed.jaffle_shop.raw_orders', status: 'success' },
    { id: 'snapshot.jaffle_shop.orders_snapshot', status: 'success' },
    { id: 'model.jaffle_shop.stg_orders', status: 'success' },
    { id: 'test.jaffle_shop.unique_stg_orders_order_id.e3b841c71a', status: 'pass' },
    { id: 'test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64', status: 'pass' },
    {
      id: 'test.jaffle_shop.accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned.080fb20aad',
      status: 'fail',
    },
    { id: 'model.jaffle_shop.customers', status: 'success' },
  ]);
  const feed = lineFeed();
  const refresher = createFakeRefresher();
  const following = followDbtLog({
    source: feed,
    lineage: JAFFLE,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    refresher,
  });
  const snapshot = run.finishedAt.get('snapshot.jaffle_shop.orders_snapshot')!;
  feed.push('thread panicked at crates/dbt: oops', ...run.lines.slice(0, snapshot + 1));
  await until(() => keys(refresher).length === 2);
  t.same(keys(refresher), ['datasource:ds-orders', 'workbook:wb-snap']);
  feed.push(...run.lines.slice(snapshot + 1));
  feed.end();
  const report = await following;
  const rows = report.results.map((r) => [r.exposure, r.status, r.reason ?? null]);
  t.same(rows, [
    ['customers_dash', 'skipped', 'upstream_failed'],
    ['snap_dash', 'triggered', null],
    ['snap_dash', 'triggered', null],
    ['stg_dash', 'skipped', 'upstream_failed'],
  ]);
  t.same(
    report.debug.filter((e) => e.info.code === 'AE106').map((e) => e.data),
    [
      { line: 1, length: 35, reason: 'not a JSON event' },
      { line: 2, length: run.lines[0]!.length, reason: 'not a JSON event' },
    ],
    'the crash line and the separator line, their text not kept',
  );
});

t.test('the followed invocation of a log file; past runs are passed over', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ae-follow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dbt.log');
  // A past build already in the file: over, so not followed (it refreshed before, or not).
  const past = writeRun(
    'core',
    'build',
    [{ id: 'snapshot.jaffle_shop.orders_snapshot', status: 'success' }],
    {
      invocationId: 'past-0000',
    },
  );
  writeFileSync(path, `${past.lines.join('\n')}\n`);
  const refresher = createFakeRefresher();
  const following = followDbtLog({
    path,
    pollIntervalMs: 10,
    lineage: JAFFLE,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    refresher,
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(keys(refresher), [], 'nothing refreshed for a past run');
  const next = writeRun('core', 'build', [
    { id: 'seed.jaffle_shop.raw_orders', status: 'success' },
    { id: 'snapshot.jaffle_shop.orders_snapshot', status: 'success' },
    { id: 'model.jaffle_shop.stg_orders', status: 'success' },
  ]);
  const snapshot = next.finishedAt.get('snapshot.jaffle_shop.orders_snapshot')!;
  appendFileSync(path, `${next.lines.slice(0, snapshot + 1).join('\n')}\n`);
  await until(() => keys(refresher).length === 2);
  appendFileSync(path, `${next.lines.slice(snapshot + 1).join('\n')}\n`);
  const report = await following;
  t.equal(report.invocationId, INVOCATION);
  t.same(
    report.results.map((r) => [r.exposure, r.status, r.reason ?? null]),
    [
      // stg_orders is upstream of customers too: rebuilt, so refreshed (at the end).
      ['customers_dash', 'triggered', null],
      ['snap_dash', 'triggered', null],
      ['snap_dash', 'triggered', null],
      ['stg_dash', 'triggered', null],
    ],
  );
});

t.test('a log file whose dbt process is gone ends the following', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ae-follow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.teardown(() => child.kill());
  const run = writeRun('core', 'run', [{ id: 'model.jaffle_shop.stg_orders', status: 'success' }], {
    pid: child.pid!,
    complete: false,
  });
  const path = join(dir, 'dbt.log');
  writeFileSync(path, `${run.lines.join('\n')}\n`);
  const refresher = createFakeRefresher();
  const following = followDbtLog({
    path,
    pollIntervalMs: 10,
    lineage: JAFFLE,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    refresher,
  });
  // Only stg_orders runs (1 of 1): every selected node started, so both its exposures are done.
  await until(() => keys(refresher).length === 2);
  child.kill('SIGKILL');
  const report = await following;
  t.match(report.log.find((e) => e.info.code === 'AE011')?.data, {
    how: 'process_gone',
    command: 'run',
  });
  t.same(keys(refresher).sort(), ['datasource:ds-orders', 'workbook:wb-cust']);
});

t.test('from a log instead of run_results: a killed run, and errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ae-fromlog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const killed = writeRun(
    'core',
    'build',
    [
      { id: 'seed.jaffle_shop.raw_orders', status: 'success' },
      { id: 'model.jaffle_shop.stg_orders', status: 'success' },
    ],
    { complete: false },
  );
  const earlier = writeRun(
    'core',
    'build',
    [{ id: 'seed.jaffle_shop.raw_customers', status: 'success' }],
    {
      invocationId: 'earlier',
    },
  );
  const deps = writeRun('core', 'deps', [], { invocationId: 'after' });
  const path = join(dir, 'dbt.log');
  writeFileSync(path, [...earlier.lines, ...killed.lines, 'Killed', ...deps.lines].join('\n'));
  const runResults = await loadRunResultsFromLog(path);
  t.equal(runResults.invocationId, INVOCATION, 'the last build, not the deps after it');
  t.equal(runResults.command, 'build');
  t.same(
    runResults.results.map((r) => [r.uniqueId, r.status]),
    killed.runResults.results.map((r) => [r.uniqueId, r.status]),
  );
  const report = await maybeRefresh({
    lineage: JAFFLE,
    runResults,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    refresher: createFakeRefresher(),
  });
  t.same(
    report.results.map((r) => [r.exposure, r.status]),
    [
      ['customers_dash', 'triggered'],
      ['snap_dash', 'triggered'],
      ['snap_dash', 'triggered'],
      ['stg_dash', 'triggered'],
    ],
  );
  await t.rejects(loadRunResultsFromLog(join(dir, 'nope.log')), { code: 'ERR_ARTIFACT_NOT_FOUND' });
  writeFileSync(join(dir, 'text.log'), '12:00:00  Running with dbt=1.9.8\n');
  await t.rejects(loadRunResultsFromLog(join(dir, 'text.log')), { code: 'ERR_ARTIFACT_KIND' });
  const aborted = AbortSignal.abort();
  await t.rejects(loadRunResultsFromLog(path, { signal: aborted }), { code: 'ERR_ABORTED' });
});

t.test(
  'options: source or path; disabled reads a stream to its end and calls nothing',
  async (t) => {
    const common = { lineage: JAFFLE, refresher: createFakeRefresher(), env: ENABLED };
    await t.rejects(followDbtLog(common), { code: 'ERR_INVALID_OPTION' });
    await t.rejects(followDbtLog({ ...common, source: [], path: 'x' }), {
      code: 'ERR_INVALID_OPTION',
    });
    const feed = lineFeed();
    const refresher = createFakeRefresher();
    const disabled = followDbtLog({ lineage: JAFFLE, refresher, env: {}, source: feed });
    feed.push(...realLogLines());
    feed.end();
    const report: RefreshReport = await disabled;
    t.equal(report.enabled, false);
    t.same(refresher.calls, []);
    t.ok(report.results.every((r) => r.reason === 'disabled'));
  },
);

t.test(
  'real logs with their run_results (../shared): the end equals maybeRefresh',
  sharedTestOptions(),
  async (t) => {
    const dir = join(sharedFixtures, 'dbt-logs');
    const names = readdirSync(dir);
    const cases = names.filter((n) => n.startsWith('dagster-') && names.includes(`${n}.jsonl`));
    t.ok(cases.length >= 4, 'the dagster logs come with manifest and run_results');
    for (const name of cases) {
      const manifest = await loadManifest(join(dir, name, 'manifest.json'));
      const runResults = await loadRunResults(join(dir, name, 'run_results.json'));
      // One exposure per model, and one over all of them sharing a data source with the first.
      const models = [...manifest.nodes.keys()].filter((id) => id.startsWith('model.')).sort();
      const exposures = models.map((id, i) =>
        exposure(
          `dash_${i}`,
          [id],
          [target('workbook', `wb-${i}`, id), ...(i === 0 ? [SHARED] : [])],
        ),
      );
      exposures.push(exposure('all', models, [SHARED]));
      const common = {
        lineage: lineage(exposures),
        manifest,
        env: ENABLED,
        now: NOW,
        clock: () => 0,
      };
      const followed = await followDbtLog({
        ...common,
        source: readFileSync(join(dir, `${name}.jsonl`), 'utf8').split('\n'),
        refresher: createFakeRefresher(),
      });
      const decided = await maybeRefresh({
        ...common,
        runResults,
        refresher: createFakeRefresher(),
      });
      t.same(followed.results.map(decision), decided.results.map(decision), name);
      t.equal(followed.invocationId, runResults.invocationId, `${name}: the same invocation`);
    }
    // dbt Fusion's JSON log (22 invocations in one file, no artifacts): the last run is decided.
    const fusion = join(dir, 'fusion-elvis-preview154-multi.dbt.log');
    const fromLog = await loadRunResultsFromLog(fusion);
    t.ok(fromLog.isFusion, 'a Fusion invocation');
    t.ok(fromLog.results.length > 0);
    t.ok(['run', 'seed', 'build'].includes(fromLog.command ?? ''), fromLog.command ?? 'null');
  },
);

t.test('the real log as a file, read whole: the same decisions as streamed', async (t) => {
  const runResults = await loadRunResultsFromLog(REAL_LOG);
  t.equal(runResults.results.length, 20);
  t.equal(runResults.command, 'build');
  const report = await maybeRefresh({
    lineage: JAFFLE,
    runResults,
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    clock: () => 0,
    refresher: createFakeRefresher(),
  });
  const streamed = await followDbtLog({
    lineage: JAFFLE,
    source: realLogLines(),
    manifest: jaffleManifest(),
    env: ENABLED,
    now: NOW,
    clock: () => 0,
    refresher: createFakeRefresher(),
  });
  t.same(streamed.results.map(decision), report.results.map(decision));
});
