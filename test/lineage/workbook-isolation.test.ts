/**
 * The matcher memoises table outcomes for the whole build (by spelling, published data sources by
 * luid), and outcomes are shared between workbooks. Nothing a workbook counts may leak into the
 * next one: each workbook here shares tables, a published data source and labels with
 * the others, while its own dependencies, misses and counts are written out by hand, and every
 * processing order (luids decide it) must give them.
 */
import t, { type Test } from 'tap';
import { buildExposureLineage } from '../../src/lineage/build.js';
import type { BuildLineageOptions } from '../../src/lineage/build-options.js';
import type { ExposureLineage, UnmatchedTable } from '../../src/lineage/types.js';
import type { TableauWorkbook } from '../../src/tableau/types.js';
import {
  customSql,
  embedded,
  manifest,
  node,
  published,
  table,
  workbook,
} from './helpers/builders.js';

const orders = node({
  uniqueId: 'model.shop.orders',
  name: 'orders',
  schema: 'marts',
  identifier: 'orders',
});
const customers = node({
  uniqueId: 'model.shop.customers',
  name: 'customers',
  schema: 'marts',
  identifier: 'dim_customers',
});
const payments = node({
  uniqueId: 'model.shop.payments',
  name: 'payments',
  schema: 'staging',
  identifier: 'payments',
});
const events = node({
  uniqueId: 'source.shop.raw.events',
  resourceType: 'source',
  sourceName: 'raw',
  name: 'events',
  schema: 'raw',
  identifier: 'events',
  access: null,
});
const shop = manifest([orders, customers, payments, events]);

/** How a dependency names a model of the shop project. */
const ref = (name: string) => ({ kind: 'ref' as const, package: 'shop', name, version: null });

// Tables shared between workbooks. `[STAGING].[PAYMENTS]` is one label for two tables: in the
// ANALYTICS database it is the payments model, in OTHERDB it is not.
const ordersTable = table({ name: 'ORDERS', fullName: '[ANALYTICS].[MARTS].[ORDERS]' });
const paymentsHere = table({
  name: 'PAYMENTS',
  fullName: '[STAGING].[PAYMENTS]',
  databaseName: 'ANALYTICS',
});
const paymentsElsewhere = table({
  name: 'PAYMENTS',
  fullName: '[STAGING].[PAYMENTS]',
  databaseName: 'OTHERDB',
});
const eventsTable = table({ name: 'EVENTS', fullName: 'analytics.raw.events' });
const budget = table({ name: 'budget', fullName: '[budget$]', connectionType: 'excel-direct' });
// Custom SQL Tableau parsed itself (its tables take the query's database).
const eventsSql = customSql({
  name: 'Events query',
  query: 'select * from raw.events',
  databaseName: 'ANALYTICS',
  tables: [table({ name: 'EVENTS', fullName: '[RAW].[EVENTS]', connectionType: null })],
});
// Custom SQL Tableau did not parse: parsed here (`parseCustomSql: true`).
const ordersSql = customSql({
  name: 'Orders query',
  query: 'select id from analytics.marts.orders',
});
// Custom SQL Tableau parsed into a complete three-part name (the fast path, as `custom_sql`).
const customersSql = customSql({
  name: 'Customers query',
  query: 'select * from analytics.marts.dim_customers',
  tables: [
    table({
      name: 'DIM_CUSTOMERS',
      fullName: '[ANALYTICS].[MARTS].[DIM_CUSTOMERS]',
      connectionType: null,
    }),
  ],
});

const sharedDs = published({
  luid: 'ds-shared',
  name: 'Shared DS',
  tables: [
    table({ name: 'dim_customers', fullName: 'analytics.marts.dim_customers' }),
    table({ name: 'MISSING', fullName: '[RAW].[MISSING]', databaseName: 'ANALYTICS' }),
  ],
});
const filesDs = published({ luid: 'ds-files', name: 'Files DS', tables: [budget] });

type Role = 'alpha' | 'beta' | 'gamma' | 'delta';
const ROLES: Role[] = ['alpha', 'beta', 'gamma', 'delta'];

