import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { collectMetadataPages } from '../../src/tableau/metadata.js';
import {
  normalizeCustomSql,
  normalizePublishedDatasource,
  normalizeTable,
  normalizeWorkbooks,
} from '../../src/tableau/normalize.js';
import type { TableauWarning } from '../../src/tableau/types.js';
import { workbookUrl } from '../../src/tableau/urls.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

const dir = join(repoFixtures, 'tableau', 'metadata');
// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
const load = (name: string): any =>
  JSON.parse(readFileSync(join(dir, `metadata-${name}.json`), 'utf8'));

const live = (name: string, extra: object = {}) => ({
  name,
  hasExtracts: false,
  extractLastRefreshTime: null,
  tables: [],
  customSql: [],
  publishedDatasourceLuids: [],
  ...extra,
});
const snowflake = (name: string, fullName: string, schema: string, db: string) => ({
  name,
  fullName,
  schema,
  databaseName: db,
  connectionType: 'snowflake',
});
const stub = (luid: string, name: string, embedded: object[]) => ({
  luid,
  name,
  projectName: null,
  projectLuid: null,
  owner: null,
  tags: [],
  description: null,
  createdAt: null,
  updatedAt: null,
  vizportalUrlId: null,
  url: null,
  embeddedDatasources: embedded,
  publishedDatasources: [],
});

t.test(
  'dbt-exposures-crawler pages: bracketed and dotted fullNames, custom SQL without parsed tables',
  async (t) => {
    const workbooks = load('workbooks-embedded-upstreamtables-snowflake-dbt-exposures-crawler');
    const customSql = load('customsql-snowflake-downstreamworkbooks-dbt-exposures-crawler');
    const sql = (query: string) => ({
      name: 'Custom SQL Query',
      query,
      connectionType: 'snowflake',
      databaseName: 'SAMPLE_DB',
      isUnsupported: false,
      tables: [],
    });
    const expected = [
      stub('company-kpis-workbook-luid', 'Company KPIs workbook', [
        live('Custom SQL', {
          customSql: [
            sql(
              'select * from sample_db.public.customers left join sample_db.public.orders on customers.id = orders.customer_id',
            ),
          ],
        }),
      ]),
      stub('customers-workbook-luid', 'Customers workbook', [
        live('Custom SQL', { customSql: [sql('select * from sample_db.public.customers')] }),
      ]),
      stub('orders-workbook-luid', 'Orders workbook', [
        live('DATASOURCE NAME', {
          tables: [snowflake('ORDERS', '[PUBLIC].[ORDERS]', 'PUBLIC', 'SAMPLE_DB')],
        }),
      ]),
      stub('d2b5bfce-3211-49fb-a88d-63e5b98ee317', 'Unrelated workbook', [
        live('UNRELATED DATASOURCE', {
          tables: [
            snowflake('RANDOM_TABLE', 'FOO_DB.SOME_SCHEMA.RANDOM_TABLE', 'PUBLIC', 'FOO_DB'),
          ],
        }),
      ]),
    ];
    t.same(normalizeWorkbooks([workbooks, customSql]), expected);
    t.same(normalizeWorkbooks([customSql, workbooks]), expected, 'page order does not matter');
    t.same(
      normalizeWorkbooks([workbooks, customSql], { customSqlOnlyWorkbooks: false }).map(
        (w) => w.luid,
      ),
      ['orders-workbook-luid', 'd2b5bfce-3211-49fb-a88d-63e5b98ee317'],
    );
  },
);

