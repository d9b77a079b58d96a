import { request } from 'node:http';
import t from 'tap';
import { normalizeWorkbooks } from '../../src/tableau/normalize.js';
import { workbooksQuery } from '../../src/tableau/queries.js';
import { buildMockSite, createMockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { graphql, rest, signIn } from './mock-helpers.js';

/** The workbooks document for a server with every feature (Cloud). */
const WORKBOOKS_QUERY = workbooksQuery({ projectLuid: true });

const site = buildMockSite({ seed: 7, workbooks: 30 });

/** Raw GET that reports what arrived (status and body) or the socket error. */
function rawGet(url: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, body, error: e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body, error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

t.test('status faults: 429 with and without Retry-After, 5xx, HTML pages; schedules', async (t) => {
  const server = await createMockTableauServer({
    siteModel: site,
    faults: {
      serverinfo: [
        { fault: { kind: 'rate-limit', retryAfter: 2 } },
        { fault: { kind: 'rate-limit' } },
      ],
    },
  });
  t.teardown(() => server.close());
  const path = '/api/3.28/serverinfo';
  const first = await rest(server, 'GET', path);
  t.equal(first.status, 429);
  t.equal(first.headers.get('retry-after'), '2');
  t.match(first.headers.get('content-type'), /text\/html/);
  const second = await rest(server, 'GET', path);
  t.equal(second.status, 429);
  t.equal(second.headers.get('retry-after'), null);
  t.equal((await rest(server, 'GET', path)).status, 200, 'faults hit once by default');

  server.inject('serverinfo', {
    kind: 'status',
    status: 503,
    retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT',
  });
  const s503 = await rest(server, 'GET', path);
  t.equal(s503.status, 503);
  t.equal(s503.headers.get('retry-after'), 'Wed, 21 Oct 2015 07:28:00 GMT');
  t.equal(s503.json.error.code, '503000');
  server.inject('serverinfo', { kind: 'status', status: 502, html: true });
  const s502 = await rest(server, 'GET', path);
  t.equal(s502.status, 502);
  t.match(s502.text, /<!DOCTYPE html>/);
  server.inject('serverinfo', { kind: 'status', status: 500 });
  t.match((await rest(server, 'GET', path, { json: false })).text, /<error code="500000">/);

  // Every 2nd request after the first, twice.
  server.inject('*', { fault: { kind: 'status', status: 503 }, after: 1, every: 2, times: 2 });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await rest(server, 'GET', path)).status);
  t.same(statuses, [200, 200, 503, 200, 503, 200, 200]);
  server.inject('serverinfo', {
    fault: { kind: 'status', status: 500 },
    times: Number.POSITIVE_INFINITY,
  });
  t.equal((await rest(server, 'GET', path)).status, 500);
  t.equal((await rest(server, 'GET', path)).status, 500);
  server.clearFaults('serverinfo');
  t.equal((await rest(server, 'GET', path)).status, 200);
  t.equal(server.counters.faults, 9);
  t.same(
    server.requests.slice(0, 2).map((r) => [r.route, r.status]),
    [
      ['serverinfo', 429],
      ['serverinfo', 429],
    ],
  );
});

t.test('dropped connections, truncated bodies, latency', async (t) => {
  const server = await createMockTableauServer({ siteModel: site });
  t.teardown(() => server.close());
  const url = `${server.url}/api/3.28/serverinfo`;
  server.inject('serverinfo', { kind: 'drop' });
  const dropped = await rawGet(url);
  t.equal(dropped.status, undefined, 'no response at all');
  t.match(dropped.error, /socket hang up|ECONNRESET/);
  server.inject('serverinfo', { kind: 'truncate' });
  const truncated = await rawGet(url);
  t.equal(truncated.status, 200);
  t.ok(truncated.error, 'the body ends early');
  t.notMatch(truncated.body ?? '', /<\/tsResponse>/);
  server.inject('serverinfo', { kind: 'latency', ms: 30 });
  const slow = await rawGet(url);
  t.equal(slow.status, 200, 'answered normally after the delay');
  const aborted = new AbortController();
  server.inject('serverinfo', { kind: 'latency', ms: 200 });
  const pending = fetch(url, { signal: aborted.signal });
  aborted.abort();
  await t.rejects(pending, { name: 'AbortError' });
  t.equal((await rawGet(url)).status, 200, 'the server survives an aborted request');
  t.same(server.requests.map((r) => r.status).slice(0, 3), [0, 200, 200]);
});

