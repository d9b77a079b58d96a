/**
 * Bounds a hostile server cannot push the client past, through the public API: response bodies
 * (1 GB declared, 1 GB chunked, endless; the matrix is in body-bounds.ts, in full at the default
 * cap in bounds.slow.test.ts) stop at `maxResponseBytes` with resident memory bounded;
 * an endless cursor or an endless REST listing stops at the listing bounds; a `Retry-After`
 * beyond `maxRetryAfterMs` or past a job wait's deadline fails at once; `maybeRefresh` waits for
 * all jobs within ONE deadline and refuses a concurrency above 64; and a token rejected right after
 * a renewal costs at most one re-sign-in, however many calls are in flight.
 */
import t from 'tap';
import {
  createTableauClient,
  type ExposureLineage,
  type FetchLike,
  maybeRefresh,
  parseRunResults,
  type Refresher,
} from '../../src/index.js';
import { TABLEAU_DEFAULTS } from '../../src/tableau/settings.js';
import { covering } from '../helpers/covering.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { BODY_CASES, BODY_FACETS, bodyCaseName, isGraphql, runBodyCase } from './body-bounds.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import { pathOf, type SeenRequest, startHostile } from './hostile.js';

/** A workbooks page (a listing also pages published data sources and custom SQL, at once). */
const isWorkbooksPage = (r: SeenRequest): boolean =>
  isGraphql(r) && r.body.includes('workbooksConnection');

// Every body through every fetch at the default 64 MiB cap is in bounds.slow.test.ts. Here: each
// body and each fetch at a 4 MiB cap, and the endless body at the default cap (the memory bound
// docs/reliability.md states is the default's).
const SMALL_CAP = 4 * 2 ** 20;
for (const c of covering(BODY_CASES, BODY_FACETS)) {
  t.test(bodyCaseName(c, SMALL_CAP), (t) => runBodyCase(t, c, SMALL_CAP));
}
const endless = BODY_CASES.find(
  (c) => c.body.name === 'endless chunked' && c.fetch.name === 'node-fetch',
)!;
t.test(bodyCaseName(endless, TABLEAU_DEFAULTS.maxResponseBytes), (t) =>
  runBodyCase(t, endless, TABLEAU_DEFAULTS.maxResponseBytes),
);

t.test('the global fetch (undici) reads a normal listing', async (t) => {
  const mock = await startMock(t);
  const plain = createTableauClient(
    clientOptions(mock, { fetch: globalThis.fetch as unknown as FetchLike }),
  );
  t.equal((await plain.listWorkbooks()).length, 7);
});

t.test('maxResponseBytes is an option; a body within it is read', async (t) => {
  const mock = await startMock(t);
  const small = createTableauClient(clientOptions(mock, { maxResponseBytes: 200 }));
  const error = await small.listWorkbooks().catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_RESPONSE_TOO_LARGE', details: { maxResponseBytes: 200 } });
  const roomy = createTableauClient(clientOptions(mock, { maxResponseBytes: 1024 * 1024 }));
  t.equal((await roomy.listWorkbooks()).length, 7);
  t.throws(() => createTableauClient(clientOptions(mock, { maxResponseBytes: 0 })), {
    code: 'ERR_TABLEAU_CONFIG',
    field: 'maxResponseBytes',
  });
});

t.test('an endless cursor stops at maxListingPages', async (t) => {
  const mock = await startMock(t);
  let page = 0;
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) => {
      if (!isWorkbooksPage(r)) return 'forward';
      page++;
      return {
        body: JSON.stringify({
          data: {
            workbooksConnection: {
              nodes: [],
              totalCount: null,
              pageInfo: { hasNextPage: true, endCursor: `cursor-${page}` },
            },
          },
        }),
      };
    },
  });
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { maxListingPages: 40 }),
  );
  const error = await client.listWorkbooks().catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_RESPONSE_TOO_LARGE', details: { maxListingPages: 40 } });
  t.match((error as Error).message, /more than 40 pages \(maxListingPages\)/);
  t.equal(origin.requests.filter(isWorkbooksPage).length, 40, 'stopped at the bound');
});

t.test('a listing growing past maxListingNodes stops', async (t) => {
  const mock = await startMock(t);
  let page = 0;
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) => {
      if (!isWorkbooksPage(r)) return 'forward';
      page++;
      const nodes = Array.from({ length: 10 }, (_, i) => ({ luid: `wb-${page}-${i}`, name: 'x' }));
      return {
        body: JSON.stringify({
          data: {
            workbooksConnection: {
              nodes,
              pageInfo: { hasNextPage: true, endCursor: `cursor-${page}` },
            },
          },
        }),
      };
    },
  });
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { maxListingNodes: 25 }),
  );
  const error = await client.listWorkbooks().catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_RESPONSE_TOO_LARGE', details: { maxListingNodes: 25 } });
  t.equal(origin.requests.filter(isWorkbooksPage).length, 3);
});

