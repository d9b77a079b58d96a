import t from 'tap';
import type { DbtAutoExposuresError, TableauApiError } from '../../src/errors.js';
import { createTableauClient } from '../../src/tableau/client.js';
import type { MockWorkbookInput } from '../../src/testing/index.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { clientOptions, rejection, startMock } from './harness.js';
import { asserter, captureLogger } from './scripted-server.js';

const luid = (i: number) => `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const site = (n: number): MockWorkbookInput[] =>
  Array.from({ length: n }, (_, i) => ({
    luid: luid(i + 1),
    name: `Workbook ${String(i + 1).padStart(4, '0')}`,
    projectName: i % 2 === 0 ? 'Sales' : 'Finance',
    embeddedDatasources: [
      { name: 'orders', hasExtracts: true, tables: ['ANALYTICS.MARTS.ORDERS'] },
    ],
  }));

t.test('250 workbooks over 25 pages with 429s and 503s: each once, one sign-in', async (t) => {
  const mock = await startMock(t, {
    workbooks: site(250),
    faults: {
      graphql: [
        { fault: { kind: 'rate-limit', retryAfter: 0 }, after: 2, every: 5, times: 4 },
        { fault: { kind: 'status', status: 503 }, after: 4, every: 7, times: 3 },
      ],
    },
  });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { pageSize: 10, logger: log.logger }));
  const progress: number[] = [];
  const workbooks = await client.listWorkbooks({
    onProgress: (p) => progress.push(p.workbooksFetched),
  });
  t.equal(workbooks.length, 250);
  t.equal(new Set(workbooks.map((w) => w.luid)).size, 250, 'every workbook exactly once');
  t.same(
    workbooks.map((w) => w.luid).sort(),
    site(250)
      .map((w) => w.luid)
      .sort(),
  );
  t.equal(mock.counters.signIns, 1);
  t.equal(mock.counters.faults, 7, 'every injected fault was hit and recovered from');
  t.equal(progress.length, 25, '25 pages');
  t.equal(progress.at(-1), 250);
  t.equal(workbooks[0]?.name, 'Workbook 0001');
  t.match(workbooks[0]?.url, /^http:\/\/127\.0\.0\.1:\d+\/#\/site\/.+\/workbooks\/.+$/);
  await client.signOut();
  t.equal(mock.activeSessions, 0);
  assertNoSecrets(asserter(t), log.lines, workbooks, mock.requests);
});

t.test('20 concurrent calls on a fresh client sign in once', async (t) => {
  const mock = await startMock(t, { workbooks: site(30) });
  const client = createTableauClient(clientOptions(mock));
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? client.listWorkbooks({ include: ['Workbook 000*'] })
        : client.getLastRefreshTimes([{ kind: 'workbook', luid: luid(1), name: 'x' }]),
    ),
  );
  t.equal(results.length, 20);
  t.equal((results[0] as unknown[]).length, 9);
  t.equal(mock.counters.signIns, 1);
});

t.test('a session expiring in the middle of a listing recovers', async (t) => {
  const mock = await startMock(t, {
    workbooks: site(300),
    faults: { graphql: { fault: { kind: 'expire-session' }, after: 3 } },
  });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { pageSize: 50, logger: log.logger }));
  const workbooks = await client.listWorkbooks();
  t.equal(workbooks.length, 300);
  t.equal(mock.counters.signIns, 2, 'one renewal');
  // The three listings run at once: each request in flight with the ended session gets 401000.
  t.ok(mock.counters.unauthorized >= 1 && mock.counters.unauthorized <= 3);
  assertNoSecrets(asserter(t), log.lines, workbooks);
});

t.test('an abort stops a listing within one request', async (t) => {
  const mock = await startMock(t, { workbooks: site(500) });
  const controller = new AbortController();
  const client = createTableauClient(clientOptions(mock, { pageSize: 50 }));
  const error = (await rejection(
    client.listWorkbooks({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.pagesFetched === 3) controller.abort();
      },
    }),
  )) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal(mock.counters.graphql.workbooksConnection, 3, 'no workbook page after the abort');
});

t.test('the client-wide signal aborts every call', async (t) => {
  const mock = await startMock(t, { workbooks: site(5) });
  const controller = new AbortController();
  const client = createTableauClient(clientOptions(mock, { signal: controller.signal }));
  controller.abort();
  const error = (await rejection(client.listWorkbooks())) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
  t.equal(mock.counters.total, 0);
});

t.test('retries stop at the configured bound with an error that says what failed', async (t) => {
  const mock = await startMock(t, {
    workbooks: site(5),
    faults: {
      graphql: { fault: { kind: 'status', status: 503 }, times: Number.POSITIVE_INFINITY },
    },
  });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { retries: 2, logger: log.logger }));
  const error = (await rejection(client.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_API');
  t.equal(error.status, 503);
  // Workbooks, published data sources and custom SQL are listed at once: 3 attempts each at most.
  t.ok(mock.counters.requests.graphql <= 9);
  t.match(
    error.message,
    /^list (workbooks|published data sources|custom SQL) \(page 1\): POST \/api\/metadata\/graphql answered HTTP 503 .*; gave up after 3 attempts$/,
  );
  assertNoSecrets(asserter(t), error, log.lines);
});

t.test('refresh, waitForJob and getLastRefreshTimes through the client', async (t) => {
  const mock = await startMock(t, { workbooks: site(2), jobPlan: { queuedMs: 1, runMs: 1 } });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { logger: log.logger }));
  const trigger = await client.refresh({ kind: 'workbook', luid: luid(1), name: 'Workbook 0001' });
  t.equal(trigger.status, 'queued');
  const outcome = await client.waitForJob((trigger as { jobId: string }).jobId, {
    pollIntervalMs: 1,
  });
  t.equal(outcome.status, 'success');
  const times = await client.getLastRefreshTimes([
    { kind: 'workbook', luid: luid(1), name: 'a' },
    { kind: 'workbook', luid: luid(2), name: 'b' },
  ]);
  t.ok(times.get(`workbook:${luid(1)}`) instanceof Date);
  t.equal(times.get(`workbook:${luid(2)}`), null, 'never refreshed');
  t.equal(mock.counters.signIns, 1);
  assertNoSecrets(asserter(t), log.lines, outcome, trigger);
});

t.test('invalid settings fail before any request', async (t) => {
  t.throws(
    () =>
      createTableauClient({
        serverUrl: 'http://tableau.example.com',
        siteName: 'acme',
        tokenName: 'n',
        tokenSecret: 's',
      }),
    { code: 'ERR_TABLEAU_CONFIG', field: 'serverUrl' },
  );
});
