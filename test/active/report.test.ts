/**
 * A sample run end to end through the fake refresher: the text log (snapshot, reads like dbt), the
 * JSON entries (parse, carry the invocation id), the report file (atomic, default path) and the
 * sentinel secret (never anywhere).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import {
  DEFAULT_REPORT_FILE,
  defaultReportPath,
  writeRefreshReport,
} from '../../src/active/report.js';
import { TableauApiError } from '../../src/errors.js';
import { renderLogEntry } from '../../src/index.js';
import { createFakeRefresher } from '../../src/testing/fake-refresher.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import {
  BQ,
  exposure,
  fixtureManifest,
  fixtureRun,
  lineage,
  minutesAgo,
  NOW,
  target,
  V4,
} from './helpers.js';

/** A clock advancing 1.6 s per reading: realistic, deterministic timestamps. */
function steppingClock(): () => number {
  let ms = 0;
  return () => {
    ms += 1600;
    return ms;
  };
}

async function sampleRun() {
  const refresher = createFakeRefresher({
    lastRefreshTimes: { 'workbook:wb-finance': minutesAgo(1128) },
    refreshAnswers: { 'workbook:wb-ops': 'already_queued' },
    jobOutcomes: {
      'datasource:ds-customers': { status: 'success', durationMs: 3200 },
      'workbook:wb-marketing': { status: 'failed', notes: 'ODBC: Login failed for user analytics' },
    },
  });
  // The refresh call for one target fails the way the Tableau client fails: redacted message.
  const original = refresher.refresh.bind(refresher);
  refresher.refresh = async (t, options) => {
    if (t.luid === 'wb-exec') {
      throw new TableauApiError(
        'ERR_TABLEAU_API',
        'Tableau answered 500 on POST /api/3.28/sites/<site>/workbooks/wb-exec/refresh',
        {
          status: 500,
          // The client redacts before constructing; the secret must not come back from here either.
          details: { note: 'token redacted' },
        },
      );
    }
    return original(t, options);
  };
  const run = fixtureRun(BQ);
  const report = await maybeRefresh({
    lineage: lineage([
      exposure(
        'customer_360',
        ['model.jaffle_shop.customers'],
        [target('datasource', 'ds-customers', 'Customers')],
      ),
      exposure(
        'exec_summary',
        ['model.jaffle_shop.orders'],
        [target('workbook', 'wb-exec', 'Exec Summary')],
      ),
      exposure(
        'finance_kpis',
        ['model.jaffle_shop.customers'],
        [
          target('datasource', 'ds-customers', 'Customers'),
          target('workbook', 'wb-finance', 'Finance KPIs'),
        ],
      ),
      exposure(
        'marketing',
        ['model.jaffle_shop.daily_orders'],
        [target('workbook', 'wb-marketing', 'Marketing')],
      ),
      exposure(
        'ops_live',
        ['model.jaffle_shop.orders'],
        [target('workbook', 'wb-live', 'Ops Live', false)],
      ),
      exposure(
        'ops_queue',
        ['model.jaffle_shop.orders'],
        [target('workbook', 'wb-ops', 'Ops Queue')],
      ),
      exposure(
        'stale',
        ['model.jaffle_shop.test_insert_overwrite'],
        [target('workbook', 'wb-stale', 'Stale')],
      ),
    ]),
    runResults: run,
    manifest: fixtureManifest(BQ),
    env: {
      DBT_ACTIVE_EXPOSURES: '1',
      TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
      TABLEAU_SESSION: SENTINEL_SESSION_TOKEN,
    },
    now: NOW,
    clock: steppingClock(),
    refresher,
    wait: { timeoutMs: 600_000 },
    concurrency: 1,
  });
  return { report, refresher };
}

t.test('the text log of a sample run reads like dbt (snapshot)', async (t) => {
  const { report } = await sampleRun();
  const text = report.log.map((entry) => renderLogEntry(entry, 'text')).join('\n');
  t.matchSnapshot(text, 'text log');
  t.match(text, /Running active exposures for 7 exposures \(build_after 1440 min\)/);
  t.match(text, /1 of 7 START active exposure customer_360 \.+ \[RUN\]/);
  t.match(text, /1 of 7 OK refreshed datasource 'Customers' for customer_360 \.+ \[OK in 3\.2s\]/);
  t.match(
    text,
    /3 of 7 SKIP active exposure finance_kpis \(workbook 'Finance KPIs'\) \.+ \[build_after 1440 min not elapsed, next in 5h 12m\]/,
  );
  // Targets counted once each: the shared Customers refresh is one target.
  t.match(text, /Done\. 7 exposures, 7 refresh targets: TRIGGERED=0 REFRESHED=1 SKIP=4 ERROR=2$/);
  t.matchSnapshot(
    report.debug.map((entry) => renderLogEntry(entry, 'text')).join('\n'),
    'debug log',
  );
});