t.test('an endless REST listing (projects) stops at maxListingPages', async (t) => {
  const mock = await startMock(t);
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) => {
      if (!pathOf(r).endsWith('/projects')) return 'forward';
      const project = Array.from({ length: 1000 }, (_, i) => ({
        id: `p-${r.url}-${i}`,
        name: 'P',
      }));
      return {
        body: JSON.stringify({
          pagination: { totalAvailable: '1000000000' },
          projects: { project },
        }),
      };
    },
  });
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { maxListingPages: 5 }),
  );
  const error = await client
    .listWorkbooks({ projects: ['Finance/Nested'] })
    .catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_RESPONSE_TOO_LARGE' });
  t.equal(origin.requests.filter((r) => pathOf(r).endsWith('/projects')).length, 5);
});

t.test('Retry-After beyond maxRetryAfterMs: failed at once, not waited for', async (t) => {
  const mock = await startMock(t);
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) =>
      isGraphql(r) ? { status: 429, headers: { 'retry-after': '86400' }, body: '' } : 'forward',
  });
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { maxRetryAfterMs: 60_000 }),
  );
  const started = performance.now();
  const error = await client.listWorkbooks().catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_API', status: 429 });
  t.match(
    (error as Error).message,
    /not retried: Tableau asked to retry after 86400000 ms, more than maxRetryAfterMs \(60000 ms\)/,
  );
  t.equal(origin.requests.filter(isGraphql).length, 1);
  t.ok(performance.now() - started < 5000, 'no day-long wait');
});

t.test('Retry-After past a job wait deadline: failed at once', async (t) => {
  const mock = await startMock(t);
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) =>
      pathOf(r).includes('/jobs/')
        ? { status: 503, headers: { 'retry-after': '2' }, body: '' }
        : 'forward',
  });
  const client = createTableauClient(
    clientOptions({ url: origin.url, siteName: mock.siteName }, { maxRetryAfterMs: 60_000 }),
  );
  const trigger = await client.refresh({
    kind: 'workbook',
    luid: '1a2b3c4d-0000-4000-8000-00000000e003',
    name: 'Customer Health',
  });
  if (trigger.status !== 'queued') throw new Error('expected a job');
  const error = await client
    .waitForJob(trigger.jobId, { timeoutMs: 1000 })
    .catch((e: unknown) => e);
  t.match(error, { code: 'ERR_TABLEAU_API', status: 503 });
  t.match((error as Error).message, /not retried: a retry in 2000 ms would pass the deadline/);
  t.equal(origin.requests.filter((r) => pathOf(r).includes('/jobs/')).length, 1);
});

t.test(
  'waitForJob: a poll hanging past the deadline ends the wait as timeout, at the deadline',
  async (t) => {
    const mock = await startMock(t);
    const origin = await startHostile(t, {
      upstream: mock.url,
      // Never answered: without the deadline each attempt would take the 1.5 s timeout, 3 times.
      rule: (r) => (pathOf(r).includes('/jobs/') ? () => undefined : 'forward'),
    });
    const client = createTableauClient(clientOptions({ url: origin.url, siteName: mock.siteName }));
    const trigger = await client.refresh({
      kind: 'workbook',
      luid: '1a2b3c4d-0000-4000-8000-00000000e003',
      name: 'Customer Health',
    });
    if (trigger.status !== 'queued') throw new Error('expected a job');
    const started = performance.now();
    const outcome = await client.waitForJob(trigger.jobId, { timeoutMs: 400 });
    const elapsed = performance.now() - started;
    t.match(outcome, { status: 'timeout', polls: 0 });
    t.equal(origin.requests.filter((r) => pathOf(r).includes('/jobs/')).length, 1, 'one poll');
    t.ok(
      elapsed < 1400,
      `ended at the deadline (${Math.round(elapsed)} ms), not after the timeouts`,
    );
  },
);

/** A lineage of `n` exposures, each with its own workbook target (refreshable, never refreshed). */
function lineageOf(n: number): ExposureLineage {
  const exposures = Array.from({ length: n }, (_, i) => ({
    name: `exposure_${i}`,
    uniqueId: `exposure.shop.exposure_${i}`,
    label: `Exposure ${i}`,
    type: 'dashboard' as const,
    maturity: 'medium' as const,
    url: null,
    owner: { name: 'BI' },
    description: '',
    tags: [],
    meta: { tableau: { workbookLuid: `wb-${i}`, projectName: null, updatedAt: null } },
    dependsOn: [
      {
        uniqueId: 'model.shop.orders',
        ref: { kind: 'ref' as const, package: 'shop', name: 'orders', version: null },
        tables: [],
        match: 'exact' as const,
      },
    ],
    refreshTargets: [
      {
        kind: 'workbook' as const,
        luid: `wb-${i}`,
        name: `Workbook ${i}`,
        hasExtracts: true,
        lastRefreshAt: null,
      },
    ],
    unmatchedTables: [],
  }));
  return {
    version: 2 as const,
    source: { kind: 'tableau' as const, serverUrl: null, siteName: null },
    dbt: {
      projectName: 'shop',
      packageName: 'shop',
      adapterType: null,
      manifestSchemaVersion: 12,
      dbtVersion: '1.9.0',
    },
    exposures,
    ambiguous: [],
    skippedWorkbooks: [],
    stats: { workbooks: n, tables: 0, matched: n, unmatched: 0 },
  } as ExposureLineage;
}

