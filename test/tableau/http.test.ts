import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DbtAutoExposuresError, TableauApiError } from '../../src/errors.js';
import {
  createHttpClient,
  type FetchLike,
  type HttpConfig,
  isRetryableStatus,
  parseRetryAfter,
  parseTableauErrorBody,
} from '../../src/tableau/http.js';
import { Redactor } from '../../src/tableau/redact.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';
import { asserter, captureLogger, type Handler, startScriptedServer } from './scripted-server.js';

const fixture = (name: string): string =>
  readFileSync(join(repoFixtures, 'tableau-client', name), 'utf8');

async function withServer(t: Test, handler: Handler, config: Partial<HttpConfig> = {}) {
  const server = await startScriptedServer(handler);
  t.teardown(() => server.close());
  const log = captureLogger();
  const redactor = new Redactor([SENTINEL_SECRET, SENTINEL_SESSION_TOKEN]);
  const http = createHttpClient({
    baseUrl: server.url,
    timeoutMs: 5000,
    retries: 3,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 4,
    maxRetryAfterMs: 20,
    maxResponseBytes: 1024 * 1024,
    logger: log.logger,
    redactor,
    ...config,
  });
  return { server, http, log };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

t.test('a JSON answer: Accept and Content-Type sent, body parsed, one debug line', async (t) => {
  const { server, http, log } = await withServer(t, () => ({ body: '{"ok":true}' }));
  const response = await http.request({
    method: 'POST',
    path: '/api/3.22/x',
    body: { a: 1 },
    headers: { 'x-tableau-auth': SENTINEL_SESSION_TOKEN },
    operation: 'do x',
  });
  t.same(response, { status: 200, body: { ok: true } });
  t.equal(server.requests.length, 1);
  const [seen] = server.requests;
  t.equal(seen?.headers.accept, 'application/json');
  t.equal(seen?.headers['content-type'], 'application/json');
  t.equal(seen?.body, '{"a":1}');
  t.equal(log.lines.length, 1);
  t.match(log.lines[0], {
    level: 'debug',
    message: 'POST /api/3.22/x 200',
    data: { method: 'POST', path: '/api/3.22/x', status: 200, attempt: 1 },
  });
  t.type((log.lines[0]!.data as { ms: unknown }).ms, 'number');
  assertNoSecrets(asserter(t), log.lines);
});

t.test('an XML success body is refused: the client asks for JSON', async (t) => {
  const xml = fixture('serverinfo-response.xml');
  const { server, http } = await withServer(t, () => ({
    headers: { 'content-type': 'application/xml' },
    body: xml,
  }));
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.6/serverinfo', operation: 'info' }),
  )) as TableauApiError;
  t.equal(server.requests[0]?.headers.accept, 'application/json');
  t.equal(server.requests.length, 1, 'not retried');
  t.equal(error.code, 'ERR_TABLEAU_RESPONSE');
  t.equal(
    error.message,
    'info: GET /api/3.6/serverinfo answered HTTP 200 with an XML body although JSON was asked for (Accept: application/json)',
  );
});

t.test('an empty body is null', async (t) => {
  const { http } = await withServer(t, () => ({ status: 204 }));
  const response = await http.request({ method: 'POST', path: '/api/3.22/out', operation: 'out' });
  t.same(response, { status: 204, body: null });
});

t.test('503 and 429 are retried until an answer arrives', async (t) => {
  const { server, http, log } = await withServer(t, (_req, i) =>
    i === 0
      ? {
          status: 503,
          headers: { 'content-type': 'text/html' },
          body: '<html><body>busy</body></html>',
        }
      : i === 1
        ? { status: 429, headers: { 'retry-after': '0' }, body: '' }
        : { body: '{"n":3}' },
  );
  const response = await http.request({ method: 'GET', path: '/api/3.22/y', operation: 'read y' });
  t.same(response.body, { n: 3 });
  t.equal(server.requests.length, 3);
  t.same(
    log.lines
      .filter((l) => (l.data as { status?: unknown }).status !== undefined)
      .map((l) => l.data as { status: number; attempt: number })
      .map((d) => [d.status, d.attempt]),
    [
      [503, 1],
      [429, 2],
      [200, 3],
    ],
  );
  t.equal(log.lines.filter((l) => l.message.includes('retry in')).length, 2);
});