t.test('published data sources: bare and Excel fullNames, empty schema', async (t) => {
  const page = load('published-datasources-postgres-excel-EXCERPT');
  t.same(normalizeWorkbooks(page), [], 'no workbooks in a data source page');
  const [first, second] = page.data.publishedDatasourcesConnection.nodes;
  const postgres = (n: string) => ({
    name: n,
    fullName: n,
    schema: '',
    databaseName: null,
    connectionType: 'postgres',
  });
  t.same(normalizePublishedDatasource(first), {
    luid: '',
    name: 'test publish datasource',
    projectName: 'default',
    vizportalUrlId: null,
    hasExtracts: false,
    extractLastRefreshTime: null,
    tables: [postgres('customer'), postgres('payment'), postgres('staff')],
    customSql: [],
  });
  const excel = (n: string) => ({
    name: n,
    fullName: `[${n}$]`,
    schema: '',
    databaseName: null,
    connectionType: 'excel-direct',
  });
  t.same(normalizePublishedDatasource(second).tables, [
    excel('Orders'),
    excel('People'),
    excel('Returns'),
  ]);

  // A workbook referencing one of them by id gets it completed from the data source page.
  const wbPage = {
    data: {
      workbooksConnection: {
        nodes: [
          {
            luid: 'wb',
            name: 'W',
            upstreamDatasources: [{ id: '6cbbeeb2-9f3a-00f6-2342-17139d6e97ae', luid: 'ds-luid' }],
          },
        ],
      },
    },
  };
  const [wb] = normalizeWorkbooks([wbPage, page]);
  t.equal(wb?.publishedDatasources.length, 1);
  t.equal(wb?.publishedDatasources[0]?.name, 'Superstore Datasource');
  t.equal(wb?.publishedDatasources[0]?.luid, 'ds-luid');
  t.equal(wb?.publishedDatasources[0]?.projectName, 'Samples');
  t.equal(wb?.publishedDatasources[0]?.tables.length, 3);
});

t.test(
  'database tables: web data connector, Excel, schema that disagrees with fullName',
  async (t) => {
    const pages = collectMetadataPages(load('database-tables-postgres-wdc-excel-EXCERPT'));
    t.equal(pages.databaseTables.length, 5);
    t.same(pages.databaseTables.map(normalizeTable), [
      {
        name: 'activity6',
        fullName: '[activity6]',
        schema: '',
        databaseName: 'Marketo',
        connectionType: 'webdata-direct:marketo-marketo',
      },
      {
        name: 'campaignsTable',
        fullName: '[campaignsTable]',
        schema: '',
        databaseName: 'Marketo',
        connectionType: 'webdata-direct:marketo-marketo',
      },
      {
        name: 'address',
        fullName: '[public].[address]',
        schema: 'public',
        databaseName: 'dvdrental',
        connectionType: 'postgres',
      },
      {
        name: 'actor',
        fullName: '[public].[actor]',
        schema: 'public1',
        databaseName: 'dvdrental',
        connectionType: 'postgres',
      },
      {
        name: 'People',
        fullName: '[People$]',
        schema: '',
        databaseName: 'Sample - Superstore.xls',
        connectionType: 'excel-direct',
      },
    ]);
    t.same(normalizeWorkbooks(load('database-tables-postgres-wdc-excel-EXCERPT')), []);
  },
);

t.test('paged responses whose last page still has a cursor', async (t) => {
  const pages = [load('paged-page1'), load('paged-page2'), load('paged-page3-last')];
  t.equal(pages[2].data.publishedDatasourcesConnection.pageInfo.hasNextPage, false);
  t.type(pages[2].data.publishedDatasourcesConnection.pageInfo.endCursor, 'string');
  const collected = collectMetadataPages(pages);
  t.equal(collected.pages, 3);
  t.same(
    collected.publishedDatasources.map((d) => d.id),
    [
      '0039e5d5-25fa-196b-c66e-c0675839e0b0',
      '00b191ce-6055-aff5-e275-c26610c8c4d6',
      '02f3e4d8-856a-da36-f6c5-c900945c57b9',
    ],
  );
  t.same(normalizeWorkbooks(pages), []);
  t.same(
    normalizeWorkbooks(load('workbooks-connection-offset-page-totalcount')),
    [],
    'empty offset page',
  );
  t.same(normalizeWorkbooks(load('query-success-nonpaged')), [], 'plain list, no workbooks');
  t.equal(collectMetadataPages(load('query-success-nonpaged')).publishedDatasources.length, 4);
});

