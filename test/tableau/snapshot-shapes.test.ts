/**
 * Acceptance (issue 14): every shape a user can paste or the Metadata API returns is read, and a
 * payload element carrying tables in a shape the reader does not read yields a warning naming its
 * JSON path, never a silently empty result. Through the public API: `parseTableauSnapshot`, then
 * `buildExposureLineage` against a real manifest (jaffle_shop with the elementary package on dbt
 * 1.9, BigQuery); the expected dependencies are written by hand from that manifest.
 */
import { join } from 'node:path';
import t from 'tap';
import {
  buildExposureLineage,
  loadManifest,
  parseTableauSnapshot,
  type TableauWarning,
  type TableauWorkbook,
} from '../../src/index.js';
import { renderReference } from '../../src/output/yaml.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

const manifest = await loadManifest(join(repoFixtures, 'dbt', 'v12_bigquery_1.9.0'));

/** A table as dbt Cloud's troubleshooting query returns it (`id name schema database { … }`). */
const bqTable = (id: string, name: string, schema = 'jaffle_shop') => ({
  id,
  name,
  schema,
  database: { name: 'your-project', connectionType: 'bigquery' },
});

/**
 * The answer to dbt Cloud's auto-exposures troubleshooting query
 * `workbooks { name uri id luid projectLuid projectName upstreamTables { id name schema database { name connectionType } } }`.
 */
const troubleshooting = {
  data: {
    workbooks: [
      {
        name: 'Jaffle Orders',
        uri: 'sites/1/workbooks/11',
        id: 'a1b2',
        luid: 'wb-orders',
        projectLuid: 'p-1',
        projectName: 'Finance',
        upstreamTables: [
          bqTable('t1', 'orders'),
          bqTable('t2', 'customers'),
          bqTable('t3', 'raw_orders'),
          // a model of the elementary package
          bqTable('t4', 'dbt_models'),
          // a table no dbt node builds
          bqTable('t5', 'tableau_extract_helper'),
        ],
      },
      {
        name: 'Empty',
        uri: 'sites/1/workbooks/12',
        id: 'c3',
        luid: 'wb-empty',
        upstreamTables: [],
      },
    ],
  },
};

const EXPECTED_ORDERS_DEPS = [
  ['model.elementary.dbt_models', "ref('elementary', 'dbt_models')"],
  ['model.jaffle_shop.customers', "ref('customers')"],
  ['model.jaffle_shop.orders', "ref('orders')"],
  ['seed.jaffle_shop.raw_orders', "ref('raw_orders')"],
];

async function read(value: object) {
  const warnings: TableauWarning[] = [];
  const workbooks = parseTableauSnapshot(value, { onWarning: (w) => warnings.push(w) });
  return { workbooks, warnings };
}

function deps(workbooks: TableauWorkbook[], luid: string) {
  const lineage = buildExposureLineage({ manifest, workbooks });
  const exposure = lineage.exposures.find((e) => e.meta.tableau.workbookLuid === luid);
  return exposure?.dependsOn.map((d) => [
    d.uniqueId,
    renderReference(d.ref, lineage.dbt.packageName),
  ]);
}

