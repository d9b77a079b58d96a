/**
 * Issue 16: the client against every Tableau release the mock simulates (Server 2021.4, 2022.1,
 * 2023.3 and Cloud), each with a mock that validates every GraphQL document against Tableau's
 * published schema as that release serves it. Listing, refresh times and custom SQL, through the
 * public API only.
 */
import t from 'tap';
import {
  buildExposureLineage,
  createTableauClient,
  type TableauApiError,
  type TableauWarning,
  type TableauWorkbook,
} from '../../src/index.js';
import {
  createMockTableauServer,
  type MockSiteInput,
  type MockTableauVersion,
} from '../../src/testing/index.js';
import { manifest, node } from '../lineage/helpers/builders.js';
import { clientOptions, rejection, startMock } from './harness.js';

const FINANCE = '0000000f-0000-4000-8000-000000000001';
const FINANCE_REPORTING = '0000000f-0000-4000-8000-000000000002';
const MARKETING_REPORTING = '0000000f-0000-4000-8000-000000000003';

const siteModel: MockSiteInput = {
  projects: [
    { luid: FINANCE, name: 'Finance' },
    { luid: FINANCE_REPORTING, name: 'Reporting', parentLuid: FINANCE },
    { luid: MARKETING_REPORTING, name: 'Reporting' },
  ],
  publishedDatasources: [
    {
      luid: 'pds-orders',
      name: 'Orders',
      hasExtracts: true,
      extractLastRefreshTime: '2024-05-01T00:00:00Z',
      // Refreshed incrementally since the last full refresh.
      extractLastUpdateTime: '2024-05-03T06:00:00Z',
      tables: ['ANALYTICS.MARTS.ORDERS'],
      customSql: [
        { query: 'select * from analytics.marts.payments', tables: ['ANALYTICS.MARTS.PAYMENTS'] },
      ],
    },
  ],
  workbooks: [
    {
      luid: 'wb-sales',
      name: 'Sales',
      projectLuid: FINANCE_REPORTING,
      embeddedDatasources: [
        {
          name: 'Extract',
          hasExtracts: true,
          extractLastRefreshTime: '2024-05-01T00:00:00Z',
          extractLastUpdateTime: '2024-05-02T00:00:00Z',
          tables: [
            'ANALYTICS.MARTS.CUSTOMERS',
            { name: 'SALARIES', schema: 'HR', databaseName: 'ANALYTICS', hidden: true },
          ],
          customSql: [
            { query: 'select * from ANALYTICS.MARTS.REFUNDS', tables: ['ANALYTICS.MARTS.REFUNDS'] },
          ],
        },
        { name: 'Orders', publishedDatasourceLuids: ['pds-orders'] },
      ],
    },
    {
      luid: 'wb-campaigns',
      name: 'Campaigns',
      projectLuid: MARKETING_REPORTING,
      embeddedDatasources: [{ name: 'Live', tables: ['ANALYTICS.MARTS.SESSIONS'] }],
    },
  ],
};

const VERSIONS: { version: MockTableauVersion; projectLuid: boolean }[] = [
  { version: '2021.4', projectLuid: false },
  { version: '2022.1', projectLuid: false },
  { version: '2023.3', projectLuid: true },
  { version: 'cloud', projectLuid: true },
];

const tableNames = (tables: { fullName: string | null; name: string }[]) =>
  tables.map((table) => table.fullName ?? table.name);

