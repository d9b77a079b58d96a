/**
 * Acceptance (issue 14): manifests written before dbt 1.6 (schema v1–v9) carry no
 * `metadata.project_name`; the root project is the package whose MD5 is `metadata.project_id`.
 * Lineage builds with no options, and refs to other packages render `ref('pkg', 'model')`.
 * Every expectation below was written by hand from the manifests (node ids, relations, packages).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  buildExposureLineage,
  DbtAutoExposuresError,
  type ExposureLineage,
  loadManifest,
  parseManifest,
  renderExposuresYaml,
} from '../../src/index.js';
import { renderReference } from '../../src/output/yaml.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import { embedded, manifest, table, workbook } from './helpers/builders.js';

type TableFields = Parameters<typeof table>[0];

/** One workbook reading these tables from one embedded data source. */
function site(tables: TableFields[]) {
  return [
    workbook({
      luid: 'wb-1',
      name: 'Old Manifest Dashboard',
      embeddedDatasources: [embedded({ tables: tables.map(table) })],
    }),
  ];
}

function deps(lineage: ExposureLineage): string[][] {
  // The reference as the YAML renders it, so the cases read as dbt users write them.
  return (lineage.exposures[0]?.dependsOn ?? []).map((d) => [
    d.uniqueId,
    renderReference(d.ref, lineage.dbt.packageName),
    d.match,
  ]);
}

function unmatched(lineage: ExposureLineage): string[][] {
  return (lineage.exposures[0]?.unmatchedTables ?? []).map((u) => [
    u.table,
    u.reason,
    ...(u.candidates ?? []),
  ]);
}

const bq = (name: string, fullName: string): TableFields => ({
  name,
  fullName,
  connectionType: 'bigquery',
});

interface Case {
  folder: string;
  shared?: boolean;
  project: string;
  dbtVersion: string;
  tables: TableFields[];
  dependsOn: string[][];
  unmatched?: string[][];
}

