/**
 * Acceptance: for real manifests (duckdb quoted relations, bigquery, snowflake unquoted), a
 * Tableau site built by hand from their real relations, with the known traps, produces exactly
 * the dependencies written below by hand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseManifest } from '../../src/artifacts/manifest.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import type { LineageExposure } from '../../src/lineage/types.js';
import { renderReference } from '../../src/output/yaml.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import { customSql, embedded, published, table, workbook } from './helpers/builders.js';

function load(path: string) {
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')), { path });
}

/** Dependencies with their reference as the YAML renders it (the cases read as dbt users write them). */
function deps(exposure: LineageExposure | undefined, packageName: string) {
  return exposure?.dependsOn.map((d) => [
    d.uniqueId,
    renderReference(d.ref, packageName),
    d.match,
    d.tables,
  ]);
}

function unmatched(exposure: LineageExposure | undefined) {
  return exposure?.unmatchedTables.map((u) => [u.table, u.reason, u.candidates ?? []]);
}

t.test('duckdb (quoted relations): dbt_bouncer_test_project on dbt 1.11', async (t) => {
  const manifest = load(join(repoFixtures, 'dbt/v12_duckdb_1.11.12_exposures/manifest.json'));
  const duck = (fields: Parameters<typeof table>[0]) =>
    table({ connectionType: 'duckdb', ...fields });
  const lineage = buildExposureLineage({
    manifest,
    workbooks: [
      workbook({
        luid: 'wb-health',
        name: 'Customer Health — Q1',
        embeddedDatasources: [
          embedded({
            tables: [
              // upper case + brackets + versioned model (alias customers_v2)
              duck({ name: 'CUSTOMERS_V2', fullName: '[DBT].[MAIN_MARTS].[CUSTOMERS_V2]' }),
              // two-part name, database only in database.name
              duck({ name: 'orders', fullName: '[main_marts].[orders]', databaseName: 'dbt' }),
              // unbracketed three-part name: a seed
              duck({ name: 'raw_customers', fullName: 'dbt.main.raw_customers' }),
              // two-part name and no database at all: a snapshot, unique on schema.identifier
              duck({ name: 'snapshot_orders', fullName: '[main_dbt_pslattery].[snapshot_orders]' }),
              // ephemeral model: no relation in the warehouse, must not match
              duck({
                name: 'stg_raw_orders_for_snapshot',
                fullName: '[main_stg_crm].[stg_raw_orders_for_snapshot]',
                databaseName: 'dbt',
              }),
              // a table that only exists in Tableau
              duck({
                name: 'tableau_only',
                fullName: '[main].[tableau_only]',
                databaseName: 'dbt',
              }),
              // schema inside the name, no fullName; a source whose table name is mixed case
              duck({
                name: 'sources_that_dont_really_exist.non_conforming_name',
                databaseName: 'DBT',
              }),
              // a database called differently in Tableau, not aliased
              duck({
                name: 'py_order_stats',
                fullName: '[ANALYTICS_PROD].[MAIN].[PY_ORDER_STATS]',
              }),
            ],
          }),
        ],
        publishedDatasources: [
          published({
            luid: 'ds-prod',
            name: 'Prod models',
            hasExtracts: true,
            extractLastRefreshTime: '2024-06-01T00:00:00Z',
            // a database called differently in Tableau, fixed by databaseAliases; another package
            tables: [duck({ name: 'MODEL_1', fullName: '[PROD_DBT].[MAIN].[MODEL_1]' })],
          }),
        ],
      }),
      // collides with the hand-written exposure `customers` already in the manifest
      workbook({
        luid: 'wb-customers',
        name: 'Customers',
        embeddedDatasources: [
          embedded({
            tables: [duck({ name: 'customers_v3', fullName: '"dbt"."main_marts"."customers_v3"' })],
          }),
        ],
      }),
    ],
    options: { databaseAliases: { prod_dbt: 'dbt' } },
  });

  // sorted by name: `customer_health…` < `customers_…` ('_' sorts before 's')
  t.same(
    lineage.exposures.map((e) => e.name),
    [
      'customer_health_q1',
      `customers_${createHash('sha256').update('wb-customers').digest('hex').slice(0, 6)}`,
    ],
  );
  const health = lineage.exposures.find((e) => e.meta.tableau.workbookLuid === 'wb-health');
  t.same(deps(health, lineage.dbt.packageName), [
    [
      'model.dbt_bouncer_test_project.customers.v2',
      "ref('customers', v=2)",
      'exact',
      ['[DBT].[MAIN_MARTS].[CUSTOMERS_V2]'],
    ],
    ['model.dbt_bouncer_test_project.orders', "ref('orders')", 'exact', ['[main_marts].[orders]']],
    [
      'model.internal_package.model_1',
      "ref('internal_package', 'model_1')",
      'exact',
      ['[PROD_DBT].[MAIN].[MODEL_1]'],
    ],
    [
      'seed.dbt_bouncer_test_project.raw_customers',
      "ref('raw_customers')",
      'exact',
      ['dbt.main.raw_customers'],
    ],
    [
      'snapshot.dbt_bouncer_test_project.snapshot_orders',
      "ref('snapshot_orders')",
      'schema_identifier',
      ['[main_dbt_pslattery].[snapshot_orders]'],
    ],
    [
      'source.dbt_bouncer_test_project.sources_that_dont_really_exist.Non_Conforming_Name',
      "source('sources_that_dont_really_exist', 'Non_Conforming_Name')",
      'exact',
      ['sources_that_dont_really_exist.non_conforming_name'],
    ],
  ]);
  t.same(unmatched(health), [
    ['[ANALYTICS_PROD].[MAIN].[PY_ORDER_STATS]', 'database_mismatch', ['dbt.main.py_order_stats']],
    ['[main].[tableau_only]', 'no_relation', []],
    ['[main_stg_crm].[stg_raw_orders_for_snapshot]', 'no_relation', []],
  ]);
  t.match(health?.unmatchedTables[0]?.detail, /databaseAliases: \{ "ANALYTICS_PROD": "dbt" \}/);
  t.same(health?.refreshTargets, [
    {
      kind: 'datasource',
      luid: 'ds-prod',
      name: 'Prod models',
      hasExtracts: true,
      lastRefreshAt: '2024-06-01T00:00:00Z',
    },
    {
      kind: 'workbook',
      luid: 'wb-health',
      name: 'Customer Health — Q1',
      hasExtracts: false,
      lastRefreshAt: null,
    },
  ]);
  const customers = lineage.exposures.find((e) => e.meta.tableau.workbookLuid === 'wb-customers');
  t.same(deps(customers, lineage.dbt.packageName), [
    [
      'model.dbt_bouncer_test_project.customers.v3',
      "ref('customers', v=3)",
      'exact',
      ['"dbt"."main_marts"."customers_v3"'],
    ],
  ]);
  t.same(lineage.dbt, {
    projectName: 'dbt_bouncer_test_project',
    packageName: 'dbt_bouncer_test_project',
    adapterType: 'duckdb',
    manifestSchemaVersion: 12,
    dbtVersion: '1.11.12',
  });
  t.same(lineage.stats, { workbooks: 2, tables: 10, matched: 7, unmatched: 3 });
});

