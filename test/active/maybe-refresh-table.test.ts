/**
 * Every decision branch of maybeRefresh, table-driven, over real run_results (committed copies of
 * ../shared/fixtures/dbt; variants change single statuses by hand) with hand-written expectations.
 */
import t from 'tap';
import { type MaybeRefreshOptions, maybeRefresh } from '../../src/active/maybe-refresh.js';
import type { RunResults } from '../../src/artifacts/types.js';
import type { LastRefreshStore, RefreshResult } from '../../src/index.js';
import { isLogEntry } from '../../src/index.js';
import type { LineageExposure } from '../../src/lineage/types.js';
import {
  createFakeRefresher,
  type FakeRefresherOptions,
} from '../../src/testing/fake-refresher.js';
import {
  BQ,
  DOCS,
  exposure,
  FUSION,
  fixtureManifest,
  fixtureRun,
  frozenClock,
  lineage,
  minutesAgo,
  NOW,
  target,
  V4,
  withStatuses,
} from './helpers.js';

const ENABLED = { DBT_ACTIVE_EXPOSURES: '1' };
const WB = target('workbook', 'wb-1', 'Customers');
const WB_KEY = 'workbook:wb-1';
const BQ_CUSTOMERS = 'model.jaffle_shop.customers';
const BQ_CUSTOMERS_CLOSURE = [
  'model.jaffle_shop.customers',
  'model.jaffle_shop.stg_customers',
  'model.jaffle_shop.stg_orders',
  'model.jaffle_shop.stg_payments',
  'seed.jaffle_shop.raw_customers',
  'seed.jaffle_shop.raw_orders',
  'seed.jaffle_shop.raw_payments',
];

interface Row {
  exposure: string;
  target: string | null;
  status: RefreshResult['status'];
  reason?: string;
  detail?: string;
  jobId?: string;
  durationMs?: number;
  sharedWith?: string[];
  rebuilt?: string[];
  failed?: string[];
}

interface Case {
  name: string;
  run: () => RunResults;
  manifest?: string;
  exposures: LineageExposure[];
  env?: Record<string, string>;
  fake?: FakeRefresherOptions;
  options?: Partial<MaybeRefreshOptions>;
  /** Expected rows; `rebuilt`/`failed` are compared only when given. */
  expected: Row[];
  /** Expected refresh calls (target keys, in order). */
  refreshCalls: string[];
}

function project(result: RefreshResult, expected: Row | undefined): Row {
  const row: Row = {
    exposure: result.exposure,
    target: result.target === null ? null : `${result.target.kind}:${result.target.luid}`,
    status: result.status,
  };
  if (result.reason !== undefined) row.reason = result.reason;
  if (result.detail !== undefined) row.detail = result.detail;
  if (result.jobId !== undefined) row.jobId = result.jobId;
  if (result.durationMs !== undefined) row.durationMs = result.durationMs;
  if (result.sharedWith !== undefined) row.sharedWith = result.sharedWith;
  if (expected?.rebuilt !== undefined) row.rebuilt = result.upstream.rebuilt;
  if (expected?.failed !== undefined) row.failed = result.upstream.failed;
  return row;
}

