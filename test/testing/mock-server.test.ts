import t from 'tap';
import {
  CUSTOM_SQL_QUERY,
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
  WORKBOOK_REFRESH_TIMES_QUERY,
  workbooksQuery,
} from '../../src/tableau/queries.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import { graphql, JSON_HEADERS, type Json, rest, signIn, signInBody } from './mock-helpers.js';

/** The workbooks document for a server with every feature (Cloud). */
const WORKBOOKS_QUERY = workbooksQuery({ projectLuid: true });

const V = '3.28';

/** A small hand-written site: one extract workbook, one live workbook, one published source. */
const SITE: MockSiteInput = {
  contentUrl: 'acme',
  luid: 'site-luid',
  projects: [{ luid: 'p-fin', name: 'Finance' }],
  publishedDatasources: [
    {
      luid: 'pds-1',
      name: 'Orders (published)',
      hasExtracts: true,
      extractLastRefreshTime: '2024-05-01T00:00:00Z',
      tables: ['ANALYTICS.MARTS.ORDERS'],
    },
    { luid: 'pds-live', name: 'Live source', tables: ['ANALYTICS.MARTS.CUSTOMERS'] },
  ],
  workbooks: [
    {
      luid: 'wb-extract',
      name: 'Sales',
      projectLuid: 'p-fin',
      tags: ['finance'],
      embeddedDatasources: [
        {
          name: 'Sales extract',
          hasExtracts: true,
          extractLastRefreshTime: null,
          tables: ['ANALYTICS.MARTS.PAYMENTS'],
          customSql: [
            { query: 'select * from analytics.marts.orders', tables: ['ANALYTICS.MARTS.ORDERS'] },
          ],
          publishedDatasourceLuids: ['pds-1'],
        },
      ],
    },
    {
      luid: 'wb-live',
      name: 'Live board',
      projectName: 'Marketing',
      embeddedDatasources: [{ name: 'Live', tables: ['RAW.WEB.EVENTS'] }],
    },
  ],
  collections: [
    {
      luid: 'col-1',
      name: 'Exec',
      items: [
        { type: 'workbook', luid: 'wb-extract' },
        { type: 'datasource', luid: 'pds-1' },
      ],
    },
  ],
};

t.test('serverinfo answers XML by default and JSON on request, without auth', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE, apiVersion: '3.27' });
  t.teardown(() => server.close());
  const xml = await rest(server, 'GET', '/api/3.6/serverinfo', { json: false });
  t.equal(xml.status, 200);
  t.match(xml.headers.get('content-type'), /application\/xml/);
  t.match(xml.text, /<restApiVersion>3\.27<\/restApiVersion>/);
  t.match(xml.text, /<productVersion build="[^"]+">2025\.3\.0<\/productVersion>/);
  const json = await rest(server, 'GET', '/api/3.6/serverinfo');
  t.same(json.json.serverInfo.restApiVersion, '3.27');
  const tooNew = await rest(server, 'GET', '/api/3.28/serverinfo');
  t.equal(tooNew.status, 404, 'a version above the server is not found');
  t.equal(tooNew.json.error.code, '404000');
});