t.test('bigquery: jaffle_shop with the elementary package on dbt 1.9', async (t) => {
  const manifest = load(join(repoFixtures, 'dbt/v12_bigquery_1.9.0/manifest.json'));
  const bq = (fields: Parameters<typeof table>[0]) =>
    table({ connectionType: 'bigquery', databaseName: 'Your Project', ...fields });
  const lineage = buildExposureLineage({
    manifest,
    workbooks: [
      workbook({
        luid: 'wb-jaffle',
        name: '2024 Jaffle Orders',
        embeddedDatasources: [
          embedded({
            tables: [
              // database.name is the BigQuery project *name*; aliased to the project id
              bq({ name: 'orders', fullName: '[jaffle_shop].[orders]' }),
              // table name holds `dataset.table`
              bq({ name: 'jaffle_shop.customers' }),
              bq({ name: 'raw_orders', fullName: '[your-project].[jaffle_shop].[raw_orders]' }),
              bq({ name: 'dbt_models', fullName: '[jaffle_shop].[dbt_models]' }),
              table({ name: 'targets', fullName: '[targets$]', connectionType: 'excel-direct' }),
            ],
            customSql: [
              customSql({
                connectionType: 'bigquery',
                databaseName: 'your-project',
                isUnsupported: true,
                query:
                  'SELECT o.* FROM `your-project.jaffle_shop.stg_orders` o JOIN jaffle_shop.stg_payments p USING (order_id) WHERE o.order_date &gt;= <[Parameters].[Start Date]>',
              }),
            ],
          }),
        ],
      }),
    ],
    options: { databaseAliases: { 'your project': 'your-project' }, parseCustomSql: true },
  });
  const [jaffle] = lineage.exposures;
  t.equal(jaffle?.name, 'wb_2024_jaffle_orders');
  t.same(deps(jaffle, lineage.dbt.packageName), [
    [
      'model.elementary.dbt_models',
      "ref('elementary', 'dbt_models')",
      'exact',
      ['[jaffle_shop].[dbt_models]'],
    ],
    ['model.jaffle_shop.customers', "ref('customers')", 'exact', ['jaffle_shop.customers']],
    ['model.jaffle_shop.orders', "ref('orders')", 'exact', ['[jaffle_shop].[orders]']],
    [
      'model.jaffle_shop.stg_orders',
      "ref('stg_orders')",
      'custom_sql_parsed',
      ['your-project.jaffle_shop.stg_orders'],
    ],
    [
      'model.jaffle_shop.stg_payments',
      "ref('stg_payments')",
      'custom_sql_parsed',
      ['jaffle_shop.stg_payments'],
    ],
    [
      'seed.jaffle_shop.raw_orders',
      "ref('raw_orders')",
      'exact',
      ['[your-project].[jaffle_shop].[raw_orders]'],
    ],
  ]);
  t.same(unmatched(jaffle), [['[targets$]', 'not_a_warehouse', []]]);
});

