/**
 * The mock's `pod` option: Tableau Cloud's generic host (127.0.0.1) redirects the sign-in to the
 * site's pod (127.0.0.3), which serves everything. Through the public API: the client signs in at
 * the pod, lists, refreshes, renews its session and signs out there, and neither the credentials
 * nor the session token reach the generic host beyond the one sign-in the redirect answers.
 */

import type { Test } from 'tap';
import t from 'tap';
import { createTableauClient, type TableauClientOptions } from '../../src/index.js';
import {
  createMockTableauServer,
  type MockPodOptions,
  type MockTableauServer,
} from '../../src/testing/index.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { asserter, captureLogger } from '../tableau/scripted-server.js';

const WORKBOOK = '40000000-0000-4000-8000-000000000001';

async function startPodMock(t: Test, pod: MockPodOptions): Promise<MockTableauServer> {
  const mock = await createMockTableauServer({
    pod,
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: (n) => `${SENTINEL_SESSION_TOKEN}-${n}`,
    jobPlan: { queuedMs: 0, runMs: 0 },
    workbooks: [
      {
        luid: WORKBOOK,
        name: 'Sales Overview',
        projectName: 'Sales',
        embeddedDatasources: [
          { name: 'orders', hasExtracts: true, tables: ['ANALYTICS.MARTS.ORDERS'] },
        ],
      },
    ],
  });
  t.teardown(() => mock.close());
  return mock;
}

function options(
  mock: MockTableauServer,
  extra: Partial<TableauClientOptions> = {},
): TableauClientOptions {
  return {
    serverUrl: mock.url,
    siteName: mock.siteName,
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 5,
    ...extra,
  };
}

t.test(
  'the generic host sends the sign-in to the pod, which serves the whole session',
  async (t) => {
    const mock = await startPodMock(t, {});
    t.match(mock.podUrl, /^http:\/\/127\.0\.0\.3:\d+$/);
    const log = captureLogger();
    const client = createTableauClient(options(mock, { logger: log.logger }));

    const workbooks = await client.listWorkbooks();
    t.same(
      workbooks.map((w) => w.name),
      ['Sales Overview'],
    );
    t.ok(
      String(workbooks[0]?.url).startsWith(`${mock.url}/#/site/`),
      'browser URLs keep the serverUrl given',
    );
    const target = { kind: 'workbook' as const, luid: WORKBOOK, name: 'Sales Overview' };
    const trigger = await client.refresh(target);
    if (trigger.status !== 'queued')
      throw new Error(`expected a queued refresh, got ${trigger.status}`);
    t.equal((await client.waitForJob(trigger.jobId, { pollIntervalMs: 1 })).status, 'success');
    const times = await client.getLastRefreshTimes([target]);
    t.type(times.get(`workbook:${WORKBOOK}`), Date, 'the refresh time is read at the pod');
    mock.expireSessions();
    t.equal((await client.listWorkbooks()).length, 1, 'the session is renewed');
    await client.signOut();

    const atGeneric = mock.requests.filter((r) => r.origin === mock.url);
    const atPod = mock.requests.filter((r) => r.origin === mock.podUrl);
    t.same(
      atGeneric.map((r) => `${r.method} ${r.route} ${r.status} ${r.sessionToken}`),
      ['GET serverinfo 200 false', 'POST signin 301 false'],
      'the generic host saw server info and one sign-in, never a session token',
    );
    t.equal(atGeneric.length + atPod.length, mock.requests.length, 'nothing went elsewhere');
    t.same(
      atPod.filter((r) => r.route === 'signin').map((r) => r.status),
      [200, 200],
      'the first sign-in and the renewal at the pod',
    );
    t.same(
      atPod.filter((r) => r.route !== 'signin' && !r.sessionToken),
      [],
      'every other request at the pod carries the session',
    );
    t.same([...new Set(atPod.map((r) => r.route))].sort(), [
      'graphql',
      'job',
      'refresh-workbook',
      'signin',
      'signout',
    ]);
    t.equal(mock.activeSessions, 0, 'signed out at the pod');
    const moves = log.lines.filter(
      (l) => (l.data as { event?: string } | undefined)?.event === 'tableau_pod_redirect',
    );
    t.same(
      moves.map((l) => l.data),
      [{ event: 'tableau_pod_redirect', from: mock.url, to: mock.podUrl, status: 301 }],
      'one warning, for the one move',
    );
    assertNoSecrets(asserter(t), log.lines, workbooks, mock.requests);
  },
);

t.test('a 307 redirect is followed the same way', async (t) => {
  const mock = await createMockTableauServer({ pod: { status: 307 } });
  t.teardown(() => mock.close());
  const client = createTableauClient({
    serverUrl: mock.url,
    siteName: mock.siteName,
    tokenName: mock.token.name,
    tokenSecret: mock.token.secret,
  });
  t.same(await client.listWorkbooks(), []);
  t.same(
    mock.requests.map((r) => `${r.origin === mock.url ? 'generic' : 'pod'} ${r.route} ${r.status}`),
    [
      'generic serverinfo 200',
      'generic signin 307',
      'pod signin 200',
      'pod graphql 200',
      'pod graphql 200',
      'pod graphql 200',
    ],
  );
});

t.test('the generic host answers server info and redirects anything else', async (t) => {
  const mock = await createMockTableauServer({ pod: { host: '127.0.0.4', status: 308 } });
  t.teardown(() => mock.close());
  const info = await fetch(`${mock.url}/api/3.6/serverinfo`, {
    headers: { accept: 'application/json' },
  });
  t.equal(info.status, 200);
  const path = `/api/3.28/sites/${mock.siteLuid}/projects?pageSize=10`;
  const moved = await fetch(`${mock.url}${path}`, { redirect: 'manual' });
  t.equal(moved.status, 308);
  t.equal(moved.headers.get('location'), `${mock.podUrl}${path}`);
  t.match(mock.podUrl, /^http:\/\/127\.0\.0\.4:\d+$/);
  const plain = await createMockTableauServer();
  t.teardown(() => plain.close());
  t.equal(plain.podUrl, null, 'no pod unless asked');
});

t.test(
  'a pod host that cannot be bound fails the start and leaves nothing listening',
  async (t) => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: listening there fails.
    await t.rejects(createMockTableauServer({ pod: { host: '192.0.2.1' } }), {
      code: 'EADDRNOTAVAIL',
    });
  },
);