for (const { version, projectLuid } of VERSIONS) {
  t.test(`Tableau ${version}: listing, custom SQL, refresh times`, async (t) => {
    const mock = await startMock(t, { siteModel, tableauVersion: version });
    const client = createTableauClient(clientOptions(mock));
    const warnings: TableauWarning[] = [];
    const workbooks = await client.listWorkbooks({ onWarning: (w) => warnings.push(w) });
    t.equal(mock.counters.invalidDocuments, 0, 'every document valid for this release');
    t.equal(mock.counters.requests.serverinfo, 1, 'serverinfo read once');
    t.same(
      workbooks.map((w) => [w.name, w.projectName, w.projectLuid]),
      [
        ['Campaigns', 'Reporting', projectLuid ? MARKETING_REPORTING : null],
        ['Sales', 'Reporting', projectLuid ? FINANCE_REPORTING : null],
      ],
    );
    const sales = workbooks.find((w) => w.name === 'Sales') as TableauWorkbook;
    const extract = sales.embeddedDatasources.find((d) => d.name === 'Extract');
    t.same(tableNames(extract?.tables ?? []), ['', '[MARTS].[CUSTOMERS]']);
    t.same(
      extract?.tables.find((table) => table.name === ''),
      { name: '', fullName: null, schema: null, databaseName: null, connectionType: null },
      'the hidden table is kept, with its names nulled',
    );
    t.same(
      extract?.customSql.map((sql) => [sql.query, tableNames(sql.tables)]),
      [['select * from ANALYTICS.MARTS.REFUNDS', ['[MARTS].[REFUNDS]']]],
      'custom SQL of an embedded data source',
    );
    t.equal(extract?.extractLastRefreshTime, '2024-05-02T00:00:00Z', 'extractLastUpdateTime wins');
    const orders = sales.publishedDatasources[0];
    t.equal(orders?.luid, 'pds-orders');
    t.same(tableNames(orders?.tables ?? []), ['[MARTS].[ORDERS]'], 'published tables, once');
    t.same(
      orders?.customSql.map((sql) => sql.query),
      ['select * from analytics.marts.payments'],
      'custom SQL of a published data source',
    );
    t.equal(orders?.extractLastRefreshTime, '2024-05-03T06:00:00Z');
    t.same(
      warnings.filter((w) => w.code === 'HIDDEN_BY_PERMISSIONS').length,
      1,
      'one warning for hidden tables',
    );
    t.match(warnings.find((w) => w.code === 'HIDDEN_BY_PERMISSIONS')?.message, /View capability/);

    // Nested project paths: by luid from 2022.3, by name (with a warning) before.
    const scoped: TableauWarning[] = [];
    const inFinance = await client.listWorkbooks({
      projects: ['Finance/Reporting'],
      onWarning: (w) => scoped.push(w),
    });
    if (projectLuid) {
      t.same(
        inFinance.map((w) => w.name),
        ['Sales'],
      );
    } else {
      t.same(
        inFinance.map((w) => w.name),
        ['Campaigns', 'Sales'],
        'projects match by name before 2022.3',
      );
      t.match(scoped.find((w) => w.code === 'PROJECT_NAME_AMBIGUOUS')?.message, /Reporting/);
    }
    const byLuid = await client.listWorkbooks({ projects: [MARKETING_REPORTING] });
    t.same(
      byLuid.map((w) => w.name),
      projectLuid ? ['Campaigns'] : ['Campaigns', 'Sales'],
    );

    // Refresh times: the newest refresh of any kind.
    const times = await client.getLastRefreshTimes([
      { kind: 'workbook', luid: 'wb-sales', name: 'Sales' },
      { kind: 'datasource', luid: 'pds-orders', name: 'Orders' },
    ]);
    t.same(
      [...times].map(([key, time]) => [key, time?.toISOString() ?? null]),
      [
        ['datasource:pds-orders', '2024-05-03T06:00:00.000Z'],
        ['workbook:wb-sales', '2024-05-02T00:00:00.000Z'],
      ],
    );
    // An incremental refresh moves extractLastUpdateTime only: the client sees it.
    mock.setJobPlan(
      { kind: 'datasource', luid: 'pds-orders' },
      { incremental: true, queuedMs: 0, runMs: 0 },
    );
    const trigger = await client.refresh({ kind: 'datasource', luid: 'pds-orders', name: 'O' });
    t.equal(trigger.status, 'queued');
    if (trigger.status === 'queued')
      t.equal((await client.waitForJob(trigger.jobId)).status, 'success');
    const after = await client.getLastRefreshTimes([
      { kind: 'datasource', luid: 'pds-orders', name: 'Orders' },
    ]);
    const refreshed = after.get('datasource:pds-orders');
    t.ok(refreshed !== undefined && refreshed !== null && refreshed > new Date('2024-06-01'));
    t.equal(
      mock.site.publishedDatasources[0]?.extractLastRefreshTime,
      '2024-05-01T00:00:00Z',
      'the last FULL refresh did not move',
    );
    t.equal(mock.counters.invalidDocuments, 0);
    await client.signOut();
  });
}

