/**
 * FILTER_REQUIRED (issue 16): a token that is no site administrator may not list a whole site's
 * custom SQL, so the client lists the custom SQL of the workbooks in scope by id. Against every
 * release the mock simulates, the listing and the lineage through custom SQL are the same with
 * and without `filterRequired`; one logger warning says so; the fallback stays within the
 * listing bounds; a token refused even the filtered form gets a coded error saying what to grant.
 * Through the public API only.
 */
import t from 'tap';
import {
  buildExposureLineage,
  createTableauClient,
  type FetchLike,
  type TableauApiError,
  type TableauWorkbook,
} from '../../src/index.js';
import type {
  MockSiteInput,
  MockTableauServer,
  MockTableauVersion,
} from '../../src/testing/index.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { manifest, node } from '../lineage/helpers/builders.js';
import { signIn } from '../testing/mock-helpers.js';
import { clientOptions, rejection, startMock } from './harness.js';
import { asserter, captureLogger } from './scripted-server.js';

const SALES_PROJECT = '0000000f-0000-4000-8000-00000000000a';
const OPS_PROJECT = '0000000f-0000-4000-8000-00000000000b';

const siteModel: MockSiteInput = {
  projects: [
    { luid: SALES_PROJECT, name: 'Sales' },
    { luid: OPS_PROJECT, name: 'Ops' },
  ],
  publishedDatasources: [
    {
      luid: 'pds-payments',
      name: 'Payments',
      hasExtracts: true,
      tables: ['ANALYTICS.MARTS.ORDERS'],
      customSql: [
        { query: 'select * from analytics.marts.payments', tables: ['ANALYTICS.MARTS.PAYMENTS'] },
      ],
    },
    {
      luid: 'pds-unused',
      name: 'Unused',
      customSql: [
        { query: 'select * from analytics.marts.ledger', tables: ['ANALYTICS.MARTS.LEDGER'] },
      ],
    },
  ],
  workbooks: [
    {
      luid: 'wb-sales',
      name: 'Sales',
      projectLuid: SALES_PROJECT,
      embeddedDatasources: [
        {
          name: 'Refunds',
          hasExtracts: true,
          tables: ['ANALYTICS.MARTS.CUSTOMERS'],
          customSql: [
            { query: 'select * from ANALYTICS.MARTS.REFUNDS', tables: ['ANALYTICS.MARTS.REFUNDS'] },
            { query: 'select 1 from ANALYTICS.MARTS.RETURNS', tables: ['ANALYTICS.MARTS.RETURNS'] },
          ],
        },
        { name: 'Payments', publishedDatasourceLuids: ['pds-payments'] },
      ],
    },
    {
      luid: 'wb-ops',
      name: 'Ops',
      projectLuid: OPS_PROJECT,
      embeddedDatasources: [
        {
          name: 'Shipments',
          customSql: [
            {
              query: 'select * from ANALYTICS.MARTS.SHIPMENTS',
              tables: ['ANALYTICS.MARTS.SHIPMENTS'],
            },
          ],
        },
      ],
    },
  ],
};

const model = (name: string) =>
  node({ uniqueId: `model.shop.${name}`, name, schema: 'marts', identifier: name });
const dbt = manifest(
  ['orders', 'payments', 'refunds', 'returns', 'shipments', 'customers', 'ledger'].map(model),
);

/** The lineage of a listing, without the moment it was built. */
function lineageOf(workbooks: TableauWorkbook[]) {
  const { generatedAt: _, ...lineage } = buildExposureLineage({ manifest: dbt, workbooks });
  return lineage;
}

const isFallbackWarning = (line: { level: string; data: unknown }) =>
  line.level === 'warn' &&
  (line.data as { event?: string } | undefined)?.event === 'tableau_custom_sql_filtered';

const VERSIONS: MockTableauVersion[] = ['2021.4', '2022.1', '2023.3', 'cloud'];

for (const version of VERSIONS) {
  t.test(`Tableau ${version}: the same lineage with and without FILTER_REQUIRED`, async (t) => {
    const admin = await startMock(t, { siteModel, tableauVersion: version });
    const explorer = await startMock(t, {
      siteModel,
      tableauVersion: version,
      filterRequired: true,
    });
    const log = captureLogger();
    const asAdmin = await createTableauClient(clientOptions(admin)).listWorkbooks();
    const client = createTableauClient(clientOptions(explorer, { logger: log.logger }));
    // The two servers differ by their port only, which browser URLs carry.
    const asExplorer = JSON.parse(
      JSON.stringify(await client.listWorkbooks()).replaceAll(explorer.url, admin.url),
    ) as TableauWorkbook[];

    t.equal(explorer.counters.invalidDocuments, 0, 'every document valid for this release');
    t.same(asExplorer, asAdmin, 'the same workbooks, data sources, tables and custom SQL');
    const sales = asExplorer.find((w) => w.name === 'Sales');
    t.same(sales?.embeddedDatasources.flatMap((d) => d.customSql.map((sql) => sql.query)).sort(), [
      'select * from ANALYTICS.MARTS.REFUNDS',
      'select 1 from ANALYTICS.MARTS.RETURNS',
    ]);
    t.same(
      sales?.publishedDatasources.flatMap((d) => d.customSql.map((sql) => sql.query)),
      ['select * from analytics.marts.payments'],
      'custom SQL of a published data source the workbook uses',
    );
    t.same(lineageOf(asExplorer), lineageOf(asAdmin), 'the same lineage');
    const sql = lineageOf(asExplorer).exposures.find((e) => e.label === 'Sales');
    t.same(
      sql?.dependsOn.map((d) => d.uniqueId).sort(),
      [
        'model.shop.customers',
        'model.shop.orders',
        'model.shop.payments',
        'model.shop.refunds',
        'model.shop.returns',
      ],
      'lineage through custom SQL is there',
    );
    t.equal(log.lines.filter(isFallbackWarning).length, 1, 'one warning');
    t.match(log.lines.find(isFallbackWarning)?.message, /FILTER_REQUIRED.*by id/);
    t.same(
      explorer.counters.graphql.customSQLTablesConnection,
      2,
      'the refused site-wide page, then one page by id',
    );
    assertNoSecrets(asserter(t), log.lines, asExplorer, explorer.requests);
  });
}

