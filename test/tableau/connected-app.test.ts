/**
 * Connected apps (direct trust, JWT) through the public API against the mock server, which
 * verifies each token independently (signature, claims, expiry, replayed jti): the claims sent,
 * a fresh token per sign-in, two workers keeping their sessions (where two on one personal access
 * token cannot), every refusal with its coded error, and no secret or token in any output.
 */
import { createHmac } from 'node:crypto';
import nodeFetch from 'node-fetch';
import t, { type Test } from 'tap';
import {
  type ConnectedAppOptions,
  createTableauClient,
  type FetchLike,
  TableauApiError,
  type TableauClientOptions,
} from '../../src/index.js';
import {
  createMockTableauServer,
  type MockTableauServer,
  type MockTableauServerOptions,
} from '../../src/testing/index.js';
import { assertNoSecrets, renderAll, SENTINEL_SECRET } from '../helpers/secrets.js';

const APP = {
  clientId: 'ci-connected-app',
  secretId: 'ci-secret-id',
  secretValue: SENTINEL_SECRET,
  usernames: ['ci-bot@example.com'],
};
const CONNECTED_APP: ConnectedAppOptions = {
  clientId: APP.clientId,
  secretId: APP.secretId,
  secretValue: APP.secretValue,
  username: 'ci-bot@example.com',
};

async function startMock(
  t: Test,
  options: MockTableauServerOptions = {},
): Promise<MockTableauServer> {
  const mock = await createMockTableauServer({ workbooks: [], connectedApps: [APP], ...options });
  t.teardown(() => mock.close());
  return mock;
}

/** A fetch that records every sign-in body it sends (the tests read the JWT from it). */
function recordingSignIns(): { fetch: FetchLike; jwts: string[] } {
  const jwts: string[] = [];
  return {
    jwts,
    fetch: (url, init) => {
      if (url.endsWith('/auth/signin') && init.body !== undefined) {
        const jwt = (JSON.parse(init.body) as { credentials: { jwt?: string } }).credentials.jwt;
        if (jwt !== undefined) jwts.push(jwt);
      }
      return nodeFetch(url, init) as unknown as ReturnType<FetchLike>;
    },
  };
}

function options(
  mock: MockTableauServer,
  extra: Partial<TableauClientOptions> = {},
): TableauClientOptions {
  return {
    serverUrl: mock.url,
    siteName: mock.siteName,
    connectedApp: CONNECTED_APP,
    retries: 0,
    ...extra,
  };
}

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

