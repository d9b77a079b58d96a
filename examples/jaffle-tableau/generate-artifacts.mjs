#!/usr/bin/env node
// Writes target/manifest.json (schema v12, dbt 1.10.6, Snowflake) and target/run_results.json
// (schema v6, a `dbt build`) for the example project behind `npm run demo`.
//
// The artifacts are designed by hand, not copied from a dbt run: small, deterministic (fixed ids
// and times), and carrying every required field of dbt's published v12 / v6 schemas. They hold
// the cases the library must handle: models, seeds, snapshots, sources (one whose identifier
// differs from its name), a versioned model, mixed-case names, an ephemeral model (no relation),
// tests, a hand-written exposure (status no-op in the build), and a model that errored with a
// downstream model skipped. Relations are Snowflake-style: unquoted, case as configured.
//
// Run: node examples/jaffle-tableau/generate-artifacts.mjs  (then commit target/*.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PROJECT = 'jaffle_tableau';
const DBT_VERSION = '1.10.6';
const INVOCATION_ID = '5f0c2a9e-8d7b-4c1e-9a3f-1b2c3d4e5f60';
const GENERATED_AT = '2026-03-02T06:15:42.118204Z';
const STARTED_AT = '2026-03-02T06:14:58.402117+00:00';
const DATABASE = 'ANALYTICS';

