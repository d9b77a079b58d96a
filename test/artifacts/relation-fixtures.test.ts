/**
 * Relation normalisation on real manifests of every adapter and quoting style, and on the traps:
 * quote characters inside names, two-part names, versioned models, duplicated aliases across
 * schemas, sources rendered as `read_csv(...)`, and colliding relations.
 */
import { join } from 'node:path';
import t from 'tap';
import { splitQualifiedName } from '../../src/artifacts/relation-name.js';
import type { Manifest } from '../../src/artifacts/types.js';
import { buildExposureLineage, loadManifest, parseManifest } from '../../src/index.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import { embedded, table, workbook } from '../lineage/helpers/builders.js';

const P = 'dbt_bouncer_test_project';
const repo = (folder: string) => loadManifest(join(repoFixtures, 'dbt', folder));
const shared = (folder: string) => loadManifest(join(sharedFixtures, 'dbt', folder));

/**
 * Match one table as a BI tool writes it (Tableau's `fullName`) through `buildExposureLineage`:
 * the node it depends on, or the candidates when the name is ambiguous or names no schema.
 */
function lookup(manifest: Manifest, text: string): string[] {
  const lineage = buildExposureLineage({
    manifest,
    workbooks: [
      workbook({
        luid: 'wb',
        name: 'wb',
        embeddedDatasources: [embedded({ tables: [table({ name: text, fullName: text })] })],
      }),
    ],
    options: { packageName: 'p', keepUnmatchedWorkbooks: true },
  });
  const [exposure] = lineage.exposures;
  if (exposure!.dependsOn.length > 0) return exposure!.dependsOn.map((d) => d.uniqueId);
  const [miss] = exposure!.unmatchedTables;
  return miss?.reason === 'ambiguous' || miss?.reason === 'no_relation'
    ? (miss.candidates ?? [])
    : [];
}

t.test('DuckDB double quotes, Tableau brackets, two-part names', async (t) => {
  const m = await repo('v12_duckdb_1.11.12_exposures');
  const id = `model.${P}.stg_orders`;
  // dbt's own rendering round-trips through the index
  t.equal(m.nodes.get(id)?.relationName, '"dbt"."main_stg_crm"."stg_orders"');
  t.same(lookup(m, '"dbt"."main_stg_crm"."stg_orders"'), [id]);
  t.same(lookup(m, '[dbt].[main_stg_crm].[stg_orders]'), [id]);
  t.same(lookup(m, 'DBT.MAIN_STG_CRM.STG_ORDERS'), [id]);
  t.same(lookup(m, '[main_stg_crm].[stg_orders]'), [id]);
  t.same(lookup(m, 'main_stg_crm.stg_orders'), [id]);
  t.same(lookup(m, '[other].[stg_orders]'), []);
});

t.test('versioned models: one relation per version, name shared', async (t) => {
  const m = await repo('v12_duckdb_1.11.12_exposures');
  for (const v of [1, 2, 3]) {
    t.same(lookup(m, `"dbt"."main_marts"."customers_v${v}"`), [`model.${P}.customers.v${v}`]);
  }
  const versions = [...m.nodes.values()].filter(
    (n) => n.resourceType === 'model' && n.name === 'customers',
  );
  t.same(versions.map((n) => [n.uniqueId, n.version, n.latestVersion]).sort(), [
    [`model.${P}.customers.v1`, 1, 3],
    [`model.${P}.customers.v2`, 2, 3],
    [`model.${P}.customers.v3`, 3, 3],
  ]);
  // v11 wrote version numbers as strings
  const m11 = await repo('v11_duckdb_1.7.0_exposures');
  const v2 = m11.nodes.get(`model.${P}.customers.v2`);
  t.same(v2 && [v2.identifier, v2.version, v2.latestVersion], ['customers_v2', '2', '2']);
});

t.test('sources rendered as read_csv(...) match by their fields only', async (t) => {
  const m = await repo('v12_duckdb_1.11.12_exposures');
  const id = `source.${P}.dummy_source.customers`;
  const rendered = m.nodes.get(id)?.relationName;
  t.equal(rendered, "read_csv('./dbt_project/seeds/raw_customers.csv')");
  t.equal(splitQualifiedName(rendered!), null);
  t.same(lookup(m, '"dbt"."dummy_source"."customers"'), [id]);
});

t.test('duplicated aliases across schemas: unique by schema, ambiguous by name', async (t) => {
  const m = await repo('v10_duckdb_1.6.0_exposures');
  t.same(lookup(m, 'main.customers'), [`model.${P}.customers`]);
  t.same(lookup(m, 'dummy_source.customers'), [`source.${P}.dummy_source.customers`]);
  // A bare name is never matched on the name alone; the relations dbt has are listed.
  t.same(lookup(m, 'customers'), ['dbt.dummy_source.customers', 'dbt.main.customers']);
});