t.test('signs in with an HS256 JWT carrying the documented claims', async (t) => {
  const mock = await startMock(t);
  const recorder = recordingSignIns();
  const before = Math.floor(Date.now() / 1000);
  const logged: unknown[] = [];
  const logger = { debug: (...args: unknown[]) => logged.push(args) };
  const client = createTableauClient(options(mock, { fetch: recorder.fetch, logger }));
  t.same(await client.listWorkbooks(), []);
  t.equal(mock.counters.signIns, 1);
  t.equal(recorder.jwts.length, 1);
  const [header, payload, signature] = (recorder.jwts[0] ?? '').split('.');
  t.same(decode(header), { alg: 'HS256', typ: 'JWT', kid: APP.secretId, iss: APP.clientId });
  const claims = decode(payload);
  t.equal(claims.iss, APP.clientId);
  t.equal(claims.sub, CONNECTED_APP.username);
  t.equal(claims.aud, 'tableau');
  t.same(claims.scp, ['tableau:content:read', 'tableau:tasks:run', 'tableau:jobs:read']);
  t.match(claims.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const exp = claims.exp as number;
  t.ok(exp > before && exp <= Math.ceil(Date.now() / 1000) + 600, 'exp within 10 minutes');
  const expected = createHmac('sha256', APP.secretValue)
    .update(`${header}.${payload}`)
    .digest('base64url');
  t.equal(signature, expected, 'signed with the secret value');
  await client.signOut();
  t.equal(mock.activeSessions, 0);
  t.ok(logged.length > 0, 'debug entries were written');
  assertNoSecrets(t, logged);
  t.notOk(renderAll(logged).includes(recorder.jwts[0] ?? '(none)'), 'the JWT is in no debug entry');
});

t.test('custom scopes are sent as given', async (t) => {
  const mock = await startMock(t);
  const recorder = recordingSignIns();
  const scopes = ['tableau:content:read', 'tableau:workbooks:*'];
  const client = createTableauClient(
    options(mock, { fetch: recorder.fetch, connectedApp: { ...CONNECTED_APP, scopes } }),
  );
  await client.listWorkbooks();
  t.same(decode(recorder.jwts[0]?.split('.')[1]).scp, scopes);
});

t.test('a sign-in after the session expired mints a fresh JWT', async (t) => {
  const mock = await startMock(t);
  const recorder = recordingSignIns();
  const client = createTableauClient(options(mock, { fetch: recorder.fetch }));
  await client.listWorkbooks();
  mock.expireSessions();
  await client.listWorkbooks();
  t.equal(mock.counters.signIns, 2, 'signed in again after the 401');
  // The listing's concurrent requests (workbooks, data sources, custom SQL) may each meet the 401;
  // one sign-in renews the session for all of them.
  t.ok(mock.counters.unauthorized >= 1, 'the expired session was refused');
  const jtis = recorder.jwts.map((jwt) => decode(jwt.split('.')[1]).jti);
  t.equal(new Set(jtis).size, 2, 'two different jti');
  t.same(mock.counters.rejectedJwts, {}, 'no token was refused (a replayed one would be)');
});

t.test('two workers with one connected app each keep their sessions', async (t) => {
  const mock = await startMock(t);
  const first = createTableauClient(options(mock));
  const second = createTableauClient(options(mock));
  for (let round = 0; round < 3; round++) {
    await first.listWorkbooks();
    await second.listWorkbooks();
  }
  t.equal(mock.counters.signIns, 2, 'one sign-in per worker');
  t.equal(mock.counters.unauthorized, 0, 'neither session was ended by the other');
  t.equal(mock.activeSessions, 2);
});

t.test('two workers sharing one personal access token end each other’s sessions', async (t) => {
  const mock = await startMock(t, { tokens: [{ name: 'shared', secret: SENTINEL_SECRET }] });
  const pat = { serverUrl: mock.url, siteName: mock.siteName, retries: 0 };
  const first = createTableauClient({ ...pat, tokenName: 'shared', tokenSecret: SENTINEL_SECRET });
  const second = createTableauClient({ ...pat, tokenName: 'shared', tokenSecret: SENTINEL_SECRET });
  await first.listWorkbooks();
  await second.listWorkbooks();
  await first.listWorkbooks();
  const afterFirst = mock.counters.unauthorized;
  t.ok(afterFirst >= 1, 'the second sign-in ended the first session');
  t.equal(mock.counters.signIns, 3, 'the first worker had to sign in again');
  t.equal(mock.activeSessions, 1, 'one session per token');
  await second.listWorkbooks();
  t.ok(mock.counters.unauthorized > afterFirst, 'and the first one ended the second, in turn');
  t.equal(mock.counters.signIns, 4, 'every switch of worker costs a sign-in');
});

t.test('the mock refuses a replayed token with Tableau’s sign-in error', async (t) => {
  const mock = await startMock(t);
  const recorder = recordingSignIns();
  await createTableauClient(options(mock, { fetch: recorder.fetch })).listWorkbooks();
  const replay = await nodeFetch(`${mock.url}/api/${mock.apiVersion}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      credentials: { site: { contentUrl: mock.siteName }, jwt: recorder.jwts[0] },
    }),
  });
  t.equal(replay.status, 401);
  const body = (await replay.json()) as { error: Record<string, string> };
  t.equal(body.error.code, '401001');
  t.equal(body.error.summary, 'Signin Error');
  t.match(body.error.detail, /connected app error 16 LOGIN_FAILED: the jti/);
  t.same(mock.counters.rejectedJwts, { 'replayed-jti': 1 });
});

t.test('refused tokens fail with ERR_TABLEAU_AUTH naming the connected app', async (t) => {
  const hour = 60 * 60 * 1000;
  const cases: [string, Partial<ConnectedAppOptions>, MockTableauServerOptions, string][] = [
    ['wrong secret value', { secretValue: 'not-the-secret' }, {}, 'bad-signature'],
    ['unknown secret id', { secretId: 'other-secret' }, {}, 'unknown-secret'],
    ['unknown client id', { clientId: 'other-app' }, {}, 'unknown-app'],
    ['unknown user', { username: 'nobody@example.com' }, {}, 'unknown-user'],
    ['expired (Tableau’s clock ahead)', {}, { now: () => Date.now() + hour }, 'expired'],
    [
      'exp too far (Tableau’s clock behind)',
      {},
      { now: () => Date.now() - hour },
      'expiry-too-far',
    ],
  ];
  for (const [name, app, mockOptions, reason] of cases) {
    const mock = await startMock(t, mockOptions);
    const logged: unknown[] = [];
    const logger = {
      debug: (...args: unknown[]) => logged.push(args),
      warn: (...args: unknown[]) => logged.push(args),
    };
    const recorder = recordingSignIns();
    const client = createTableauClient(
      options(mock, { fetch: recorder.fetch, logger, connectedApp: { ...CONNECTED_APP, ...app } }),
    );
    const error = await rejection(client.listWorkbooks());
    t.type(error, TableauApiError, name);
    t.match(error, { code: 'ERR_TABLEAU_AUTH', tableauCode: '401001' }, name);
    // No field: Tableau answers a wrong site name and a wrong credential alike.
    t.equal((error as TableauApiError).field, undefined, name);
    t.match((error as Error).message, /connected app "[^"]+" as user "[^"]+"/, name);
    t.same(mock.counters.rejectedJwts, { [reason]: 1 }, `${name}: refused as ${reason}`);
    t.equal(mock.counters.signIns, 0, name);
    assertNoSecrets(t, error, logged);
    const shown = renderAll([error, logged]);
    t.notOk(
      recorder.jwts.some((jwt) => shown.includes(jwt) || shown.includes(jwt.split('.')[2] ?? '')),
      `${name}: the JWT never shows`,
    );
  }
});

t.test('connected app settings are checked before any request', async (t) => {
  const base = { serverUrl: 'https://tableau.example.com', siteName: 'acme' };
  const cases: [string, TableauClientOptions, string][] = [
    [
      'both a token and a connected app',
      { ...base, tokenName: 'n', tokenSecret: SENTINEL_SECRET, connectedApp: CONNECTED_APP },
      'connectedApp',
    ],
    ['no credentials at all', base, 'tokenName'],
    [
      'no secret value',
      { ...base, connectedApp: { ...CONNECTED_APP, secretValue: '' } },
      'connectedApp.secretValue',
    ],
    [
      'empty scopes',
      { ...base, connectedApp: { ...CONNECTED_APP, scopes: [] } },
      'connectedApp.scopes',
    ],
    [
      'a scope that is not one',
      { ...base, connectedApp: { ...CONNECTED_APP, scopes: ['read everything'] } },
      'connectedApp.scopes[0]',
    ],
    [
      'a username with a stray space',
      { ...base, connectedApp: { ...CONNECTED_APP, username: 'ci-bot@example.com ' } },
      'connectedApp.username',
    ],
  ];
  for (const [name, opts, field] of cases) {
    const error = await rejection(Promise.resolve().then(() => createTableauClient(opts)));
    t.match(error, { code: 'ERR_TABLEAU_CONFIG', field }, name);
    assertNoSecrets(t, error);
  }
});

t.test('a server older than REST API 3.17 is told apart before any token is sent', async (t) => {
  const mock = await startMock(t, { apiVersion: '3.16' });
  const error = await rejection(createTableauClient(options(mock)).listWorkbooks());
  t.match(error, { code: 'ERR_TABLEAU_UNSUPPORTED', field: 'connectedApp' });
  t.equal(mock.counters.requests.signin, 0, 'no sign-in sent');
});

t.test('the mock’s default connected app signs in as given', async (t) => {
  const mock = await createMockTableauServer({ workbooks: [] });
  t.teardown(() => mock.close());
  t.equal(mock.connectedApp.username, 'mock-user@example.com');
  const client = createTableauClient({
    serverUrl: mock.url,
    siteName: mock.siteName,
    connectedApp: mock.connectedApp,
  });
  t.same(await client.listWorkbooks(), []);
  t.equal(mock.counters.signIns, 1);
});

t.test('the mock refuses hand-made tokens for each documented reason', async (t) => {
  const mock = await startMock(t);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const sign = (header: unknown, payload: unknown, secret = APP.secretValue) => {
    const input = `${part(header)}.${part(payload)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const header = { alg: 'HS256', typ: 'JWT', kid: APP.secretId, iss: APP.clientId };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: APP.clientId,
    sub: CONNECTED_APP.username,
    aud: 'tableau',
    exp: now + 60,
    scp: ['tableau:content:read'],
  };
  const cases: [string, string][] = [
    ['not a JWT', 'not-a-jwt'],
    ['RS256', sign({ ...header, alg: 'RS256' }, { ...claims, jti: 'a' })],
    ['header iss differs', sign({ ...header, iss: 'x' }, { ...claims, jti: 'b' })],
    ['aud', sign(header, { ...claims, aud: 'other', jti: 'c' })],
    ['no scp', sign(header, { ...claims, scp: [], jti: 'd' })],
    ['no jti', sign(header, claims)],
  ];
  for (const [name, jwt] of cases) {
    const answer = await nodeFetch(`${mock.url}/api/${mock.apiVersion}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: `<tsRequest><credentials jwt="${jwt}"><site contentUrl="${mock.siteName}"/></credentials></tsRequest>`,
    });
    t.equal(answer.status, 401, name);
    t.match(await answer.text(), /<error code="401001">/, `${name}: Tableau's XML error`);
  }
  t.same(
    mock.counters.rejectedJwts,
    { malformed: 1, 'bad-header': 2, 'wrong-audience': 1, 'no-scopes': 1, 'replayed-jti': 1 },
    'each refused for its reason',
  );
  const good = sign(header, { ...claims, jti: 'fresh' });
  const accepted = await nodeFetch(`${mock.url}/api/${mock.apiVersion}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ credentials: { site: { contentUrl: mock.siteName }, jwt: good } }),
  });
  t.equal(accepted.status, 200, 'a well-formed hand-made token is accepted');
});