t.test('dbt Cloud’s troubleshooting query: workbook-level upstreamTables', async (t) => {
  for (const [label, value] of [
    ['with data', troubleshooting],
    ['without data', troubleshooting.data],
    ['as an array of pages', [troubleshooting]],
  ] as const) {
    const { workbooks, warnings } = await read(value);
    t.same(warnings, [], `${label}: nothing unread`);
    t.same(
      workbooks.map((w) => [w.luid, w.projectName]),
      [
        ['wb-empty', null],
        ['wb-orders', 'Finance'],
      ],
    );
    const orders = workbooks.find((w) => w.luid === 'wb-orders')!;
    t.same(
      orders.embeddedDatasources.map((d) => [d.name, d.hasExtracts, d.tables.length]),
      [['Workbook upstream tables', false, 5]],
      `${label}: one synthetic live source holds the workbook's tables`,
    );
    t.same(deps(workbooks, 'wb-orders'), EXPECTED_ORDERS_DEPS, label);
  }
  const { workbooks } = await read(troubleshooting);
  const lineage = buildExposureLineage({ manifest, workbooks });
  const [exposure] = lineage.exposures;
  t.same(
    exposure?.unmatchedTables.map((u) => [u.table, u.reason]),
    [['tableau_extract_helper', 'no_relation']],
  );
  t.same(exposure?.refreshTargets, [
    {
      kind: 'workbook',
      luid: 'wb-orders',
      name: 'Jaffle Orders',
      hasExtracts: false,
      lastRefreshAt: null,
    },
  ]);
  t.same(
    lineage.skippedWorkbooks.map((s) => [s.workbookLuid, s.reason, s.unmatchedTables]),
    [['wb-empty', 'no_matched_tables', []]],
  );
});

t.test('paged workbooksConnection: nodes, Relay edges, nested …Connection lists', async (t) => {
  const node = {
    luid: 'wb-orders',
    name: 'Jaffle Orders',
    embeddedDatasourcesConnection: {
      nodes: [
        {
          id: 'e1',
          name: 'Orders (embedded)',
          hasExtracts: true,
          extractLastRefreshTime: '2024-05-01T00:00:00Z',
          upstreamTablesConnection: {
            nodes: [bqTable('t1', 'orders'), bqTable('t2', 'customers')],
          },
          upstreamDatasourcesConnection: {
            nodes: [{ id: 'p1', luid: 'pds-1', name: 'Raw orders' }],
          },
        },
      ],
    },
    upstreamDatasourcesConnection: {
      nodes: [
        {
          id: 'p1',
          luid: 'pds-1',
          name: 'Raw orders',
          hasExtracts: false,
          upstreamTables: [bqTable('t3', 'raw_orders')],
        },
      ],
    },
    sheets: [{ name: 'Models', upstreamTables: [bqTable('t4', 'dbt_models')] }],
  };
  const pageInfo = { hasNextPage: false, endCursor: null };
  const shapes = {
    nodes: { data: { workbooksConnection: { nodes: [node], pageInfo, totalCount: 1 } } },
    edges: { data: { workbooksConnection: { edges: [{ node }], pageInfo } } },
    'two pages': [
      {
        data: {
          workbooksConnection: { nodes: [], pageInfo: { hasNextPage: true, endCursor: 'c' } },
        },
      },
      { workbooksConnection: { edges: [{ cursor: 'd', node }], pageInfo } },
    ],
  };
  for (const [label, value] of Object.entries(shapes)) {
    const { workbooks, warnings } = await read(value);
    t.same(warnings, [], `${label}: nothing unread`);
    t.same(deps(workbooks, 'wb-orders'), EXPECTED_ORDERS_DEPS, label);
    const [wb] = workbooks;
    t.same(
      wb?.embeddedDatasources.map((d) => [d.name, d.tables.map((x) => x.name)]),
      [
        ['Orders (embedded)', ['customers', 'orders']],
        // the sheet's table is listed by no data source of the payload
        ['Workbook upstream tables', ['dbt_models']],
      ],
      label,
    );
    t.same(
      wb?.publishedDatasources.map((d) => [d.luid, d.tables.map((x) => x.name)]),
      [['pds-1', ['raw_orders']]],
      label,
    );
  }
});

t.test('workbook-level tables already under a data source are not repeated', async (t) => {
  const { workbooks, warnings } = await read({
    workbooks: [
      {
        luid: 'wb-orders',
        name: 'Jaffle Orders',
        embeddedDatasources: [
          { id: 'e1', name: 'Orders', upstreamTables: [bqTable('t1', 'orders')] },
        ],
        upstreamDatasources: [
          { luid: 'pds-1', name: 'Raw', upstreamTables: [bqTable('t3', 'raw_orders')] },
        ],
        // Tableau's workbook.upstreamTables is the union of every data source's tables
        upstreamTables: [bqTable('t1', 'orders'), bqTable('t3', 'raw_orders')],
      },
    ],
  });
  t.same(warnings, []);
  t.same(
    workbooks[0]?.embeddedDatasources.map((d) => d.name),
    ['Orders'],
    'no synthetic source when every workbook-level table is listed',
  );
});

