/**
 * Corporate networks, through the built binary: a CONNECT proxy written here (node:http and
 * node:net, on 127.0.0.1) sees every request to an https Tableau (the mock behind a TLS front
 * with the loopback test certificate, trusted through NODE_EXTRA_CA_CERTS), the sync works
 * through it, the proxy never sees a credential (TLS runs end to end), NO_PROXY bypasses it,
 * redirects are still refused through it, and every request carries the User-Agent (proxy:
 * test/helpers/proxy.ts). A connected app (TABLEAU_CONNECTED_APP_*) signs in through the proxy
 * too, named in lowercase (https_proxy).
 *
 * These runs are real processes because what they test is read from the process, not from the
 * CLI's `io`: Node reads NODE_EXTRA_CA_CERTS once at start, and the transport reads the proxy
 * variables from process.env (proxy-from-env). A case that needs neither runs in process.
 */
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startProxy } from '../helpers/proxy.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { exampleProject, scratch, startMock } from '../reliability/harness.js';
import { type SeenRequest, startHostile } from '../reliability/hostile.js';
import { envFor } from '../reliability/hostile-cli.js';
import { runCli, spawnCli } from './helpers.js';

const VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** A scratch copy of the example project with small timeouts and one retry. */
async function project(t: Test): Promise<string> {
  const dir = join(await scratch(t), 'jaffle-tableau');
  await cp(exampleProject, dir, { recursive: true });
  const config = join(dir, 'dbt-auto-exposures.config.yml');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}tableau:\n  retries: 1\n  timeoutSeconds: 5\n`,
  );
  return dir;
}

function hostOf(url: string): string {
  return new URL(url).host;
}

const CREDENTIALS = [
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  'personalAccessTokenSecret',
  'x-tableau-auth',
];

t.test(
  'HTTPS_PROXY: sync goes through the proxy, over TLS, and the proxy sees no credential',
  async (t) => {
    const mock = await startMock(t);
    const front = await startHostile(t, { tls: true, upstream: mock.url });
    const proxy = await startProxy(t);
    const dir = await project(t);
    const run = await spawnCli(['sync'], {
      cwd: dir,
      env: { ...envFor(front.url, mock), HTTPS_PROXY: proxy.url },
    });
    t.equal(run.code, 0, run.stderr);
    t.ok(proxy.tunnels.length > 0, 'the proxy was used');
    t.same(new Set(proxy.tunnels), new Set([hostOf(front.url)]), 'tunnels only to Tableau');
    t.ok(
      front.requests.some((r) => r.url.endsWith('/auth/signin')),
      'the sign-in arrived through the tunnel',
    );
    t.ok(
      front.requests.some((r) => r.url === '/api/metadata/graphql'),
      'and the listing',
    );
    const seen = proxy.bytes().toString('latin1');
    for (const credential of CREDENTIALS) {
      t.notOk(
        seen.includes(credential),
        `the proxy never saw ${JSON.stringify(credential)} in clear`,
      );
    }
    assertNoSecrets(t, proxy.connectHeaders, run.stdout, run.stderr);
    t.ok(
      front.requests.every((r) => r.headers['user-agent'] === `dbt-auto-exposures/${VERSION}`),
      `every request says User-Agent: dbt-auto-exposures/${VERSION}`,
    );
  },
);

t.test('NO_PROXY bypasses the proxy', async (t) => {
  const mock = await startMock(t);
  const front = await startHostile(t, { tls: true, upstream: mock.url });
  const proxy = await startProxy(t);
  const dir = await project(t);
  const run = await spawnCli(['sync'], {
    cwd: dir,
    env: { ...envFor(front.url, mock), HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
  });
  t.equal(run.code, 0, run.stderr);
  t.same(proxy.tunnels, [], 'nothing went through the proxy');
  t.ok(front.requests.length > 0, 'Tableau was reached directly');
});

t.test(
  'a sign-in redirect to another host and path is still refused through the proxy',
  async (t) => {
    const mock = await startMock(t);
    const other = await startHostile(t, { host: '127.0.0.2', tls: true, upstream: mock.url });
    const front = await startHostile(t, {
      tls: true,
      upstream: mock.url,
      rule: (r: SeenRequest) =>
        r.url.endsWith('/auth/signin')
          ? { status: 308, headers: { location: `${other.url}/collect` } }
          : 'forward',
    });
    const proxy = await startProxy(t);
    const dir = await project(t);
    const run = await spawnCli(['sync'], {
      cwd: dir,
      env: { ...envFor(front.url, mock), HTTPS_PROXY: proxy.url },
    });
    t.not(run.code, 0);
    t.match(run.stderr, /ERR_TABLEAU_REDIRECT|redirected/);
    t.same(new Set(proxy.tunnels), new Set([hostOf(front.url)]), 'no tunnel to the other host');
    t.same(other.requests, [], 'nothing reached the other host');
    assertNoSecrets(t, run.stdout, run.stderr, proxy.connectHeaders);
  },
);

t.test('a connected app signs in through https_proxy; its secret and JWT never show', async (t) => {
  const app = {
    clientId: 'ci-connected-app',
    secretId: 'ci-secret-id',
    secretValue: SENTINEL_SECRET,
    usernames: ['ci-bot@example.com'],
  };
  const mock = await startMock(t, { connectedApps: [app] });
  const front = await startHostile(t, { tls: true, upstream: mock.url });
  const proxy = await startProxy(t);
  const dir = await project(t);
  const {
    TABLEAU_TOKEN_NAME: _name,
    TABLEAU_TOKEN_SECRET: _secret,
    ...env
  } = envFor(front.url, mock);
  const run = await spawnCli(['sync', '--verbose'], {
    cwd: dir,
    env: {
      ...env,
      https_proxy: proxy.url,
      TABLEAU_CONNECTED_APP_CLIENT_ID: app.clientId,
      TABLEAU_CONNECTED_APP_SECRET_ID: app.secretId,
      TABLEAU_CONNECTED_APP_SECRET_VALUE: app.secretValue,
      TABLEAU_USERNAME: 'ci-bot@example.com',
    },
  });
  t.equal(run.code, 0, run.stderr);
  t.same(new Set(proxy.tunnels), new Set([hostOf(front.url)]), 'https_proxy: through the proxy');
  t.equal(mock.counters.signIns, 1);
  const signIn = front.requests.find((r) => r.url.endsWith('/auth/signin'));
  const jwt = (JSON.parse(signIn?.body ?? '{}') as { credentials?: { jwt?: string } }).credentials
    ?.jwt;
  t.type(jwt, 'string', 'the sign-in carried a JWT');
  const shown = `${run.stdout}\n${run.stderr}\n${proxy.bytes().toString('latin1')}`;
  t.notOk(shown.includes(jwt ?? '(none)'), 'the JWT never shows, not even to the proxy');
  t.notOk(shown.includes(SENTINEL_SECRET), 'nor the secret value');
  t.match(run.stderr, /"secretValue": "\(set, hidden\)"/, '--verbose says it is set, not what');
  assertNoSecrets(t, run.stdout, run.stderr);
});

t.test('a connected app and a personal access token together are refused', async (t) => {
  const dir = await project(t);
  const run = await runCli(['sync'], {
    cwd: dir,
    env: {
      TABLEAU_SERVER_URL: 'https://tableau.example.com',
      TABLEAU_SITE_NAME: 'acme',
      TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
      TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
      TABLEAU_CONNECTED_APP_CLIENT_ID: 'ci-connected-app',
    },
  });
  t.not(run.code, 0);
  t.match(run.stderr, /ERR_TABLEAU_CONFIG/);
  t.match(run.stderr, /both a personal access token .* and a connected app/);
  assertNoSecrets(t, run.stdout, run.stderr);
});