t.test('the mock rejects any field, argument or filter the release lacks', async (t) => {
  const ask = async (
    mock: { url: string },
    token: string,
    query: string,
    variables: object = {},
  ) => {
    const res = await fetch(`${mock.url}/api/metadata/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-tableau-auth': token,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  };
  for (const { version, projectLuid } of VERSIONS) {
    const mock = await createMockTableauServer({ siteModel, tableauVersion: version });
    t.teardown(() => mock.close());
    const signin = await fetch(`${mock.url}/api/${mock.apiVersion}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        credentials: {
          personalAccessTokenName: mock.token.name,
          personalAccessTokenSecret: mock.token.secret,
          site: { contentUrl: mock.siteName },
        },
      }),
    });
    const token = ((await signin.json()) as { credentials: { token: string } }).credentials.token;
    const field = await ask(mock, token, '{ workbooksConnection { nodes { luid projectLuid } } }');
    const filter = await ask(
      mock,
      token,
      'query Q($f: Workbook_Filter) { workbooksConnection(filter: $f) { nodes { luid } } }',
      { f: { projectLuidWithin: [FINANCE] } },
    );
    // Labels (Server 2023.1) and Pulse-era fields never exist on 2021.4.
    const labels = await ask(
      mock,
      token,
      '{ workbooksConnection { nodes { luid upstreamLabels { id } } } }',
    );
    if (projectLuid) {
      t.equal(field.errors, undefined, `${version}: Workbook.projectLuid exists`);
      t.equal(filter.errors, undefined, `${version}: projectLuidWithin exists`);
    } else {
      t.match(field.errors?.[0]?.message, /Cannot query field "projectLuid" on type "Workbook"/);
      t.equal(field.data, undefined, `${version}: nothing of the query is run`);
      t.match(
        filter.errors?.[0]?.message,
        /projectLuidWithin/,
        `${version}: filter variable checked`,
      );
      t.ok(labels.errors !== undefined, `${version}: upstreamLabels came with 2023.1`);
    }
    const info = (await (
      await fetch(`${mock.url}/api/3.6/serverinfo`, { headers: { accept: 'application/json' } })
    ).json()) as { serverInfo: { productVersion: { value: string }; restApiVersion: string } };
    t.match(info.serverInfo.productVersion.value, version === 'cloud' ? /^20\d\d\.\d/ : version);
    t.equal(info.serverInfo.restApiVersion, mock.apiVersion);
  }
});

t.test('tables hidden by permissions are reported as such in the lineage', async (t) => {
  const mock = await startMock(t, { siteModel });
  const client = createTableauClient(clientOptions(mock));
  const workbooks = await client.listWorkbooks();
  const lineage = buildExposureLineage({
    manifest: manifest([
      node({
        uniqueId: 'model.shop.customers',
        name: 'customers',
        schema: 'marts',
        identifier: 'customers',
      }),
    ]),
    workbooks,
  });
  const sales = lineage.exposures.find((e) => e.label === 'Sales');
  t.same(
    sales?.unmatchedTables.filter((u) => u.reason === 'hidden_by_permissions').map((u) => u.table),
    ['(hidden by permissions)'],
  );
});

t.test('RATE_EXCEEDED is retried with backoff, within the bounds', async (t) => {
  const mock = await startMock(t, {
    siteModel,
    faults: { graphql: { fault: { kind: 'rate-exceeded' }, times: 2 } },
  });
  const client = createTableauClient(clientOptions(mock));
  t.equal((await client.listWorkbooks()).length, 2, 'listed after two throttled answers');
  t.equal(mock.counters.faults, 2);

  const throttled = await startMock(t, {
    siteModel,
    faults: { graphql: { fault: { kind: 'rate-exceeded' }, times: Number.POSITIVE_INFINITY } },
  });
  const bounded = createTableauClient(clientOptions(throttled, { retries: 2 }));
  const error = (await rejection(bounded.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_GRAPHQL');
  t.equal(error.tableauCode, 'RATE_EXCEEDED');
  t.ok(throttled.counters.requests.graphql <= 9, 'at most 3 attempts per listing');
});

t.test('pages are sized from the node budget measured on the first page', async (t) => {
  const workbooks = Array.from({ length: 3000 }, (_, i) => ({
    luid: `wb-${String(i).padStart(5, '0')}`,
    name: `Workbook ${i}`,
    projectName: 'Sales',
    embeddedDatasources: [{ name: 'Live', tables: ['ANALYTICS.MARTS.ORDERS'] }],
  }));
  const mock = await startMock(t, { workbooks });
  const client = createTableauClient(clientOptions(mock));
  t.equal((await client.listWorkbooks()).length, 3000);
  // 100 on the first page, then 1,000 (Tableau's largest page) since these fit the budget.
  t.equal(mock.counters.graphql.workbooksConnection, 4);
  t.ok(Object.values(mock.counters.graphqlNodes).every((n) => n > 0));

  // A server with a lower node limit: a page that hits it is halved, and stays that size.
  const strict = await startMock(t, { workbooks, nodeLimit: 5000 });
  const small = createTableauClient(clientOptions(strict));
  t.equal((await small.listWorkbooks()).length, 3000);
  t.ok(
    (strict.counters.graphql.workbooksConnection ?? 0) < 30,
    'still far fewer pages than 100 per page',
  );
});