const cases: Case[] = [
  {
    name: 'build (1.9, BigQuery): rebuilt closure, never refreshed → refresh',
    run: () => fixtureRun(BQ),
    manifest: BQ,
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: BQ_CUSTOMERS_CLOSURE,
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'without a manifest only the direct dependencies count',
    run: () => fixtureRun(BQ),
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: [BQ_CUSTOMERS],
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'build with an errored model (1.0): upstream_failed names it; the healthy one refreshes',
    run: () => fixtureRun(V4),
    manifest: V4,
    exposures: [
      exposure(
        'broken',
        ['model.jaffle_shop.test_insert_overwrite'],
        [target('workbook', 'wb-2', 'Broken')],
      ),
      exposure('orders_dash', ['model.jaffle_shop.orders'], [WB]),
    ],
    expected: [
      {
        exposure: 'broken',
        target: 'workbook:wb-2',
        status: 'skipped',
        reason: 'upstream_failed',
        detail: 'upstream failed: model.jaffle_shop.test_insert_overwrite (error)',
        rebuilt: [],
        failed: ['model.jaffle_shop.test_insert_overwrite'],
      },
      {
        exposure: 'orders_dash',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: [
          'model.jaffle_shop.orders',
          'model.jaffle_shop.stg_orders',
          'model.jaffle_shop.stg_payments',
          'seed.jaffle_shop.raw_orders',
          'seed.jaffle_shop.raw_payments',
        ],
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'Fusion build: customers.v3 closure rebuilt → refresh',
    run: () => fixtureRun(FUSION),
    manifest: FUSION,
    exposures: [exposure('customers', ['model.dbt_bouncer_test_project.customers.v3'], [WB])],
    expected: [
      {
        exposure: 'customers',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: [
          'model.dbt_bouncer_test_project.customers.v3',
          'model.dbt_bouncer_test_project.stg_customers',
          'model.dbt_bouncer_test_project.stg_orders',
          'model.dbt_bouncer_test_project.stg_payments',
          'seed.dbt_bouncer_test_project.raw_customers',
          'seed.dbt_bouncer_test_project.raw_orders',
          'seed.dbt_bouncer_test_project.raw_payments',
        ],
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'Fusion build: an ephemeral model reported skipped does not block (manifest known)',
    run: () => fixtureRun(FUSION),
    manifest: FUSION,
    exposures: [exposure('snapshots', ['snapshot.dbt_bouncer_test_project.snapshot_orders'], [WB])],
    expected: [
      {
        exposure: 'snapshots',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: [
          'seed.dbt_bouncer_test_project.raw_orders',
          'snapshot.dbt_bouncer_test_project.snapshot_orders',
        ],
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'Fusion build: a skipped node without a manifest to explain it → upstream_failed',
    run: () => fixtureRun(FUSION),
    exposures: [exposure('int', ['model.dbt_bouncer_test_project.int_model_1'], [WB])],
    expected: [
      {
        exposure: 'int',
        target: WB_KEY,
        status: 'skipped',
        reason: 'upstream_failed',
        detail: 'upstream failed: model.dbt_bouncer_test_project.int_model_1 (skipped)',
        failed: ['model.dbt_bouncer_test_project.int_model_1'],
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'Fusion build: only a source upstream (sources are never rebuilt) → no_upstream_rebuilt',
    run: () => fixtureRun(FUSION),
    manifest: FUSION,
    exposures: [exposure('raw', ['source.dbt_bouncer_test_project.dummy_source.customers'], [WB])],
    expected: [
      {
        exposure: 'raw',
        target: WB_KEY,
        status: 'skipped',
        reason: 'no_upstream_rebuilt',
        detail: 'no upstream node rebuilt',
        rebuilt: [],
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'docs generate run → not_a_build, nothing asked of the refresher',
    run: () => fixtureRun(DOCS),
    manifest: DOCS,
    exposures: [exposure('customers', ['model.dbt_bouncer_test_project.customers.v3'], [WB])],
    expected: [
      {
        exposure: 'customers',
        target: WB_KEY,
        status: 'skipped',
        reason: 'not_a_build',
        detail: 'not a build: run_results come from dbt generate',
      },
    ],
    refreshCalls: [],
  },
  ...(['test', 'compile', 'list', 'parse', 'show'] as const).map(
    (command): Case => ({
      name: `run_results of dbt ${command} → not_a_build`,
      run: () => ({ ...fixtureRun(BQ), command }),
      exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
      expected: [
        {
          exposure: 'customers_dash',
          target: WB_KEY,
          status: 'skipped',
          reason: 'not_a_build',
          detail: `not a build: run_results come from dbt ${command}`,
        },
      ],
      refreshCalls: [],
    }),
  ),
  {
    name: 'run_results without args.which → not_a_build',
    run: () => ({ ...fixtureRun(BQ), command: null }),
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'not_a_build',
        detail: 'not a build: run_results come from an unknown command (no args.which)',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'dbt run (not build) triggers refreshes',
    run: () => ({ ...fixtureRun(BQ), command: 'run' }),
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'a failed test on a closure node blocks; one outside the closure does not',
    run: () =>
      withStatuses(fixtureRun(BQ), {
        'test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa': 'fail',
      }),
    manifest: BQ,
    exposures: [
      exposure('customers_dash', [BQ_CUSTOMERS], [WB]),
      exposure('orders_dash', ['model.jaffle_shop.orders'], [target('workbook', 'wb-3', 'Orders')]),
    ],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'upstream_failed',
        detail:
          'upstream failed: test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa (fail)',
        failed: ['test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa'],
      },
      {
        exposure: 'orders_dash',
        target: 'workbook:wb-3',
        status: 'triggered',
        jobId: 'fake-job-1',
        failed: [],
      },
    ],
    refreshCalls: ['workbook:wb-3'],
  },
  {
    name: 'a relationships test erroring (two parents) blocks any exposure over either parent',
    run: () =>
      withStatuses(fixtureRun(BQ), {
        'test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2':
          'error',
      }),
    manifest: BQ,
    exposures: [exposure('daily', ['model.jaffle_shop.daily_orders'], [WB])],
    expected: [
      {
        exposure: 'daily',
        target: WB_KEY,
        status: 'skipped',
        reason: 'upstream_failed',
        detail:
          'upstream failed: test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2 (error)',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'refreshOnTestFailure: a failed test does not block',
    run: () =>
      withStatuses(fixtureRun(BQ), {
        'test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa': 'fail',
      }),
    manifest: BQ,
    options: { refreshOnTestFailure: true },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'a warn test does not block',
    run: () =>
      withStatuses(fixtureRun(BQ), {
        'test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d': 'warn',
      }),
    manifest: BQ,
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'runtime error / fail / skipped on closure nodes all block, listed in closure order',
    run: () =>
      withStatuses(fixtureRun(BQ), {
        'model.jaffle_shop.stg_orders': 'runtime error',
        'model.jaffle_shop.stg_payments': 'fail',
        'model.jaffle_shop.customers': 'skipped',
      }),
    manifest: BQ,
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'upstream_failed',
        detail:
          'upstream failed: model.jaffle_shop.customers (skipped), model.jaffle_shop.stg_orders (runtime error), model.jaffle_shop.stg_payments (fail)',
        failed: [
          'model.jaffle_shop.customers',
          'model.jaffle_shop.stg_orders',
          'model.jaffle_shop.stg_payments',
        ],
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'partial success (microbatch) counts as rebuilt and does not block',
    run: () => {
      const run = fixtureRun(BQ);
      return {
        ...run,
        results: run.results
          .filter((r) => r.uniqueId === BQ_CUSTOMERS)
          .map((r) => ({ ...r, status: 'partial success' })),
      };
    },
    manifest: BQ,
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'triggered',
        jobId: 'fake-job-1',
        rebuilt: [BQ_CUSTOMERS],
        failed: [],
      },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'no-op exposure rows, reused nodes and passing tests are not rebuilds',
    run: () => {
      const run = fixtureRun(BQ);
      const tests = run.results.filter((r) => r.uniqueId.startsWith('test.'));
      const customers = run.results
        .filter((r) => r.uniqueId === BQ_CUSTOMERS)
        .map((r) => ({ ...r, status: 'reused' }));
      const noOp = {
        ...tests[0],
        uniqueId: 'exposure.jaffle_shop.customers_dash',
        status: 'no-op',
      } as (typeof tests)[number];
      return { ...run, results: [...customers, ...tests, noOp] };
    },
    manifest: BQ,
    exposures: [
      exposure('customers_dash', [BQ_CUSTOMERS, 'exposure.jaffle_shop.customers_dash'], [WB]),
    ],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'no_upstream_rebuilt',
        detail: 'no upstream node rebuilt',
        rebuilt: [],
        failed: [],
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'an exposure without refresh targets → no_refresh_target (target null)',
    run: () => fixtureRun(BQ),
    exposures: [exposure('nothing', [BQ_CUSTOMERS], [])],
    expected: [
      {
        exposure: 'nothing',
        target: null,
        status: 'skipped',
        reason: 'no_refresh_target',
        detail: 'nothing to refresh in Tableau',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'a failed upstream wins over having no targets',
    run: () => fixtureRun(V4),
    exposures: [exposure('broken', ['model.jaffle_shop.test_insert_overwrite'], [])],
    expected: [
      {
        exposure: 'broken',
        target: null,
        status: 'skipped',
        reason: 'upstream_failed',
        detail: 'upstream failed: model.jaffle_shop.test_insert_overwrite (error)',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'live-only target → no_extract; the extract one refreshes',
    run: () => fixtureRun(BQ),
    exposures: [exposure('mixed', [BQ_CUSTOMERS], [target('workbook', 'live', 'Live', false), WB])],
    expected: [
      {
        exposure: 'mixed',
        target: 'workbook:live',
        status: 'skipped',
        reason: 'no_extract',
        detail: 'live connection, no extract to refresh',
      },
      { exposure: 'mixed', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'refreshed 60 min ago, build_after 1440 → build_after_not_elapsed with the time left',
    run: () => fixtureRun(BQ),
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(60) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'build_after_not_elapsed',
        detail: 'build_after 1440 min not elapsed, next in 23h',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'refreshed 1128 min ago (18h48m): next in 5h 12m',
    run: () => fixtureRun(BQ),
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(1128) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'build_after_not_elapsed',
        detail: 'build_after 1440 min not elapsed, next in 5h 12m',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'refreshed exactly build_after ago → refresh',
    run: () => fixtureRun(BQ),
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(1440) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER=30 from the environment',
    run: () => fixtureRun(BQ),
    env: { DBT_ACTIVE_EXPOSURES: 'TRUE', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '30' },
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(20) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'skipped',
        reason: 'build_after_not_elapsed',
        detail: 'build_after 30 min not elapsed, next in 10m',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'BUILD_AFTER=0 refreshes even right after a refresh (and with a clock-skewed future time)',
    run: () => fixtureRun(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0' },
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(-2) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'option buildAfterMinutes overrides the environment',
    run: () => fixtureRun(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: 'not-read' },
    options: { buildAfterMinutes: 10 },
    fake: { lastRefreshTimes: { [WB_KEY]: minutesAgo(20) } },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: '409093 → skipped already_queued; 409090 → skipped not_refreshable; trigger error → error',
    run: () => fixtureRun(BQ),
    fake: {
      refreshAnswers: {
        'workbook:a': 'already_queued',
        'workbook:b': 'not_refreshable',
        'workbook:c': { error: 'Tableau 500: internal error (request id 42)' },
      },
    },
    exposures: [
      exposure(
        'x',
        [BQ_CUSTOMERS],
        [target('workbook', 'a', 'A'), target('workbook', 'b', 'B'), target('workbook', 'c', 'C')],
      ),
    ],
    expected: [
      {
        exposure: 'x',
        target: 'workbook:a',
        status: 'skipped',
        reason: 'already_queued',
        detail: "already queued: Job for 'A' is already queued. Not queuing a duplicate.",
      },
      {
        exposure: 'x',
        target: 'workbook:b',
        status: 'skipped',
        reason: 'not_refreshable',
        detail: "not refreshable: Extract operation for the workbook 'B' is not allowed.",
      },
      {
        exposure: 'x',
        target: 'workbook:c',
        status: 'error',
        reason: 'trigger_failed',
        detail: 'Tableau 500: internal error (request id 42)',
      },
    ],
    refreshCalls: ['workbook:a', 'workbook:b', 'workbook:c'],
  },
  {
    name: 'wait: success with duration, failed job with Tableau notes, cancelled, timeout',
    run: () => fixtureRun(BQ),
    options: { wait: { timeoutMs: 60_000 }, concurrency: 1 },
    fake: {
      jobOutcomes: {
        'workbook:a': { status: 'success', durationMs: 3200 },
        'workbook:b': {
          status: 'failed',
          notes: 'java.lang.RuntimeException: Login failed',
          durationMs: 900,
        },
        'workbook:c': { status: 'cancelled', durationMs: 100 },
        'workbook:d': { status: 'timeout', durationMs: 60_000 },
      },
    },
    exposures: [
      exposure(
        'x',
        [BQ_CUSTOMERS],
        ['a', 'b', 'c', 'd'].map((id) => target('workbook', id, id.toUpperCase())),
      ),
    ],
    expected: [
      {
        exposure: 'x',
        target: 'workbook:a',
        status: 'success',
        jobId: 'fake-job-1',
        durationMs: 3200,
      },
      {
        exposure: 'x',
        target: 'workbook:b',
        status: 'error',
        reason: 'job_failed',
        detail: 'job failed: java.lang.RuntimeException: Login failed',
        jobId: 'fake-job-2',
        durationMs: 900,
      },
      {
        exposure: 'x',
        target: 'workbook:c',
        status: 'error',
        reason: 'job_cancelled',
        detail: 'job cancelled in Tableau',
        jobId: 'fake-job-3',
        durationMs: 100,
      },
      {
        exposure: 'x',
        target: 'workbook:d',
        status: 'error',
        reason: 'job_timeout',
        detail: "job still running when the run's wait of 60000 ms ended (not cancelled)",
        jobId: 'fake-job-4',
        durationMs: 60_000,
      },
    ],
    refreshCalls: ['workbook:a', 'workbook:b', 'workbook:c', 'workbook:d'],
  },
  {
    name: 'dry run: decides (reads times) but refreshes nothing',
    run: () => fixtureRun(BQ),
    options: { dryRun: true },
    fake: { lastRefreshTimes: { 'workbook:old': minutesAgo(5000), 'workbook:new': minutesAgo(5) } },
    exposures: [
      exposure(
        'x',
        [BQ_CUSTOMERS],
        [target('workbook', 'old', 'Old'), target('workbook', 'new', 'New')],
      ),
    ],
    expected: [
      {
        exposure: 'x',
        target: 'workbook:new',
        status: 'skipped',
        reason: 'build_after_not_elapsed',
        detail: 'build_after 1440 min not elapsed, next in 23h 55m',
      },
      {
        exposure: 'x',
        target: 'workbook:old',
        status: 'skipped',
        reason: 'dry_run',
        detail: "dry run: would refresh workbook 'Old'",
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'a data source shared by three exposures is refreshed once and reported for each',
    run: () => fixtureRun(BQ),
    exposures: ['a', 'b', 'c'].map((name) =>
      exposure(
        name,
        [BQ_CUSTOMERS],
        [target('datasource', 'ds-1', 'Customers DS'), target('workbook', `wb-${name}`, name)],
      ),
    ),
    expected: [
      {
        exposure: 'a',
        target: 'datasource:ds-1',
        status: 'triggered',
        jobId: 'fake-job-1',
        sharedWith: ['b', 'c'],
      },
      { exposure: 'a', target: 'workbook:wb-a', status: 'triggered', jobId: 'fake-job-2' },
      {
        exposure: 'b',
        target: 'datasource:ds-1',
        status: 'triggered',
        jobId: 'fake-job-1',
        sharedWith: ['a', 'c'],
      },
      { exposure: 'b', target: 'workbook:wb-b', status: 'triggered', jobId: 'fake-job-3' },
      {
        exposure: 'c',
        target: 'datasource:ds-1',
        status: 'triggered',
        jobId: 'fake-job-1',
        sharedWith: ['a', 'b'],
      },
      { exposure: 'c', target: 'workbook:wb-c', status: 'triggered', jobId: 'fake-job-4' },
    ],
    refreshCalls: ['datasource:ds-1', 'workbook:wb-a', 'workbook:wb-b', 'workbook:wb-c'],
  },
  {
    name: 'a shared data source is refreshed for the healthy exposure; the failed one stays skipped',
    run: () => fixtureRun(V4),
    exposures: [
      exposure(
        'broken',
        ['model.jaffle_shop.test_insert_overwrite'],
        [target('datasource', 'ds-1', 'DS')],
      ),
      exposure('healthy', ['model.jaffle_shop.orders'], [target('datasource', 'ds-1', 'DS')]),
    ],
    expected: [
      {
        exposure: 'broken',
        target: 'datasource:ds-1',
        status: 'skipped',
        reason: 'upstream_failed',
        detail: 'upstream failed: model.jaffle_shop.test_insert_overwrite (error)',
      },
      { exposure: 'healthy', target: 'datasource:ds-1', status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: ['datasource:ds-1'],
  },
  {
    name: 'a refresher that cannot tell times and no store: unknown → refresh',
    run: () => fixtureRun(BQ),
    fake: { canReportLastRefreshTimes: false },
    exposures: [exposure('customers_dash', [BQ_CUSTOMERS], [WB])],
    expected: [
      { exposure: 'customers_dash', target: WB_KEY, status: 'triggered', jobId: 'fake-job-1' },
    ],
    refreshCalls: [WB_KEY],
  },
  {
    name: 'the last refresh time cannot be read → error lookup_failed, nothing refreshed',
    run: () => fixtureRun(BQ),
    fake: { lastRefreshTimesError: 'Metadata API unavailable (503)' },
    exposures: [
      exposure('customers_dash', [BQ_CUSTOMERS], [WB, target('workbook', 'live', 'Live', false)]),
    ],
    expected: [
      {
        exposure: 'customers_dash',
        target: 'workbook:live',
        status: 'skipped',
        reason: 'no_extract',
        detail: 'live connection, no extract to refresh',
      },
      {
        exposure: 'customers_dash',
        target: WB_KEY,
        status: 'error',
        reason: 'lookup_failed',
        detail: 'could not read the last refresh time: Metadata API unavailable (503)',
      },
    ],
    refreshCalls: [],
  },
  {
    name: 'disabled (DBT_ACTIVE_EXPOSURES=0): every target skipped disabled',
    run: () => fixtureRun(BQ),
    env: { DBT_ACTIVE_EXPOSURES: '0' },
    exposures: [exposure('b', [BQ_CUSTOMERS], [WB, WB]), exposure('a', [BQ_CUSTOMERS], [])],
    expected: [
      {
        exposure: 'a',
        target: null,
        status: 'skipped',
        reason: 'disabled',
        detail: 'active exposures are disabled',
      },
      {
        exposure: 'b',
        target: WB_KEY,
        status: 'skipped',
        reason: 'disabled',
        detail: 'active exposures are disabled',
      },
    ],
    refreshCalls: [],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const refresher = createFakeRefresher(c.fake ?? {});
    const report = await maybeRefresh({
      lineage: lineage(c.exposures),
      runResults: c.run(),
      ...(c.manifest === undefined ? {} : { manifest: fixtureManifest(c.manifest) }),
      env: c.env ?? ENABLED,
      now: NOW,
      clock: frozenClock,
      refresher,
      ...c.options,
    });
    t.same(
      report.results.map((result, i) => project(result, c.expected[i])),
      c.expected,
    );
    t.same(
      refresher.refreshedTargets().map((x) => `${x.kind}:${x.luid}`),
      c.refreshCalls,
      'refresh calls',
    );
    if (
      c.expected.every((row) =>
        [
          'not_a_build',
          'upstream_failed',
          'no_upstream_rebuilt',
          'no_refresh_target',
          'disabled',
        ].includes(row.reason ?? ''),
      )
    ) {
      t.same(refresher.calls, [], 'nothing asked of the refresher');
    }
  });
}

t.test(
  'a lastRefreshStore answers for a refresher that cannot, and records triggers',
  async (t) => {
    const stored = new Map<string, Date>([[WB_KEY, minutesAgo(30)]]);
    const sets: Array<[string, string]> = [];
    const store: LastRefreshStore = {
      get: async (key) => stored.get(key) ?? null,
      set: async (key, at) => {
        sets.push([key, at.toISOString()]);
        stored.set(key, at);
      },
    };
    const refresher = createFakeRefresher({ canReportLastRefreshTimes: false });
    const report = await maybeRefresh({
      lineage: lineage([exposure('x', [BQ_CUSTOMERS], [WB, target('workbook', 'other', 'Other')])]),
      runResults: fixtureRun(BQ),
      env: ENABLED,
      now: NOW,
      clock: frozenClock,
      refresher,
      lastRefreshStore: store,
    });
    t.same(
      report.results.map((r) => [r.target?.luid, r.status, r.reason ?? null]),
      [
        ['other', 'triggered', null],
        ['wb-1', 'skipped', 'build_after_not_elapsed'],
      ],
    );
    t.same(sets, [['workbook:other', NOW.toISOString()]]);
    const lastRefresh = report.debug.filter((e) => e.info.code === 'AE102').map((e) => e.data);
    t.same(lastRefresh, [
      {
        target: { kind: 'workbook', luid: 'other', name: 'Other' },
        last_refresh_at: null,
        source: 'store',
        next_allowed_at: null,
      },
      {
        target: { kind: 'workbook', luid: 'wb-1', name: 'Customers' },
        last_refresh_at: minutesAgo(30).toISOString(),
        source: 'store',
        next_allowed_at: '2026-03-02T11:30:00.000Z',
      },
    ]);
  },
);

t.test(
  'store failures: a failing get is lookup_failed, a failing set is evidence only',
  async (t) => {
    const store: LastRefreshStore = {
      get: async (key) => {
        if (key === 'workbook:bad') throw new Error('store offline');
        return null;
      },
      set: async () => {
        throw new Error('store read-only');
      },
    };
    const refresher = createFakeRefresher({ lastRefreshTimesError: 'Metadata API down' });
    const report = await maybeRefresh({
      lineage: lineage([exposure('x', [BQ_CUSTOMERS], [target('workbook', 'bad', 'Bad'), WB])]),
      runResults: fixtureRun(BQ),
      env: ENABLED,
      now: NOW,
      clock: frozenClock,
      refresher,
      lastRefreshStore: store,
    });
    t.same(
      report.results.map((r) => [r.target?.luid, r.status, r.reason ?? null, r.detail ?? null]),
      [
        ['bad', 'error', 'lookup_failed', 'could not read the last refresh time: store offline'],
        ['wb-1', 'triggered', null, null],
      ],
    );
    t.same(
      report.debug
        .filter((e) => isLogEntry(e, 'AE105'))
        .map((e) => [e.data.operation, e.data.message]),
      [
        ['getLastRefreshTimes', 'Metadata API down'],
        ['lastRefreshStore.get', 'store offline'],
        ['lastRefreshStore.set', 'store read-only'],
      ],
    );
  },
);

t.test('the report carries the settings and the invocation id', async (t) => {
  const report = await maybeRefresh({
    lineage: lineage([exposure('customers_dash', [BQ_CUSTOMERS], [WB])]),
    runResults: fixtureRun(BQ),
    env: { DBT_ACTIVE_EXPOSURES: 'true', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '60' },
    now: NOW,
    clock: frozenClock,
    refresher: createFakeRefresher(),
    dryRun: true,
  });
  t.equal(report.enabled, true);
  t.equal(report.dryRun, true);
  t.equal(report.buildAfterMinutes, 60);
  t.equal(report.invocationId, 'cfbc1db9-66c1-46c2-a94b-8c0cef32314f');
});
