/**
 * Every manifest and run_results in the dbt fixtures parses, with counts and relations checked
 * against numbers taken from the files independently (jq over the raw JSON: matchable = nodes of
 * type model/seed/snapshot with config.enabled != false and config.materialized != "ephemeral",
 * plus sources with config.enabled != false), written here as literals.
 */
import { join } from 'node:path';
import t from 'tap';
import { loadManifest, loadRunResults, type Manifest } from '../../src/index.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';

type Relation = [uniqueId: string, database: string | null, schema: string, identifier: string];

interface ManifestCase {
  folder: string;
  /** Committed under test/fixtures/dbt (permissive licence) or only in ../shared. */
  shared?: boolean;
  schemaVersion: number;
  dbtVersion: string;
  isFusion?: boolean;
  projectName: string | null;
  /** No metadata.project_name (dbt < 1.6): the name is the package whose MD5 is project_id. */
  projectNameInferred?: boolean;
  adapterType: string;
  counts: Record<string, number>;
  relations: Relation[];
  relationNames: Record<string, string | null>;
  exposures: string[];
  mapKeys: number;
  notMatchable: string[];
}

const P10 = 'dbt_bouncer_test_project';

const manifests: ManifestCase[] = [
  {
    folder: 'v1_bigquery_0.19.1',
    schemaVersion: 1,
    dbtVersion: '0.19.1',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 8, seed: 3 },
    relations: [
      ['model.jaffle_shop.stg_customers', 'your-gcp-project', 'jaffle_shop', 'stg_customers'],
      ['seed.jaffle_shop.raw_payments', 'your-gcp-project', 'jaffle_shop', 'raw_payments'],
    ],
    relationNames: { 'model.jaffle_shop.stg_customers': null },
    exposures: [],
    mapKeys: 32,
    notMatchable: [],
  },
  {
    folder: 'v2_snowflake_0.20.0rc1',
    shared: true,
    schemaVersion: 2,
    dbtVersion: '0.20.0rc1',
    projectName: 'my_new_project',
    projectNameInferred: true,
    adapterType: 'snowflake',
    counts: { model: 4, source: 6 },
    relations: [
      ['model.my_new_project.stg_customers', 'test_dbt', 'public', 'stg_customers'],
      ['source.my_new_project.customer_database.customers', 'test_raw', 'public', 'customers'],
    ],
    relationNames: {
      'source.my_new_project.customer_database.customers': 'test_raw.public.customers',
    },
    exposures: [],
    mapKeys: 13,
    notMatchable: [],
  },
  {
    folder: 'v3_bigquery_0.21.0',
    schemaVersion: 3,
    dbtVersion: '0.21.0',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 8, seed: 3 },
    relations: [
      ['model.jaffle_shop.stg_payments', 'your-gcp-project', 'jaffle_shop', 'stg_payments'],
      ['seed.jaffle_shop.raw_payments', 'your-gcp-project', 'jaffle_shop', 'raw_payments'],
    ],
    relationNames: {
      'model.jaffle_shop.stg_customers': '`your-gcp-project`.`jaffle_shop`.`stg_customers`',
    },
    exposures: [],
    mapKeys: 31,
    notMatchable: [],
  },
  {
    folder: 'v4_bigquery_1.0.0',
    schemaVersion: 4,
    dbtVersion: '1.0.0',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 5, seed: 3 },
    relations: [['model.jaffle_shop.orders', 'your-gcp-project', 'jaffle_shop', 'orders']],
    relationNames: { 'model.jaffle_shop.orders': null },
    exposures: [],
    mapKeys: 28,
    // disabled in `disabled` (an object in v4+)
    notMatchable: [
      'model.jaffle_shop.customers',
      'test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1',
    ],
  },
  {
    folder: 'v5_bigquery_1.1.0',
    schemaVersion: 5,
    dbtVersion: '1.1.0',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 21, seed: 3, source: 6 },
    relations: [
      ['model.jaffle_shop.stg_customers', 'your-gcp-project', 'jaffle_shop', 'stg_customers'],
      [
        'source.elementary.elementary_dbt_artifacts.dbt_run_results',
        'your-gcp-project',
        'jaffle_shop',
        'dbt_run_results',
      ],
    ],
    relationNames: {},
    exposures: [],
    mapKeys: 55,
    notMatchable: [
      'model.elementary.previous_schema_tables',
      'model.elementary.current_schema_columns',
    ],
  },
  {
    folder: 'v7_bigquery_1.3.0',
    schemaVersion: 7,
    dbtVersion: '1.3.0',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 5, seed: 3 },
    relations: [['model.jaffle_shop.customers', 'database', 'schema', 'customers']],
    relationNames: { 'model.jaffle_shop.customers': '`database`.`schema`.`customers`' },
    exposures: [],
    mapKeys: 28,
    notMatchable: [],
  },
  {
    folder: 'v8_postgres_1.4.0',
    shared: true,
    schemaVersion: 8,
    dbtVersion: '1.4.0',
    projectName: 'jaffle_shop_dbtvault',
    projectNameInferred: true,
    adapterType: 'postgres',
    counts: { model: 2, seed: 2, source: 7 },
    relations: [
      ['model.jaffle_shop_dbtvault.order_dynamics', 'postgres', 'dbt', 'order_dynamics'],
      ['source.jaffle_shop_dbtvault.raw_vault.hub_customer', 'postgres', 'dbt', 'hub_customer'],
    ],
    relationNames: {
      'model.jaffle_shop_dbtvault.order_dynamics': '"postgres"."dbt"."order_dynamics"',
    },
    exposures: [],
    mapKeys: 11,
    notMatchable: [],
  },
  {
    folder: 'v9_bigquery_1.5.0rc1',
    schemaVersion: 9,
    dbtVersion: '1.5.0rc1',
    projectName: 'jaffle_shop',
    projectNameInferred: true,
    adapterType: 'bigquery',
    counts: { model: 34, seed: 3 },
    relations: [['model.jaffle_shop.orders', 'your-gcp-project', 'jaffle_shop', 'orders']],
    relationNames: {},
    exposures: [],
    mapKeys: 60,
    notMatchable: [],
  },
  {
    folder: 'v10_duckdb_1.6.0_exposures',
    schemaVersion: 10,
    dbtVersion: '1.6.0',
    projectName: P10,
    adapterType: 'duckdb',
    counts: { model: 25, seed: 3, snapshot: 1, source: 10 },
    relations: [
      [`model.${P10}.stg_payments`, 'dbt', 'main', 'stg_payments'],
      [`snapshot.${P10}.snapshot_orders`, 'dbt', 'dbt_pslattery', 'snapshot_orders'],
      ['source.tiktok_ads_source.tiktok_ads.advertiser', 'dbt', 'tiktok_ads', 'advertiser'],
    ],
    relationNames: {},
    exposures: [`exposure.${P10}.customers`],
    mapKeys: 104,
    notMatchable: [`model.${P10}.int_model_1`, `model.${P10}.int_disabled_model`],
  },
  {
    folder: 'v11_duckdb_1.7.0_exposures',
    schemaVersion: 11,
    dbtVersion: '1.7.0',
    projectName: P10,
    adapterType: 'duckdb',
    counts: { model: 29, seed: 3, snapshot: 2, source: 11 },
    relations: [
      [`model.${P10}.stg_orders`, 'dbt', 'main_stg_crm', 'stg_orders'],
      [`model.${P10}.customers.v1`, 'dbt', 'main_marts', 'customers_v1'],
      [`source.${P10}.dummy_source.customers`, 'dbt', 'dummy_source', 'customers'],
    ],
    relationNames: {
      [`source.${P10}.dummy_source.customers`]: "read_csv('./dbt_project/seeds/raw_customers.csv')",
    },
    exposures: [`exposure.${P10}.Pulse queries`, `exposure.${P10}.customers`],
    mapKeys: 117,
    notMatchable: [`model.${P10}.int_model_1`],
  },
  {
    folder: 'v12_bigquery_1.9.0',
    schemaVersion: 12,
    dbtVersion: '1.9.0',
    projectName: 'jaffle_shop',
    adapterType: 'bigquery',
    counts: { model: 36, seed: 3 },
    relations: [
      ['model.jaffle_shop.daily_orders', 'your-project', 'jaffle_shop', 'daily_orders'],
      ['seed.jaffle_shop.raw_payments', 'your-project', 'jaffle_shop', 'raw_payments'],
    ],
    relationNames: {
      'model.jaffle_shop.daily_orders': '`your-project`.`jaffle_shop`.`daily_orders`',
    },
    exposures: [],
    mapKeys: 61,
    notMatchable: [],
  },
  {
    folder: 'v12_snowflake_1.10.6',
    shared: true,
    schemaVersion: 12,
    dbtVersion: '1.10.6',
    projectName: 'dbt_snowflake_proj',
    adapterType: 'snowflake',
    counts: { model: 5, source: 4 },
    relations: [
      ['model.dbt_snowflake_proj.stg_customers', 'finance_db', 'raw', 'stg_customers'],
      ['source.dbt_snowflake_proj.raw_data.customer', 'finance_db', 'raw', 'customer'],
    ],
    relationNames: { 'model.dbt_snowflake_proj.stg_orders': 'finance_db.raw.stg_orders' },
    exposures: [],
    mapKeys: 10,
    notMatchable: [],
  },
  {
    folder: 'v12_duckdb_1.11.12_exposures',
    schemaVersion: 12,
    dbtVersion: '1.11.12',
    projectName: P10,
    adapterType: 'duckdb',
    counts: { model: 36, seed: 3, snapshot: 2, source: 13 },
    relations: [
      [`model.${P10}.customers.v3`, 'dbt', 'main_marts', 'customers_v3'],
      [
        `snapshot.${P10}.snapshot_orders_multiple_unique_keys`,
        'dbt',
        'main_dbt_pslattery',
        'snapshot_orders_multiple_unique_keys',
      ],
      [`source.${P10}.dummy_source.customers`, 'dbt', 'dummy_source', 'customers'],
    ],
    relationNames: {
      [`model.${P10}.stg_orders`]: '"dbt"."main_stg_crm"."stg_orders"',
    },
    exposures: [`exposure.${P10}.customers`, `exposure.${P10}.pulse_queries`],
    mapKeys: 129,
    notMatchable: [
      `model.${P10}.stg_raw_orders_for_snapshot`,
      `test.${P10}.not_null_customers_v3_customer_id_pk.5ad1c6f0ea`,
      `unit_test.${P10}.customers.test_clv_logic_v3`,
    ],
  },
  {
    folder: 'v12_duckdb_1.12.2_exposures',
    schemaVersion: 12,
    dbtVersion: '1.12.2',
    projectName: P10,
    adapterType: 'duckdb',
    counts: { model: 36, seed: 3, snapshot: 2, source: 13 },
    relations: [
      [`model.${P10}.py_order_stats`, 'dbt', 'main', 'py_order_stats'],
      [`source.${P10}.dummy_source.customers`, 'dbt', 'main', 'customers'],
    ],
    relationNames: { [`source.${P10}.dummy_source.customers`]: '"dbt"."main"."customers"' },
    exposures: [`exposure.${P10}.customers`, `exposure.${P10}.pulse_queries`],
    mapKeys: 131,
    notMatchable: [`model.${P10}.int_model_1`],
  },
  {
    folder: 'v12_duckdb_fusion_2.0.0-beta.2_exposures',
    schemaVersion: 12,
    dbtVersion: '2.0.0-beta.2',
    isFusion: true,
    projectName: P10,
    adapterType: 'duckdb',
    counts: { model: 35, seed: 3, snapshot: 2, source: 13 },
    relations: [
      [`model.${P10}.customers.v1`, 'dbt', 'main_marts', 'customers_v1'],
      [`model.${P10}.customers.v2`, 'dbt', 'main_marts', 'customers_v2'],
    ],
    relationNames: {},
    exposures: [`exposure.${P10}.customers`, `exposure.${P10}.pulse_queries`],
    mapKeys: 130,
    // py_order_stats is only in `disabled` (with a relation_name)
    notMatchable: [`model.${P10}.py_order_stats`, `model.${P10}.stg_raw_orders_for_snapshot`],
  },
];

