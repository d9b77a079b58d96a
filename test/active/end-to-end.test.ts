/**
 * maybeRefresh through the real Tableau client against the mock Tableau server (real HTTP on
 * 127.0.0.1): cadence, BUILD_AFTER=0, 409093, live workbooks, failing jobs, shared data sources,
 * two concurrent workers, and the sentinel secret.
 */
import t from 'tap';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import type { RefreshResult } from '../../src/index.js';
import { isLogEntry } from '../../src/index.js';
import { createTableauClient } from '../../src/tableau/client.js';
import type { MockWorkbookInput } from '../../src/testing/index.js';
import { createMockTableauServer, type MockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { BQ, exposure, fixtureManifest, fixtureRun, lineage, target } from './helpers.js';

const CUSTOMERS = 'model.jaffle_shop.customers';
const ds = (n: number) => ({ luid: `ds-${n}`, name: `Shared ${n}`, hasExtracts: true });

const workbooks: MockWorkbookInput[] = [
  { luid: 'wb-sales', name: 'Sales', embeddedDatasources: [{ name: 'sales', hasExtracts: true }] },
  { luid: 'wb-live', name: 'Live Ops', embeddedDatasources: [{ name: 'ops', hasExtracts: false }] },
  {
    luid: 'wb-fail',
    name: 'Broken Extract',
    embeddedDatasources: [{ name: 'x', hasExtracts: true }],
  },
  ...Array.from({ length: 20 }, (_, i) => ({
    luid: `wb-shared-${i}`,
    name: `Shared ${i}`,
    embeddedDatasources: [{ name: `e${i}`, publishedDatasourceLuids: [`ds-${(i % 3) + 1}`] }],
    publishedDatasources: [ds((i % 3) + 1)],
  })),
];

async function startServer(t: { teardown(fn: () => unknown): void }): Promise<MockTableauServer> {
  const server = await createMockTableauServer({
    workbooks,
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: () => SENTINEL_SESSION_TOKEN,
    jobPlan: { queuedMs: 10, runMs: 20 },
    jobPlans: {
      'workbook:wb-fail': {
        outcome: 'failed',
        notes: 'ODBC: Login failed',
        queuedMs: 10,
        runMs: 20,
      },
    },
  });
  t.teardown(() => server.close());
  return server;
}

function client(server: MockTableauServer) {
  return createTableauClient({
    serverUrl: server.url,
    siteName: server.siteName,
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
  });
}

const rows = (results: RefreshResult[]) =>
  results.map((r) => [r.exposure, r.target?.luid ?? null, r.status, r.reason ?? null]);

t.test(
  'single-workbook lifecycle: refresh, cadence skip, BUILD_AFTER=0, 409093, live, failed job',
  async (t) => {
    const server = await startServer(t);
    const refresher = client(server);
    const base = {
      lineage: lineage([
        exposure('broken', [CUSTOMERS], [target('workbook', 'wb-fail', 'Broken Extract')]),
        exposure('live_ops', [CUSTOMERS], [target('workbook', 'wb-live', 'Live Ops', false)]),
        exposure('sales', [CUSTOMERS], [target('workbook', 'wb-sales', 'Sales')]),
      ]),
      runResults: fixtureRun(BQ),
      manifest: fixtureManifest(BQ),
      refresher,
      wait: { timeoutMs: 10_000 },
    };

    const first = await maybeRefresh({ ...base, env: { DBT_ACTIVE_EXPOSURES: '1' } });
    t.same(rows(first.results), [
      ['broken', 'wb-fail', 'error', 'job_failed'],
      ['live_ops', 'wb-live', 'skipped', 'no_extract'],
      ['sales', 'wb-sales', 'success', null],
    ]);
    t.equal(first.results[0]?.detail, 'job failed: ODBC: Login failed');
    t.type(first.results[2]?.jobId, 'string');
    t.type(first.results[2]?.durationMs, 'number');
    t.same(server.counters.refreshCalls, { 'workbook:wb-fail': 1, 'workbook:wb-sales': 1 });

    const second = await maybeRefresh({ ...base, env: { DBT_ACTIVE_EXPOSURES: '1' } });
    t.same(rows(second.results).slice(2), [
      ['sales', 'wb-sales', 'skipped', 'build_after_not_elapsed'],
    ]);
    t.equal(second.results[2]?.detail, 'build_after 1440 min not elapsed, next in 23h 59m');
    t.same(
      rows(second.results).slice(0, 1),
      [['broken', 'wb-fail', 'error', 'job_failed']],
      'a failed refresh does not start the cadence',
    );

    const third = await maybeRefresh({
      ...base,
      env: { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0' },
    });
    t.same(rows(third.results).slice(2), [['sales', 'wb-sales', 'success', null]]);
    t.equal(server.counters.refreshCalls['workbook:wb-sales'], 2);

    // Someone else queued a refresh that is still running: the next one gets 409093.
    server.setJobPlan({ kind: 'workbook', luid: 'wb-sales' }, { outcome: 'hang' });
    const queued = await refresher.refresh({ kind: 'workbook', luid: 'wb-sales', name: 'Sales' });
    t.equal(queued.status, 'queued');
    const fourth = await maybeRefresh({
      ...base,
      wait: undefined,
      env: { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0' },
    });
    t.same(rows(fourth.results).slice(2), [['sales', 'wb-sales', 'skipped', 'already_queued']]);
    assertNoSecrets(t, first, second, third, fourth, server.requests);
    await refresher.signOut();
  },
);

t.test('20 exposures over 3 shared data sources make exactly 3 refresh calls', async (t) => {
  const server = await startServer(t);
  const exposures = Array.from({ length: 20 }, (_, i) =>
    exposure(
      `shared_${String(i).padStart(2, '0')}`,
      [CUSTOMERS],
      [target('datasource', `ds-${(i % 3) + 1}`, `Shared ${(i % 3) + 1}`)],
    ),
  );
  const report = await maybeRefresh({
    lineage: lineage(exposures),
    runResults: fixtureRun(BQ),
    manifest: fixtureManifest(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '1' },
    refresher: client(server),
  });
  t.same(server.counters.refreshCalls, {
    'datasource:ds-1': 1,
    'datasource:ds-2': 1,
    'datasource:ds-3': 1,
  });
  t.equal(report.results.length, 20);
  t.ok(report.results.every((r) => r.status === 'triggered'));
  t.same(report.results[0]?.sharedWith, [
    'shared_03',
    'shared_06',
    'shared_09',
    'shared_12',
    'shared_15',
    'shared_18',
  ]);
  t.equal(new Set(report.results.map((r) => r.jobId)).size, 3);
  t.equal(
    report.log.at(-1)?.info.msg,
    'Done. 20 exposures, 3 refresh targets: TRIGGERED=3 REFRESHED=0 SKIP=0 ERROR=0',
  );
  t.same(report.summary, {
    exposures: 20,
    targets: 3,
    triggered: 3,
    refreshed: 0,
    skipped: 0,
    errors: 0,
    refreshCalls: 3,
  });
  const done = report.log.at(-1);
  t.equal(done !== undefined && isLogEntry(done, 'AE007') ? done.data.refresh_calls : null, 3);
});

t.test('two workers at once trigger each refresh once (409093 is the coordination)', async (t) => {
  const server = await startServer(t);
  server.setJobPlan(null, { queuedMs: 5_000, runMs: 5_000 });
  const options = {
    lineage: lineage([
      exposure(
        'a',
        [CUSTOMERS],
        [target('workbook', 'wb-sales', 'Sales'), target('datasource', 'ds-1', 'Shared 1')],
      ),
      exposure('b', [CUSTOMERS], [target('datasource', 'ds-2', 'Shared 2')]),
    ]),
    runResults: fixtureRun(BQ),
    manifest: fixtureManifest(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '1' },
  };
  const [one, two] = await Promise.all([
    maybeRefresh({ ...options, refresher: client(server) }),
    maybeRefresh({ ...options, refresher: client(server) }),
  ]);
  t.same(server.jobs().length, 3, 'one job per target');
  for (const key of ['workbook:wb-sales', 'datasource:ds-1', 'datasource:ds-2']) {
    t.ok((server.counters.refreshCalls[key] ?? 0) >= 1, `${key} was asked`);
  }
  const byTarget = new Map<string, string[]>();
  for (const r of [...one.results, ...two.results]) {
    const key = `${r.target?.kind}:${r.target?.luid}`;
    byTarget.set(key, [
      ...(byTarget.get(key) ?? []),
      r.status === 'triggered' ? 'triggered' : (r.reason ?? r.status),
    ]);
  }
  for (const [key, outcomes] of byTarget) {
    t.equal(outcomes.filter((o) => o === 'triggered').length, 1, `${key} triggered once`);
    t.ok(
      outcomes.every(
        (o) => o === 'triggered' || o === 'already_queued' || o === 'build_after_not_elapsed',
      ),
      `${key}: ${outcomes.join(', ')}`,
    );
  }
});