t.test('partial data with a time-limit error is refused unless allowed', async (t) => {
  const page = load('partial-data-time-limit-error');
  const err = t.throws(() => normalizeWorkbooks(page, { file: 'page.json' })) as Error & {
    code: string;
  };
  t.match(err, { code: 'ERR_TABLEAU_GRAPHQL', file: 'page.json', field: 'errors' });
  t.match(err.message, /Reached time limit of PT5S for query execution\./);
  t.match(err.message, /partial/);
  t.same(normalizeWorkbooks(page, { allowErrors: true }), []);
  const collected = collectMetadataPages(page);
  t.equal(collected.errors.length, 1);
  t.equal(collected.publishedDatasources.length, 4);
});

t.test('permission warnings are surfaced, not thrown', async (t) => {
  const warnings: TableauWarning[] = [];
  t.same(
    normalizeWorkbooks(load('permissions-mode-switched-warning'), {
      onWarning: (w) => warnings.push(w),
    }),
    [],
  );
  t.same(warnings, [
    {
      code: 'PERMISSIONS_MODE_SWITCHED',
      message:
        'One or more of the attributes used in your filter contain sensitive data so your results have been automatically filtered to contain only the results you have permissions to see',
    },
  ]);
});

t.test(
  'unsupported custom SQL on BigQuery, attached to the published source using it',
  async (t) => {
    const page = load('customsql-bigquery-unsupported-redshift-upstream');
    const node = page.data.customSQLTablesConnection.nodes[0];
    const expectedSql = {
      name: 'BigQuery Source',
      query: node.query,
      connectionType: 'bigquery',
      databaseName: 'production database',
      isUnsupported: true,
      tables: [],
    };
    t.same(normalizeCustomSql(node), expectedSql);
    t.same(normalizeWorkbooks(page), [], 'its data source is in no workbook of the input');
    const user = node.columns[0].referencedByFields[0].datasource;
    const wbPage = {
      workbooksConnection: {
        nodes: [
          {
            luid: 'wb',
            name: 'Users',
            upstreamDatasources: [
              {
                id: user.id,
                luid: 'user-luid',
                name: 'User',
                hasExtracts: true,
                upstreamTables: user.upstreamTables,
              },
            ],
          },
        ],
      },
    };
    const [wb] = normalizeWorkbooks([page, wbPage]);
    t.same(wb?.publishedDatasources[0]?.customSql, [expectedSql]);
    t.same(wb?.publishedDatasources[0]?.tables, [
      {
        name: 'datawarehouse.client',
        fullName: 'datawarehouse.client',
        schema: 'datawarehouse',
        databaseName: 'dwh',
        connectionType: 'redshift',
      },
      {
        name: 'datawarehouse.user',
        fullName: 'datawarehouse.user',
        schema: 'datawarehouse',
        databaseName: 'dwh',
        connectionType: 'redshift',
      },
    ]);
    t.same(wb?.embeddedDatasources, []);
  },
);