/** A stable fake checksum (dbt stores the sha256 of the file; any 64 hex chars validate). */
function checksum(text) {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

function nodeConfig(materialized, extra = {}) {
  return {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: [],
    meta: {},
    group: null,
    materialized,
    incremental_strategy: null,
    persist_docs: {},
    'post-hook': [],
    'pre-hook': [],
    quoting: {},
    column_types: {},
    full_refresh: null,
    unique_key: null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: { show: true, node_color: null },
    contract: { enforced: false, alias_types: true },
    event_time: null,
    ...extra,
  };
}

const relation = (database, schema, identifier) => `${database}.${schema}.${identifier}`;

function baseNode({ resourceType, name, schema, alias, folder, materialized, dependsOn = [] }) {
  const ext = resourceType === 'seed' ? 'csv' : 'sql';
  const dir = { model: 'models', seed: 'seeds', snapshot: 'snapshots' }[resourceType];
  const path = `${folder ? `${folder}/` : ''}${alias ?? name}.${ext}`;
  const uniqueName = alias && resourceType === 'model' ? alias : name;
  const ephemeral = materialized === 'ephemeral';
  return {
    database: DATABASE,
    schema,
    name,
    resource_type: resourceType,
    package_name: PROJECT,
    path,
    original_file_path: `${dir}/${path}`,
    unique_id: `${resourceType}.${PROJECT}.${uniqueName}`,
    fqn: [PROJECT, ...(folder ? folder.split('/') : []), name],
    alias: alias ?? name,
    checksum: { name: 'sha256', checksum: checksum(`${resourceType}:${name}`) },
    config: nodeConfig(materialized),
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: { materialized },
    created_at: 1772431000.5,
    relation_name: ephemeral ? null : relation(DATABASE, schema, alias ?? name),
    raw_code: `select * from {{ ref('${dependsOn[0] ?? 'raw'}') }}`,
    doc_blocks: [],
    language: 'sql',
    refs: [],
    sources: [],
    metrics: [],
    depends_on: { macros: [], nodes: dependsOn },
    compiled_path: null,
  };
}

function model(name, schema, folder, materialized, dependsOn, extra = {}) {
  const node = baseNode({ resourceType: 'model', name, schema, folder, materialized, dependsOn });
  return {
    ...node,
    contract: { enforced: false, alias_types: true, checksum: null },
    access: 'protected',
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
    primary_key: [],
    time_spine: null,
    ...extra,
    unique_id: extra.unique_id ?? node.unique_id,
  };
}

const id = (type, name) => `${type}.${PROJECT}.${name}`;
const SRC = (table) => `source.${PROJECT}.jaffle_raw.${table}`;

// Sources: RAW.JAFFLE.* (payments' identifier differs from its name).
function source(name, identifier) {
  return {
    database: 'RAW',
    schema: 'JAFFLE',
    name,
    resource_type: 'source',
    package_name: PROJECT,
    path: 'models/staging/_sources.yml',
    original_file_path: 'models/staging/_sources.yml',
    unique_id: SRC(name),
    fqn: [PROJECT, 'staging', 'jaffle_raw', name],
    source_name: 'jaffle_raw',
    source_description: 'Raw tables loaded by Fivetran.',
    loader: 'fivetran',
    identifier,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: null,
    freshness: {
      warn_after: { count: null, period: null },
      error_after: { count: null, period: null },
      filter: null,
    },
    external: null,
    description: '',
    columns: {},
    meta: {},
    source_meta: {},
    tags: [],
    config: { enabled: true, event_time: null, meta: {}, tags: [] },
    patch_path: null,
    unrendered_config: {},
    relation_name: relation('RAW', 'JAFFLE', identifier),
    created_at: 1772431000.5,
    unrendered_database: 'RAW',
    unrendered_schema: 'JAFFLE',
    doc_blocks: [],
  };
}

const sources = [
  source('orders', 'ORDERS'),
  source('customers', 'CUSTOMERS'),
  source('payments', 'STRIPE_PAYMENTS'),
];

const seed = {
  ...baseNode({
    resourceType: 'seed',
    name: 'country_codes',
    schema: 'SEEDS',
    materialized: 'seed',
  }),
  root_path: '/usr/app/jaffle-tableau',
  depends_on: { macros: [] },
};
delete seed.raw_code;
delete seed.language;
delete seed.refs;
delete seed.sources;
delete seed.metrics;
delete seed.compiled_path;
seed.raw_code = '';

const snapshot = {
  ...baseNode({
    resourceType: 'snapshot',
    name: 'customers_snapshot',
    schema: 'SNAPSHOTS',
    materialized: 'snapshot',
    dependsOn: [SRC('customers')],
  }),
  config: nodeConfig('snapshot', {
    strategy: 'timestamp',
    unique_key: 'id',
    updated_at: 'updated_at',
    target_schema: 'SNAPSHOTS',
  }),
};

const stgOrders = model('stg_orders', 'STAGING', 'staging', 'view', [SRC('orders')]);
const stgCustomers = model('stg_customers', 'STAGING', 'staging', 'view', [SRC('customers')]);
const stgPayments = model('stg_payments', 'STAGING', 'staging', 'view', [SRC('payments')]);
// Ephemeral: compiled into a CTE, no relation in the warehouse, never matchable.
const intOrderPayments = model('int_order_payments', 'STAGING', 'intermediate', 'ephemeral', [
  id('model', 'stg_orders'),
  id('model', 'stg_payments'),
]);
const orders = model('orders', 'MARTS', 'marts', 'table', [id('model', 'int_order_payments')]);
// A versioned model: two versions, v2 latest; default aliases customers_v1 / customers_v2.
function customersVersion(v) {
  const m = model(
    'customers',
    'MARTS',
    'marts',
    'table',
    [id('model', 'stg_customers'), id('model', 'orders')],
    {
      unique_id: `${id('model', 'customers')}.v${v}`,
      version: v,
      latest_version: 2,
      access: 'public',
    },
  );
  return {
    ...m,
    alias: `customers_v${v}`,
    fqn: [PROJECT, 'marts', 'customers', `v${v}`],
    path: `marts/customers_v${v}.sql`,
    original_file_path: `models/marts/customers_v${v}.sql`,
    relation_name: relation(DATABASE, 'MARTS', `customers_v${v}`),
    checksum: { name: 'sha256', checksum: checksum(`customers_v${v}`) },
  };
}
const customersV1 = customersVersion(1);
const customersV2 = customersVersion(2);
// Mixed-case name, as someone configured it; Snowflake folds it to upper case, Tableau shows REVENUE_BY_COUNTRY.
const revenueByCountry = model('Revenue_By_Country', 'MARTS', 'marts', 'table', [
  id('model', 'orders'),
  id('seed', 'country_codes'),
]);
// This model errors in the build below, and its child is skipped: a dashboard over them is never refreshed.
const stgRefunds = model('stg_refunds', 'STAGING', 'staging', 'view', [SRC('payments')]);
const refunds = model('refunds', 'MARTS', 'marts', 'table', [id('model', 'stg_refunds')]);
// Tags, for dbt selection (`-s tag:finance`) in the CLI's tests and docs.
for (const node of [orders, revenueByCountry, refunds]) {
  node.tags = ['finance'];
  node.config.tags = ['finance'];
}

function test(name, modelId, column, hash) {
  const uniqueId = `test.${PROJECT}.${name}.${hash}`;
  return {
    database: DATABASE,
    schema: 'MARTS_dbt_test__audit',
    name,
    resource_type: 'test',
    package_name: PROJECT,
    path: `${name}.sql`,
    original_file_path: 'models/marts/_marts.yml',
    unique_id: uniqueId,
    fqn: [PROJECT, 'marts', name],
    alias: name,
    checksum: { name: 'none', checksum: '' },
    config: { enabled: true, materialized: 'test', severity: 'ERROR', tags: [], meta: {} },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: {},
    created_at: 1772431000.5,
    relation_name: null,
    raw_code: '{{ test_not_null(**_dbt_generic_test_kwargs) }}',
    doc_blocks: [],
    language: 'sql',
    refs: [],
    sources: [],
    metrics: [],
    depends_on: { macros: ['macro.dbt.test_not_null'], nodes: [modelId] },
    compiled_path: null,
    column_name: column,
    file_key_name: 'models.orders',
    attached_node: modelId,
    test_metadata: { name: 'not_null', kwargs: { column_name: column }, namespace: null },
  };
}

const tests = [
  test('not_null_orders_order_id', id('model', 'orders'), 'order_id', '4f1e2d3c5b'),
  test(
    'not_null_customers_v2_customer_id',
    `${id('model', 'customers')}.v2`,
    'customer_id',
    '9a8b7c6d5e',
  ),
];

const exposure = {
  name: 'weekly_finance_report',
  resource_type: 'exposure',
  package_name: PROJECT,
  path: '_hand_written_exposures.yml',
  original_file_path: 'models/_hand_written_exposures.yml',
  unique_id: id('exposure', 'weekly_finance_report'),
  fqn: [PROJECT, 'weekly_finance_report'],
  type: 'analysis',
  owner: { email: 'finance@jaffle.example', name: 'Finance team' },
  description: '',
  label: 'Weekly finance report',
  maturity: 'high',
  meta: {},
  tags: [],
  config: { enabled: true, tags: [], meta: {} },
  unrendered_config: {},
  url: null,
  depends_on: { macros: [], nodes: [id('model', 'orders')] },
  refs: [{ name: 'orders', package: null, version: null }],
  sources: [],
  metrics: [],
  created_at: 1772431000.5,
};

const allNodes = [
  seed,
  snapshot,
  stgOrders,
  stgCustomers,
  stgPayments,
  intOrderPayments,
  orders,
  customersV1,
  customersV2,
  revenueByCountry,
  stgRefunds,
  refunds,
  ...tests,
];

const nodes = Object.fromEntries(allNodes.map((n) => [n.unique_id, n]));
const sourceMap = Object.fromEntries(sources.map((s) => [s.unique_id, s]));

// parent_map / child_map over every graph member (sources, nodes, the exposure), sorted.
const parentMap = {};
for (const s of sources) parentMap[s.unique_id] = [];
for (const n of allNodes) parentMap[n.unique_id] = [...(n.depends_on.nodes ?? [])].sort();
parentMap[exposure.unique_id] = [...exposure.depends_on.nodes];
const childMap = Object.fromEntries(Object.keys(parentMap).map((k) => [k, []]));
for (const [child, parents] of Object.entries(parentMap))
  for (const p of parents) childMap[p].push(child);
for (const k of Object.keys(childMap)) childMap[k].sort();

const manifest = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
    dbt_version: DBT_VERSION,
    generated_at: GENERATED_AT,
    invocation_id: INVOCATION_ID,
    invocation_started_at: STARTED_AT,
    env: {},
    project_name: PROJECT,
    project_id: '0b9f8e7d6c5b4a39281706f5e4d3c2b1',
    user_id: null,
    send_anonymous_usage_stats: false,
    adapter_type: 'snowflake',
    quoting: { database: false, schema: false, identifier: false, column: null },
  },
  nodes,
  sources: sourceMap,
  macros: {},
  docs: {},
  exposures: { [exposure.unique_id]: exposure },
  metrics: {},
  groups: {},
  selectors: {},
  disabled: {},
  parent_map: parentMap,
  child_map: childMap,
  group_map: {},
  saved_queries: {},
  semantic_models: {},
  unit_tests: {},
};