const RUN = parseRunResults({
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.9.0',
    invocation_id: 'inv-1',
  },
  results: [{ unique_id: 'model.shop.orders', status: 'success', execution_time: 1, timing: [] }],
  elapsed_time: 1,
  args: { which: 'build' },
});

/** Only refresh (and wait): no refresh-time lookup, so every target is refreshed. */
function refresherOf(client: ReturnType<typeof createTableauClient>): Refresher {
  return {
    refresh: (target, options) => client.refresh(target, options),
    waitForJob: (jobId, options) => client.waitForJob(jobId, options),
  };
}

t.test('maybeRefresh: one deadline for every job wait, not one per job', async (t) => {
  const mock = await startMock(t);
  let jobs = 0;
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) => {
      if (pathOf(r).endsWith('/refresh')) {
        jobs++;
        return {
          status: 202,
          body: JSON.stringify({ job: { id: `job-${jobs}`, mode: 'Asynchronous' } }),
        };
      }
      if (pathOf(r).includes('/jobs/'))
        return { body: JSON.stringify({ job: { id: 'x', progress: '10' } }) };
      return 'forward';
    },
  });
  const client = createTableauClient(clientOptions({ url: origin.url, siteName: mock.siteName }));
  const WAIT_MS = 600;
  const started = performance.now();
  const report = await maybeRefresh({
    lineage: lineageOf(12),
    runResults: RUN,
    enabled: true,
    refresher: refresherOf(client),
    wait: { timeoutMs: WAIT_MS },
    concurrency: 2,
  });
  const elapsed = performance.now() - started;
  t.equal(jobs, 12, 'every target triggered');
  t.ok(
    report.results.every((r) => r.status === 'error' && r.reason === 'job_timeout'),
    'every job still running at the deadline',
  );
  // One wait per job would take 12 / 2 × 600 ms = 3.6 s.
  t.ok(elapsed < WAIT_MS + 1500, `the run took ${Math.round(elapsed)} ms`);
  await client.signOut();
});

t.test('maybeRefresh concurrency: 1 to 64', async (t) => {
  const refresher: Refresher = { refresh: async () => ({ status: 'already_queued' }) };
  for (const concurrency of [0, 65, 1_000_000, 2.5]) {
    await t.rejects(
      maybeRefresh({
        lineage: lineageOf(1),
        runResults: RUN,
        enabled: true,
        refresher,
        concurrency,
      }),
      { code: 'ERR_INVALID_OPTION', field: 'concurrency', message: /an integer from 1 to 64/ },
      String(concurrency),
    );
  }
  const report = await maybeRefresh({
    lineage: lineageOf(3),
    runResults: RUN,
    enabled: true,
    refresher,
    concurrency: 64,
  });
  t.equal(report.results.length, 3);
});

t.test(
  'every call rejected after sign-in: at most one re-sign-in, then ERR_TABLEAU_AUTH',
  async (t) => {
    const mock = await startMock(t);
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: (r) =>
        r.headers['x-tableau-auth'] !== undefined
          ? {
              status: 401,
              body: '{"error":{"code":"401000","summary":"Signin Error","detail":"Invalid auth"}}',
            }
          : 'forward',
    });
    const log = captureLogger();
    const client = createTableauClient(
      clientOptions({ url: origin.url, siteName: mock.siteName }, { logger: log.logger }),
    );
    const report = await maybeRefresh({
      lineage: lineageOf(300),
      runResults: RUN,
      enabled: true,
      refresher: refresherOf(client),
      concurrency: 8,
    });
    const signIns = origin.requests.filter((r) => pathOf(r).endsWith('/auth/signin')).length;
    t.ok(signIns <= 2, `${signIns} sign-ins for 300 targets`);
    t.equal(report.results.length, 300);
    t.ok(
      report.results.every(
        (r) =>
          r.status === 'error' &&
          /rejected the session right after signing in again/.test(r.detail ?? ''),
      ),
      'every target: the ERR_TABLEAU_AUTH message',
    );
    t.ok(
      report.results.every((r) => (r.detail ?? '').includes(JSON.stringify(r.target?.name))),
      'each message names its own target',
    );
    const failed = report.debug.filter(
      (e) => (e.data as { error_code?: unknown }).error_code !== undefined,
    );
    t.ok(failed.length > 0);
    t.ok(
      failed.every((e) => (e.data as { error_code?: unknown }).error_code === 'ERR_TABLEAU_AUTH'),
    );
    const authed = origin.requests.filter((r) => r.headers['x-tableau-auth'] !== undefined).length;
    t.ok(authed <= 20, `${authed} requests with a session, not one per target and retry`);
    assertNoSecrets(t, report, log.lines);
  },
);
