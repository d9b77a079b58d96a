import t from 'tap';
import {
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
  WORKBOOK_REFRESH_TIMES_QUERY,
} from '../../src/tableau/queries.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import { graphql, rest, signIn } from './mock-helpers.js';

const SITE: MockSiteInput = {
  contentUrl: 'acme',
  luid: 'site-luid',
  publishedDatasources: [
    { luid: 'pds', name: 'Orders DS', hasExtracts: true, tables: ['A.B.C'] },
    { luid: 'pds-live', name: 'Live DS' },
  ],
  workbooks: [
    {
      luid: 'wb',
      name: 'Sales',
      embeddedDatasources: [
        { name: 'E', hasExtracts: true, extractLastRefreshTime: '2024-01-01T00:00:00Z' },
        { name: 'L' },
      ],
    },
    { luid: 'wb-live', name: 'Live', embeddedDatasources: [{ name: 'L' }] },
  ],
  collections: [
    {
      luid: 'c1',
      name: 'Exec',
      description: 'Top',
      items: [
        { type: 'workbook', luid: 'wb' },
        { type: 'datasource', luid: 'pds' },
      ],
    },
  ],
};

t.test(
  'refresh: queued job, 409093 duplicate, 409090 live-only, 404 unknown; jobs progress with the clock',
  async (t) => {
    let now = Date.parse('2024-06-01T12:00:00Z');
    const server = await createMockTableauServer({
      siteModel: SITE,
      now: () => now,
      jobPlan: { queuedMs: 1000, runMs: 2000 },
    });
    t.teardown(() => server.close());
    const token = await signIn(server);
    const base = `/api/3.28/sites/site-luid`;

    const queued = await rest(server, 'POST', `${base}/workbooks/wb/refresh`, {
      token,
      json: false,
      body: '<tsRequest><extractRefresh/></tsRequest>',
    });
    t.equal(queued.status, 202);
    t.match(
      queued.text,
      /<job id="00000000-0000-4000-8000-000000000001" mode="Asynchronous" type="RefreshExtract" createdAt="2024-06-01T12:00:00Z">/,
    );
    t.match(queued.text, /<workbook id="wb" name="Sales" \/>/);
    const jobId = '00000000-0000-4000-8000-000000000001';

    const dup = await rest(server, 'POST', `${base}/workbooks/wb/refresh`, { token });
    t.equal(dup.status, 409);
    t.same(dup.json.error, {
      code: '409093',
      summary: 'Resource Conflict',
      detail: "Job for 'Sales' is already queued. Not queuing a duplicate.",
    });
    const live = await rest(server, 'POST', `${base}/workbooks/wb-live/refresh`, { token });
    t.equal(live.status, 409);
    t.equal(live.json.error.code, '409090');
    const liveDs = await rest(server, 'POST', `${base}/datasources/pds-live/refresh`, {
      token,
      json: false,
    });
    t.match(liveDs.text, /<error code="409090">/);
    const unknownWb = await rest(server, 'POST', `${base}/workbooks/nope/refresh`, { token });
    t.equal(unknownWb.status, 404);
    t.equal(unknownWb.json.error.code, '404006');
    const unknownDs = await rest(server, 'POST', `${base}/datasources/nope/refresh`, { token });
    t.equal(unknownDs.json.error.code, '404011');
    const wrongSite = await rest(server, 'POST', `/api/3.28/sites/other/workbooks/wb/refresh`, {
      token,
    });
    t.equal(wrongSite.status, 404);

    const poll = async () =>
      (await rest(server, 'GET', `${base}/jobs/${jobId}`, { token })).json.job;
    const q = await poll();
    t.same(
      [q.progress, q.startedAt, q.completedAt, q.finishCode],
      ['0', undefined, undefined, undefined],
      'queued',
    );
    now += 1500;
    const running = await poll();
    t.equal(running.startedAt, '2024-06-01T12:00:01Z');
    t.equal(running.progress, '25');
    t.equal(running.finishCode, undefined);
    now += 2000;
    const done = await poll();
    t.same(
      [done.finishCode, done.progress, done.completedAt],
      ['0', '100', '2024-06-01T12:00:03Z'],
    );
    t.same(done.extractRefreshJob.workbook, { id: 'wb', name: 'Sales' });
    const xml = await rest(server, 'GET', `${base}/jobs/${jobId}`, { token, json: false });
    t.match(xml.text, /finishCode="0"/);

    // The finished job updated what the Metadata API reports; live extracts are untouched.
    const times = await graphql(server, token, WORKBOOK_REFRESH_TIMES_QUERY, {
      luids: ['wb'],
      first: 1,
    });
    t.same(
      times.body.data.workbooksConnection.nodes[0].embeddedDatasources.map(
        (d: { extractLastRefreshTime: string | null }) => d.extractLastRefreshTime,
      ),
      ['2024-06-01T12:00:03Z', null],
    );
    const again = await rest(server, 'POST', `${base}/workbooks/wb/refresh`, { token });
    t.equal(again.status, 202, 'a new refresh once the previous one finished');

    const unknownJob = await rest(server, 'GET', `${base}/jobs/nope`, { token });
    t.equal(unknownJob.status, 404);
    t.same(server.counters.refreshCalls, {
      'workbook:wb': 3,
      'workbook:wb-live': 1,
      'datasource:pds-live': 1,
      'workbook:nope': 1,
      'datasource:nope': 1,
    });
    t.same(server.counters.jobPolls[jobId], 4);
    t.equal(server.jobs().length, 2);
  },
);

