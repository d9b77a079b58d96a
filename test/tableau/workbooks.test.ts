import t from 'tap';
import type { ConfigError, TableauApiError } from '../../src/errors.js';
import { createTableauClient } from '../../src/tableau/client.js';
import { projectPaths } from '../../src/tableau/rest-list.js';
import type { TableauWarning } from '../../src/tableau/types.js';
import { isPersonalSpace } from '../../src/tableau/workbooks.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { clientOptions, rejection, startMock } from './harness.js';
import { captureLogger, startScriptedServer } from './scripted-server.js';

const L = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
const P = (i: number) => L('40000000', i);
const W = (i: number) => L('50000000', i);
const C = (i: number) => L('60000000', i);

const siteModel: MockSiteInput = {
  projects: [
    { luid: P(1), name: 'Sales' },
    { luid: P(2), name: 'Finance' },
    { luid: P(3), name: 'Reporting', parentLuid: P(2) },
  ],
  workbooks: [
    { luid: W(1), name: 'Sales Overview', projectName: 'Sales', projectLuid: P(1), tags: ['kpi'] },
    { luid: W(2), name: 'Sales Draft', projectName: 'Sales', projectLuid: P(1), tags: ['draft'] },
    {
      luid: W(3),
      name: 'Budget',
      projectName: 'Finance',
      projectLuid: P(2),
      tags: ['kpi', 'finance'],
    },
    { luid: W(4), name: 'Monthly Close', projectName: 'Reporting', projectLuid: P(3) },
    { luid: W(5), name: 'My Scratch', personalSpace: true },
  ],
  collections: [
    {
      luid: C(1),
      name: 'Exec',
      items: [
        { type: 'workbook', luid: W(1) },
        { type: 'workbook', luid: W(4) },
      ],
    },
    { luid: C(2), name: 'Empty', items: [] },
  ],
};

const names = (wbs: { name: string }[]) => wbs.map((w) => w.name);

t.test('filters: projects, tags, globs, personal space', async (t) => {
  const mock = await startMock(t, { siteModel });
  const client = createTableauClient(clientOptions(mock));
  t.same(names(await client.listWorkbooks()), [
    'Budget',
    'Monthly Close',
    'Sales Draft',
    'Sales Overview',
  ]);
  t.same(names(await client.listWorkbooks({ includePersonalSpace: true })), [
    'Budget',
    'Monthly Close',
    'My Scratch',
    'Sales Draft',
    'Sales Overview',
  ]);
  const warnings: TableauWarning[] = [];
  t.same(
    names(await client.listWorkbooks({ projects: ['Sales'], onWarning: (w) => warnings.push(w) })),
    ['Sales Draft', 'Sales Overview'],
  );
  t.equal(warnings[0]?.code, 'PERMISSIONS_MODE_SWITCHED', 'Tableau warning surfaced, not thrown');
  t.same(names(await client.listWorkbooks({ projects: [P(2), P(3)] })), [
    'Budget',
    'Monthly Close',
  ]);
  t.same(names(await client.listWorkbooks({ projects: ['Sales', P(3)] })), [
    'Monthly Close',
    'Sales Draft',
    'Sales Overview',
  ]);
  t.same(names(await client.listWorkbooks({ tags: ['kpi'] })), ['Budget', 'Sales Overview']);
  t.same(names(await client.listWorkbooks({ include: ['Sales *'], exclude: ['* Draft'] })), [
    'Sales Overview',
  ]);
  t.same(names(await client.listWorkbooks({ projects: ['sales'] })), [], 'case-sensitive');
});

t.test('filters apply on every page', async (t) => {
  const workbooks = Array.from({ length: 120 }, (_, i) => ({
    luid: L('70000000', i),
    name: `${i % 3 === 0 ? 'keep' : 'drop'} ${i}`,
    projectName: 'Sales',
    tags: i % 2 === 0 ? ['even'] : [],
  }));
  const mock = await startMock(t, { workbooks });
  const client = createTableauClient(clientOptions(mock, { pageSize: 10 }));
  const progress: number[] = [];
  const found = await client.listWorkbooks({
    include: ['keep *'],
    tags: ['even'],
    onProgress: (p) => progress.push(p.pagesFetched),
  });
  t.equal(found.length, 20, 'every 6th of 120');
  t.equal(progress.length, 12);
});

t.test('collections: by name or luid; an empty one lists nothing', async (t) => {
  const mock = await startMock(t, { siteModel });
  const client = createTableauClient(clientOptions(mock));
  t.same(names(await client.listWorkbooks({ collections: ['Exec'] })), [
    'Monthly Close',
    'Sales Overview',
  ]);
  t.same(names(await client.listWorkbooks({ collections: [C(1)], tags: ['kpi'] })), [
    'Sales Overview',
  ]);
  const before = mock.counters.requests.graphql;
  t.same(await client.listWorkbooks({ collections: ['Empty'] }), []);
  t.equal(mock.counters.requests.graphql, before, 'no Metadata API call for an empty collection');
  const error = (await rejection(client.listWorkbooks({ collections: ['Nope'] }))) as ConfigError;
  t.equal(error.code, 'ERR_INVALID_OPTION');
  t.equal(error.field, 'collections');
});