t.test('session expiry: injected, after N requests, or all at once', async (t) => {
  const server = await createMockTableauServer({ siteModel: site, sessionRequestLimit: 2 });
  t.teardown(() => server.close());
  let token = await signIn(server);
  const q = () => graphql(server, token, WORKBOOKS_QUERY, { first: 5 });
  t.equal((await q()).status, 200);
  t.equal((await q()).status, 200);
  const expired = await q();
  t.equal(expired.status, 401);
  t.equal(expired.body.error.code, '401000');
  token = await signIn(server);
  server.inject('graphql', { kind: 'expire-session' });
  t.equal((await q()).status, 401, 'expired by an injected fault');
  token = await signIn(server);
  server.expireSessions();
  t.equal((await q()).status, 401);
  t.equal(server.activeSessions, 0);
  t.equal(server.counters.unauthorized, 3);
  t.equal(server.counters.signIns, 3);
});

t.test(
  'GraphQL faults: partial data with errors, errors only, node limit, page size',
  async (t) => {
    const server = await createMockTableauServer({
      siteModel: site,
      maxPageSize: 10,
      nodeLimit: 60,
    });
    t.teardown(() => server.close());
    const token = await signIn(server);
    server.inject('graphql', { kind: 'graphql-errors' });
    const partial = await graphql(server, token, WORKBOOKS_QUERY, { first: 4 });
    t.equal(partial.body.data.workbooksConnection.nodes.length, 2, 'half the page');
    t.equal(partial.body.data.workbooksConnection.pageInfo.hasNextPage, true);
    t.same(partial.body.errors, [
      { message: 'Reached time limit of PT5S for query execution.', path: null, extensions: null },
    ]);
    t.throws(() => normalizeWorkbooks(partial.body), { code: 'ERR_TABLEAU_GRAPHQL' });
    server.inject('graphql', {
      kind: 'graphql-errors',
      partial: false,
      errors: [{ message: 'boom', extensions: { code: 'ACCESS_DENIED' } }],
    });
    const failed = await graphql(server, token, WORKBOOKS_QUERY, { first: 4 });
    t.same(failed.body, {
      data: null,
      errors: [{ message: 'boom', extensions: { code: 'ACCESS_DENIED' } }],
    });

    const big = await graphql(server, token, WORKBOOKS_QUERY, { first: 50 });
    t.equal(big.body.errors[0].extensions.code, 'MAX_PAGE_SIZE_EXCEEDED');
    t.equal(big.body.errors[0].extensions.severity, 'WARNING');
    const limited = big.body.errors.find(
      (e: { extensions: { code: string } }) => e.extensions.code === 'NODE_LIMIT_EXCEEDED',
    );
    t.ok(limited, 'node limit reported');
    t.equal(limited.extensions.severity, 'ERROR');
    t.ok(big.body.data.workbooksConnection.nodes.length < 10, 'partial data under the node limit');
  },
);

t.test('cursor pagination returns every workbook once, in a stable order', async (t) => {
  const server = await createMockTableauServer({
    siteModel: site,
    faults: { graphql: { fault: { kind: 'status', status: 503 }, after: 2, times: 1 } },
  });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const pages: unknown[] = [];
  let after: string | null = null;
  let guard = 0;
  for (;;) {
    const res = await graphql(server, token, WORKBOOKS_QUERY, { first: 7, after });
    if (res.status === 503) continue; // retry the same page
    pages.push(res.body);
    const info = res.body.data.workbooksConnection.pageInfo;
    if (!info.hasNextPage) {
      t.type(info.endCursor, 'string', 'the last page still has a cursor');
      break;
    }
    after = info.endCursor;
    if (++guard > 20) throw new Error('pagination did not end');
  }
  t.equal(pages.length, 5);
  const workbooks = normalizeWorkbooks(pages, { serverUrl: server.url, siteName: server.siteName });
  t.equal(workbooks.length, 30);
  t.same(workbooks.map((w) => w.luid).sort(), site.workbooks?.map((w) => w.luid).sort());
  t.equal(server.counters.requests.graphql, 6);
  t.equal(server.counters.signIns, 1);
  const second = await graphql(server, token, WORKBOOKS_QUERY, { first: 7 });
  t.same(
    second.body.data.workbooksConnection.nodes,
    (pages[0] as { data: { workbooksConnection: { nodes: unknown[] } } }).data.workbooksConnection
      .nodes,
    'same first page each time',
  );
});

t.test('sentinel secrets never appear in counters or the request log', async (t) => {
  const server = await createMockTableauServer({
    siteModel: site,
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: () => SENTINEL_SESSION_TOKEN,
  });
  t.teardown(() => server.close());
  const token = await signIn(server, SENTINEL_TOKEN_NAME, SENTINEL_SECRET);
  t.equal(token, SENTINEL_SESSION_TOKEN);
  await graphql(server, token, WORKBOOKS_QUERY, { first: 3 });
  await rest(
    server,
    'POST',
    `/api/3.28/sites/${server.siteLuid}/workbooks/${site.workbooks?.[0]?.luid}/refresh`,
    { token },
  );
  assertNoSecrets(t, server.counters, server.requests, server.jobs());
});
