/**
 * Redirects from a hostile or misconfigured Tableau host, through the public client. The matrix
 * of every redirect status on every kind of request to every kind of target is in
 * redirect-matrix.ts: its covering subset runs here, every case in redirects.slow.test.ts. Same-
 * origin redirects are followed; the sign-in's move to its pod (another loopback address here,
 * standing in for `10az.online.tableau.com`) is followed and the session stays there; anything
 * else is `ERR_TABLEAU_REDIRECT`, not retried, with nothing sent to the other host. The token
 * secret and the session token never reach any server but the origin (or the pod).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  createTableauClient,
  type FetchLike,
  type TableauApiError,
  type TableauClientOptions,
} from '../../src/index.js';
import { covering } from '../helpers/covering.js';
import { assertNoSecrets, SENTINELS } from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import { pathOf, type SeenRequest, startHostile, trustingFetch } from './hostile.js';
import {
  CUSTOMER_HEALTH,
  leaks,
  OPERATIONS,
  REDIRECT_CASES,
  REDIRECT_FACETS,
  redirectCaseName,
  runRedirectCase,
  STATUSES,
  scene,
  TARGETS,
} from './redirect-matrix.js';

const QUICK = covering(REDIRECT_CASES, REDIRECT_FACETS);

t.test(`the redirect matrix, ${QUICK.length} of its ${REDIRECT_CASES.length} cases`, async (t) => {
  for (const c of QUICK) t.test(redirectCaseName(c), (t) => runRedirectCase(t, c));
});

/** Cases tried besides the matrix, counted as they run. */
let cases = 0;

t.test('https origin: never to plain http, even to its own host or for sign-in', async (t) => {
  for (const op of OPERATIONS.filter((o) => o.name !== 'server info')) {
    for (const downgrade of ['same host', 'other host']) {
      const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
      const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
      const plain = await startHostile(t, { upstream: mock.url });
      let redirected = 0;
      const origin = await startHostile(t, {
        tls: true,
        upstream: mock.url,
        rule: (request) => {
          if (redirected > 0 || !op.matches(request)) return 'forward';
          redirected++;
          const to = downgrade === 'same host' ? plain.url : other.url;
          return { status: 307, headers: { location: `${to}${request.url}` } };
        },
      });
      const log = captureLogger();
      const client = createTableauClient(
        clientOptions(
          { url: origin.url, siteName: mock.siteName },
          { fetch: trustingFetch, logger: log.logger },
        ),
      );
      let error: unknown;
      try {
        await op.run(client);
      } catch (caught) {
        error = caught;
      }
      cases++;
      t.match(error, { code: 'ERR_TABLEAU_REDIRECT' }, `${op.name}, ${downgrade}`);
      t.match((error as Error).message, /from https to plain http/);
      t.same([...other.requests, ...plain.requests], [], 'nothing sent over plain http');
      assertNoSecrets(t, error, log.lines);
    }
  }
});

t.test(
  'https pod: the sign-in moves to another https host and the session stays there',
  async (t) => {
    const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
    const pod = await startHostile(t, { host: '127.0.0.3', tls: true, upstream: mock.url });
    const origin = await startHostile(t, {
      tls: true,
      upstream: mock.url,
      rule: (request) =>
        request.method === 'POST' && pathOf(request).endsWith('/auth/signin')
          ? { status: 307, headers: { location: `${pod.url}${request.url}` } }
          : 'forward',
    });
    const log = captureLogger();
    const client = createTableauClient(
      clientOptions(
        { url: origin.url, siteName: mock.siteName },
        { fetch: trustingFetch, logger: log.logger },
      ),
    );
    const workbooks = await client.listWorkbooks();
    t.equal(workbooks.length, 7);
    const trigger = await client.refresh(CUSTOMER_HEALTH);
    t.equal(trigger.status, 'queued');
    await client.signOut();
    cases++;
    t.same(
      origin.requests.map((r) => `${r.method} ${pathOf(r)}`),
      ['GET /api/3.6/serverinfo', `POST /api/${mock.apiVersion}/auth/signin`],
      'the generic host saw only server info and the first sign-in',
    );
    t.ok(
      pod.requests.some((r) => pathOf(r).endsWith('/auth/signout')),
      'signed out at the pod',
    );
    t.equal(mock.activeSessions, 0);
    const warnings = log.lines.filter((l) => l.level === 'warn');
    t.equal(warnings.length, 1, 'one warning');
    t.match(warnings[0]?.message, /to its pod https:\/\/127\.0\.0\.3:\d+/);
    t.match(warnings[0]?.message, /Set serverUrl to https:\/\/127\.0\.0\.3/);
    assertNoSecrets(t, log.lines);
  },
);