t.test('hand-made pages: merging, dedup, attachment, URLs, nulls', async (t) => {
  const orders = {
    id: 't1',
    name: 'ORDERS',
    fullName: '[MARTS].[ORDERS]',
    schema: 'MARTS',
    connectionType: 'snowflake',
    database: { name: 'ANALYTICS' },
  };
  const payments = { ...orders, id: 't2', name: 'PAYMENTS', fullName: '[MARTS].[PAYMENTS]' };
  const pds = {
    id: 'pid',
    luid: 'pds',
    name: 'Orders DS',
    hasExtracts: true,
    extractLastRefreshTime: '2024-01-02T00:00:00Z',
    upstreamTables: [orders],
  };
  const page1 = {
    data: {
      workbooksConnection: {
        nodes: [
          null,
          {
            luid: 'wb1',
            name: 'Beta',
            vizportalUrlId: '77',
            owner: { name: 'Ann', email: null },
            tags: [{ name: 'z' }, { name: 'a' }, null, { name: 'z' }],
            embeddedDatasources: [
              {
                id: 'e1',
                name: 'Main',
                hasExtracts: true,
                upstreamTables: [orders, payments, payments],
                upstreamDatasources: [{ id: 'pid', luid: 'pds', name: 'Orders DS' }],
              },
              {
                id: 'e2',
                name: 'Second',
                upstreamTables: null,
                upstreamDatasources: [{ luid: 'pds' }],
              },
            ],
            upstreamDatasources: [pds, pds],
          },
          {
            luid: 'wb2',
            name: 'Alpha',
            embeddedDatasources: null,
            tags: null,
            owner: null,
            upstreamDatasources: null,
          },
        ],
      },
    },
  };
  const page2 = {
    data: {
      workbooksConnection: {
        nodes: [
          { luid: 'wb1', description: 'merged', embeddedDatasources: [{ id: 'e1', name: 'Main' }] },
        ],
      },
    },
  };
  const sqlPage = {
    customSQLTablesConnection: {
      nodes: [
        {
          id: 's1',
          query: 'select 1',
          columnsConnection: {
            nodes: [
              {
                referencedByFields: [
                  {
                    datasource: {
                      __typename: 'EmbeddedDatasource',
                      id: 'e2',
                      workbook: { luid: 'wb1' },
                    },
                  },
                ],
              },
            ],
          },
        },
        {
          id: 's2',
          query: 'select 2',
          downstreamDatasources: [{ luid: 'pds' }],
          downstreamWorkbooks: [{ luid: 'wb1' }],
        },
        { id: 's3', query: 'select 3', downstreamWorkbooks: [{ luid: 'wb1', name: 'Beta' }] },
      ],
    },
  };
  const result = normalizeWorkbooks([page1, page2, sqlPage], {
    serverUrl: '10az.online.tableau.com',
    siteName: 'acme',
  });
  t.same(
    result.map((w) => w.name),
    ['Alpha', 'Beta'],
    'sorted by name',
  );
  const [alpha, beta] = result;
  t.same(alpha?.embeddedDatasources, []);
  t.same(alpha?.tags, []);
  t.equal(alpha?.owner, null);
  t.equal(alpha?.url, null, 'no vizportalUrlId, no URL');
  t.equal(beta?.url, 'https://10az.online.tableau.com/#/site/acme/workbooks/77');
  t.equal(beta?.description, 'merged', 'scalar from a later page fills a gap');
  t.same(beta?.owner, { name: 'Ann', email: null, username: null });
  t.same(beta?.tags, ['a', 'z']);
  t.equal(beta?.publishedDatasources.length, 1, 'published source once per workbook');
  const published = beta?.publishedDatasources[0];
  t.same(
    published?.customSql.map((c) => c.query),
    ['select 2'],
    'custom SQL of the published source',
  );
  t.same(
    published?.tables.map((x) => x.name),
    ['ORDERS'],
  );
  const [synthetic, mainDs, secondDs] = beta?.embeddedDatasources ?? [];
  t.same(
    beta?.embeddedDatasources.map((d) => d.name),
    ['Custom SQL', 'Main', 'Second'],
  );
  t.equal(synthetic?.name, 'Custom SQL');
  t.same(
    synthetic?.customSql.map((c) => c.query),
    ['select 3'],
    'unattributable custom SQL kept, not lost',
  );
  t.same(
    mainDs?.tables.map((x) => x.name),
    ['PAYMENTS'],
    'tables through the published source are not repeated',
  );
  t.same(mainDs?.publishedDatasourceLuids, ['pds']);
  t.equal(mainDs?.hasExtracts, true);
  t.same(
    secondDs?.customSql.map((c) => c.query),
    ['select 1'],
    'custom SQL on the embedded source using it',
  );
  t.same(secondDs?.publishedDatasourceLuids, ['pds']);
  t.same(secondDs?.tables, [], 'null upstreamTables is an empty list');
  t.same(
    normalizeWorkbooks([sqlPage, page2, page1], {
      serverUrl: '10az.online.tableau.com',
      siteName: 'acme',
    }).map((w) => w.luid),
    ['wb2', 'wb1'],
  );
});