t.test('custom SQL pages attach to the workbooks they name', async (t) => {
  const { workbooks, warnings } = await read({
    data: {
      customSQLTablesConnection: {
        nodes: [
          {
            name: 'Custom SQL Query',
            query: 'select * from jaffle_shop.stg_orders',
            database: { name: 'your-project', connectionType: 'bigquery' },
            tablesConnection: { nodes: [] },
            downstreamWorkbooksConnection: { nodes: [{ luid: 'wb-sql', name: 'SQL workbook' }] },
          },
        ],
      },
    },
  });
  t.same(warnings, []);
  const lineage = buildExposureLineage({ manifest, workbooks, options: { parseCustomSql: true } });
  t.same(
    lineage.exposures.map((e) => [
      e.name,
      e.dependsOn.map((d) => [renderReference(d.ref, lineage.dbt.packageName), d.match]),
    ]),
    [['sql_workbook', [["ref('stg_orders')", 'custom_sql_parsed']]]],
  );
  t.same(lineage.stats.customSql, { queries: 1, parsed: 1 });
});

t.test('tables in a shape the reader does not read: a warning naming the path', async (t) => {
  const { workbooks, warnings } = await read({
    data: {
      workbooks: [
        {
          luid: 'wb-vc',
          name: 'Virtual connection workbook',
          // virtual connection tables are not warehouse tables the reader resolves
          upstreamVirtualConnectionTables: [{ name: 'orders' }, { name: 'customers' }],
          // every table of the databases the workbook touches, not the tables it reads
          upstreamDatabases: [{ name: 'your-project', tables: [bqTable('t9', 'stg_payments')] }],
        },
      ],
    },
  });
  t.same(
    workbooks.map((w) => [w.luid, w.embeddedDatasources.length]),
    [['wb-vc', 0]],
    'the workbook is read, with no table',
  );
  t.same(
    warnings.map((w) => [w.code, w.path]),
    [
      ['UNREAD_TABLES', 'data.workbooks[0].upstreamVirtualConnectionTables[0]'],
      ['UNREAD_TABLES', 'data.workbooks[0].upstreamDatabases[0].tables[0]'],
    ],
  );
  t.equal(
    warnings[0]?.message,
    '2 tables at data.workbooks[*].upstreamVirtualConnectionTables[*] reached no workbook (first: orders at data.workbooks[0].upstreamVirtualConnectionTables[0]); see docs/tableau.md for the shapes read',
  );
  t.match(
    warnings[1]?.message,
    /^1 table at data\.workbooks\[\*\]\.upstreamDatabases\[\*\]\.tables\[\*\] /,
  );
});

t.test('tables and custom SQL that belong to nothing read are reported too', async (t) => {
  const { workbooks, warnings } = await read([
    {
      data: {
        databaseTablesConnection: {
          nodes: [{ name: 'orders', fullName: '[jaffle_shop].[orders]' }],
        },
      },
    },
    {
      data: {
        customSQLTablesConnection: {
          nodes: [{ name: 'Orphan', query: 'select 1', tables: [] }],
        },
      },
    },
  ]);
  t.same(workbooks, []);
  t.same(
    warnings.map((w) => [w.path, w.message.split(' reached')[0]]),
    [
      [
        '[0].data.databaseTablesConnection.nodes[0]',
        '1 table at [*].data.databaseTablesConnection.nodes[*]',
      ],
      [
        '[1].data.customSQLTablesConnection.nodes[0]',
        '1 custom SQL query at [*].data.customSQLTablesConnection.nodes[*]',
      ],
    ],
  );
});

t.test('no onWarning: the same workbooks, nothing scanned', async (t) => {
  t.same(parseTableauSnapshot(troubleshooting), (await read(troubleshooting)).workbooks);
});