t.test('retries stop at the configured bound with an error saying what failed', async (t) => {
  const { server, http } = await withServer(
    t,
    () => ({
      status: 503,
      body: '{"error":{"code":"503000","summary":"Service Unavailable","detail":"try later"}}',
    }),
    { retries: 2 },
  );
  const error = await rejection(
    http.request({
      method: 'GET',
      path: '/api/3.22/sites/s/workbooks',
      operation: 'list workbooks',
    }),
  );
  t.equal(server.requests.length, 3, 'one attempt plus two retries');
  t.type(error, TableauApiError);
  const e = error as TableauApiError;
  t.equal(e.code, 'ERR_TABLEAU_API');
  t.equal(e.status, 503);
  t.equal(e.tableauCode, '503000');
  t.equal(e.summary, 'Service Unavailable');
  t.equal(e.detail, 'try later');
  t.equal(e.method, 'GET');
  t.equal(e.url, `${server.url}/api/3.22/sites/s/workbooks`);
  t.equal(
    e.message,
    'list workbooks: GET /api/3.22/sites/s/workbooks answered HTTP 503 (Tableau 503000 Service Unavailable: try later); gave up after 3 attempts',
  );
  t.equal(e.details?.attempts, 3);
  t.same(JSON.parse(JSON.stringify(e)), {
    name: 'TableauApiError',
    code: 'ERR_TABLEAU_API',
    message: e.message,
    details: { attempt: 3, attempts: 3 },
    status: 503,
    tableauCode: '503000',
    summary: 'Service Unavailable',
    detail: 'try later',
    method: 'GET',
    url: e.url,
  });
});

t.test('retries: 0 means a single attempt', async (t) => {
  const { server, http } = await withServer(t, () => ({ status: 500, body: '' }), { retries: 0 });
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.22/z', operation: 'read z' }),
  )) as TableauApiError;
  t.equal(server.requests.length, 1);
  t.equal(error.message, 'read z: GET /api/3.22/z answered HTTP 500');
});

t.test('a Tableau XML error is parsed and not retried', async (t) => {
  const xml = fixture('signin-error-401001.xml');
  const { server, http } = await withServer(t, () => ({
    status: 401,
    headers: { 'content-type': 'application/xml' },
    body: xml,
  }));
  const error = (await rejection(
    http.request({ method: 'POST', path: '/api/3.22/auth/signin', operation: 'sign in' }),
  )) as TableauApiError;
  t.equal(server.requests.length, 1);
  t.equal(error.status, 401);
  t.equal(error.tableauCode, '401001');
  t.equal(error.summary, 'Signin Error');
  t.equal(error.detail, 'Error signing in to Tableau Server');
});

t.test(
  'a 200 that is an HTML page or truncated JSON is ERR_TABLEAU_RESPONSE, not retried',
  async (t) => {
    for (const [body, words] of [
      ['<!DOCTYPE html><html><body>login</body></html>', 'an HTML page instead of an API response'],
      ['{"data":{"workbooksConnection":{"nodes":[', 'malformed or truncated JSON'],
      [
        '<?xml version=\'1.0\'?><tsResponse><job id="1">',
        'an XML body although JSON was asked for (Accept: application/json)',
      ],
    ] as const) {
      const { server, http } = await withServer(t, () => ({ body }));
      const error = (await rejection(
        http.request({ method: 'GET', path: '/api/3.22/q', operation: 'query' }),
      )) as TableauApiError;
      t.equal(server.requests.length, 1);
      t.equal(error.code, 'ERR_TABLEAU_RESPONSE');
      t.equal(error.message, `query: GET /api/3.22/q answered HTTP 200 with ${words}`);
    }
  },
);

t.test('an HTML error page is named as such', async (t) => {
  const { http } = await withServer(t, () => ({
    status: 404,
    body: '<html><body>nope</body></html>',
  }));
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.22/q', operation: 'query' }),
  )) as TableauApiError;
  t.equal(
    error.message,
    'query: GET /api/3.22/q answered HTTP 404 (an HTML page, not a Tableau API error)',
  );
  t.equal(error.tableauCode, undefined);
});

t.test('a dropped connection is a network error, retried up to the bound', async (t) => {
  const { server, http } = await withServer(t, () => 'drop', { retries: 1 });
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.22/d', operation: 'read d' }),
  )) as TableauApiError;
  t.equal(server.requests.length, 2);
  t.equal(error.code, 'ERR_TABLEAU_NETWORK');
  t.match(error.message, /^read d: GET \/api\/3\.22\/d failed: .+; gave up after 2 attempts$/);
});