function workbooksFor(luids: Record<Role, string>): TableauWorkbook[] {
  return [
    workbook({
      luid: luids.alpha,
      name: 'Alpha',
      embeddedDatasources: [
        embedded({ tables: [ordersTable, paymentsHere], customSql: [eventsSql] }),
      ],
      publishedDatasources: [sharedDs],
    }),
    workbook({
      luid: luids.beta,
      name: 'Beta',
      embeddedDatasources: [
        // events: first through custom SQL, then directly (the direct match wins).
        embedded({ tables: [ordersTable, paymentsElsewhere], customSql: [eventsSql, ordersSql] }),
        embedded({ tables: [eventsTable] }),
      ],
      publishedDatasources: [sharedDs, filesDs],
    }),
    workbook({
      luid: luids.gamma,
      name: 'Gamma',
      embeddedDatasources: [embedded({ tables: [paymentsElsewhere, budget] })],
      publishedDatasources: [filesDs],
    }),
    workbook({
      luid: luids.delta,
      name: 'Delta',
      embeddedDatasources: [
        embedded({ tables: [paymentsElsewhere] }),
        embedded({ tables: [paymentsHere], customSql: [ordersSql, customersSql] }),
      ],
    }),
  ];
}

const missing: UnmatchedTable = {
  table: '[RAW].[MISSING]',
  reason: 'no_relation',
  detail: 'no dbt model, seed, snapshot or source builds ANALYTICS.RAW.MISSING',
};
const paymentsMismatch: UnmatchedTable = {
  table: '[STAGING].[PAYMENTS]',
  reason: 'database_mismatch',
  detail:
    'Tableau reads OTHERDB.STAGING.PAYMENTS but dbt builds analytics.staging.payments; if they are the same table, add databaseAliases: { "OTHERDB": "analytics" }',
  candidates: ['analytics.staging.payments'],
};
const budgetMiss: UnmatchedTable = {
  table: '[budget$]',
  reason: 'not_a_warehouse',
  detail:
    'excel-direct connection: a file, extract or web data connector, not a warehouse table dbt builds',
};

function expected(luids: Record<Role, string>) {
  const workbookTarget = (role: Role, name: string) => ({
    kind: 'workbook',
    luid: luids[role],
    name,
    hasExtracts: false,
    lastRefreshAt: null,
  });
  const sharedTarget = {
    kind: 'datasource',
    luid: 'ds-shared',
    name: 'Shared DS',
    hasExtracts: false,
    lastRefreshAt: null,
  };
  return {
    alpha: {
      dependsOn: [
        {
          uniqueId: 'model.shop.customers',
          ref: ref('customers'),
          tables: ['analytics.marts.dim_customers'],
          match: 'exact',
        },
        {
          uniqueId: 'model.shop.orders',
          ref: ref('orders'),
          tables: ['[ANALYTICS].[MARTS].[ORDERS]'],
          match: 'exact',
        },
        {
          uniqueId: 'model.shop.payments',
          ref: ref('payments'),
          tables: ['[STAGING].[PAYMENTS]'],
          match: 'exact',
        },
        {
          uniqueId: 'source.shop.raw.events',
          ref: { kind: 'source', package: 'shop', source: 'raw', name: 'events' },
          tables: ['[RAW].[EVENTS]'],
          match: 'custom_sql',
        },
      ],
      unmatchedTables: [missing],
      refreshTargets: [sharedTarget, workbookTarget('alpha', 'Alpha')],
    },
    beta: {
      dependsOn: [
        {
          uniqueId: 'model.shop.customers',
          ref: ref('customers'),
          tables: ['analytics.marts.dim_customers'],
          match: 'exact',
        },
        {
          uniqueId: 'model.shop.orders',
          ref: ref('orders'),
          tables: ['[ANALYTICS].[MARTS].[ORDERS]', 'analytics.marts.orders'],
          match: 'exact',
        },
        {
          uniqueId: 'source.shop.raw.events',
          ref: { kind: 'source', package: 'shop', source: 'raw', name: 'events' },
          tables: ['[RAW].[EVENTS]', 'analytics.raw.events'],
          match: 'exact',
        },
      ],
      unmatchedTables: [missing, paymentsMismatch, budgetMiss],
      refreshTargets: [sharedTarget, workbookTarget('beta', 'Beta')],
    },
    delta: {
      dependsOn: [
        {
          uniqueId: 'model.shop.customers',
          ref: ref('customers'),
          tables: ['[ANALYTICS].[MARTS].[DIM_CUSTOMERS]'],
          match: 'custom_sql',
        },
        {
          uniqueId: 'model.shop.orders',
          ref: ref('orders'),
          tables: ['analytics.marts.orders'],
          match: 'custom_sql_parsed',
        },
        {
          uniqueId: 'model.shop.payments',
          ref: ref('payments'),
          tables: ['[STAGING].[PAYMENTS]'],
          match: 'exact',
        },
      ],
      unmatchedTables: [],
      refreshTargets: [workbookTarget('delta', 'Delta')],
    },
    skipped: [
      {
        workbookLuid: luids.gamma,
        workbookName: 'Gamma',
        reason: 'no_matched_tables',
        unmatchedTables: [paymentsMismatch, budgetMiss],
      },
    ],
    // Distinct labels per workbook: alpha 5 (4 matched), beta 8 (5), gamma 2 (0), delta 3 (3).
    stats: {
      workbooks: 4,
      tables: 18,
      matched: 12,
      unmatched: 6,
      // one query Tableau listed no tables for, parsed here
      customSql: { queries: 1, parsed: 1 },
    },
  };
}