t.test(
  'published tables given under the embedded reference; custom SQL of a one-source workbook',
  async (t) => {
    const { workbooks, warnings } = await read({
      data: {
        workbooks: [
          {
            luid: 'wb-orders',
            name: 'Jaffle Orders',
            // the workbook names the published source without its tables…
            upstreamDatasources: [{ luid: 'pds-1', name: 'Raw' }],
            embeddedDatasources: [
              {
                id: 'e1',
                name: 'Orders',
                upstreamTables: [bqTable('t1', 'orders')],
                // …its embedded source gives them, under the newer field name
                parentPublishedDatasources: [
                  { luid: 'pds-1', name: 'Raw', upstreamTables: [bqTable('t3', 'raw_orders')] },
                ],
              },
            ],
          },
        ],
        customSQLTablesConnection: {
          nodes: [
            {
              name: 'Customers SQL',
              query: 'select * from jaffle_shop.customers',
              database: { name: 'your-project', connectionType: 'bigquery' },
              tables: [bqTable('t2', 'customers')],
              downstreamWorkbooks: [{ luid: 'wb-orders', name: 'Jaffle Orders' }],
            },
          ],
        },
      },
    });
    t.same(warnings, []);
    const [wb] = workbooks;
    t.same(
      wb?.publishedDatasources.map((d) => [d.luid, d.tables.map((x) => x.name)]),
      [['pds-1', ['raw_orders']]],
    );
    t.same(
      wb?.embeddedDatasources.map((d) => [d.name, d.publishedDatasourceLuids, d.customSql.length]),
      [['Orders', ['pds-1'], 1]],
      'the custom SQL joins the only embedded source',
    );
    t.same(deps(workbooks, 'wb-orders'), [
      ['model.jaffle_shop.customers', "ref('customers')"],
      ['model.jaffle_shop.orders', "ref('orders')"],
      ['seed.jaffle_shop.raw_orders', "ref('raw_orders')"],
    ]);
  },
);

t.test('odd values read as absent; broken edges are coded errors naming the path', async (t) => {
  const { workbooks, warnings } = await read({
    workbooks: [
      {
        luid: 'wb-odd',
        name: 'Odd',
        embeddedDatasources: null,
        upstreamDatasourcesConnection: 'not a connection',
        upstreamTablesConnection: { nodes: 'x', edges: [null, { node: bqTable('t1', 'orders') }] },
        sheets: [{ upstreamTablesConnection: { edges: [{ node: { name: 'hidden' } }] } }],
      },
    ],
  });
  t.same(
    workbooks[0]?.embeddedDatasources.map((d) => d.tables.map((x) => x.name)),
    [['hidden', 'orders']],
  );
  t.same(warnings, []);
  const unread = await read({
    workbooks: [
      {
        luid: 'wb-vc',
        name: 'VC',
        upstreamVirtualConnectionTablesConnection: {
          edges: [{ node: { name: 'vc_orders' } }, 'x'],
        },
      },
    ],
  });
  t.same(
    unread.warnings.map((w) => w.path),
    ['workbooks[0].upstreamVirtualConnectionTablesConnection.edges[0].node'],
  );
  for (const [edges, field] of [
    ['x', 'workbooksConnection.edges'],
    [['x'], 'workbooksConnection.edges[0]'],
    [[{ node: 'x' }], 'workbooksConnection.edges[0].node'],
  ] as const) {
    t.throws(() => parseTableauSnapshot({ workbooksConnection: { edges } }), {
      code: 'ERR_SNAPSHOT',
      field,
    });
  }
  const empty = await read({ workbooksConnection: { edges: [null, { node: null }, {}] } });
  t.same(empty.workbooks, []);
  t.throws(
    () => parseTableauSnapshot({ workbooksConnection: { edges: [{ node: { name: 'no luid' } }] } }),
    { code: 'ERR_SNAPSHOT', field: 'workbooksConnection.edges[0].node.luid' },
  );
});