t.test('a dropped connection then an answer succeeds', async (t) => {
  const { server, http } = await withServer(t, (_r, i) => (i === 0 ? 'drop' : { body: '[1]' }));
  const response = await http.request({ method: 'GET', path: '/api/3.22/d', operation: 'read d' });
  t.same(response.body, [1]);
  t.equal(server.requests.length, 2);
});

t.test('the per-request timeout gives ERR_TABLEAU_TIMEOUT', async (t) => {
  const { server, http } = await withServer(t, () => 'hang', { timeoutMs: 30, retries: 1 });
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.22/slow', operation: 'read slow' }),
  )) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_TIMEOUT');
  t.equal(server.requests.length, 2);
  t.equal(
    error.message,
    'read slow: GET /api/3.22/slow got no complete response within 30 ms; gave up after 2 attempts',
  );
});

t.test('a user abort stops the request in flight and is never retried', async (t) => {
  const controller = new AbortController();
  const { server, http } = await withServer(t, () => {
    controller.abort();
    return 'hang';
  });
  const error = (await rejection(
    http.request({
      method: 'GET',
      path: '/api/3.22/a',
      operation: 'read a',
      signal: controller.signal,
    }),
  )) as DbtAutoExposuresError;
  t.type(error, DbtAutoExposuresError);
  t.equal(error.code, 'ERR_ABORTED');
  t.equal(error.message, 'read a was aborted');
  t.equal(server.requests.length, 1);
});

t.test('the client-wide signal aborts too, and an aborted signal sends nothing', async (t) => {
  const controller = new AbortController();
  controller.abort(new Error('shutting down'));
  const { server, http } = await withServer(t, () => ({ body: '{}' }), {
    signal: controller.signal,
  });
  const error = (await rejection(
    http.request({ method: 'GET', path: '/api/3.22/a', operation: 'read a' }),
  )) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal((error.cause as Error).message, 'shutting down');
  t.equal(server.requests.length, 0);
});

t.test('an abort during the retry wait stops at once', async (t) => {
  const controller = new AbortController();
  const { server, http } = await withServer(
    t,
    () => {
      setImmediate(() => controller.abort());
      return { status: 503, body: '' };
    },
    { retryMinDelayMs: 600_000, retryMaxDelayMs: 600_000 },
  );
  const error = (await rejection(
    http.request({
      method: 'GET',
      path: '/api/3.22/a',
      operation: 'read a',
      signal: controller.signal,
    }),
  )) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal(server.requests.length, 1);
});

t.test('an abort during a long Retry-After stops at once', async (t) => {
  const controller = new AbortController();
  const { server, http } = await withServer(
    t,
    () => {
      setImmediate(() => controller.abort());
      return { status: 429, headers: { 'retry-after': '600' }, body: '' };
    },
    { maxRetryAfterMs: 600_000 },
  );
  const error = (await rejection(
    http.request({
      method: 'GET',
      path: '/api/3.22/a',
      operation: 'read a',
      signal: controller.signal,
    }),
  )) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal(server.requests.length, 1);
});

t.test('secrets in an error body, URL or header never reach the error or the log', async (t) => {
  const { http, log } = await withServer(t, () => ({
    status: 400,
    body: JSON.stringify({
      error: {
        code: '400000',
        summary: 'Bad Request',
        detail: `bad token ${SENTINEL_SESSION_TOKEN} / ${SENTINEL_SECRET}`,
      },
    }),
  }));
  const error = (await rejection(
    http.request({
      method: 'POST',
      path: `/api/3.22/echo/${SENTINEL_SESSION_TOKEN}`,
      headers: { 'x-tableau-auth': SENTINEL_SESSION_TOKEN },
      body: { personalAccessTokenSecret: SENTINEL_SECRET },
      operation: 'echo',
    }),
  )) as TableauApiError;
  t.equal(error.detail, 'bad token [REDACTED] / [REDACTED]');
  t.match(error.url, /\/api\/3\.22\/echo\/\[REDACTED\]$/);
  assertNoSecrets(asserter(t), error, log.lines);
});

