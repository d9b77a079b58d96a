import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { DbtAutoExposuresError, TableauApiError } from '../../src/errors.js';
import { createTableauClient } from '../../src/index.js';
import type { RefreshTarget } from '../../src/tableau/types.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';
import { buildParts, clientOptions, rejection, startMock } from './harness.js';
import { asserter, startScriptedServer } from './scripted-server.js';

const luid = (prefix: string, i: number) =>
  `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
const WB = (i: number) => luid('10000000', i);
const DS = (i: number) => luid('20000000', i);

const extractWorkbook = (i: number, time: string | null = '2026-01-01T00:00:00Z') => ({
  luid: WB(i),
  name: `Extract ${i}`,
  projectName: 'Sales',
  embeddedDatasources: [{ name: 'extract', hasExtracts: true, extractLastRefreshTime: time }],
});
const liveWorkbook = (i: number) => ({
  luid: WB(i),
  name: `Live ${i}`,
  projectName: 'Sales',
  embeddedDatasources: [{ name: 'live', hasExtracts: false }],
});
const target = (kind: RefreshTarget['kind'], l: string, name = 'x'): RefreshTarget => ({
  kind,
  luid: l,
  name,
});
const fast = { pollIntervalMs: 1, maxPollIntervalMs: 2, timeoutMs: 60_000 };

t.test('refresh a workbook, follow the job to success; the refresh time moves', async (t) => {
  const mock = await startMock(t, {
    workbooks: [extractWorkbook(1)],
    jobPlan: { queuedMs: 5, runMs: 5 },
  });
  const parts = buildParts(clientOptions(mock));
  const trigger = await parts.refresh.refresh(target('workbook', WB(1), 'Extract 1'));
  t.equal(trigger.status, 'queued');
  const jobId = trigger.status === 'queued' ? trigger.jobId : '';
  t.equal(mock.counters.refreshCalls[`workbook:${WB(1)}`], 1);
  const outcome = await parts.refresh.waitForJob(jobId, fast);
  t.match(outcome, { jobId, status: 'success', finishCode: 0, notes: null });
  t.ok(outcome.polls >= 1);
  t.equal(outcome.polls, mock.counters.jobPolls[jobId]);
  t.type(outcome.completedAt, 'string');
  const times = await parts.refresh.getLastRefreshTimes([target('workbook', WB(1))]);
  const after = times.get(`workbook:${WB(1)}`);
  t.ok(after instanceof Date && after > new Date('2026-01-01T00:00:00Z'));
  assertNoSecrets(asserter(t), parts.log.lines, outcome, trigger);
});

t.test(
  'a duplicate refresh is already_queued (409093); a live workbook is not_refreshable (409090)',
  async (t) => {
    const mock = await startMock(t, {
      workbooks: [extractWorkbook(1), liveWorkbook(2)],
      jobPlan: { outcome: 'hang' },
    });
    const parts = buildParts(clientOptions(mock));
    t.equal((await parts.refresh.refresh(target('workbook', WB(1)))).status, 'queued');
    const again = await parts.refresh.refresh(target('workbook', WB(1)));
    t.equal(again.status, 'already_queued');
    t.type((again as { detail?: string }).detail, 'string');
    const live = await parts.refresh.refresh(target('workbook', WB(2)));
    t.equal(live.status, 'not_refreshable');
  },
);

t.test('refreshing something that does not exist throws', async (t) => {
  const mock = await startMock(t, { workbooks: [extractWorkbook(1)] });
  const parts = buildParts(clientOptions(mock));
  const error = (await rejection(
    parts.refresh.refresh(target('datasource', DS(9), 'Gone')),
  )) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_API');
  t.equal(error.status, 404);
  t.match(
    error.message,
    /^refresh datasource "Gone" \(20000000-0000-4000-8000-000000000009\): POST /,
  );
});

t.test('a published data source refresh; failed, cancelled and timed-out jobs', async (t) => {
  const mock = await startMock(t, {
    siteModel: {
      workbooks: [extractWorkbook(1), extractWorkbook(2), extractWorkbook(3)],
      publishedDatasources: [
        { luid: DS(1), name: 'Orders', hasExtracts: true, extractLastRefreshTime: null },
      ],
    },
    jobPlans: {
      [`workbook:${WB(1)}`]: { outcome: 'failed', queuedMs: 1, runMs: 1, notes: 'Login failed' },
      [`workbook:${WB(2)}`]: { outcome: 'cancelled', queuedMs: 1, runMs: 1 },
      [`workbook:${WB(3)}`]: { outcome: 'hang' },
      [`datasource:${DS(1)}`]: { queuedMs: 1, runMs: 1 },
    },
  });
  const parts = buildParts(clientOptions(mock));
  const jobOf = async (kind: RefreshTarget['kind'], l: string) => {
    const trigger = await parts.refresh.refresh(target(kind, l));
    if (trigger.status !== 'queued') throw new Error(`not queued: ${trigger.status}`);
    return trigger.jobId;
  };
  t.match(await parts.refresh.waitForJob(await jobOf('datasource', DS(1)), fast), {
    status: 'success',
  });
  t.match(await parts.refresh.waitForJob(await jobOf('workbook', WB(1)), fast), {
    status: 'failed',
    finishCode: 1,
    notes: 'Login failed',
  });
  t.match(await parts.refresh.waitForJob(await jobOf('workbook', WB(2)), fast), {
    status: 'cancelled',
    finishCode: 2,
  });
  // Long enough for a poll to complete even on a loaded machine (with 20 ms, the first poll
  // could still be in flight at the deadline: a timeout with 0 polls, also correct).
  const timedOut = await parts.refresh.waitForJob(await jobOf('workbook', WB(3)), {
    ...fast,
    timeoutMs: 250,
  });
  t.match(timedOut, { status: 'timeout', finishCode: null, completedAt: null });
  t.ok(timedOut.polls >= 1, 'the hung job was polled');
  t.ok(
    ['queued', 'in_progress'].includes(mock.jobs().at(-1)?.status ?? ''),
    'the job is left running, not cancelled',
  );
});

t.test('waitForJob stops at once on abort', async (t) => {
  const mock = await startMock(t, {
    workbooks: [extractWorkbook(1)],
    jobPlan: { outcome: 'hang' },
  });
  const parts = buildParts(clientOptions(mock));
  const trigger = await parts.refresh.refresh(target('workbook', WB(1)));
  const controller = new AbortController();
  const waiting = parts.refresh.waitForJob((trigger as { jobId: string }).jobId, {
    pollIntervalMs: 600_000,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 5);
  const error = (await rejection(waiting)) as DbtAutoExposuresError;
  t.equal(error.code, 'ERR_ABORTED');
});

t.test("Tableau's recorded refresh and job answers are read", async (t) => {
  const fixture = (name: string) =>
    readFileSync(join(repoFixtures, 'tableau-client', name), 'utf8');
  const jobs: Record<string, string> = {
    failed: 'job-query-refresh-failed-workbook.json',
    done0: 'job-query-finishcode-0-success.json',
    done3: 'job-query-finishcode-3-completed.json',
    running: 'job-query-inprogress.json',
  };
  const server = await startScriptedServer((req) => {
    if (req.url.endsWith('/serverinfo'))
      return { body: '{"serverInfo":{"restApiVersion":"3.22"}}' };
    if (req.url.endsWith('/signin'))
      return { body: '{"credentials":{"token":"tok","site":{"id":"site-1"},"user":{"id":"u"}}}' };
    if (req.url.endsWith('/workbooks/wb/refresh'))
      return { body: fixture('workbook-refresh-response.json') };
    if (req.url.endsWith('/datasources/ds/refresh'))
      return { body: fixture('datasource-refresh-response.json') };
    if (req.url.endsWith('/refresh')) return { body: '{}' };
    const name = jobs[req.url.split('/').at(-1) ?? ''];
    return name ? { body: fixture(name) } : { status: 404 };
  });
  t.teardown(() => server.close());
  const parts = buildParts(clientOptions({ url: server.url, siteName: 's' }));
  t.same(await parts.refresh.refresh(target('workbook', 'wb')), {
    status: 'queued',
    jobId: '7c3d599e-949f-44c3-94a1-f30ba85757e4',
  });
  t.equal(server.requests.at(-1)?.url, '/api/3.22/sites/site-1/workbooks/wb/refresh');
  t.equal(server.requests.at(-1)?.body, '{}');
  t.match(await parts.refresh.refresh(target('datasource', 'ds')), { status: 'queued' });
  t.match(await rejection(parts.refresh.refresh(target('datasource', 'other'))), {
    code: 'ERR_TABLEAU_RESPONSE',
  });
  const failed = await parts.refresh.waitForJob('failed', fast);
  t.type(failed.durationMs, 'number');
  t.same(failed, {
    jobId: 'failed',
    status: 'failed',
    finishCode: 1,
    notes:
      'java.lang.RuntimeException: [Microsoft][ODBC Driver 17 for SQL Server][SQL Server]Login failed for user.\\nIntegrated authentication failed.',
    startedAt: '2021-10-05T18:53:34Z',
    completedAt: '2021-10-05T18:53:35Z',
    durationMs: failed.durationMs,
    polls: 1,
  });
  t.match(await parts.refresh.waitForJob('done0', fast), { status: 'success', finishCode: 0 });
  t.match(await parts.refresh.waitForJob('done3', fast), { status: 'success', finishCode: 3 });
  t.match(await parts.refresh.waitForJob('running', { ...fast, timeoutMs: 5 }), {
    status: 'timeout',
  });
  t.match(await rejection(parts.refresh.waitForJob('missing', fast)), { status: 404 });
});

t.test(
  'refresh times: oldest embedded extract per workbook, null when never refreshed or live',
  async (t) => {
    const page = (connection: string, nodes: unknown[]) =>
      JSON.stringify({
        data: { [connection]: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } },
      });
    const server = await startScriptedServer((req) => {
      if (req.url.endsWith('/serverinfo'))
        return { body: '{"serverInfo":{"restApiVersion":"3.22"}}' };
      if (req.url.endsWith('/signin'))
        return { body: '{"credentials":{"token":"tok","site":{"id":"site-1"},"user":{"id":"u"}}}' };
      if (req.body.includes('workbooksConnection'))
        return {
          body: page('workbooksConnection', [
            {
              luid: 'a',
              embeddedDatasources: [
                { hasExtracts: true, extractLastRefreshTime: '2024-03-02T00:00:00Z' },
                { hasExtracts: true, extractLastRefreshTime: '2024-03-01T00:00:00Z' },
                { hasExtracts: false, extractLastRefreshTime: '2020-01-01T00:00:00Z' },
              ],
            },
            {
              luid: 'b',
              embeddedDatasources: [
                { hasExtracts: true, extractLastRefreshTime: '2024-03-02T00:00:00Z' },
                { hasExtracts: true, extractLastRefreshTime: null },
              ],
            },
            { luid: 'c', embeddedDatasources: [{ hasExtracts: false }] },
            { luid: 'd', embeddedDatasources: null },
            {
              luid: 'e',
              embeddedDatasources: [{ hasExtracts: true, extractLastRefreshTime: 'soon' }],
            },
            { name: 'no luid' },
          ]),
        };
      return {
        body: page('publishedDatasourcesConnection', [
          { luid: 'p', hasExtracts: true, extractLastRefreshTime: '2024-01-01T00:00:00Z' },
          { luid: 'q', hasExtracts: false, extractLastRefreshTime: '2024-01-01T00:00:00Z' },
          { id: 'no-luid' },
        ]),
      };
    });
    t.teardown(() => server.close());
    const client = createTableauClient(clientOptions({ url: server.url, siteName: 's' }));
    const times = await client.getLastRefreshTimes([
      ...['a', 'b', 'c', 'd', 'e', 'gone'].map((l) => target('workbook', l)),
      ...['q', 'p'].map((l) => target('datasource', l)),
    ]);
    t.same(
      [...times],
      [
        ['datasource:p', new Date('2024-01-01T00:00:00Z')],
        ['datasource:q', null],
        ['workbook:a', new Date('2024-03-01T00:00:00Z')],
        ['workbook:b', null],
        ['workbook:c', null],
        ['workbook:d', null],
        ['workbook:e', null],
        ['workbook:gone', null],
      ],
    );
  },
);

t.test('a poll cut by the wait deadline is a timeout, whatever the fraction of a ms', async (t) => {
  const server = await startScriptedServer((req) => {
    if (req.url.endsWith('/serverinfo'))
      return { body: '{"serverInfo":{"restApiVersion":"3.22"}}' };
    if (req.url.endsWith('/signin'))
      return { body: '{"credentials":{"token":"tok","site":{"id":"site-1"},"user":{"id":"u"}}}' };
    return 'hang';
  });
  t.teardown(() => server.close());
  const parts = buildParts(clientOptions({ url: server.url, siteName: 's' }));
  // Deadlines from 1 to 12 ms land at every fraction of the loop's millisecond clock.
  for (let timeoutMs = 1; timeoutMs <= 12; timeoutMs += 1) {
    const outcome = await parts.refresh.waitForJob('stuck', { ...fast, timeoutMs });
    t.match(outcome, { status: 'timeout', polls: 0 }, `timeoutMs ${timeoutMs}`);
  }
});