t.test('PAT sign-in: JSON and XML bodies, exact credentials, one session per token', async (t) => {
  const server = await createMockTableauServer({
    siteModel: SITE,
    tokens: [
      { name: 'ci', secret: 's3cret' },
      { name: 'other', secret: 'x' },
    ],
    issueSessionToken: (n) => `session-${n}`,
  });
  t.teardown(() => server.close());
  const path = `/api/${V}/auth/signin`;

  const ok = await rest(server, 'POST', path, {
    body: signInBody('acme', 'ci', 's3cret'),
    contentType: 'application/json',
  });
  t.equal(ok.status, 200);
  t.same(ok.json.credentials.token, 'session-1');
  t.same(ok.json.credentials.site, { id: 'site-luid', contentUrl: 'acme' });
  t.ok(ok.json.credentials.user.id);

  const xmlBody =
    '<tsRequest><credentials personalAccessTokenName="ci" personalAccessTokenSecret="s3cret"><site contentUrl="acme"/></credentials></tsRequest>';
  const xml = await rest(server, 'POST', path, {
    body: xmlBody,
    contentType: 'application/xml',
    json: false,
  });
  t.equal(xml.status, 200);
  t.match(xml.text, /<credentials token="session-2"/);
  t.match(xml.text, /<site id="site-luid" contentUrl="acme" \/>/);

  // The first session ended when the same token signed in again.
  const stale = await rest(
    server,
    'POST',
    `/api/${V}/sites/site-luid/workbooks/wb-extract/refresh`,
    { token: 'session-1' },
  );
  t.equal(stale.status, 401);
  t.equal(stale.json.error.code, '401000');
  t.equal(server.activeSessions, 1);

  // Another token has its own session, leaving the first one alone.
  const other = await rest(server, 'POST', path, {
    body: signInBody('acme', 'other', 'x'),
    contentType: 'application/json',
  });
  t.equal(other.status, 200);
  t.equal(server.activeSessions, 2);

  for (const [label, body] of [
    ['wrong secret', signInBody('acme', 'ci', 'S3CRET')],
    ['wrong name case', signInBody('acme', 'CI', 's3cret')],
    ['wrong site', signInBody('Acme', 'ci', 's3cret')],
  ] as const) {
    const bad = await rest(server, 'POST', path, { body, contentType: 'application/json' });
    t.equal(bad.status, 401, label);
    t.same(
      bad.json.error,
      { code: '401001', summary: 'Signin Error', detail: 'Error signing in to Tableau Server' },
      label,
    );
  }
  const badXml = await rest(server, 'POST', path, {
    body: xmlBody.replace('s3cret', 'nope'),
    json: false,
  });
  t.match(badXml.text, /<error code="401001">/);
  const malformed = await rest(server, 'POST', path, {
    body: '{"nope":1}',
    contentType: 'application/json',
  });
  t.equal(malformed.status, 400);
  const notJson = await rest(server, 'POST', path, {
    body: '{oops',
    contentType: 'application/json',
  });
  t.equal(notJson.status, 400);
  const notXml = await rest(server, 'POST', path, { body: '<tsRequest/>', json: false });
  t.equal(notXml.status, 400);

  const c = server.counters;
  t.equal(c.signIns, 3);
  t.equal(c.failedSignIns, 4);
  t.equal(c.requests.signin, 10, '3 accepted, 4 rejected, 3 malformed');
  t.equal(c.unauthorized, 1);
});

t.test('sign-out ends the session; signing out twice is 401002', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const out = await rest(server, 'POST', `/api/${V}/auth/signout`, { token });
  t.equal(out.status, 204);
  t.equal(out.text, '');
  const again = await rest(server, 'POST', `/api/${V}/auth/signout`, { token });
  t.equal(again.status, 401);
  t.equal(again.json.error.code, '401002');
  const none = await rest(server, 'POST', `/api/${V}/auth/signout`);
  t.equal(none.status, 401);
  const after = await graphql(server, token, WORKBOOKS_QUERY, { first: 10 });
  t.equal(after.status, 401);
  t.equal(after.body.error.code, '401000');
  t.equal(server.counters.signOuts, 1);
  t.equal(server.activeSessions, 0);
});

/** A workbooks document asking published data sources nested in full (not the client's shape). */
const NESTED_WORKBOOKS_QUERY = `query W($first: Int!, $after: String, $filter: Workbook_Filter) {
  workbooksConnection(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      luid name projectName projectLuid tags { name }
      embeddedDatasources {
        id hasExtracts
        upstreamTables { id name fullName schema connectionType database { name connectionType } }
        upstreamDatasources { luid name }
      }
      upstreamDatasources { luid extractLastRefreshTime }
    }
  }
}`;

