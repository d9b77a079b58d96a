import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type DbtAutoExposuresError, TableauApiError } from '../../src/errors.js';
import { isSessionExpired, raceSignal } from '../../src/tableau/session.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';
import { buildParts, clientOptions, rejection, startMock } from './harness.js';
import { asserter, startScriptedServer } from './scripted-server.js';

const workbook = (i: number) => ({
  luid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Workbook ${i}`,
  projectName: 'Sales',
});

const jobPath = (s: { apiVersion: string; siteLuid: string }) =>
  `/api/${s.apiVersion}/sites/${s.siteLuid}/jobs/no-such-job`;

t.test('20 concurrent calls on a fresh session sign in once', async (t) => {
  const mock = await startMock(t, { workbooks: [workbook(1)] });
  const parts = buildParts(clientOptions(mock));
  const infos = await Promise.all(Array.from({ length: 20 }, () => parts.session.info()));
  t.equal(mock.counters.signIns, 1);
  t.equal(mock.counters.requests.serverinfo, 1, 'version negotiated once');
  t.ok(infos.every((i) => i.siteLuid === mock.siteLuid && i.apiVersion === '3.28'));
  const queries = await Promise.all(
    Array.from({ length: 20 }, () =>
      parts.metadata.query(
        'query { workbooksConnection(first: 1) { nodes { luid } } }',
        {},
        { operation: 'q' },
      ),
    ),
  );
  t.equal(queries.length, 20);
  t.equal(mock.counters.signIns, 1, 'still one sign-in');
  assertNoSecrets(asserter(t), parts.log.lines, mock.requests);
});

t.test('a pinned apiVersion skips serverinfo', async (t) => {
  const mock = await startMock(t);
  const parts = buildParts(clientOptions(mock, { apiVersion: '3.22' }));
  t.equal(await parts.session.apiVersion(), '3.22');
  t.same(await parts.session.info(), {
    apiVersion: '3.22',
    siteLuid: mock.siteLuid,
    userLuid: (await parts.session.info()).userLuid,
  });
  t.equal(mock.counters.requests.serverinfo, 0);
  t.equal(mock.requests.find((r) => r.route === 'signin')?.path, '/api/3.22/auth/signin');
});

t.test(
  'a server older than REST 3.6 is ERR_TABLEAU_UNSUPPORTED, and is asked again next time',
  async (t) => {
    const mock = await startMock(t, { apiVersion: '3.5' });
    const parts = buildParts(clientOptions(mock));
    const error = (await rejection(parts.session.info())) as TableauApiError;
    t.equal(error.code, 'ERR_TABLEAU_UNSUPPORTED');
    t.match(
      error.message,
      /^Tableau does not accept REST API 3\.6, the first version with personal access tokens \(read server info: GET \/api\/3\.6\/serverinfo answered HTTP 404/,
    );
    await rejection(parts.session.info());
    t.equal(mock.counters.requests.serverinfo, 2);
    t.equal(mock.counters.signIns, 0);
  },
);

t.test('serverinfo naming a version below 3.6, or none, is refused', async (t) => {
  for (const [body, code, message] of [
    [
      '{"serverInfo":{"productVersion":{"value":"2019.1"},"restApiVersion":"3.3"}}',
      'ERR_TABLEAU_UNSUPPORTED',
      'Tableau REST API 3.3 is older than 3.6, the first version with personal access tokens',
    ],
    [
      '{"serverInfo":{}}',
      'ERR_TABLEAU_RESPONSE',
      'read server info: the serverinfo answer has no serverInfo.restApiVersion',
    ],
  ] as const) {
    const server = await startScriptedServer(() => ({ body }));
    t.teardown(() => server.close());
    const parts = buildParts(clientOptions({ url: server.url, siteName: 's' }));
    const error = (await rejection(parts.session.info())) as TableauApiError;
    t.equal(error.code, code);
    t.equal(error.message, message);
  }
});

t.test('a sign-in answer without a token is ERR_TABLEAU_RESPONSE', async (t) => {
  const server = await startScriptedServer((req) => ({
    body: req.url.endsWith('/serverinfo')
      ? '{"serverInfo":{"restApiVersion":"3.22"}}'
      : '{"credentials":{"site":{"id":"s1"}}}',
  }));
  t.teardown(() => server.close());
  const parts = buildParts(clientOptions({ url: server.url, siteName: 's' }));
  const error = (await rejection(parts.session.info())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_RESPONSE');
  t.equal(error.message, 'sign in: the answer has no credentials.token or credentials.site.id');
});

t.test("Tableau's recorded server info and sign-in answers are understood", async (t) => {
  const fixture = (name: string) =>
    readFileSync(join(repoFixtures, 'tableau-client', name), 'utf8');
  const server = await startScriptedServer((req) => ({
    body: fixture(
      req.url.endsWith('/serverinfo') ? 'serverinfo-response.json' : 'signin-response.json',
    ),
  }));
  t.teardown(() => server.close());
  const parts = buildParts(clientOptions({ url: server.url, siteName: 'Samples' }));
  t.same(await parts.session.info(), {
    apiVersion: '3.10',
    siteLuid: '6b7179ba-b82b-4f0f-91ed-812074ac5da6',
    userLuid: '1a96d216-e9b8-497b-a82a-0b899a965e01',
  });
  t.equal(server.requests[1]?.url, '/api/3.10/auth/signin');
  t.same(JSON.parse(server.requests[1]?.body ?? ''), {
    credentials: {
      site: { contentUrl: 'Samples' },
      personalAccessTokenName: SENTINEL_TOKEN_NAME,
      personalAccessTokenSecret: SENTINEL_SECRET,
    },
  });
});

t.test(
  'an expired session signs in again once and replays, even for concurrent calls',
  async (t) => {
    const mock = await startMock(t);
    const parts = buildParts(clientOptions(mock));
    await parts.session.info();
    mock.expireSessions();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        parts.metadata.query(
          'query { workbooksConnection(first: 1) { nodes { luid } } }',
          {},
          { operation: 'q' },
        ),
      ),
    );
    t.equal(results.length, 10);
    t.equal(mock.counters.signIns, 2, 'one renewal shared by all');
    t.equal(mock.counters.unauthorized, 10);
    t.ok(parts.log.lines.some((l) => l.message === 'q: session expired, signing in again'));
    assertNoSecrets(asserter(t), parts.log.lines, mock.requests);
  },
);

t.test('a session that expires again right after renewal fails instead of looping', async (t) => {
  const mock = await startMock(t, {
    faults: { graphql: { fault: { kind: 'expire-session' }, times: Number.POSITIVE_INFINITY } },
  });
  const parts = buildParts(clientOptions(mock));
  const error = (await rejection(
    parts.metadata.query(
      'query { workbooksConnection(first: 1) { nodes { luid } } }',
      {},
      { operation: 'q' },
    ),
  )) as TableauApiError;
  t.equal(error.status, 401);
  t.equal(error.tableauCode, '401000');
  t.equal(mock.counters.signIns, 2, 'first sign-in plus exactly one renewal');
  assertNoSecrets(asserter(t), error, parts.log.lines);
});

t.test('a refused sign-in is ERR_TABLEAU_AUTH with a hint and no secret', async (t) => {
  const mock = await startMock(t);
  const parts = buildParts(clientOptions(mock, { tokenName: 'wrong-name' }));
  const error = (await rejection(parts.session.info())) as TableauApiError;
  t.type(error, TableauApiError);
  t.equal(error.code, 'ERR_TABLEAU_AUTH');
  t.equal(error.status, 401);
  t.equal(error.tableauCode, '401001');
  t.equal(error.field, undefined, 'no field: a wrong site name is refused the same way');
  t.match(
    error.message,
    /^Tableau refused the sign-in with personal access token "wrong-name" on site "/,
  );
  t.match(error.message, /case-sensitive/);
  t.match(error.message, /contentUrl/);
  t.match(error.hint, /^check the token name and secret .*siteName is the site's contentUrl$/);
  t.equal(mock.counters.failedSignIns, 1, 'a refused sign-in is not retried');
  // The failure is not cached: the next call tries again.
  await rejection(parts.session.info());
  t.equal(mock.counters.failedSignIns, 2);
  assertNoSecrets(asserter(t), error, parts.log.lines);
});

t.test(
  'signOut ends the session; the next call signs in again; no-op when signed out',
  async (t) => {
    const mock = await startMock(t);
    const parts = buildParts(clientOptions(mock));
    await parts.session.signOut();
    t.equal(mock.counters.total, 0, 'nothing to end, nothing sent');
    await parts.session.info();
    t.equal(mock.activeSessions, 1);
    await parts.session.signOut();
    t.equal(mock.counters.signOuts, 1);
    t.equal(mock.activeSessions, 0);
    await parts.session.signOut();
    t.equal(mock.counters.signOuts, 1, 'second signOut sends nothing');
    await parts.session.info();
    t.equal(mock.counters.signIns, 2);
  },
);

t.test('signOut of a session Tableau already ended succeeds', async (t) => {
  const mock = await startMock(t);
  const parts = buildParts(clientOptions(mock));
  await parts.session.info();
  mock.expireSessions();
  await parts.session.signOut();
  t.equal(mock.activeSessions, 0);
});

t.test('signOut after a failed sign-in does nothing', async (t) => {
  const mock = await startMock(t);
  const parts = buildParts(clientOptions(mock, { tokenName: `${SENTINEL_TOKEN_NAME}-x` }));
  const pending = parts.session.info();
  await parts.session.signOut();
  await rejection(pending);
  t.equal(mock.counters.signOuts, 0);
});

t.test("one caller's abort does not break the sign-in others wait for", async (t) => {
  const mock = await startMock(t, { faults: { signin: { kind: 'latency', ms: 30 } } });
  const parts = buildParts(clientOptions(mock));
  const controller = new AbortController();
  const aborted = parts.session.request({
    method: 'GET',
    path: jobPath,
    operation: 'read job',
    signal: controller.signal,
  });
  const other = parts.session.info();
  controller.abort();
  const error = (await rejection(aborted)) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal((await other).siteLuid, mock.siteLuid);
  t.equal(mock.counters.signIns, 1);
});

t.test('raceSignal and isSessionExpired', async (t) => {
  t.equal(await raceSignal(Promise.resolve(1), undefined, 'x'), 1);
  const done = new AbortController();
  done.abort();
  t.match(await rejection(raceSignal(Promise.resolve(1), done.signal, 'x')), {
    code: 'ERR_ABORTED',
  });
  const live = new AbortController();
  t.equal(await raceSignal(Promise.resolve(2), live.signal, 'x'), 2);
  t.match(await rejection(raceSignal(Promise.reject(new Error('no')), live.signal, 'x')), {
    message: 'no',
  });
  const api = (status: number, tableauCode?: string) =>
    new TableauApiError('ERR_TABLEAU_API', 'x', { status, tableauCode });
  t.equal(isSessionExpired(api(401, '401000')), true);
  t.equal(isSessionExpired(api(401)), true);
  t.equal(isSessionExpired(api(401, '401002')), false);
  t.equal(isSessionExpired(api(403, '403000')), false);
  t.equal(isSessionExpired(new Error('x')), false);
});