function countByType(manifest: Manifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of manifest.nodes.values()) {
    counts[node.resourceType] = (counts[node.resourceType] ?? 0) + 1;
  }
  return counts;
}

for (const c of manifests) {
  const dir = join(c.shared ? join(sharedFixtures, 'dbt') : join(repoFixtures, 'dbt'), c.folder);
  t.test(`manifest ${c.folder}`, c.shared ? sharedTestOptions() : {}, async (t) => {
    const m = await loadManifest(dir);
    t.equal(m.path, join(dir, 'manifest.json'));
    t.equal(m.schemaVersion, c.schemaVersion);
    t.equal(m.dbtVersion, c.dbtVersion);
    t.equal(m.isFusion, c.isFusion ?? false);
    t.equal(m.projectName, c.projectName);
    t.equal(m.adapterType, c.adapterType);
    t.same(countByType(m), c.counts);
    for (const [id, database, schema, identifier] of c.relations) {
      const node = m.nodes.get(id);
      t.ok(node, `${id} is matchable`);
      t.same(
        node && [node.database, node.schema, node.identifier],
        [database, schema, identifier],
        `${id} relation`,
      );
    }
    for (const [id, name] of Object.entries(c.relationNames)) {
      t.equal(m.nodes.get(id)?.relationName, name, `${id} relation_name`);
    }
    t.same(
      m.exposures.map((e) => e.uniqueId),
      c.exposures,
    );
    t.equal(m.parentMap.size, c.mapKeys);
    t.equal(m.childMap.size, c.mapKeys);
    for (const id of c.notMatchable) t.notOk(m.nodes.has(id), `${id} is not matchable`);
    t.same(
      m.notes.map((n) => [n.level, n.code]),
      c.projectNameInferred ? [['info', 'PROJECT_NAME_INFERRED']] : [],
    );
  });
}