t.test('GraphQL workbooks: fields, filters, warnings', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const WORKBOOKS_QUERY = NESTED_WORKBOOKS_QUERY;
  const all = await graphql(server, token, WORKBOOKS_QUERY, {
    first: 10,
    after: null,
    filter: null,
  });
  t.equal(all.status, 200);
  const conn = all.body.data.workbooksConnection;
  t.equal(conn.totalCount, 2);
  t.same(conn.pageInfo.hasNextPage, false);
  t.equal(all.body.errors, undefined, 'no errors');
  const sales = conn.nodes.find((n: Json) => n.luid === 'wb-extract');
  t.equal(sales.projectName, 'Finance');
  t.equal(sales.projectLuid, 'p-fin');
  t.same(sales.tags, [{ name: 'finance' }]);
  t.equal(sales.embeddedDatasources[0].hasExtracts, true);
  t.same(sales.embeddedDatasources[0].upstreamTables[0], {
    id: sales.embeddedDatasources[0].upstreamTables[0].id,
    name: 'PAYMENTS',
    fullName: '[MARTS].[PAYMENTS]',
    schema: 'MARTS',
    connectionType: 'snowflake',
    database: { name: 'ANALYTICS', connectionType: 'snowflake' },
  });
  t.same(
    sales.embeddedDatasources[0].upstreamDatasources.map((d: Json) => [d.luid, d.name]),
    [['pds-1', 'Orders (published)']],
  );
  t.same(
    sales.upstreamDatasources.map((d: Json) => d.luid),
    ['pds-1'],
  );
  t.equal(sales.upstreamDatasources[0].extractLastRefreshTime, '2024-05-01T00:00:00Z');
  const live = conn.nodes.find((n: Json) => n.luid === 'wb-live');
  t.equal(live.projectName, 'Marketing', 'project created from its name');

  const byProject = await graphql(server, token, WORKBOOKS_QUERY, {
    first: 10,
    filter: { projectLuidWithin: ['p-fin'] },
  });
  t.same(
    byProject.body.data.workbooksConnection.nodes.map((n: Json) => n.luid),
    ['wb-extract'],
  );
  t.equal(byProject.body.data.workbooksConnection.totalCount, 1);
  const byName = await graphql(server, token, WORKBOOKS_QUERY, {
    first: 10,
    filter: { projectNameWithin: ['Marketing'] },
  });
  t.same(
    byName.body.data.workbooksConnection.nodes.map((n: Json) => n.luid),
    ['wb-live'],
  );
  t.same(byName.body.errors[0].extensions, {
    severity: 'WARNING',
    code: 'PERMISSIONS_MODE_SWITCHED',
    properties: { workbooksConnection: ['projectNameWithin'] },
  });
  const byWbName = await graphql(server, token, WORKBOOKS_QUERY, {
    first: 10,
    filter: { nameWithin: ['Sales'], luidWithin: ['wb-extract', 'x'] },
  });
  t.same(
    byWbName.body.data.workbooksConnection.nodes.map((n: Json) => n.luid),
    ['wb-extract'],
  );

  const times = await graphql(server, token, WORKBOOK_REFRESH_TIMES_QUERY, {
    luids: ['wb-live'],
    first: 1,
  });
  t.same(times.body.data.workbooksConnection.nodes, [
    {
      luid: 'wb-live',
      name: 'Live board',
      embeddedDatasources: [
        {
          id: live.embeddedDatasources[0].id,
          name: 'Live',
          hasExtracts: false,
          extractLastUpdateTime: null,
          extractLastRefreshTime: null,
        },
      ],
    },
  ]);
  const dsTimes = await graphql(server, token, PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY, {
    luids: ['pds-1'],
    first: 1,
  });
  t.same(
    dsTimes.body.data.publishedDatasourcesConnection.nodes.map((n: Json) => [
      n.luid,
      n.hasExtracts,
      n.extractLastRefreshTime,
    ]),
    [['pds-1', true, '2024-05-01T00:00:00Z']],
  );
  t.same(server.counters.graphql, { workbooksConnection: 5, publishedDatasourcesConnection: 1 });
});

t.test('GraphQL custom SQL points back at the data source that uses it', async (t) => {
  const server = await createMockTableauServer({
    siteModel: {
      ...SITE,
      publishedDatasources: [
        ...(SITE.publishedDatasources ?? []),
        {
          luid: 'pds-sql',
          name: 'SQL source',
          customSql: [{ query: 'select 2', isUnsupported: true }],
        },
      ],
    },
  });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const res = await graphql(server, token, CUSTOM_SQL_QUERY, { first: 10 });
  const nodes = res.body.data.customSQLTablesConnection.nodes;
  t.equal(nodes.length, 2);
  const embedded = nodes.find((n: Json) => n.query === 'select * from analytics.marts.orders');
  t.equal(embedded.isUnsupportedCustomSql, false);
  t.same(embedded.downstreamWorkbooks, [{ luid: 'wb-extract', name: 'Sales' }]);
  t.same(embedded.downstreamDatasources, []);
  const ref = embedded.columnsConnection.nodes[0].referencedByFields[0].datasource;
  t.equal(ref.__typename, 'EmbeddedDatasource');
  t.same(ref.workbook, { luid: 'wb-extract', name: 'Sales' });
  t.equal(embedded.tables[0].name, 'ORDERS');
  const published = nodes.find((n: Json) => n.query === 'select 2');
  t.equal(published.isUnsupportedCustomSql, true);
  t.same(published.tables, []);
  t.same(
    published.downstreamDatasources.map((d: Json) => d.luid),
    ['pds-sql'],
  );
  t.same(published.downstreamWorkbooks, [], 'no workbook uses it');
  t.equal(published.columnsConnection.nodes[0].referencedByFields[0].datasource.luid, 'pds-sql');
});

