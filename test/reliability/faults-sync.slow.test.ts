/**
 * Fault injection over real HTTP for the library's sync path (listing → buildExposureLineage →
 * writeSyncOutputs + writeLineage) and for maybeRefresh with the real client as refresher (and
 * its report file). Besides outcome, requests and sign-ins, the state on disk is checked: on
 * failure the previous YAML, lineage JSON and report are byte-identical; on success they are
 * complete; never a temporary file left; a failed or partial listing never removes an exposure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import { type RefreshReport, writeRefreshReport } from '../../src/active/report.js';
import { loadManifest } from '../../src/artifacts/manifest.js';
import { loadRunResults } from '../../src/artifacts/run-results.js';
import type { Manifest, RunResults } from '../../src/artifacts/types.js';
import { DbtAutoExposuresError } from '../../src/errors.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import type { ExposureLineage } from '../../src/lineage/types.js';
import { loadLineage, writeLineage } from '../../src/output/lineage-file.js';
import { writeSyncOutputs } from '../../src/output/sync-outputs.js';
import type { TableauHttpClient } from '../../src/tableau/client.js';
import type { MockRoute, MockTableauServer } from '../../src/testing/index.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import {
  casesFor,
  FAULT_CASES,
  type FaultCase,
  halvingAttempts,
  JOB_WAIT_MS,
  REFRESH_JOB_CASES,
  REFRESH_LOOKUP_CASES,
  REFRESH_TRIGGER_CASES,
} from './fault-table.js';
import {
  captureLogger,
  client,
  EXAMPLE_WORKBOOKS,
  exampleManifest,
  exampleRunResults,
  exampleSite,
  leftovers,
  pictureOf,
  RETRIES,
  scratch,
  startMock,
  warmUp,
  withoutPort,
} from './harness.js';

/** Paged queries a listing runs at once: workbooks, published data sources, custom SQL. */
const LISTINGS = 3;

const manifest: Manifest = await loadManifest(exampleManifest);
const runResults: RunResults = await loadRunResults(exampleRunResults);
const NOW = new Date('2026-02-01T00:00:00Z');

/** What a user's sync does with the library. */
async function librarySync(
  c: TableauHttpClient,
  mock: MockTableauServer,
  dir: string,
  signal?: AbortSignal,
): Promise<ExposureLineage> {
  const workbooks = await c.listWorkbooks(signal === undefined ? {} : { signal });
  const lineage = buildExposureLineage({
    manifest,
    workbooks,
    options: {
      parseCustomSql: true,
      source: { kind: 'tableau', serverUrl: mock.url, siteName: mock.siteName },
    },
  });
  await writeSyncOutputs(join(dir, 'models', 'exposures'), lineage, {
    groupBy: 'project',
    dbtVersion: manifest.dbtVersion,
    signal,
  });
  await writeLineage(join(dir, 'tableau_lineage.json'), lineage, { signal });
  return lineage;
}

/** A previous sync over the site without "Refund Tracker", plus a refresh report. */
async function previousState(t: Test): Promise<string> {
  const dir = await scratch(t);
  const site = await exampleSite();
  site.workbooks = (site.workbooks ?? []).filter((w) => w.name !== 'Refund Tracker');
  const mock = await startMock(t, { siteModel: site });
  const c = client(mock);
  await librarySync(c, mock, dir);
  await c.signOut();
  const report: RefreshReport = {
    version: 2,
    enabled: true,
    dryRun: false,
    buildAfterMinutes: 1440,
    invocationId: 'previous-run',
    results: [],
    summary: {
      exposures: 0,
      targets: 0,
      triggered: 0,
      refreshed: 0,
      skipped: 0,
      errors: 0,
      refreshCalls: 0,
    },
    log: [],
    debug: [],
  };
  await writeRefreshReport(join(dir, 'active_exposures.json'), report);
  return dir;
}

/** The outputs of a fault-free sync of the whole site on top of the previous state. */
async function completeState(t: Test): Promise<Record<string, string>> {
  const dir = await previousState(t);
  const mock = await startMock(t);
  const c = client(mock);
  await librarySync(c, mock, dir);
  return withoutPort(await pictureOf(dir));
}