t.test('collections on a server older than 3.28 is ERR_TABLEAU_UNSUPPORTED', async (t) => {
  const mock = await startMock(t, { siteModel, apiVersion: '3.27' });
  const client = createTableauClient(clientOptions(mock));
  const error = (await rejection(
    client.listWorkbooks({ collections: ['Exec'] }),
  )) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_UNSUPPORTED');
  t.match(error.message, /needs Tableau REST API 3\.28 or later .* this server speaks 3\.27/);
  t.equal(mock.counters.requests.collections, 0);
});

t.test('a time limit with partial data retries the page smaller, then succeeds', async (t) => {
  const mock = await startMock(t, {
    siteModel,
    faults: { graphql: { kind: 'graphql-errors' } },
  });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { pageSize: 4, logger: log.logger }));
  const found = await client.listWorkbooks();
  t.same(names(found), ['Budget', 'Monthly Close', 'Sales Draft', 'Sales Overview']);
  t.ok(log.lines.some((l) => /asking again with 2 per page/.test(l.message)));
});

t.test('nested project paths resolve through the REST project list', async (t) => {
  const page = (nodes: object[]) =>
    JSON.stringify({
      data: {
        workbooksConnection: {
          totalCount: nodes.length,
          pageInfo: { hasNextPage: false, endCursor: null },
          nodes,
        },
      },
    });
  const graphqlBodies: string[] = [];
  const server = await startScriptedServer((req) => {
    if (req.url.endsWith('/serverinfo'))
      return { body: '{"serverInfo":{"restApiVersion":"3.22"}}' };
    if (req.url.endsWith('/signin'))
      return { body: '{"credentials":{"token":"tok","site":{"id":"site"},"user":{"id":"u"}}}' };
    if (req.url.includes('/projects?'))
      return {
        body: JSON.stringify({
          pagination: { pageNumber: '1', pageSize: '1000', totalAvailable: '3' },
          projects: {
            project: [
              { id: P(2), name: 'Finance' },
              { id: P(3), name: 'Reporting', parentProjectId: P(2) },
              { id: P(4), name: 'Reporting' },
            ],
          },
        }),
      };
    if (req.body.includes('customSQLTablesConnection'))
      return {
        body: '{"data":{"customSQLTablesConnection":{"nodes":[],"pageInfo":{"hasNextPage":false}}}}',
      };
    if (req.body.includes('publishedDatasourcesConnection'))
      return {
        body: '{"data":{"publishedDatasourcesConnection":{"nodes":[],"pageInfo":{"hasNextPage":false}}}}',
      };
    graphqlBodies.push(req.body);
    return {
      body: page([
        { luid: W(4), name: 'Close', projectName: 'Reporting', projectLuid: P(3) },
        { luid: W(6), name: 'Other', projectName: 'Reporting', projectLuid: P(4) },
      ]),
    };
  });
  t.teardown(() => server.close());
  const client = createTableauClient(clientOptions({ url: server.url, siteName: 's' }));
  t.same(names(await client.listWorkbooks({ projects: ['Finance/Reporting'] })), ['Close']);
  t.same(JSON.parse(graphqlBodies[0] ?? '{}').variables.filter, { projectLuidWithin: [P(3)] });
  const error = (await rejection(
    client.listWorkbooks({ projects: ['Finance/Nope'] }),
  )) as ConfigError;
  t.equal(error.code, 'ERR_INVALID_OPTION');
  t.match(error.message, /no project "Finance\/Nope"/);
});

t.test('invalid filter options are refused before any request', async (t) => {
  const mock = await startMock(t, { siteModel });
  const client = createTableauClient(clientOptions(mock));
  for (const [options, field] of [
    [{ projects: [''] }, 'projects'],
    [{ tags: 'kpi' }, 'tags'],
    [{ pageSize: 0 }, 'pageSize'],
    [{ pageSize: 1001 }, 'pageSize'],
    [{ includePersonalSpace: 'yes' }, 'includePersonalSpace'],
  ] as const) {
    const error = (await rejection(client.listWorkbooks(options as never))) as ConfigError;
    t.equal(error.field, field);
    t.equal(error.code, 'ERR_INVALID_OPTION');
  }
  t.equal(mock.counters.total, 0);
});

t.test('isPersonalSpace and projectPaths', async (t) => {
  t.equal(isPersonalSpace({ projectName: 'Personal Space', projectLuid: null }), true);
  t.equal(isPersonalSpace({ projectName: null, projectLuid: null }), true);
  t.equal(isPersonalSpace({ projectName: 'Personal Space', projectLuid: P(1) }), false);
  t.equal(isPersonalSpace({ projectName: 'Sales', projectLuid: null }), false);
  t.same(
    projectPaths([
      { luid: 'a', name: 'A', parentLuid: null },
      { luid: 'b', name: 'B', parentLuid: 'a' },
      { luid: 'c', name: 'C', parentLuid: 'b' },
      { luid: 'x', name: 'X', parentLuid: 'y' },
      { luid: 'y', name: 'Y', parentLuid: 'x' },
    ]),
    new Map([
      ['a', 'A'],
      ['b', 'A/B'],
      ['c', 'A/B/C'],
      ['x', 'Y/X'],
      ['y', 'X/Y'],
    ]),
  );
});
