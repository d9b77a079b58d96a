/**
 * The default transport in process (no `fetch` option): HTTP_PROXY carries plain-http requests
 * (the loopback mock) through a forward proxy, with the User-Agent; NO_PROXY bypasses it;
 * HTTPS_PROXY opens a CONNECT tunnel, and an untrusted certificate at the far end stays a
 * certificate error (never worked around). The full TLS path through a proxy, with a trusted test
 * CA, is in test/cli/proxy.test.ts (NODE_EXTRA_CA_CERTS is read at process start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createTableauClient, TableauApiError } from '../../src/index.js';
import { createMockTableauServer, type MockTableauServer } from '../../src/testing/index.js';
import { startProxy } from '../helpers/proxy.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { startHostile } from '../reliability/hostile.js';

const VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy',
];

/** Set the proxy variables for one test (every other one unset), restored afterwards. */
function proxyEnv(t: Test, values: Record<string, string>): void {
  const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  t.teardown(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

async function startMock(t: Test): Promise<MockTableauServer> {
  const mock = await createMockTableauServer({
    workbooks: [],
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
  });
  t.teardown(() => mock.close());
  return mock;
}

function client(serverUrl: string, siteName: string) {
  return createTableauClient({
    serverUrl,
    siteName,
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
    retries: 0,
    timeoutMs: 5000,
  });
}

t.test('HTTP_PROXY carries plain-http requests, with the User-Agent', async (t) => {
  const mock = await startMock(t);
  const proxy = await startProxy(t);
  proxyEnv(t, { HTTP_PROXY: proxy.url });
  const tableau = client(mock.url, mock.siteName);
  t.same(await tableau.listWorkbooks(), []);
  await tableau.signOut();
  t.same(
    proxy.plain.map((r) => `${r.method} ${new URL(r.url).pathname}`),
    [
      `GET /api/3.6/serverinfo`,
      `POST /api/${mock.apiVersion}/auth/signin`,
      // Workbooks, published data sources and custom SQL are listed side by side.
      'POST /api/metadata/graphql',
      'POST /api/metadata/graphql',
      'POST /api/metadata/graphql',
      `POST /api/${mock.apiVersion}/auth/signout`,
    ],
  );
  t.ok(
    proxy.plain.every((r) => r.headers['user-agent'] === `dbt-auto-exposures/${VERSION}`),
    'User-Agent on every request',
  );
});

t.test('NO_PROXY bypasses the proxy for the hosts it names', async (t) => {
  const mock = await startMock(t);
  const proxy = await startProxy(t);
  proxyEnv(t, { http_proxy: proxy.url, no_proxy: '127.0.0.1' });
  t.same(await client(mock.url, mock.siteName).listWorkbooks(), []);
  t.same(proxy.plain, [], 'nothing went through the proxy');
  t.equal(mock.counters.signIns, 1, 'Tableau was reached directly');
});

t.test('HTTPS_PROXY tunnels; an untrusted certificate behind it stays an error', async (t) => {
  const mock = await startMock(t);
  const front = await startHostile(t, { tls: true, upstream: mock.url });
  const proxy = await startProxy(t);
  proxyEnv(t, { HTTPS_PROXY: proxy.url });
  let error: unknown;
  try {
    await client(front.url, mock.siteName).listWorkbooks();
  } catch (caught) {
    error = caught;
  }
  t.type(error, TableauApiError);
  t.match(error, { code: 'ERR_TABLEAU_NETWORK', details: { tlsCode: String } });
  t.match((error as Error).message, /NODE_EXTRA_CA_CERTS/);
  t.same(proxy.tunnels, [new URL(front.url).host], 'the request went into the tunnel');
  t.same(front.requests, [], 'nothing was sent over the unverified connection');
  assertNoSecrets(t, error, proxy.bytes().toString('latin1'), proxy.connectHeaders);
});

t.test(
  'a proxy variable that is not a URL is a coded error, not retried, its value unshown',
  async (t) => {
    const mock = await startMock(t);
    proxyEnv(t, { HTTP_PROXY: `http://user:${SENTINEL_SECRET}@[not-a-host` });
    let error: unknown;
    try {
      await createTableauClient({
        serverUrl: mock.url,
        siteName: mock.siteName,
        tokenName: SENTINEL_TOKEN_NAME,
        tokenSecret: SENTINEL_SECRET,
        retryMinDelayMs: 1,
      }).listWorkbooks();
    } catch (caught) {
      error = caught;
    }
    t.match(error, { code: 'ERR_TABLEAU_CONFIG', field: 'HTTP_PROXY' });
    t.match((error as Error).message, /HTTP_PROXY, http_proxy or ALL_PROXY is not a valid URL/);
    t.equal(mock.counters.total, 0, 'nothing was sent');
    assertNoSecrets(t, error);
  },
);