t.test('JSON entries parse and carry the invocation id', async (t) => {
  const { report } = await sampleRun();
  for (const entry of [...report.log, ...report.debug]) {
    const line = renderLogEntry(entry, 'json');
    const parsed = JSON.parse(line);
    t.equal(parsed.info.invocation_id, 'cfbc1db9-66c1-46c2-a94b-8c0cef32314f');
    t.match(parsed.info, {
      name: String,
      code: /^AE\d{3}$/,
      level: /^(debug|info|warn|error)$/,
      msg: String,
      ts: String,
      category: 'active_exposures',
    });
  }
  t.ok(report.debug.every((entry) => entry.info.level === 'debug'));
  // In time order: the START lines at the decision, then the outcomes as they were known.
  t.same(
    report.log.map((entry) => entry.info.code),
    [
      'AE002',
      ...Array.from({ length: 7 }, () => 'AE003'),
      'AE005', // stale: no upstream rebuilt (decision)
      'AE005', // finance_kpis: build_after (last refresh time read)
      'AE005', // ops_live: no extract
      'AE004', // customer_360 and finance_kpis: the shared Customers refresh
      'AE004',
      'AE006', // exec_summary: trigger failed
      'AE006', // marketing: job failed
      'AE005', // ops_queue: already queued
      'AE007',
    ],
  );
  t.same(
    report.results.find((r) => r.exposure === 'finance_kpis' && r.target?.kind === 'datasource'),
    {
      exposure: 'finance_kpis',
      target: { kind: 'datasource', luid: 'ds-customers', name: 'Customers' },
      status: 'success',
      jobId: 'fake-job-1',
      durationMs: 3200,
      sharedWith: ['customer_360'],
      upstream: {
        rebuilt: [
          'model.jaffle_shop.customers',
          'model.jaffle_shop.stg_customers',
          'model.jaffle_shop.stg_orders',
          'model.jaffle_shop.stg_payments',
          'seed.jaffle_shop.raw_customers',
          'seed.jaffle_shop.raw_orders',
          'seed.jaffle_shop.raw_payments',
        ],
        failed: [],
      },
    },
  );
});

t.test('the report file: atomic, default path next to run_results.json, no secret', async (t) => {
  const { report } = await sampleRun();
  const dir = mkdtempSync(join(tmpdir(), 'ae-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = defaultReportPath(join(dir, 'target', 'run_results.json'));
  t.equal(path, join(dir, 'target', DEFAULT_REPORT_FILE));
  await writeRefreshReport(path, report);
  const text = readFileSync(path, 'utf8');
  t.same(JSON.parse(text), JSON.parse(JSON.stringify(report)));
  t.ok(text.endsWith('}\n'));
  t.same(readdirSync(join(dir, 'target')), [DEFAULT_REPORT_FILE], 'no temporary file left');
  assertNoSecrets(t, report, report.log, report.debug, text);
  const aborted = new AbortController();
  aborted.abort();
  await t.rejects(
    writeRefreshReport(path, { ...report, results: [] }, { signal: aborted.signal }),
    { code: 'ERR_ABORTED' },
  );
  t.equal(readFileSync(path, 'utf8'), text, 'previous report unchanged');
});

t.test('logger receives every entry at its level, the moment it is made', async (t) => {
  const seen: string[] = [];
  const logger = {
    debug: (msg: string) => seen.push(`debug ${msg.slice(0, 20)}`),
    info: (msg: string) => seen.push(`info ${msg.slice(0, 20)}`),
    warn: (msg: string) => seen.push(`warn ${msg.slice(0, 20)}`),
    error: (msg: string) => seen.push(`error ${msg.slice(0, 20)}`),
  };
  const report = await maybeRefresh({
    lineage: lineage([
      exposure(
        'stale',
        ['model.jaffle_shop.test_insert_overwrite'],
        [target('workbook', 'w', 'W')],
      ),
    ]),
    runResults: fixtureRun(V4),
    env: { DBT_ACTIVE_EXPOSURES: '1' },
    now: NOW,
    clock: () => 0,
    refresher: createFakeRefresher(),
    logger,
  });
  t.equal(seen.length, report.log.length + report.debug.length);
  t.same(seen, [
    'debug Active exposures set',
    'info Running active expos',
    'debug Upstream of stale: 1',
    'info 1 of 1 START active ',
    'warn 1 of 1 SKIP active e',
    'info Done. 1 exposure, 1 ',
  ]);
});