const CASES: Case[] = [
  {
    folder: 'v1_bigquery_0.19.1',
    project: 'jaffle_shop',
    dbtVersion: '0.19.1',
    tables: [
      bq('dim_customers', '[your-gcp-project].[jaffle_shop].[dim_customers]'),
      bq('raw_orders', 'your-gcp-project.jaffle_shop.raw_orders'),
    ],
    dependsOn: [
      ['model.jaffle_shop.dim_customers', "ref('dim_customers')", 'exact'],
      ['seed.jaffle_shop.raw_orders', "ref('raw_orders')", 'exact'],
    ],
  },
  {
    folder: 'v2_snowflake_0.20.0rc1',
    shared: true,
    project: 'my_new_project',
    dbtVersion: '0.20.0rc1',
    tables: [
      { name: 'CUSTOMER_ORDERS', fullName: 'TEST_DBT.PUBLIC.CUSTOMER_ORDERS' },
      { name: 'ORDERS', fullName: '[PUBLIC].[ORDERS]', databaseName: 'TEST_RAW' },
    ],
    dependsOn: [
      ['model.my_new_project.customer_orders', "ref('customer_orders')", 'exact'],
      [
        'source.my_new_project.customer_database.orders',
        "source('customer_database', 'orders')",
        'exact',
      ],
    ],
  },
  {
    folder: 'v3_bigquery_0.21.0',
    project: 'jaffle_shop',
    dbtVersion: '0.21.0',
    tables: [
      bq('customer_orders', '[your-gcp-project].[jaffle_shop].[customer_orders]'),
      bq('raw_payments', '[your-gcp-project].[jaffle_shop].[raw_payments]'),
    ],
    dependsOn: [
      ['model.jaffle_shop.customer_orders', "ref('customer_orders')", 'exact'],
      ['seed.jaffle_shop.raw_payments', "ref('raw_payments')", 'exact'],
    ],
  },
  {
    folder: 'v4_bigquery_1.0.0',
    project: 'jaffle_shop',
    dbtVersion: '1.0.0',
    tables: [
      bq('orders', '[your-gcp-project].[jaffle_shop].[orders]'),
      bq('test_insert_overwrite', '[your-gcp-project].[jaffle_shop].[test_insert_overwrite]'),
    ],
    dependsOn: [
      ['model.jaffle_shop.orders', "ref('orders')", 'exact'],
      ['model.jaffle_shop.test_insert_overwrite', "ref('test_insert_overwrite')", 'exact'],
    ],
  },
  {
    folder: 'v5_bigquery_1.1.0',
    project: 'jaffle_shop',
    dbtVersion: '1.1.0',
    tables: [
      bq('customer_payments', '[your-gcp-project].[jaffle_shop].[customer_payments]'),
      // a model of the elementary package, in the project's own dataset
      bq('alerts_data_monitoring', '[your-gcp-project].[jaffle_shop].[alerts_data_monitoring]'),
      // a source declared by the elementary package
      bq('dbt_run_results', '[your-gcp-project].[jaffle_shop].[dbt_run_results]'),
      // an ephemeral model of the elementary package: no relation in the warehouse
      bq('current_schema_tables', '[your-gcp-project].[jaffle_shop].[current_schema_tables]'),
    ],
    dependsOn: [
      [
        'model.elementary.alerts_data_monitoring',
        "ref('elementary', 'alerts_data_monitoring')",
        'exact',
      ],
      ['model.jaffle_shop.customer_payments', "ref('customer_payments')", 'exact'],
      [
        'source.elementary.elementary_dbt_artifacts.dbt_run_results',
        "source('elementary_dbt_artifacts', 'dbt_run_results')",
        'exact',
      ],
    ],
    unmatched: [['[your-gcp-project].[jaffle_shop].[current_schema_tables]', 'no_relation']],
  },
  {
    folder: 'v7_bigquery_1.3.0',
    project: 'jaffle_shop',
    dbtVersion: '1.3.0',
    // this manifest was generated with the placeholders `database` and `schema`
    tables: [
      bq('customers', 'database.schema.customers'),
      bq('stg_orders', '[schema].[stg_orders]'),
    ],
    dependsOn: [
      ['model.jaffle_shop.customers', "ref('customers')", 'exact'],
      ['model.jaffle_shop.stg_orders', "ref('stg_orders')", 'schema_identifier'],
    ],
  },
  {
    folder: 'v8_postgres_1.4.0',
    shared: true,
    project: 'jaffle_shop_dbtvault',
    dbtVersion: '1.4.0',
    tables: [
      {
        name: 'order_dynamics',
        fullName: '[dbt].[order_dynamics]',
        databaseName: 'postgres',
        connectionType: 'postgres',
      },
      { name: 'hub_customer', fullName: 'postgres.dbt.hub_customer', connectionType: 'postgres' },
      // the seed `source_customers` and the source `src.source_customers` build one relation
      {
        name: 'source_customers',
        fullName: 'postgres.dbt.source_customers',
        connectionType: 'postgres',
      },
    ],
    dependsOn: [
      ['model.jaffle_shop_dbtvault.order_dynamics', "ref('order_dynamics')", 'exact'],
      [
        'source.jaffle_shop_dbtvault.raw_vault.hub_customer',
        "source('raw_vault', 'hub_customer')",
        'exact',
      ],
    ],
    unmatched: [
      [
        'postgres.dbt.source_customers',
        'ambiguous',
        'seed.jaffle_shop_dbtvault.source_customers',
        'source.jaffle_shop_dbtvault.src.source_customers',
      ],
    ],
  },
  {
    folder: 'v9_bigquery_1.5.0rc1',
    project: 'jaffle_shop',
    dbtVersion: '1.5.0rc1',
    tables: [
      bq('orders', '[your-gcp-project].[jaffle_shop].[orders]'),
      // an elementary model in its own dataset
      bq('dbt_models', '[your-gcp-project].[elementary].[dbt_models]'),
    ],
    dependsOn: [
      ['model.elementary.dbt_models', "ref('elementary', 'dbt_models')", 'exact'],
      ['model.jaffle_shop.orders', "ref('orders')", 'exact'],
    ],
  },
];

