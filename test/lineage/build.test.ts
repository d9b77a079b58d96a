import t from 'tap';
import { buildExposureLineage } from '../../src/lineage/build.js';
import { embedded, manifest, node, published, table, workbook } from './helpers/builders.js';

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

t.test('a workbook reading two dbt models becomes one exposure', async (t) => {
  const lineage = buildExposureLineage({
    manifest: manifest([orders, customers]),
    workbooks: [
      workbook({
        luid: 'wb-1',
        name: 'Sales Overview',
        url: 'https://tableau.example.com/#/site/acme/workbooks/12',
        owner: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' },
        updatedAt: '2024-05-01T10:00:00Z',
        embeddedDatasources: [
          embedded({
            hasExtracts: true,
            extractLastRefreshTime: '2024-05-02T00:00:00Z',
            tables: [
              table({ name: 'ORDERS', fullName: '[ANALYTICS].[MARTS].[ORDERS]' }),
              table({
                name: 'DIM_CUSTOMERS',
                fullName: '[MARTS].[DIM_CUSTOMERS]',
                databaseName: 'ANALYTICS',
              }),
              table({ name: 'budget', fullName: '[budget$]', connectionType: 'excel-direct' }),
            ],
          }),
        ],
        publishedDatasources: [
          published({
            luid: 'ds-1',
            name: 'Orders DS',
            hasExtracts: true,
            extractLastRefreshTime: '2024-05-03T00:00:00Z',
            tables: [table({ name: 'orders', fullName: 'analytics.marts.orders' })],
          }),
          published({
            luid: 'ds-2',
            name: 'Budget DS',
            tables: [table({ name: 'x', fullName: '[RAW].[BUDGET]', databaseName: 'ANALYTICS' })],
          }),
        ],
      }),
    ],
  });
  t.same(lineage.exposures, [
    {
      name: 'sales_overview',
      uniqueId: 'exposure.shop.sales_overview',
      label: 'Sales Overview',
      type: 'dashboard',
      maturity: 'medium',
      url: 'https://tableau.example.com/#/site/acme/workbooks/12',
      owner: { name: 'Ada Lovelace', email: 'ada@example.com' },
      description: 'Tableau workbook "Sales Overview" in project "Default".',
      tags: ['tableau'],
      meta: {
        tableau: {
          workbookLuid: 'wb-1',
          projectName: 'Default',
          updatedAt: '2024-05-01T10:00:00Z',
          projectLuid: null,
          vizportalUrlId: null,
        },
      },
      dependsOn: [
        {
          uniqueId: 'model.shop.customers',
          ref: { kind: 'ref', package: 'shop', name: 'customers', version: null },
          tables: ['[MARTS].[DIM_CUSTOMERS]'],
          match: 'exact',
        },
        {
          uniqueId: 'model.shop.orders',
          ref: { kind: 'ref', package: 'shop', name: 'orders', version: null },
          tables: ['[ANALYTICS].[MARTS].[ORDERS]', 'analytics.marts.orders'],
          match: 'exact',
        },
      ],
      refreshTargets: [
        {
          kind: 'datasource',
          luid: 'ds-1',
          name: 'Orders DS',
          hasExtracts: true,
          lastRefreshAt: '2024-05-03T00:00:00Z',
        },
        {
          kind: 'workbook',
          luid: 'wb-1',
          name: 'Sales Overview',
          hasExtracts: true,
          lastRefreshAt: '2024-05-02T00:00:00Z',
        },
      ],
      unmatchedTables: [
        {
          table: '[RAW].[BUDGET]',
          reason: 'no_relation',
          detail: 'no dbt model, seed, snapshot or source builds ANALYTICS.RAW.BUDGET',
        },
        {
          table: '[budget$]',
          reason: 'not_a_warehouse',
          detail:
            'excel-direct connection: a file, extract or web data connector, not a warehouse table dbt builds',
        },
      ],
    },
  ]);
  t.same(lineage.stats, { workbooks: 1, tables: 5, matched: 3, unmatched: 2 });
  t.same(lineage.skippedWorkbooks, []);
  t.notOk('generatedAt' in lineage);
});

t.test('a padded quoted Tableau name is trimmed, not matched to the padded dbt name', async (t) => {
  // `[ORDERS ]` is the part `ORDERS `, normalised to `orders`; no node builds
  // analytics.marts.orders (the source's identifier is `"ORDERS "`).
  const padded = node({
    uniqueId: 'source.shop.raw.orders',
    resourceType: 'source',
    sourceName: 'raw',
    name: 'orders',
    database: 'analytics',
    schema: 'marts',
    identifier: '"ORDERS "',
    access: null,
  });
  const lineage = buildExposureLineage({
    manifest: manifest([padded]),
    options: { keepUnmatchedWorkbooks: true },
    workbooks: [
      workbook({
        luid: 'wb-1',
        name: 'Padded',
        embeddedDatasources: [
          embedded({
            tables: [table({ name: 'ORDERS', fullName: '[ANALYTICS].[MARTS].[ORDERS ]' })],
          }),
        ],
      }),
    ],
  });
  const exposure = lineage.exposures[0]!;
  t.same(exposure.dependsOn, []);
  t.same(exposure.unmatchedTables, [
    {
      table: '[ANALYTICS].[MARTS].[ORDERS ]',
      reason: 'no_relation',
      detail: 'no dbt model, seed, snapshot or source builds ANALYTICS.MARTS.ORDERS ',
    },
  ]);
  t.same(lineage.stats, { workbooks: 1, tables: 1, matched: 0, unmatched: 1 });
});
