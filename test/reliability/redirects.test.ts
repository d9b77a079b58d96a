/**
 * Redirects from a hostile or misconfigured Tableau host, through the public client: every
 * redirect status (301, 302, 303, 307, 308) on every kind of request (server info, sign-in,
 * GraphQL, REST refresh, job polling, sign-out) to every kind of target. Same-origin redirects
 * are followed; the sign-in's move to its pod (another loopback address here, standing in for
 * `10az.online.tableau.com`) is followed and the session stays there; anything else is
 * `ERR_TABLEAU_REDIRECT`, not retried, with nothing sent to the other host. The token secret and
 * the session token never reach any server but the origin (or the pod).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  createTableauClient,
  type FetchLike,
  type TableauApiError,
  type TableauClientOptions,
} from '../../src/index.js';
import { assertNoSecrets, renderAll, SENTINELS } from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import {
  type HostileServer,
  pathOf,
  type SeenRequest,
  startHostile,
  trustingFetch,
} from './hostile.js';

const CUSTOMER_HEALTH = {
  kind: 'workbook' as const,
  luid: '1a2b3c4d-0000-4000-8000-00000000e003',
  name: 'Customer Health',
};

type Client = ReturnType<typeof createTableauClient>;

interface Operation {
  name: string;
  /** The request the origin redirects. */
  matches(request: SeenRequest): boolean;
  /** Opens the session (may move to the pod). */
  opensSession: boolean;
  run(client: Client): Promise<unknown>;
}

const OPERATIONS: Operation[] = [
  {
    name: 'server info',
    matches: (r) => r.method === 'GET' && pathOf(r).endsWith('/serverinfo'),
    opensSession: true,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'sign-in',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signin'),
    opensSession: true,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'GraphQL',
    matches: (r) => pathOf(r) === '/api/metadata/graphql',
    opensSession: false,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'REST refresh',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/refresh'),
    opensSession: false,
    run: (c) => c.refresh(CUSTOMER_HEALTH),
  },
  {
    name: 'job polling',
    matches: (r) => r.method === 'GET' && pathOf(r).includes('/jobs/'),
    opensSession: false,
    run: async (c) => {
      const trigger = await c.refresh(CUSTOMER_HEALTH);
      if (trigger.status !== 'queued') throw new Error('expected a job');
      return c.waitForJob(trigger.jobId, { timeoutMs: 5000, pollIntervalMs: 10 });
    },
  },
  {
    name: 'sign-out',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signout'),
    opensSession: false,
    run: async (c) => {
      await c.getLastRefreshTimes([CUSTOMER_HEALTH]);
      await c.signOut();
    },
  },
];

const STATUSES = [301, 302, 303, 307, 308];

interface Target {
  name: string;
  location(origin: HostileServer, other: HostileServer, path: string): string;
  /** Followed within the origin; `pod`: followed to the other host when the pod rule allows. */
  kind: 'same-origin' | 'pod' | 'refused';
}

const TARGETS: Target[] = [
  { name: 'same origin', kind: 'same-origin', location: (o, _x, p) => `${o.url}/moved${p}` },
  { name: 'same origin, relative', kind: 'same-origin', location: (_o, _x, p) => `/moved${p}` },
  { name: 'other host, same path', kind: 'pod', location: (_o, x, p) => `${x.url}${p}` },
  { name: 'other host, other path', kind: 'refused', location: (_o, x) => `${x.url}/collect` },
  {
    name: 'other host with credentials',
    kind: 'refused',
    location: (_o, x, p) => `${x.url.replace('://', '://user:pw@')}${p}`,
  },
  {
    name: 'a public host',
    kind: 'refused',
    location: (_o, _x, p) => `https://collector.invalid${p}`,
  },
];

/** Whether the pod rule applies: a session-opening request, a status that re-sends the POST. */
function followsToPod(op: Operation, status: number): boolean {
  return op.opensSession && status !== 303;
}

interface Scene {
  origin: HostileServer;
  other: HostileServer;
  log: ReturnType<typeof captureLogger>;
  client: Client;
  redirected: SeenRequest[];
}

/** The mock behind an origin that redirects the first request `op` matches. */
async function scene(
  t: Test,
  op: Operation,
  status: number,
  target: Target,
  extra: Partial<TableauClientOptions> = {},
): Promise<Scene> {
  const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
  const redirected: SeenRequest[] = [];
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (request, self) => {
      if (redirected.length > 0 || !op.matches(request) || request.url.startsWith('/moved/')) {
        return 'forward';
      }
      redirected.push(request);
      return {
        status,
        headers: { location: target.location(self, other, request.url) },
        body: '<html><body>Moved</body></html>',
      };
    },
  });
  const log = captureLogger();
  const client = createTableauClient({
    ...clientOptions({ url: origin.url, siteName: mock.siteName }, { logger: log.logger }),
    ...extra,
  });
  return { origin, other, log, client, redirected };
}

function leaks(requests: SeenRequest[]): boolean {
  const text = renderAll(requests);
  return SENTINELS.some((secret) => text.includes(secret));
}

let cases = 0;

for (const op of OPERATIONS) {
  t.test(op.name, async (t) => {
    for (const status of STATUSES) {
      for (const target of TARGETS) {
        const outcome =
          target.kind === 'pod' ? (followsToPod(op, status) ? 'pod' : 'refused') : target.kind;
        t.test(`${status} to ${target.name}: ${outcome}`, async (t) => {
          cases++;
          const s = await scene(t, op, status, target);
          let error: unknown;
          try {
            await op.run(s.client);
          } catch (caught) {
            error = caught;
          }
          t.equal(s.redirected.length, 1, 'the origin answered with the redirect');
          if (outcome === 'refused') {
            t.match(error, { code: 'ERR_TABLEAU_REDIRECT', status });
            const message = (error as Error).message;
            t.match(message, new URL(s.origin.url).origin, 'names the origin');
            if (target.name.startsWith('other host')) {
              t.match(message, new URL(s.other.url).origin, 'names the other origin');
            }
            t.match(message, /nothing was sent there/);
            t.equal(s.origin.requests.filter((r) => op.matches(r)).length, 1, 'not retried');
            t.same(s.other.requests, [], 'nothing reached the other host');
          } else {
            t.equal(error, undefined, 'the operation succeeded');
            if (outcome === 'same-origin') {
              t.same(s.other.requests, [], 'nothing reached the other host');
              t.ok(
                s.origin.requests.some((r) => r.url.startsWith('/moved/')),
                'followed',
              );
            } else {
              t.ok(s.other.requests.length > 0, 'the session moved to the pod');
              const after = s.origin.requests.slice(
                s.origin.requests.indexOf(s.redirected[0]!) + 1,
              );
              t.same(after, [], 'nothing more went to the generic host');
              const warning = s.log.lines.find((l) => l.level === 'warn');
              t.match(warning?.data, {
                event: 'tableau_pod_redirect',
                from: new URL(s.origin.url).origin,
                to: new URL(s.other.url).origin,
              });
            }
          }
          if (outcome !== 'pod') t.notOk(leaks(s.other.requests), 'no secret on the other host');
          assertNoSecrets(t, error, s.log.lines);
        });
      }
    }
  });
}

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
  t.equal(cases, OPERATIONS.length * STATUSES.length * TARGETS.length + 10 + 1 + 9 + 1 + 3 + 3);
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(Number(/Redirect cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), cases);
});