t.test('browser URLs', async (t) => {
  t.equal(
    workbookUrl('https://tableau.example.com/', '', '12'),
    'https://tableau.example.com/#/workbooks/12',
  );
  t.equal(
    workbookUrl('tableau.example.com', undefined, '12'),
    'https://tableau.example.com/#/workbooks/12',
  );
  t.equal(
    workbookUrl('http://127.0.0.1:8080', 'My Site', '1'),
    'http://127.0.0.1:8080/#/site/My%20Site/workbooks/1',
  );
  t.equal(workbookUrl(undefined, 'a', '1'), null);
  t.equal(workbookUrl('  ', 'a', '1'), null);
  t.equal(workbookUrl('h', 'a', null), null);
  t.equal(workbookUrl('h', 'a', ''), null);
});

t.test('anything that is not Metadata API output is a coded error naming the field', async (t) => {
  const cases: [unknown, string][] = [
    [42, '(root)'],
    [[], '(root)'],
    [{ foo: 1 }, '(root)'],
    [{ data: 5 }, 'data'],
    [{ data: { foo: {} } }, 'data'],
    [{ errors: {} }, 'errors'],
    [{ errors: ['x'] }, 'errors[0]'],
    [{ workbooksConnection: { nodes: {} } }, 'workbooksConnection.nodes'],
    [{ workbooksConnection: 'x' }, 'workbooksConnection'],
    [{ workbooks: [1] }, 'workbooks[0]'],
    [
      [{ data: { workbooksConnection: { nodes: [{ name: 'no luid' }] } } }],
      '[0].data.workbooksConnection.nodes[0].luid',
    ],
  ];
  for (const [input, field] of cases) {
    const err = t.throws(
      () => normalizeWorkbooks(input, { file: 'in.json' }),
      JSON.stringify(input),
    );
    t.match(err, { code: 'ERR_TABLEAU_RESPONSE', file: 'in.json', field }, JSON.stringify(input));
    t.match((err as Error).message, /^in\.json: not Tableau Metadata API output/);
  }
  t.same(normalizeWorkbooks({ data: null, errors: [] }), [], 'an empty envelope is fine');
  t.same(normalizeWorkbooks({ data: {} }), []);
  t.same(normalizeWorkbooks({ workbooksConnection: null, otherConnection: { nodes: [] } }), []);
});

t.test(
  'tables that differ only by a null or an empty part: one order, duplicates once',
  async (t) => {
    const table = (id: string, schema: string | null, connectionType: string | null) => ({
      id,
      name: 'ORDERS',
      fullName: 'ORDERS',
      schema,
      connectionType,
      database: { name: 'ANALYTICS' },
    });
    // The same table twice (a and c), and two that differ from it only by null vs "".
    const a = table('t1', null, 'snowflake');
    const b = table('t2', '', 'snowflake');
    const c = table('t3', null, 'snowflake');
    const d = table('t4', null, null);
    const page = (upstreamTables: object[]) => ({
      data: {
        workbooksConnection: {
          nodes: [
            {
              luid: 'wb1',
              name: 'W',
              embeddedDatasources: [{ id: 'e1', name: 'Main', upstreamTables }],
            },
          ],
        },
      },
    });
    const tablesOf = (upstream: object[]) =>
      normalizeWorkbooks(page(upstream))[0]!.embeddedDatasources[0]!.tables;
    const expected = [
      {
        name: 'ORDERS',
        fullName: 'ORDERS',
        schema: null,
        databaseName: 'ANALYTICS',
        connectionType: null,
      },
      {
        name: 'ORDERS',
        fullName: 'ORDERS',
        schema: null,
        databaseName: 'ANALYTICS',
        connectionType: 'snowflake',
      },
      {
        name: 'ORDERS',
        fullName: 'ORDERS',
        schema: '',
        databaseName: 'ANALYTICS',
        connectionType: 'snowflake',
      },
    ];
    for (const order of [
      [a, b, c, d],
      [b, c, d, a],
      [d, c, b, a],
      [c, a, d, b],
    ]) {
      t.same(tablesOf(order), expected, order.map((x) => x.id).join(','));
    }
  },
);