t.test('the fallback reads the custom SQL of the workbooks in scope only', async (t) => {
  const explorer = await startMock(t, { siteModel, filterRequired: true });
  const client = createTableauClient(clientOptions(explorer));
  const ops = await client.listWorkbooks({ projects: ['Ops'] });
  t.same(
    ops.map((w) => [w.name, w.embeddedDatasources.flatMap((d) => d.customSql.map((s) => s.query))]),
    [['Ops', ['select * from ANALYTICS.MARTS.SHIPMENTS']]],
  );
  const none = await client.listWorkbooks({ include: ['Nothing*'] });
  t.same(none, []);
});

t.test('the fallback stays within maxListingPages', async (t) => {
  const explorer = await startMock(t, { siteModel, filterRequired: true });
  // 1 workbook page, 1 published data source page, 1 custom SQL page (refused), then the ids of
  // the workbooks (1 page) and of the data sources (1 page): the custom SQL by id is one too many.
  const client = createTableauClient(clientOptions(explorer, { maxListingPages: 2 }));
  const error = (await rejection(client.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_RESPONSE_TOO_LARGE');
  t.match(error.message, /list custom SQL by id: .*more than 2 pages \(maxListingPages\)/);
});

t.test('refused even by id: a coded error that says what to grant', async (t) => {
  const explorer = await startMock(t, { siteModel, filterRequired: true });
  // A Tableau that refuses the filtered form as well (the mock accepts it, as FILTER_REQUIRED asks).
  const refusing: FetchLike = async (url, init) => {
    if (typeof init?.body === 'string' && init.body.includes('DbtAutoExposuresCustomSqlById')) {
      const body = JSON.stringify({
        data: null,
        errors: [{ message: 'Filter required', extensions: { code: 'FILTER_REQUIRED' } }],
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return fetch(url, init as RequestInit);
  };
  const client = createTableauClient(clientOptions(explorer, { fetch: refusing }));
  const error = (await rejection(client.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_GRAPHQL');
  t.equal(error.tableauCode, 'FILTER_REQUIRED');
  t.match(error.message, /again to the listing by id.*Site Administrator Explorer/);
});

/** A raw GraphQL caller signed in to `mock`, asking custom SQL tables with `filter`. */
async function customSqlAsker(mock: MockTableauServer) {
  const token = await signIn(mock, mock.token.name, mock.token.secret);
  return async (filter: string) => {
    const res = await fetch(`${mock.url}/api/metadata/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tableau-auth': token },
      body: JSON.stringify({
        query: `{ customSQLTablesConnection${filter} { totalCount nodes { id query } } }`,
      }),
    });
    return (await res.json()) as {
      data?: { customSQLTablesConnection: { totalCount: number } } | null;
      errors?: { message?: string; extensions?: { code?: string } }[];
    };
  };
}

t.test('the mock under filterRequired accepts custom SQL by id only', async (t) => {
  const explorer = await startMock(t, { siteModel, filterRequired: true });
  const ask = await customSqlAsker(explorer);
  t.equal((await ask('')).errors?.[0]?.extensions?.code, 'FILTER_REQUIRED');
  t.equal(
    (await ask('(filter: { idWithin: [] })')).errors?.[0]?.extensions?.code,
    'FILTER_REQUIRED',
  );
  const id =
    explorer.site.workbooks.find((w) => w.luid === 'wb-ops')?.embeddedDatasources[0]?.customSql[0]
      ?.id ?? '';
  const one = await ask(`(filter: { idWithin: ["${id}"] })`);
  t.equal(one.data?.customSQLTablesConnection.totalCount, 1, 'by id: answered, filtered');
  t.equal(
    (await ask('(filter: { nameWithin: ["x"] })')).errors?.[0]?.extensions?.code,
    'FILTER_REQUIRED',
  );
});

t.test(
  'the mock filters custom SQL by idWithin, and refuses a filter it does not model',
  async (t) => {
    const admin = await startMock(t, { siteModel });
    const ask = await customSqlAsker(admin);
    t.equal((await ask('')).data?.customSQLTablesConnection.totalCount, 5, 'the whole site');
    const other = await ask('(filter: { nameWithin: ["x"] })');
    t.equal(other.errors?.[0]?.extensions?.code, 'INVALID_ARGUMENT');
    t.match(other.errors?.[0]?.message, /idWithin only, not nameWithin/);
  },
);