// --- run_results: one `dbt build` -------------------------------------------------------------
let clock = Date.parse('2026-03-02T06:15:00.000Z');
function result(node, status, message, extra = {}) {
  const start = new Date(clock).toISOString();
  clock += 800;
  const end = new Date(clock).toISOString();
  clock += 200;
  const ran = status !== 'skipped' && status !== 'no-op';
  return {
    status,
    timing: ran
      ? [
          { name: 'compile', started_at: start, completed_at: start },
          { name: 'execute', started_at: start, completed_at: end },
        ]
      : [],
    thread_id: 'Thread-1 (worker)',
    execution_time: ran ? 0.8 : 0,
    adapter_response: ran ? { _message: 'SUCCESS 1', code: 'SUCCESS', rows_affected: 1 } : {},
    message,
    failures: node.resource_type === 'test' ? 0 : null,
    unique_id: node.unique_id,
    compiled: node.resource_type !== 'seed',
    compiled_code: '',
    relation_name: node.resource_type === 'test' ? null : (node.relation_name ?? null),
    batch_results: null,
    ...extra,
  };
}

const results = [
  result(seed, 'success', 'INSERT 42'),
  result(snapshot, 'success', 'SUCCESS 1'),
  result(stgOrders, 'success', 'SUCCESS 1'),
  result(stgCustomers, 'success', 'SUCCESS 1'),
  result(stgPayments, 'success', 'SUCCESS 1'),
  result(
    stgRefunds,
    'error',
    "Database Error in model stg_refunds (models/staging/stg_refunds.sql)\n  002003 (42S02): SQL compilation error:\n  Object 'RAW.JAFFLE.REFUNDS' does not exist or not authorized.",
    {
      adapter_response: {},
      failures: null,
    },
  ),
  result(orders, 'success', 'SUCCESS 1'),
  result(tests[0], 'pass', null),
  result(customersV1, 'success', 'SUCCESS 1'),
  result(customersV2, 'success', 'SUCCESS 1'),
  result(tests[1], 'pass', null),
  result(revenueByCountry, 'success', 'SUCCESS 1'),
  result(refunds, 'skipped', 'Skipped'),
  result(exposure, 'no-op', 'NO-OP'),
];

const runResults = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: DBT_VERSION,
    generated_at: '2026-03-02T06:15:58.640312Z',
    invocation_id: INVOCATION_ID,
    invocation_started_at: STARTED_AT.replace('+00:00', 'Z'),
    env: {},
  },
  results,
  elapsed_time: 16.42,
  args: {
    which: 'build',
    target_path: 'target',
    project_dir: '.',
    select: [],
    exclude: [],
    threads: 4,
  },
};

const target = join(here, 'target');
mkdirSync(target, { recursive: true });
writeFileSync(join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(target, 'run_results.json'), `${JSON.stringify(runResults, null, 2)}\n`);
console.log(`wrote ${join(target, 'manifest.json')} and run_results.json`);
