/**
 * The release matrix of issue 16: each scenario against each Tableau release the mock simulates
 * (Server 2021.4, 2022.1, 2023.3 and Cloud), each with a mock that validates every GraphQL
 * document against Tableau's published schema as that release serves it. Scenarios: listing,
 * custom SQL and refresh times through the public client; the mock's own schema guard.
 * server-versions.slow.test.ts runs every case; server-versions.test.ts the covering subset
 * (`RELEASE_FACETS`): every release, every scenario, and each scenario with and without
 * `Workbook.projectLuid` (Server 2022.3), the one feature the client's documents depend on.
 */
import type { Test } from 'tap';
import { createTableauClient, type TableauWarning, type TableauWorkbook } from '../../src/index.js';
import {
  createMockTableauServer,
  type MockSiteInput,
  type MockTableauVersion,
} from '../../src/testing/index.js';
import type { Facet } from '../helpers/covering.js';
import { signIn } from '../testing/mock-helpers.js';
import { clientOptions, startMock } from './harness.js';

const FINANCE = '0000000f-0000-4000-8000-000000000001';
const FINANCE_REPORTING = '0000000f-0000-4000-8000-000000000002';
const MARKETING_REPORTING = '0000000f-0000-4000-8000-000000000003';

export const siteModel: MockSiteInput = {
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

type Release = (typeof VERSIONS)[number];

/** Listing, custom SQL and refresh times through the public client. */
async function listing(t: Test, { version, projectLuid }: Release): Promise<void> {
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
}

/** A raw Metadata API request to `mock` with a session token. */
const ask = async (mock: { url: string }, token: string, query: string, variables: object = {}) => {
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

/** The mock rejects any field, argument or filter the release lacks. */
async function schemaGuard(t: Test, { version, projectLuid }: Release): Promise<void> {
  const mock = await createMockTableauServer({ siteModel, tableauVersion: version });
  t.teardown(() => mock.close());
  const token = await signIn(mock, mock.token.name, mock.token.secret);
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

const SCENARIOS = [
  { name: 'listing, custom SQL, refresh times', run: listing },
  { name: 'the mock rejects any field, argument or filter the release lacks', run: schemaGuard },
];

export interface ReleaseCase {
  release: Release;
  scenario: (typeof SCENARIOS)[number];
}

/** Every scenario on every release, by release. */
export const RELEASE_CASES: ReleaseCase[] = VERSIONS.flatMap((release) =>
  SCENARIOS.map((scenario) => ({ release, scenario })),
);

/** What `npm test` covers of the matrix (see the file comment). */
export const RELEASE_FACETS: Facet<ReleaseCase>[] = [
  (c) => c.release.version,
  (c) => c.scenario.name,
  (c) => `${c.scenario.name}, projectLuid ${c.release.projectLuid}`,
];

export function releaseCaseName(c: ReleaseCase): string {
  return `Tableau ${c.release.version}: ${c.scenario.name}`;
}

export function runReleaseCase(t: Test, c: ReleaseCase): Promise<void> {
  return c.scenario.run(t, c.release);
}
