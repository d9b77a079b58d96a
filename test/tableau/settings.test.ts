import t from 'tap';
import { ConfigError } from '../../src/errors.js';
import { REDACTED, Redactor, redactUrl } from '../../src/tableau/redact.js';
import {
  apiVersionAtLeast,
  isLoopbackHost,
  resolveTableauSettings,
  type TableauClientOptions,
} from '../../src/tableau/settings.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import { asserter } from './scripted-server.js';

const base: TableauClientOptions = {
  serverUrl: '10az.online.tableau.com',
  siteName: 'acme',
  tokenName: 'dbt',
  tokenSecret: SENTINEL_SECRET,
};

function configError(options: Partial<TableauClientOptions> | unknown): ConfigError {
  try {
    resolveTableauSettings({ ...base, ...(options as object) } as TableauClientOptions);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('a bare host means https; defaults applied', async (t) => {
  t.same(resolveTableauSettings(base), {
    baseUrl: 'https://10az.online.tableau.com',
    host: '10az.online.tableau.com',
    siteName: 'acme',
    auth: { kind: 'personal-access-token', tokenName: 'dbt', tokenSecret: SENTINEL_SECRET },
    apiVersion: undefined,
    timeoutMs: 30_000,
    retries: 4,
    retryMinDelayMs: 500,
    retryMaxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
    maxResponseBytes: 64 * 1024 * 1024,
    maxListingPages: 10_000,
    maxListingNodes: 1_000_000,
    pageSize: 100,
    fixedPageSize: false,
  });
  // A given page size is used for every page; the default is sized from the node budget.
  t.equal(resolveTableauSettings({ ...base, pageSize: 250 }).fixedPageSize, true);
});

t.test('URLs: https with port and path prefix, trailing slash, loopback http', async (t) => {
  t.equal(
    resolveTableauSettings({ ...base, serverUrl: 'https://tableau.example.com:8443/tab/' }).baseUrl,
    'https://tableau.example.com:8443/tab',
  );
  t.equal(
    resolveTableauSettings({ ...base, serverUrl: 'https://tableau.example.com/' }).baseUrl,
    'https://tableau.example.com',
  );
  t.equal(
    resolveTableauSettings({ ...base, serverUrl: 'http://127.0.0.1:8080', siteName: '' }).baseUrl,
    'http://127.0.0.1:8080',
  );
  t.equal(
    resolveTableauSettings({ ...base, serverUrl: 'http://intranet', allowInsecureHttp: true })
      .baseUrl,
    'http://intranet',
  );
  t.equal(
    resolveTableauSettings({ ...base, serverUrl: 'tableau.corp', siteName: '' }).siteName,
    '',
  );
});

t.test('bad settings are ERR_TABLEAU_CONFIG naming the field', async (t) => {
  const cases: [Partial<TableauClientOptions> | Record<string, unknown>, string, RegExp][] = [
    [
      { serverUrl: 'http://tableau.example.com' },
      'serverUrl',
      /clear text; use https:\/\/ or set allowInsecureHttp: true/,
    ],
    [{ serverUrl: 'ftp://x' }, 'serverUrl', /scheme ftp: is not supported/],
    [{ serverUrl: 'https://u:p@x.com' }, 'serverUrl', /must not contain credentials/],
    [
      { serverUrl: 'https://10az.online.tableau.com/#/site/acme/home' },
      'serverUrl',
      /query or #fragment/,
    ],
    [{ serverUrl: 'https://exa mple.com' }, 'serverUrl', /not a valid host or URL/],
    [{ serverUrl: '' }, 'serverUrl', /must not be empty/],
    [{ serverUrl: ' 10az.online.tableau.com' }, 'serverUrl', /leading or trailing whitespace/],
    [{ siteName: 'Acme Corp' }, 'siteName', /not a site contentUrl/],
    [{ siteName: '' }, 'siteName', /Tableau Cloud has no default site/],
    [{ siteName: 3 }, 'siteName', /expected a string, got number/],
    [{ tokenName: 'dbt ' }, 'tokenName', /whitespace \("dbt "\)/],
    [{ tokenSecret: '' }, 'tokenSecret', /must not be empty/],
    [{ apiVersion: '3' }, 'apiVersion', /not a REST API version >= 3\.6/],
    [{ apiVersion: '3.5' }, 'apiVersion', /not a REST API version >= 3\.6/],
    [{ fetch: 'fetch' }, 'fetch', /expected a function/],
    [{ timeoutMs: 0 }, 'timeoutMs', /integer >= 1/],
    [{ retries: -1 }, 'retries', /integer >= 0/],
    [{ retries: 1.5 }, 'retries', /integer >= 0/],
    [{ retryMinDelayMs: 100, retryMaxDelayMs: 50 }, 'retryMaxDelayMs', /integer >= 100/],
    [{ pageSize: 5000 }, 'pageSize', /at most 1000/],
    [{ allowInsecureHttp: 'yes' }, 'allowInsecureHttp', /expected a boolean/],
  ];
  for (const [options, field, message] of cases) {
    const error = configError(options);
    t.equal(error.code, 'ERR_TABLEAU_CONFIG', `${field}: code`);
    t.equal(error.field, field);
    t.match(error.message, message);
  }
  let nullError: unknown;
  try {
    resolveTableauSettings(null as never);
  } catch (error) {
    nullError = error;
  }
  t.match(nullError, { code: 'ERR_TABLEAU_CONFIG', field: 'options' });
  const secretError = configError({ tokenSecret: ` ${SENTINEL_SECRET}` });
  t.equal(secretError.field, 'tokenSecret');
  assertNoSecrets(asserter(t), secretError);
});

t.test('isLoopbackHost and apiVersionAtLeast', async (t) => {
  t.same(
    ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'LOCALHOST'].map(
      isLoopbackHost,
    ),
    [true, true, true, true, true, true, true],
  );
  t.same(['10.0.0.1', 'localhost.evil.com', '128.0.0.1'].map(isLoopbackHost), [
    false,
    false,
    false,
  ]);
  t.equal(apiVersionAtLeast('3.28', '3.6'), true);
  t.equal(apiVersionAtLeast('3.6', '3.6'), true);
  t.equal(apiVersionAtLeast('3.5', '3.6'), false);
  t.equal(apiVersionAtLeast('4.0', '3.28'), true);
});

t.test('Redactor masks secrets in strings and deep objects without mutating them', async (t) => {
  const redactor = new Redactor([SENTINEL_SECRET, '']);
  redactor.add(SENTINEL_SESSION_TOKEN);
  t.equal(redactor.has(SENTINEL_SESSION_TOKEN), true);
  t.equal(redactor.has(''), false);
  t.equal(redactor.redactString(`a ${SENTINEL_SECRET} b`), `a ${REDACTED} b`);
  t.equal(redactor.redactString(`x=${encodeURIComponent('a/b c')}`), 'x=a%2Fb%20c');
  const special = new Redactor(['a/b c']);
  t.equal(special.redactString(`x=${encodeURIComponent('a/b c')}`), `x=${REDACTED}`);
  t.equal(
    redactor.redactString('<credentials token="abc" personalAccessTokenSecret="def">'),
    `<credentials token="${REDACTED}" personalAccessTokenSecret="${REDACTED}">`,
  );
  t.equal(
    redactor.redactString('{"token":"abc\\"d","name":"n"} X-Tableau-Auth: zzz'),
    `{"token":"${REDACTED}","name":"n"} X-Tableau-Auth: ${REDACTED}`,
  );
  const input: Record<string, unknown> = {
    headers: { 'X-Tableau-Auth': 'anything' },
    list: [SENTINEL_SESSION_TOKEN, 1, null],
    error: Object.assign(new Error(`failed with ${SENTINEL_SECRET}`), { code: 'E' }),
    plainError: new Error('plain'),
  };
  input.self = input;
  const out = redactor.redact(input) as Record<string, unknown>;
  t.same(out.headers, { 'X-Tableau-Auth': REDACTED });
  t.same(out.list, [REDACTED, 1, null]);
  t.same(out.error, { name: 'Error', message: `failed with ${REDACTED}`, code: 'E' });
  t.same(out.plainError, { name: 'Error', message: 'plain' });
  t.equal(out.self, out, 'cycles are kept as cycles');
  t.same((input.list as unknown[])[0], SENTINEL_SESSION_TOKEN, 'input untouched');
  t.equal(redactor.redact(5), 5);
  t.equal(
    redactUrl(`https://u:p@h.com/api/${SENTINEL_SESSION_TOKEN}?q=1`, redactor),
    `https://h.com/api/${REDACTED}?q=1`,
  );
});