t.test('an injected fetch is used; a thrown non-Error is a network error', async (t) => {
  const calls: string[] = [];
  const fake: FetchLike = async (url, init) => {
    calls.push(`${init.method} ${url}`);
    if (calls.length === 1) throw 'socket hang up';
    return { status: 200, headers: { get: () => null }, text: async () => '{"fake":1}' };
  };
  const http = createHttpClient({
    baseUrl: 'https://tableau.example.com',
    fetch: fake,
    timeoutMs: 1000,
    retries: 1,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 1,
    maxRetryAfterMs: 1,
    maxResponseBytes: 1024 * 1024,
    redactor: new Redactor(),
  });
  const response = await http.request({ method: 'GET', path: '/api/3.22/f', operation: 'f' });
  t.same(response.body, { fake: 1 });
  t.same(calls, [
    'GET https://tableau.example.com/api/3.22/f',
    'GET https://tableau.example.com/api/3.22/f',
  ]);
});

t.test('the default fetch (node-fetch) talks to a real server', async (t) => {
  const server = await startScriptedServer(() => ({ body: '{"real":true}' }));
  t.teardown(() => server.close());
  const http = createHttpClient({
    baseUrl: server.url,
    timeoutMs: 5000,
    retries: 0,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 1,
    maxRetryAfterMs: 1,
    maxResponseBytes: 1024 * 1024,
    redactor: new Redactor(),
  });
  const response = await http.request({ method: 'GET', path: '/api/3.22/r', operation: 'r' });
  t.same(response.body, { real: true });
});

t.test(
  'parseRetryAfter: seconds, HTTP date, garbage (not capped: the request path decides)',
  async (t) => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    t.equal(parseRetryAfter('2', now), 2000);
    t.equal(parseRetryAfter(' 1.5 ', now), 1500);
    t.equal(parseRetryAfter('86400', now), 86_400_000, 'not capped here');
    t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    t.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'past dates mean now');
    t.equal(parseRetryAfter('soon', now), null);
    t.equal(parseRetryAfter('', now), null);
    t.equal(parseRetryAfter(null, now), null);
  },
);

t.test('a Retry-After longer than the backoff is waited for', async (t) => {
  const { server, http, log } = await withServer(
    t,
    (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0.015' } } : { body: '{}' }),
    { maxRetryAfterMs: 1000 },
  );
  await http.request({ method: 'GET', path: '/api/3.22/r', operation: 'r' });
  t.equal(server.requests.length, 2);
  t.match(log.lines.find((l) => l.message.includes('retry in'))?.data, { retryInMs: 15 });
});

t.test('isRetryableStatus and parseTableauErrorBody', async (t) => {
  t.same(
    [200, 400, 401, 404, 408, 409, 429, 500, 502, 503, 504].filter(isRetryableStatus),
    [408, 429, 500, 502, 503, 504],
  );
  t.same(
    parseTableauErrorBody(
      '{"error":{"code":"409093","summary":"Resource Conflict","detail":"queued"}}',
    ),
    {
      tableauCode: '409093',
      summary: 'Resource Conflict',
      detail: 'queued',
    },
  );
  t.same(parseTableauErrorBody('{"error":{"code":409090}}'), { tableauCode: '409090' });
  t.equal(parseTableauErrorBody('{"message":"x"}'), null);
  t.equal(parseTableauErrorBody('{not json'), null);
  t.equal(parseTableauErrorBody('<html><body/></html>'), null);
  t.equal(parseTableauErrorBody('plain text'), null);
  t.equal(parseTableauErrorBody('<tsResponse><error code="1"'), null);
  t.equal(parseTableauErrorBody('<tsResponse><job id="1"/></tsResponse>'), null);
  t.same(
    parseTableauErrorBody(
      `<?xml version="1.0"?><t:tsResponse xmlns:t="http://tableau.com/api"><t:error code='409093'>
         <t:summary>Resource &amp; Conflict</t:summary>
         <t:detail><![CDATA[Job for 'A<B>' is queued]]></t:detail></t:error></t:tsResponse>`,
    ),
    { tableauCode: '409093', summary: 'Resource & Conflict', detail: "Job for 'A<B>' is queued" },
    'namespace prefixes, single quotes, entities and CDATA',
  );
  t.same(
    parseTableauErrorBody('<tsResponse><error code="&#52;01000"/></tsResponse>'),
    { tableauCode: '401000' },
    'a bare error element, numeric entity',
  );
  t.same(
    parseTableauErrorBody(
      '<tsResponse><error><detail>&#x41;&unknown;</detail></error></tsResponse>',
    ),
    { detail: 'A&unknown;' },
    'no code; an unknown entity is kept as written',
  );
});