const OPTIONS: BuildLineageOptions = { parseCustomSql: true };

function build(workbooks: TableauWorkbook[]) {
  return buildExposureLineage({ manifest: shop, workbooks, options: OPTIONS });
}

function check(t: Test, lineage: ExposureLineage, luids: Record<Role, string>): void {
  const want = expected(luids);
  t.same(
    lineage.exposures.map((e) => e.name),
    ['alpha', 'beta', 'delta'],
  );
  for (const role of ['alpha', 'beta', 'delta'] as const) {
    const exposure = lineage.exposures.find((e) => e.name === role)!;
    t.same(exposure.dependsOn, want[role].dependsOn, `${role} dependsOn`);
    t.same(exposure.unmatchedTables, want[role].unmatchedTables, `${role} unmatchedTables`);
    t.same(exposure.refreshTargets, want[role].refreshTargets, `${role} refreshTargets`);
  }
  t.same(lineage.skippedWorkbooks, want.skipped, 'gamma is skipped with its own misses');
  t.same(lineage.ambiguous, []);
  t.same(lineage.stats, want.stats);
}

/** Every assignment of four luids to the four workbooks: every processing order. */
function* luidAssignments(): Generator<Record<Role, string>> {
  const luids = ['wb-1', 'wb-2', 'wb-3', 'wb-4'];
  function* permute(rest: string[], taken: string[]): Generator<string[]> {
    if (rest.length === 0) yield taken;
    for (const [i, luid] of rest.entries()) {
      yield* permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...taken, luid]);
    }
  }
  for (const order of permute(luids, [])) {
    yield Object.fromEntries(ROLES.map((role, i) => [role, order[i]!])) as Record<Role, string>;
  }
}

t.test('each workbook gets its own tables, misses and counts in every order', async (t) => {
  let orders = 0;
  for (const luids of luidAssignments()) {
    orders += 1;
    const label = `alpha ${luids.alpha}, beta ${luids.beta}, gamma ${luids.gamma}, delta ${luids.delta}`;
    await t.test(label, async (t) => {
      check(t, build(workbooksFor(luids)), luids);
    });
  }
  t.equal(orders, 24);
});

t.test('a label matched in one data source of a workbook is not reported missing', async (t) => {
  const luids = { alpha: 'wb-1', beta: 'wb-2', gamma: 'wb-3', delta: 'wb-4' };
  const [, , gamma, delta] = workbooksFor(luids);
  // Delta alone, and Delta after Gamma (which misses the same label) in one build.
  for (const workbooks of [[delta!], [gamma!, delta!]]) {
    const lineage = build(workbooks);
    const exposure = lineage.exposures.find((e) => e.name === 'delta')!;
    t.same(exposure.unmatchedTables, []);
    t.same(
      exposure.dependsOn.map((d) => [d.uniqueId, d.match]),
      [
        ['model.shop.customers', 'custom_sql'],
        ['model.shop.orders', 'custom_sql_parsed'],
        ['model.shop.payments', 'exact'],
      ],
    );
  }
});

t.test('same results twice and in any input order', async (t) => {
  const luids = { alpha: 'wb-3', beta: 'wb-1', gamma: 'wb-4', delta: 'wb-2' };
  const workbooks = workbooksFor(luids);
  const before = JSON.stringify(workbooks);
  const reference = build(workbooks);
  check(t, reference, luids);
  t.same(build(workbooks), reference, 'again');
  t.same(build([...workbooks].reverse()), reference, 'reversed');
  const [a, b, c, d] = workbooks;
  t.same(build([c!, a!, d!, b!]), reference, 'shuffled');
  t.same(build([b!, d!, a!, c!]), reference, 'shuffled again');
  t.equal(JSON.stringify(workbooks), before, 'the input workbooks are not changed');
  t.equal(JSON.stringify(build(workbooks)), JSON.stringify(reference), 'byte-identical JSON');
});