t.test('the pod rule: only from Tableau Cloud hosts to https Tableau Cloud hosts', async (t) => {
  // A fetch standing in for the network: the generic host answers 307 to the given Location;
  // the test records which URLs the client asked for.
  const tryLocation = async (serverUrl: string, location: string) => {
    const asked: string[] = [];
    const fetch: TableauClientOptions['fetch'] = async (url) => {
      asked.push(url);
      if (url.endsWith('/serverinfo')) {
        return {
          status: 200,
          headers: new Headers({ 'content-type': 'application/json' }),
          text: async () => '{"serverInfo":{"restApiVersion":"3.24"}}',
        };
      }
      if (asked.filter((u) => u.endsWith('/auth/signin')).length === 1) {
        return { status: 307, headers: new Headers({ location }), text: async () => '' };
      }
      return { status: 401, headers: new Headers(), text: async () => '' };
    };
    const log = captureLogger();
    const client = createTableauClient({
      serverUrl,
      siteName: 'acme',
      tokenName: 'n',
      tokenSecret: SENTINELS[0],
      fetch,
      retries: 0,
      logger: log.logger,
    });
    const error = (await client.listWorkbooks().catch((e: unknown) => e)) as TableauApiError;
    return { asked, error, warned: log.lines.some((l) => l.level === 'warn') };
  };
  const followed = [
    ['online.tableau.com', 'https://10az.online.tableau.com/api/3.24/auth/signin'],
    [
      'https://prod-useast-a.online.tableau.com',
      'https://10ay.online.tableau.com/api/3.24/auth/signin',
    ],
  ];
  for (const [serverUrl, location] of followed) {
    const r = await tryLocation(serverUrl as string, location as string);
    cases++;
    t.equal(r.asked.at(-1), location, `${serverUrl} → ${location}: re-POSTed to the pod`);
    t.ok(r.warned, 'with a warning');
    t.equal(r.error.code, 'ERR_TABLEAU_AUTH', 'the (fake) pod then refused: the pod was used');
  }
  const refused = [
    ['online.tableau.com', 'http://10az.online.tableau.com/api/3.24/auth/signin'],
    ['online.tableau.com', 'https://evil.example/api/3.24/auth/signin'],
    ['online.tableau.com', 'https://online.tableau.com.evil.example/api/3.24/auth/signin'],
    ['online.tableau.com', 'https://10az.online.tableau.com/collect'],
    ['tableau.example.com', 'https://10az.online.tableau.com/api/3.24/auth/signin'],
    ['tableau.example.com', 'https://sso.example.com/api/3.24/auth/signin'],
    ['10az.online.tableau.com', 'https://online.tableau.com/api/3.24/auth/signin'],
  ];
  for (const [serverUrl, location] of refused) {
    const r = await tryLocation(serverUrl as string, location as string);
    cases++;
    t.equal(r.error.code, 'ERR_TABLEAU_REDIRECT', `${serverUrl} → ${location}: refused`);
    t.notOk(
      r.asked.some((u) => u.startsWith(new URL(location as string).origin)),
      'nothing sent to the Location',
    );
    t.notOk(r.warned);
  }
});