t.test('job plans: failure with notes, cancellation, hang; per-target plans', async (t) => {
  let now = 0;
  const server = await createMockTableauServer({
    siteModel: SITE,
    now: () => now,
    jobPlans: {
      'datasource:pds': { outcome: 'failed', notes: 'Login failed', queuedMs: 0, runMs: 10 },
    },
  });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const base = `/api/3.28/sites/site-luid`;
  const ds = await rest(server, 'POST', `${base}/datasources/pds/refresh`, { token });
  t.equal(ds.status, 202);
  t.same(ds.json.job.extractRefreshJob.datasource, { id: 'pds', name: 'Orders DS' });
  now = 100;
  const failed = (await rest(server, 'GET', `${base}/jobs/${ds.json.job.id}`, { token })).json.job;
  t.equal(failed.finishCode, '1');
  t.equal(failed.extractRefreshJob.notes, 'Login failed');
  const dsTimes = await graphql(server, token, PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY, {
    luids: ['pds'],
    first: 1,
  });
  t.equal(
    dsTimes.body.data.publishedDatasourcesConnection.nodes[0].extractLastRefreshTime,
    null,
    'a failed job changes nothing',
  );

  server.setJobPlan(
    { kind: 'workbook', luid: 'wb' },
    { outcome: 'cancelled', queuedMs: 0, runMs: 1 },
  );
  const wb = await rest(server, 'POST', `${base}/workbooks/wb/refresh`, { token });
  now = 200;
  t.equal(
    (await rest(server, 'GET', `${base}/jobs/${wb.json.job.id}`, { token })).json.job.finishCode,
    '2',
  );

  server.setJobPlan({ kind: 'workbook', luid: 'wb' }, { outcome: 'hang' });
  const hung = await rest(server, 'POST', `${base}/workbooks/wb/refresh`, { token });
  now = 10_000_000;
  const state = (await rest(server, 'GET', `${base}/jobs/${hung.json.job.id}`, { token })).json.job;
  t.same([state.progress, state.finishCode, state.completedAt], ['50', undefined, undefined]);
  t.equal(
    (await rest(server, 'POST', `${base}/workbooks/wb/refresh`, { token })).json.error.code,
    '409093',
    'a hung job blocks new ones',
  );
  server.setJobPlan(null, { outcome: 'success', queuedMs: 0, runMs: 0 });
  server.setExtractRefreshTime({ kind: 'datasource', luid: 'pds' }, '2024-02-02T00:00:00Z');
  t.equal(server.site.publishedDatasources[0]?.extractLastRefreshTime, '2024-02-02T00:00:00Z');
  t.same(
    server.jobs().map((j) => j.status),
    ['failed', 'cancelled', 'in_progress'],
  );
});

t.test('collections need REST 3.28; items and pagination', async (t) => {
  const server = await createMockTableauServer({ siteModel: SITE });
  t.teardown(() => server.close());
  const token = await signIn(server);
  const list = await rest(server, 'GET', '/api/3.28/sites/site-luid/collections', { token });
  t.equal(list.status, 200);
  // The attributes of `collectionType` in Tableau's REST schema 3.28.
  t.same(list.json.collections.collection, [
    { id: 'c1', name: 'Exec', description: 'Top', totalItemCount: '2', permissionedItemCount: '2' },
  ]);
  t.same(list.json.pagination, { pageNumber: '1', pageSize: '100', totalAvailable: '1' });
  const items = await rest(
    server,
    'GET',
    '/api/3.28/sites/site-luid/collections/c1/items?pageSize=1&pageNumber=2',
    { token },
  );
  t.same(items.json.collectionItems.item, [
    { contentType: 'datasource', id: 'pds', name: 'Orders DS' },
  ]);
  t.same(items.json.pagination.totalAvailable, '2');
  const xml = await rest(server, 'GET', '/api/3.28/sites/site-luid/collections/c1/items', {
    token,
    json: false,
  });
  t.match(xml.text, /<collectionItems>\n\s+<item contentType="workbook" id="wb" name="Sales" \/>/);
  const missing = await rest(server, 'GET', '/api/3.28/sites/site-luid/collections/zz/items', {
    token,
  });
  t.equal(missing.status, 404);
  const old = await rest(server, 'GET', '/api/3.27/sites/site-luid/collections', { token });
  t.equal(old.status, 404);
  t.match(old.json.error.detail, /3\.28/);

  const oldServer = await createMockTableauServer({ siteModel: SITE, apiVersion: '3.24' });
  t.teardown(() => oldServer.close());
  const oldToken = await signIn(oldServer);
  const res = await rest(oldServer, 'GET', '/api/3.24/sites/site-luid/collections', {
    token: oldToken,
  });
  t.equal(res.status, 404);
  t.equal(res.json.error.code, '404000');
  const unknownRoute = await rest(server, 'GET', '/api/3.28/sites/site-luid/flows', { token });
  t.equal(unknownRoute.status, 404);
  t.equal(server.counters.requests.unknown, 1);
});