t.test('GraphQL rejects what it does not know', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const unknown = await graphql(
    server,
    token,
    'query { databaseTablesConnection(first: 1) { nodes { id } } }',
    {},
  );
  t.equal(unknown.status, 200);
  t.equal(unknown.body.data, undefined);
  t.equal(unknown.body.errors[0].extensions.code, 'INVALID_ARGUMENT');
  const badCursor = await graphql(server, token, WORKBOOKS_QUERY, {
    first: 1,
    after: 'bm90IGEgY3Vyc29y',
  });
  t.equal(badCursor.body.data, null);
  t.equal(badCursor.body.errors[0].extensions.code, 'INVALID_ARGUMENT');
  const res = await fetch(`${server.url}/api/metadata/graphql`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-tableau-auth': token },
    body: '{not json',
  });
  t.equal(res.status, 400);
  const noAuth = await graphql(server, 'nope', WORKBOOKS_QUERY, {});
  t.equal(noAuth.status, 401);
  t.same(server.counters.graphql.unknown, 1);
});

t.test('GraphQL documents are parsed: only the selected fields come back', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const document = `
    fragment Names on Workbook { name projectName }
    query Q($n: [String]) {
      workbooksConnection(first: 5, filter: { nameWithin: $n }) {
        total: totalCount
        nodes {
          ...Names
          key: luid
          owner { name }
          containsUnsupportedCustomSql
          upstreamDatasources { __typename ... on PublishedDatasource { luid } }
        }
      }
    }`;
  const res = await graphql(server, token, document, { n: ['Sales'] });
  t.same(res.body, {
    data: {
      workbooksConnection: {
        total: 1,
        nodes: [
          {
            name: 'Sales',
            projectName: 'Finance',
            key: 'wb-extract',
            owner: null,
            containsUnsupportedCustomSql: null,
            upstreamDatasources: [{ __typename: 'PublishedDatasource', luid: 'pds-1' }],
          },
        ],
      },
    },
  });
  t.same(server.counters.graphql, { workbooksConnection: 1 });

  // The operation named in the request is the one answered.
  const named = await fetch(`${server.url}/api/metadata/graphql`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-tableau-auth': token },
    body: JSON.stringify({
      query:
        'query A { workbooksConnection { nodes { luid } } } query B { publishedDatasourcesConnection(filter: { luidWithin: ["pds-1"] }) { nodes { luid } } }',
      operationName: 'B',
    }),
  });
  t.same(await named.json(), {
    data: { publishedDatasourcesConnection: { nodes: [{ luid: 'pds-1' }] } },
  });

  // Documents the schema rejects are never run (graphql-java's error classes, as Tableau sends).
  for (const [query, message, classification] of [
    ['query { workbooksConnection(first: 1) { nodes { luid }', /^Syntax Error/, 'InvalidSyntax'],
    ['fragment F on Workbook { luid }', /never used/, 'ValidationError'],
    [
      '{ workbooksConnection { nodes { notATableauField } } }',
      /notATableauField/,
      'ValidationError',
    ],
    [
      '{ workbooksConnection { nodes { upstreamDatasources { ... on Other { x } } } } }',
      /Unknown type "Other"/,
      'ValidationError',
    ],
  ] as const) {
    const bad = await graphql(server, token, query, {});
    t.equal(bad.status, 200);
    t.equal(bad.body.data, undefined);
    t.equal(bad.body.errors[0].extensions.classification, classification);
    t.match(bad.body.errors[0].message, message);
  }
  t.equal(server.counters.invalidDocuments, 4);
  const missing = await fetch(`${server.url}/api/metadata/graphql`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-tableau-auth': token },
    body: JSON.stringify({
      query: 'query A { workbooksConnection { nodes { luid } } }',
      operationName: 'Z',
    }),
  });
  t.match(await missing.json(), { errors: [{ message: 'No operation named "Z"' }] });
});