t.test('library sync: listing → lineage → YAML + lineage JSON', async (t) => {
  const complete = await completeState(t);
  const previousDir = await previousState(t);
  const previous = await pictureOf(previousDir);
  t.notSame(withoutPort(previous), complete);
  t.ok(
    Object.keys(previous).includes('models/exposures/tableau__operations.yml'),
    'the previous state has the Operations file',
  );
  const baseMock = await startMock(t);
  const baseDir = await previousState(t);
  const baseClient = client(baseMock);
  await warmUp(baseClient);
  baseMock.resetCounters();
  const baseLineage = await librarySync(baseClient, baseMock, baseDir);
  const baseline = baseMock.counters.total;
  t.same(withoutPort(await pictureOf(baseDir)), complete);
  t.same(await loadLineage(join(baseDir, 'tableau_lineage.json')), baseLineage);

  for (const fault of casesFor('graphql')) {
    t.test(fault.id, async (t) => {
      const dir = await previousState(t);
      const before = await pictureOf(dir);
      const mock = await startMock(t);
      const log = captureLogger();
      const c = client(mock, { logger: log.logger });
      await warmUp(c);
      await fault.arm?.(mock, 'graphql', { refreshOnce: async () => undefined });
      mock.resetCounters();
      const controller = new AbortController();
      const timer =
        fault.abortAfterMs === undefined
          ? undefined
          : setTimeout(() => controller.abort(), fault.abortAfterMs);
      let error: unknown;
      let lineage: ExposureLineage | undefined;
      try {
        lineage = await librarySync(c, mock, dir, controller.signal);
      } catch (caught) {
        error = caught;
      } finally {
        clearTimeout(timer);
      }
      const after = await pictureOf(dir);
      const counters = mock.counters;
      if (fault.expect.outcome === 'error') {
        t.type(error, DbtAutoExposuresError);
        t.equal((error as DbtAutoExposuresError).code, fault.expect.code);
        t.match((error as Error).message, fault.expect.message);
        t.match(
          (error as Error).message,
          /list (workbooks|published data sources|custom SQL)/,
          'names the listing',
        );
        // Workbooks, published data sources and custom SQL are paged at once (LISTINGS): each
        // meets the faults on its own, the first to fail stops the others.
        const attempts =
          fault.expect.attempts === 'halving' ? halvingAttempts(2) : fault.expect.attempts;
        t.ok(
          counters.requests.graphql >= attempts && counters.requests.graphql <= attempts * LISTINGS,
          `attempts: ${counters.requests.graphql}, ${attempts} per listing`,
        );
        t.same(after, before, 'previous YAML, lineage JSON and report byte-identical');
      } else {
        t.equal(error, undefined);
        t.same(
          lineage?.exposures.map((e) => e.label),
          baseLineage.exposures.map((e) => e.label),
        );
        t.same(withoutPort(after), complete, 'outputs complete and equal to a fault-free sync');
        if (fault.expect.outcome === 'recovered') {
          const [min, max] = Array.isArray(fault.expect.extra)
            ? fault.expect.extra
            : [fault.expect.extra, fault.expect.extra];
          t.ok(counters.total >= baseline + min && counters.total <= baseline + max * LISTINGS);
          t.equal(counters.signIns, fault.expect.signIns);
        }
      }
      t.same(await leftovers(dir), [], 'no temporary file left');
      assertNoSecrets(t, error, lineage, log.lines, after, mock.requests);
    });
  }
});

t.test('the listing is all or nothing: every workbook, or an error', async (t) => {
  // The "partial" faults leave half of a page's nodes; a result is never that half.
  for (const fault of FAULT_CASES.filter((c) => c.id.startsWith('graphql-partial'))) {
    const mock = await startMock(t);
    const c = client(mock);
    await warmUp(c);
    await fault.arm?.(mock, 'graphql', { refreshOnce: async () => undefined });
    const result = await c.listWorkbooks().catch((e: unknown) => e);
    if (Array.isArray(result)) {
      t.same(
        result.map((w: { name: string }) => w.name),
        EXAMPLE_WORKBOOKS,
        `${fault.id}: complete`,
      );
    } else t.equal((result as DbtAutoExposuresError).code, 'ERR_TABLEAU_GRAPHQL', fault.id);
  }
});

// ---------------------------------------------------------------- maybeRefresh, real client

/** `exposure target: status[/reason]`, sorted: the shape of a report's results. */
function summary(report: RefreshReport): string[] {
  return report.results
    .map(
      (r) => `${r.exposure} ${r.target?.name ?? '-'}: ${r.status}${r.reason ? `/${r.reason}` : ''}`,
    )
    .sort();
}

/** Written by hand from the example project: what a fault-free run does at NOW. */
const NORMAL = [
  'customer_health Customer Health: success',
  'executive_kpis Executive KPIs: success',
  'executive_kpis Orders (certified): success',
  'executive_kpis Payments: success',
  'finance_forecast Finance Forecast: success',
  'ops_live_monitor Ops Live Monitor: skipped/no_extract',
  'refund_tracker Refund Tracker: skipped/upstream_failed',
  'sales_overview Orders (certified): success',
].sort();
/** The same run without waiting: the refreshes were triggered, their outcome is not known. */
const TRIGGERED = NORMAL.map((line) => line.replace(/: success$/, ': triggered'));
const WORKBOOK_TARGETS = ['Customer Health', 'Executive KPIs', 'Finance Forecast'];
const withWorkbooks = (result: string): string[] =>
  TRIGGERED.map((line) =>
    WORKBOOK_TARGETS.some((name) => line.includes(` ${name}: triggered`))
      ? line.replace(/triggered$/, result)
      : line,
  ).sort();

async function currentLineage(t: Test): Promise<ExposureLineage> {
  const mock = await startMock(t);
  const c = client(mock);
  const workbooks = await c.listWorkbooks();
  return buildExposureLineage({ manifest, workbooks, options: { parseCustomSql: true } });
}

