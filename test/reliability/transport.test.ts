/**
 * Transport safety: plain http to a non-loopback host is refused before any request; TLS
 * certificate errors are reported clearly (with how to trust a private CA through the `fetch`
 * option), not retried and never worked around; user input reaches GraphQL only as variables.
 */
import t from 'tap';
import { ConfigError, TableauApiError } from '../../src/errors.js';
import { createTableauClient } from '../../src/tableau/client.js';
import type { FetchInitLike, FetchLike } from '../../src/tableau/http.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { captureLogger, clientOptions, rejection, startMock } from './harness.js';

function recordingFetch(answer: FetchLike): { fetch: FetchLike; calls: [string, FetchInitLike][] } {
  const calls: [string, FetchInitLike][] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push([url, init]);
      return answer(url, init);
    },
  };
}

const refuse: FetchLike = () => Promise.reject(new Error('no request may be made'));

t.test('http:// to a non-loopback host is refused before any request', async (t) => {
  for (const serverUrl of [
    'http://tableau.example.com',
    'http://10.0.0.5',
    'HTTP://tableau.example.com:8080/prefix',
  ]) {
    const recorder = recordingFetch(refuse);
    let caught: unknown;
    try {
      const client = createTableauClient({
        serverUrl,
        siteName: 'acme',
        tokenName: SENTINEL_TOKEN_NAME,
        tokenSecret: SENTINEL_SECRET,
        fetch: recorder.fetch,
      });
      await client.listWorkbooks();
    } catch (error) {
      caught = error;
    }
    t.type(caught, ConfigError, serverUrl);
    t.equal((caught as ConfigError).code, 'ERR_TABLEAU_CONFIG');
    t.equal((caught as ConfigError).field, 'serverUrl');
    t.match((caught as Error).message, /clear text.*https:\/\/.*allowInsecureHttp/);
    t.equal(recorder.calls.length, 0, 'no request made');
    assertNoSecrets(t, caught);
  }
});

t.test('loopback http is allowed; a bare host means https', async (t) => {
  const mock = await startMock(t);
  const recorder = recordingFetch((url, init) => fetch(url, init));
  const client = createTableauClient(clientOptions(mock, { fetch: recorder.fetch }));
  await client.listWorkbooks();
  t.ok(recorder.calls.every(([url]) => url.startsWith(`${mock.url}/api/`)));

  const bare = recordingFetch(refuse);
  const remote = createTableauClient({
    serverUrl: '10az.online.tableau.com',
    siteName: 'acme',
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
    fetch: bare.fetch,
    retries: 0,
  });
  await rejection(remote.listWorkbooks());
  t.match(bare.calls[0]?.[0], /^https:\/\/10az\.online\.tableau\.com\/api\//);
});

const TLS_CODES = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];

t.test('TLS certificate errors: clear, not retried, with how to pass a CA', async (t) => {
  for (const code of TLS_CODES) {
    // node-fetch puts the code on the error; the global fetch (undici) on its cause.
    for (const shape of ['node-fetch', 'undici'] as const) {
      const tlsError = (): Error => {
        const inner = Object.assign(new Error(`certificate problem (${code})`), { code });
        return shape === 'node-fetch'
          ? Object.assign(new Error(`request failed, reason: ${inner.message}`), { code })
          : new TypeError('fetch failed', { cause: inner });
      };
      const recorder = recordingFetch(() => Promise.reject(tlsError()));
      const log = captureLogger();
      const client = createTableauClient({
        serverUrl: 'https://tableau.internal.example',
        siteName: 'acme',
        tokenName: SENTINEL_TOKEN_NAME,
        tokenSecret: SENTINEL_SECRET,
        fetch: recorder.fetch,
        retries: 3,
        retryMinDelayMs: 1,
        retryMaxDelayMs: 1,
        logger: log.logger,
      });
      const error = await rejection(client.listWorkbooks());
      t.type(error, TableauApiError, `${code} (${shape})`);
      t.equal((error as TableauApiError).code, 'ERR_TABLEAU_NETWORK');
      const message = (error as Error).message;
      t.match(message, code, 'names the certificate problem');
      t.match(message, /tableau\.internal\.example/, 'names the server');
      t.match(message, /fetch/, 'says how: the fetch option');
      t.match(message, /NODE_EXTRA_CA_CERTS/, 'or the CA environment variable');
      t.equal(recorder.calls.length, 1, 'not retried: a certificate does not fix itself');
      assertNoSecrets(t, error, log.lines);
    }
  }
});

t.test('user input reaches GraphQL only as variables', async (t) => {
  const hostile = ['"]}) { x }', "Sales' OR 1=1 --", '{{ injection }}', 'a\\"b\n}'];
  const mock = await startMock(t);
  const recorder = recordingFetch((url, init) => fetch(url, init));
  const client = createTableauClient(clientOptions(mock, { fetch: recorder.fetch }));
  const workbooks = await client.listWorkbooks({ projects: hostile });
  t.same(workbooks, [], 'no project has those names');
  const graphql = recorder.calls.filter(([url]) => url.endsWith('/api/metadata/graphql'));
  t.ok(graphql.length >= 1);
  for (const [, init] of graphql) {
    const body = JSON.parse(init.body ?? '{}') as { query: string; variables: unknown };
    for (const value of hostile) {
      t.notOk(body.query.includes(value), `query text never carries ${JSON.stringify(value)}`);
    }
  }
  const first = JSON.parse(graphql[0]?.[1].body ?? '{}') as { variables: unknown };
  t.match(JSON.stringify(first.variables), JSON.stringify(hostile[0]).slice(1, -1));
  const refresh = await client.getLastRefreshTimes([
    { kind: 'workbook', luid: hostile[0] as string, name: 'x' },
  ]);
  t.same([...refresh], [[`workbook:${hostile[0]}`, null]]);
  const last = recorder.calls.at(-1)?.[1].body ?? '';
  t.notOk((JSON.parse(last) as { query: string }).query.includes(hostile[0] as string));
});
