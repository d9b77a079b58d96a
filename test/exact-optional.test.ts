/**
 * An option given as `undefined` (what `process.env.X` gives) behaves as an option left out: it
 * takes its default. Through the public API, with every optional field set to `undefined`.
 */
import t from 'tap';
import {
  buildExposureLineage,
  createTableauClient,
  loadManifest,
  loadTableauSnapshot,
} from '../src/index.js';
import { buildMockSite, createMockTableauServer } from '../src/testing/index.js';
import { repoRoot } from './helpers/shared-fixtures.js';

t.test('a mock server, client and listing with every optional option undefined', async (t) => {
  const siteModel = buildMockSite({
    workbooks: 4,
    seed: undefined,
    projects: undefined,
    publishedDatasources: undefined,
    contentUrl: undefined,
    database: undefined,
  });
  const server = await createMockTableauServer({
    siteModel,
    site: undefined,
    tableauVersion: undefined,
    apiVersion: undefined,
    productVersion: undefined,
    filterRequired: undefined,
    tokens: undefined,
    connectedApps: undefined,
    issueSessionToken: undefined,
    sessionRequestLimit: undefined,
    now: undefined,
    jobPlan: { outcome: undefined, queuedMs: undefined, runMs: undefined, notes: undefined },
    jobPlans: undefined,
    faults: { '*': undefined },
    maxPageSize: undefined,
    nodeLimit: undefined,
  });
  t.teardown(() => server.close());
  const client = createTableauClient({
    serverUrl: server.url,
    siteName: server.siteName,
    tokenName: server.token.name,
    tokenSecret: server.token.secret,
    apiVersion: undefined,
    timeoutMs: undefined,
    retries: undefined,
    pageSize: undefined,
    maxRetryAfterMs: undefined,
    maxResponseBytes: undefined,
    fetch: undefined,
    signal: undefined,
    logger: undefined,
    allowInsecureHttp: undefined,
  });
  t.teardown(() => client.signOut());
  const listed = await client.listWorkbooks({
    projects: undefined,
    collections: undefined,
    tags: undefined,
    include: undefined,
    exclude: undefined,
    includePersonalSpace: undefined,
    pageSize: undefined,
    onProgress: undefined,
    onWarning: undefined,
    signal: undefined,
  });
  t.same(
    listed.map((w) => w.luid).sort(),
    (await client.listWorkbooks()).map((w) => w.luid).sort(),
    'the same workbooks as with no options',
  );
  t.equal(listed.length, 4);

  // The job plan's undefined fields take the defaults: queued 50 ms, run 100 ms, success.
  const extract = listed.find((w) => w.embeddedDatasources.some((d) => d.hasExtracts));
  t.ok(extract, 'a workbook with an extract');
  const trigger = await client.refresh({ kind: 'workbook', luid: extract!.luid, name: 'w' });
  t.equal(trigger.status, 'queued');
  if (trigger.status !== 'queued') return;
  const outcome = await client.waitForJob(trigger.jobId, { timeoutMs: 20_000, signal: undefined });
  t.equal(outcome.status, 'success');
});

t.test('lineage options given as undefined build what no options build', async (t) => {
  const project = `${repoRoot}/examples/jaffle-tableau`;
  const manifest = await loadManifest(project, { signal: undefined });
  const workbooks = await loadTableauSnapshot(`${project}/tableau-snapshot.json`, {
    signal: undefined,
    allowErrors: undefined,
  });
  const plain = buildExposureLineage({ manifest, workbooks });
  const undefinedOptions = buildExposureLineage({
    manifest,
    workbooks,
    options: {
      parseCustomSql: undefined,
      defaultType: undefined,
      defaultMaturity: undefined,
      keepUnmatchedWorkbooks: undefined,
      packageName: undefined,
      source: undefined,
      generatedAt: undefined,
      tags: undefined,
      managedPaths: undefined,
      databaseAliases: undefined,
      schemaAliases: undefined,
      includeProjects: undefined,
      excludeProjects: undefined,
      includeWorkbooks: undefined,
      excludeWorkbooks: undefined,
      overrides: undefined,
    },
  });
  t.same(undefinedOptions, plain);
  t.ok(plain.exposures.length > 0);
});