/** A workbooks page (a listing also pages published data sources and custom SQL, at once). */
const isWorkbooksPage = (r: SeenRequest): boolean =>
  pathOf(r) === '/api/metadata/graphql' && r.body.includes('workbooksConnection');

t.test('a fetch that follows redirects anyway fails with ERR_TABLEAU_REDIRECT, once', async (t) => {
  const mock = await startMock(t);
  const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (request) =>
      isWorkbooksPage(request)
        ? { status: 302, headers: { location: `${other.url}${request.url}` } }
        : 'forward',
  });
  const following: TableauClientOptions['fetch'] = (url, init) =>
    fetch(url, { ...init, redirect: 'follow' }) as unknown as ReturnType<
      NonNullable<TableauClientOptions['fetch']>
    >;
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { fetch: following }),
  );
  const error = await client.listWorkbooks().catch((e: unknown) => e);
  cases++;
  t.match(error, { code: 'ERR_TABLEAU_REDIRECT' });
  t.match((error as Error).message, /fetch option .*redirect: 'manual'/);
  t.equal(origin.requests.filter(isWorkbooksPage).length, 1, 'not retried');
  assertNoSecrets(t, error);
});

t.test('the global fetch (undici) gets the same decisions', async (t) => {
  for (const [route, target, outcome] of [
    ['sign-in', 'other host, same path', 'pod'],
    ['GraphQL', 'same origin', 'same-origin'],
    ['GraphQL', 'other host, same path', 'refused'],
  ] as const) {
    const op = OPERATIONS.find((o) => o.name === route)!;
    const s = await scene(t, op, 307, TARGETS.find((x) => x.name === target)!, {
      fetch: globalThis.fetch as unknown as FetchLike,
    });
    const error = await op.run(s.client).then(
      () => undefined,
      (e: unknown) => e,
    );
    cases++;
    if (outcome === 'refused') {
      t.match(error, { code: 'ERR_TABLEAU_REDIRECT' }, `${route} to ${target}`);
      t.same(s.other.requests, []);
    } else {
      t.equal(error, undefined, `${route} to ${target}: followed`);
    }
    if (outcome !== 'pod') t.notOk(leaks(s.other.requests));
  }
});

t.test(
  'a loop within the origin, a Location of another scheme, no Location: refused',
  async (t) => {
    const variants: [string, (r: SeenRequest) => Record<string, string>, RegExp][] = [
      ['a loop within the origin', (r) => ({ location: r.url }), /redirected 5 times in a row/],
      ['an ftp: Location', () => ({ location: 'ftp://127.0.0.2/x' }), /to a ftp: URL/],
      ['no Location', () => ({}), /without a usable Location header/],
    ];
    for (const [name, headers, message] of variants) {
      const mock = await startMock(t);
      const origin = await startHostile(t, {
        upstream: mock.url,
        rule: (r) => (isWorkbooksPage(r) ? { status: 302, headers: headers(r) } : 'forward'),
      });
      const log = captureLogger();
      const client = createTableauClient(
        clientOptions({ url: origin.url, siteName: mock.siteName }, { logger: log.logger }),
      );
      const error = await client.listWorkbooks().catch((e: unknown) => e);
      cases++;
      t.match(error, { code: 'ERR_TABLEAU_REDIRECT', message }, name);
      const graphql = origin.requests.filter(isWorkbooksPage).length;
      t.equal(graphql, name === 'a loop within the origin' ? 5 : 1, 'hops bounded, not retried');
      assertNoSecrets(t, error, log.lines);
    }
  },
);

t.test('cases tried, as docs/reliability.md states', async (t) => {
  t.equal(REDIRECT_CASES.length, OPERATIONS.length * STATUSES.length * TARGETS.length);
  t.equal(cases, 10 + 1 + 9 + 1 + 3 + 3, 'every case besides the matrix ran');
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(
    Number(/Redirect cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]),
    REDIRECT_CASES.length + cases,
  );
});