for (const c of CASES) {
  const root = c.shared ? sharedFixtures : repoFixtures;
  t.test(
    `${c.folder}: no project_name, root project ${c.project} from project_id`,
    c.shared ? sharedTestOptions() : {},
    async (t) => {
      const manifest = await loadManifest(join(root, 'dbt', c.folder));
      t.equal(manifest.dbtVersion, c.dbtVersion);
      t.equal(manifest.projectName, c.project, 'the root project, inferred');
      t.match(
        manifest.notes.find((n) => n.code === 'PROJECT_NAME_INFERRED'),
        { level: 'info', message: new RegExp(`the root project is "${c.project}"`) },
      );
      const lineage = buildExposureLineage({ manifest, workbooks: site(c.tables) });
      t.equal(lineage.dbt.projectName, c.project);
      t.equal(lineage.exposures[0]?.uniqueId, `exposure.${c.project}.old_manifest_dashboard`);
      t.same(deps(lineage), c.dependsOn);
      t.same(unmatched(lineage), c.unmatched ?? []);
      const yaml = renderExposuresYaml(lineage, { dbtVersion: manifest.dbtVersion }) as string;
      for (const [, ref] of c.dependsOn) t.match(yaml, `- ${ref}`, `the YAML lists ${ref}`);
    },
  );
}

function v1Json(): Record<string, { [key: string]: unknown }> {
  const path = join(repoFixtures, 'dbt', 'v1_bigquery_0.19.1', 'manifest.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

t.test('project_id matching no package: a coded error listing the candidates', async (t) => {
  const json = v1Json();
  json.metadata!.project_id = '00000000000000000000000000000000';
  const manifest = parseManifest(json, { path: 'old/manifest.json' });
  t.equal(manifest.projectName, null);
  t.notOk(manifest.notes.some((n) => n.code === 'PROJECT_NAME_INFERRED'));
  const workbooks = site([bq('orders', '[your-gcp-project].[jaffle_shop].[fct_orders]')]);
  try {
    buildExposureLineage({ manifest, workbooks });
    t.fail('expected ERR_INVALID_OPTION');
  } catch (error) {
    t.ok(error instanceof DbtAutoExposuresError);
    t.match(error, {
      code: 'ERR_INVALID_OPTION',
      field: 'options.packageName',
      details: { candidates: ['jaffle_shop'] },
    });
    t.match((error as Error).message, /old\/manifest\.json names no root project/);
    t.match((error as Error).message, /none of its packages \(jaffle_shop\)/);
  }
  // The explicit option always works.
  const lineage = buildExposureLineage({
    manifest,
    workbooks,
    options: { packageName: 'jaffle_shop' },
  });
  t.same(deps(lineage), [['model.jaffle_shop.fct_orders', "ref('fct_orders')", 'exact']]);
});

t.test('no project_id at all: the same error', async (t) => {
  const json = v1Json();
  delete json.metadata!.project_id;
  const manifest = parseManifest(json);
  t.equal(manifest.projectName, null);
  t.throws(() => buildExposureLineage({ manifest, workbooks: [] }), {
    code: 'ERR_INVALID_OPTION',
    details: { candidates: ['jaffle_shop'] },
  });
});

t.test('metadata.project_name wins over project_id; the explicit option over both', async (t) => {
  const json = v1Json();
  json.metadata!.project_name = 'declared_name';
  const declared = parseManifest(json);
  t.equal(declared.projectName, 'declared_name');
  t.notOk(declared.notes.some((n) => n.code === 'PROJECT_NAME_INFERRED'));
  const workbooks = site([bq('orders', '[your-gcp-project].[jaffle_shop].[fct_orders]')]);
  // jaffle_shop is then another package than the declared root project
  t.same(deps(buildExposureLineage({ manifest: declared, workbooks })), [
    ['model.jaffle_shop.fct_orders', "ref('jaffle_shop', 'fct_orders')", 'exact'],
  ]);
  const inferred = parseManifest(v1Json());
  t.same(
    deps(
      buildExposureLineage({ manifest: inferred, workbooks, options: { packageName: 'other' } }),
    ),
    [['model.jaffle_shop.fct_orders', "ref('jaffle_shop', 'fct_orders')", 'exact']],
  );
});

t.test('the candidates are the packages of every unique id', async (t) => {
  const m = manifest([], {
    projectName: null,
    resourceTypes: new Map([
      ['model.shop.orders', 'model'],
      ['test.shop.not_null_orders_id.abc', 'test'],
      ['source.raw_pkg.raw.orders', 'source'],
      ['odd', 'model'],
      ['model..nameless', 'model'],
    ]),
  });
  t.throws(() => buildExposureLineage({ manifest: m, workbooks: [] }), {
    code: 'ERR_INVALID_OPTION',
    details: { candidates: ['raw_pkg', 'shop'] },
  });
});