interface RunResultsCase {
  folder: string;
  shared?: boolean;
  schemaVersion: number;
  command: string;
  statuses: Record<string, number>;
  first: string;
  invocationId: string;
  elapsedTime: number;
}

const runResults: RunResultsCase[] = [
  {
    folder: 'v1_bigquery_0.19.1',
    schemaVersion: 1,
    command: 'run',
    statuses: { success: 8 },
    first: 'model.jaffle_shop.stg_payments',
    invocationId: '196871b6-901c-4992-9c1e-10f8a44b999f',
    elapsedTime: 7.887428045272827,
  },
  {
    folder: 'v2_snowflake_0.20.0rc1',
    shared: true,
    schemaVersion: 2,
    command: 'test',
    statuses: { error: 1, fail: 1, pass: 1 },
    first: 'test.my_new_project.assert_city_exists',
    invocationId: '5f17ded0-086f-40c4-b425-88cf0351f8e0',
    elapsedTime: 26.96563410758972,
  },
  {
    folder: 'v3_bigquery_0.21.0',
    schemaVersion: 3,
    command: 'build',
    statuses: { pass: 20, success: 11 },
    first: 'seed.jaffle_shop.raw_orders',
    invocationId: '24b76bb7-4791-4342-a0c3-67d110184e2f',
    elapsedTime: 28.74850106239319,
  },
  {
    folder: 'v4_bigquery_1.0.0',
    schemaVersion: 4,
    command: 'build',
    statuses: { error: 1, pass: 20, success: 8 },
    first: 'seed.jaffle_shop.raw_customers',
    invocationId: '5b7ab67d-5559-49b8-9373-35eab8b9f2f7',
    elapsedTime: 16.181153059005737,
  },
  {
    folder: 'v8_postgres_1.4.0',
    shared: true,
    schemaVersion: 4,
    command: 'run',
    statuses: { success: 2 },
    first: 'model.jaffle_shop_dbtvault.customer_order_rank',
    invocationId: 'f7d9b903-a0e8-4f89-85cb-256a2459e341',
    elapsedTime: 0.29233479499816895,
  },
  {
    folder: 'v10_duckdb_1.6.0_exposures',
    schemaVersion: 4,
    command: 'generate',
    statuses: { success: 38 },
    first: `seed.${P10}.raw_customers`,
    invocationId: '9f56f541-802e-4eb0-80e1-cb98959e5f94',
    elapsedTime: 0.9372153282165527,
  },
  {
    folder: 'v11_duckdb_1.7.0_exposures',
    schemaVersion: 5,
    command: 'generate',
    statuses: { success: 48 },
    first: `seed.${P10}.raw_customers`,
    invocationId: 'f4cc6a4b-d0e2-4da0-a46b-9109eac434a9',
    elapsedTime: 0.9638991355895996,
  },
  {
    folder: 'v12_bigquery_1.9.0',
    schemaVersion: 6,
    command: 'build',
    statuses: { pass: 20, success: 41 },
    first: 'operation.elementary.elementary-on-run-start-0',
    invocationId: 'cfbc1db9-66c1-46c2-a94b-8c0cef32314f',
    elapsedTime: 38.73419785499573,
  },
  {
    folder: 'v12_snowflake_1.10.6',
    shared: true,
    schemaVersion: 6,
    command: 'run',
    statuses: { success: 5 },
    first: 'model.dbt_snowflake_proj.stg_customers',
    invocationId: '7e2d37ce-541b-4167-b932-2d4118bc314f',
    elapsedTime: 5.430843830108643,
  },
  {
    folder: 'v12_duckdb_1.11.12_exposures',
    schemaVersion: 6,
    command: 'generate',
    statuses: { success: 58 },
    first: `seed.${P10}.raw_customers`,
    invocationId: '1c0df4f5-f475-4db9-90bb-4abd8479034f',
    elapsedTime: 0.5324845314025879,
  },
  {
    folder: 'v12_duckdb_1.12.2_exposures',
    schemaVersion: 6,
    command: 'generate',
    statuses: { success: 59 },
    first: `model.${P10}.int_exclude_via_meta_config`,
    invocationId: '3d9429a8-752a-4b6a-a0d6-5174345675e6',
    elapsedTime: 0.5272774696350098,
  },
  {
    folder: 'v12_duckdb_fusion_2.0.0-beta.2_exposures',
    schemaVersion: 6,
    command: 'build',
    statuses: { pass: 44, skipped: 3, success: 15 },
    first: `seed.${P10}.raw_customers`,
    invocationId: '01a01f6c-fe2a-7c61-96fc-75fb49790e5c',
    elapsedTime: 0.637846804,
  },
];

for (const c of runResults) {
  const dir = join(c.shared ? join(sharedFixtures, 'dbt') : join(repoFixtures, 'dbt'), c.folder);
  t.test(`run_results ${c.folder}`, c.shared ? sharedTestOptions() : {}, async (t) => {
    const r = await loadRunResults(join(dir, 'run_results.json'));
    t.equal(r.schemaVersion, c.schemaVersion);
    t.equal(r.command, c.command);
    t.equal(r.invocationId, c.invocationId);
    t.equal(r.elapsedTime, c.elapsedTime);
    const statuses: Record<string, number> = {};
    for (const result of r.results) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    t.same(statuses, c.statuses);
    t.equal(r.results[0]?.uniqueId, c.first);
    t.same(r.notes, []);
  });
}