t.test('BigQuery backticks (project names with hyphens)', async (t) => {
  const m = await repo('v12_bigquery_1.9.0');
  const id = 'model.jaffle_shop.daily_orders';
  t.same(lookup(m, '`your-project`.`jaffle_shop`.`daily_orders`'), [id]);
  t.same(lookup(m, '[your-project].[jaffle_shop].[daily_orders]'), [id]);
  t.same(lookup(m, 'your-project.jaffle_shop.daily_orders'), [id]);
  const v1 = await repo('v1_bigquery_0.19.1');
  // v1 has no relation_name on models: the relation comes from the fields
  t.equal(v1.nodes.get('model.jaffle_shop.stg_customers')?.relationName, null);
  t.same(lookup(v1, '`your-gcp-project`.`jaffle_shop`.`stg_customers`'), [
    'model.jaffle_shop.stg_customers',
  ]);
});

t.test(
  'Snowflake: unquoted names match whatever case Tableau shows',
  sharedTestOptions(),
  async (t) => {
    const m = await shared('v12_snowflake_1.10.6');
    t.same(m.quoting, { database: false, schema: false, identifier: false });
    t.same(lookup(m, 'FINANCE_DB.RAW.STG_CUSTOMERS'), ['model.dbt_snowflake_proj.stg_customers']);
    t.same(lookup(m, '[FINANCE_DB].[RAW].[CUSTOMER]'), [
      'source.dbt_snowflake_proj.raw_data.customer',
    ]);
  },
);

t.test(
  'Postgres double quotes; a seed and a source on one table collide',
  sharedTestOptions(),
  async (t) => {
    const m = await shared('v8_postgres_1.4.0');
    t.same(lookup(m, '"postgres"."dbt"."order_dynamics"'), [
      'model.jaffle_shop_dbtvault.order_dynamics',
    ]);
    // A seed and a source on one table: ambiguous, never a pick.
    t.same(lookup(m, '"postgres"."dbt"."source_customers"'), [
      'seed.jaffle_shop_dbtvault.source_customers',
      'source.jaffle_shop_dbtvault.src.source_customers',
    ]);
    t.same(lookup(m, '[postgres].[dbt].[source_orders]'), [
      'seed.jaffle_shop_dbtvault.source_orders',
      'source.jaffle_shop_dbtvault.src.source_orders',
    ]);
    t.equal(lookup(m, '[dbt].[source_orders]').length, 2);
  },
);

const MANIFEST = 'https://schemas.getdbt.com/dbt/manifest/v12.json';
const node = (
  name: string,
  database: string | null,
  schema: string,
  alias: string,
  relation: string,
) => ({
  resource_type: 'model',
  name,
  package_name: 'p',
  database,
  schema,
  alias,
  relation_name: relation,
  config: { materialized: 'table' },
});

t.test('Snowflake mixed case, Databricks backticks, quotes inside names', async (t) => {
  const m = parseManifest({
    metadata: { dbt_schema_version: MANIFEST, adapter_type: 'snowflake' },
    nodes: {
      'model.p.dim_airports': node(
        'dim_airports',
        'ANALYTICS_DB',
        'STAGING',
        'dim_airports',
        'ANALYTICS_DB.STAGING.dim_airports',
      ),
      'model.p.dim_customer': node(
        'dim_customer',
        'dbt',
        'source',
        'dim_customer',
        '`dbt`.`source`.`dim_customer`',
      ),
      'model.p.weird': node(
        'weird',
        'db',
        'my.schema',
        'we"ird]`x',
        '"db"."my.schema"."we""ird]`x"',
      ),
    },
  });
  t.same(lookup(m, 'ANALYTICS_DB.STAGING.DIM_AIRPORTS'), ['model.p.dim_airports']);
  t.same(lookup(m, '[analytics_db].[staging].[Dim_Airports]'), ['model.p.dim_airports']);
  t.same(lookup(m, '`dbt`.`source`.`dim_customer`'), ['model.p.dim_customer']);
  t.same(lookup(m, '"db"."my.schema"."we""ird]`x"'), ['model.p.weird']);
  t.same(lookup(m, '[db].[my.schema].[we"ird]]`x]'), ['model.p.weird']);
  t.same(lookup(m, '`db`.`my.schema`.`we"ird]``x`'), ['model.p.weird']);
  t.same(lookup(m, 'db.my.schema'), []);
});