t.test(
  'snowflake (unquoted, lower-case in dbt, upper-case in Tableau)',
  sharedTestOptions(),
  async (t) => {
    const manifest = load(join(sharedFixtures, 'dbt/v12_snowflake_1.10.6/manifest.json'));
    const sf = (fields: Parameters<typeof table>[0]) =>
      table({ connectionType: 'snowflake', ...fields });
    const lineage = buildExposureLineage({
      manifest,
      workbooks: [
        workbook({
          luid: 'wb-rev',
          name: 'Finance: Daily Revenue',
          embeddedDatasources: [
            embedded({
              hasExtracts: true,
              extractLastRefreshTime: '2024-06-02T08:00:00Z',
              tables: [
                sf({ name: 'FACT_DAILY_REV', fullName: 'FINANCE_DB.RAW.FACT_DAILY_REV' }),
                sf({
                  name: 'STG_ORDERS',
                  fullName: '[RAW].[STG_ORDERS]',
                  databaseName: 'FINANCE_DB',
                }),
                sf({ name: 'CUSTOMER', fullName: '[FINANCE_PROD].[RAW].[CUSTOMER]' }),
                // database and schema bracketed together
                sf({ name: 'STG_PRODUCTS', fullName: '[DEV_DB.RAW].[STG_PRODUCTS]' }),
              ],
              customSql: [
                customSql({
                  query: 'select * from raw.products',
                  databaseName: 'FINANCE_DB',
                  tables: [sf({ name: 'PRODUCTS', fullName: '[RAW].[PRODUCTS]' })],
                }),
              ],
            }),
          ],
        }),
      ],
      options: { databaseAliases: { FINANCE_PROD: 'finance_db' } },
    });
    const [rev] = lineage.exposures;
    t.equal(rev?.name, 'finance_daily_revenue');
    t.same(deps(rev, lineage.dbt.packageName), [
      [
        'model.dbt_snowflake_proj.fact_daily_rev',
        "ref('fact_daily_rev')",
        'exact',
        ['FINANCE_DB.RAW.FACT_DAILY_REV'],
      ],
      ['model.dbt_snowflake_proj.stg_orders', "ref('stg_orders')", 'exact', ['[RAW].[STG_ORDERS]']],
      [
        'source.dbt_snowflake_proj.raw_data.customer',
        "source('raw_data', 'customer')",
        'exact',
        ['[FINANCE_PROD].[RAW].[CUSTOMER]'],
      ],
      [
        'source.dbt_snowflake_proj.raw_data.products',
        "source('raw_data', 'products')",
        'custom_sql',
        ['[RAW].[PRODUCTS]'],
      ],
    ]);
    t.same(unmatched(rev), [
      ['[DEV_DB.RAW].[STG_PRODUCTS]', 'database_mismatch', ['finance_db.raw.stg_products']],
    ]);
    t.same(rev?.refreshTargets, [
      {
        kind: 'workbook',
        luid: 'wb-rev',
        name: 'Finance: Daily Revenue',
        hasExtracts: true,
        lastRefreshAt: '2024-06-02T08:00:00Z',
      },
    ]);
  },
);