/** What a report must look like after a fault. */
type ReportExpectation =
  /** Exactly these lines. */
  | { lines: string[] }
  /** One target (whichever the fault hit) ends with `result`; every other line is normal. */
  | { oneTarget: string }
  /** Each line normal or aborted, at least one aborted. */
  | { aborted: true };

interface RefreshCase {
  route: MockRoute;
  fault: FaultCase;
  wait: boolean;
  expect: ReportExpectation;
}

/** Hand-written: what each fault on each route does to the report. */
function refreshCases(): RefreshCase[] {
  const cases: RefreshCase[] = [];
  const permanentFailure = (fault: FaultCase) =>
    fault.expect.outcome === 'error' && fault.expect.attempts !== 1;
  for (const fault of REFRESH_TRIGGER_CASES) {
    const expect: ReportExpectation =
      fault.id === 'abort'
        ? { aborted: true }
        : permanentFailure(fault)
          ? { lines: withWorkbooks('error/trigger_failed') }
          : fault.expect.outcome === 'error'
            ? { oneTarget: 'error/trigger_failed' }
            : { lines: TRIGGERED };
    cases.push({ route: 'refresh-workbook', fault, wait: false, expect });
  }
  const allJobs = (result: string) => NORMAL.map((l) => l.replace(/: success$/, `: ${result}`));
  for (const fault of REFRESH_JOB_CASES) {
    // A job whose status cannot be read is reported as a failed job.
    const expect: ReportExpectation =
      fault.id === 'job-failed' || permanentFailure(fault)
        ? { lines: allJobs('error/job_failed') }
        : fault.id === 'job-hangs'
          ? { lines: allJobs('error/job_timeout') }
          : fault.expect.outcome === 'error'
            ? { oneTarget: 'error/job_failed' }
            : { lines: NORMAL };
    cases.push({ route: 'job', fault, wait: true, expect });
  }
  for (const fault of REFRESH_LOOKUP_CASES) {
    cases.push({
      route: 'graphql',
      fault,
      wait: false,
      expect: { lines: allJobs('error/lookup_failed') },
    });
  }
  return cases;
}

function checkReport(t: Test, got: string[], rc: RefreshCase): void {
  const { expect } = rc;
  if ('lines' in expect) {
    t.same(got, expect.lines);
    return;
  }
  const normal = rc.wait ? NORMAL : TRIGGERED;
  const unusual = got.filter((l) => !normal.includes(l));
  if ('aborted' in expect) {
    t.ok(unusual.length >= 1, 'at least one target aborted');
    for (const line of unusual) t.match(line, /: (skipped|error)\/aborted$/);
    return;
  }
  const targets = new Set(unusual.map((l) => l.replace(/^\S+ (.*): .*$/, '$1')));
  t.equal(targets.size, 1, `one target hit: ${unusual.join('; ')}`);
  for (const line of unusual) t.ok(line.endsWith(`: ${expect.oneTarget}`), line);
}

t.test('maybeRefresh with the real client as refresher', async (t) => {
  const lineage = await currentLineage(t);
  for (const rc of refreshCases()) {
    t.test(`${rc.route}: ${rc.fault.id}`, async (t) => {
      const dir = await scratch(t);
      const reportPath = join(dir, 'active_exposures.json');
      const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
      rc.fault.setup?.(mock, rc.route);
      const log = captureLogger();
      const c = client(mock, { logger: log.logger });
      await warmUp(c);
      await rc.fault.arm?.(mock, rc.route, { refreshOnce: async () => undefined });
      mock.resetCounters();
      const controller = new AbortController();
      const timer =
        rc.fault.abortAfterMs === undefined
          ? undefined
          : setTimeout(() => controller.abort(), rc.fault.abortAfterMs);
      const report = await maybeRefresh({
        lineage,
        runResults,
        manifest,
        env: { DBT_ACTIVE_EXPOSURES: '1' },
        now: NOW,
        refresher: c,
        signal: controller.signal,
        ...(rc.wait ? { wait: { timeoutMs: JOB_WAIT_MS } } : {}),
        logger: log.logger,
      });
      clearTimeout(timer);
      await writeRefreshReport(reportPath, report);
      checkReport(t, summary(report), rc);
      const counters = mock.counters;
      t.ok(counters.signIns <= 1, 'at most one renewal');
      // Four refresh calls (one per distinct target), each at most RETRIES + 1 attempts.
      const calls = counters.requests['refresh-workbook'] + counters.requests['refresh-datasource'];
      t.ok(calls <= 6 * (RETRIES + 1), `refresh calls ${calls} bounded`);
      t.ok(counters.total < 100, 'requests bounded');
      const written = JSON.parse(await readFile(reportPath, 'utf8')) as { results: unknown[] };
      t.equal(written.results.length, report.results.length, 'report complete on disk');
      t.same(await leftovers(dir), []);
      assertNoSecrets(t, report, log.lines, await pictureOf(dir), mock.requests);
    });
  }
});
