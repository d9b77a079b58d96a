/**
 * A run_results.json that does not belong with the manifest (another dbt invocation, written
 * before the manifest, or another project's nodes) is a warning in maybeRefresh's log (AE009),
 * never silent; a pair written by one command says nothing. Real recorded pairs: v4 (run_results
 * older than the manifest), v3 (other invocation), BigQuery 1.9 and Fusion (one invocation; the
 * Fusion run_results is even stamped a few ms before its manifest).
 */
import t from 'tap';
import {
  isLogEntry,
  type LogEntryOf,
  maybeRefresh,
  type RunResults,
  renderLogEntry,
} from '../../src/index.js';
import { createFakeRefresher } from '../../src/testing/index.js';
import {
  BQ,
  DOCS,
  exposure,
  FUSION,
  fixtureManifest,
  fixtureRun,
  frozenClock,
  lineage,
  NOW,
  target,
  V4,
} from './helpers.js';

const V3 = 'v3_bigquery_0.21.0';

async function warnings(manifestFolder: string, run: RunResults, enabled = true) {
  const report = await maybeRefresh({
    lineage: lineage([exposure('x', ['model.any.thing'], [target('workbook', 'wb-1', 'X')])]),
    runResults: run,
    manifest: fixtureManifest(manifestFolder),
    refresher: createFakeRefresher(),
    enabled,
    now: NOW,
    clock: frozenClock,
  });
  return report.log.filter((e) => e.info.code === 'AE009');
}

t.test('one invocation wrote both: no warning', async (t) => {
  t.same(await warnings(BQ, fixtureRun(BQ)), []);
  t.same(await warnings(FUSION, fixtureRun(FUSION)), [], 'not even when stamped earlier');
});

t.test('run_results older than the manifest (another invocation): a warning', async (t) => {
  const [entry, ...more] = await warnings(V4, fixtureRun(V4));
  t.same(more, []);
  t.equal(entry?.info.level, 'warn');
  t.equal(entry?.info.name, 'ActiveExposuresArtifactMismatch');
  t.match(entry?.data, {
    code: 'RUN_RESULTS_OLDER_THAN_MANIFEST',
    run_results: { generated_at: '2021-12-07T10:49:34.224220Z' },
    manifest: { generated_at: '2021-12-09T13:45:59.538982Z' },
  });
  t.match(
    entry?.info.msg,
    /^Warning: .*run_results\.json \(invocation [0-9a-f-]+, written 2021-12-07T10:49:34\.224220Z\) is older than .*manifest\.json \(invocation [0-9a-f-]+, written 2021-12-09T13:45:59\.538982Z\): a later dbt command rewrote the manifest/,
  );
  t.match(renderLogEntry(entry!, 'text'), /^12:00:00 {2}Warning: /);
});

t.test('run_results of another invocation, not older: a warning', async (t) => {
  const [entry] = await warnings(V3, fixtureRun(V3));
  t.ok(entry !== undefined && isLogEntry(entry, 'AE009'));
  t.equal((entry as LogEntryOf<'AE009'>).data.code, 'RUN_RESULTS_OTHER_INVOCATION');
  t.match(
    entry?.info.msg,
    'come from different dbt invocations: the manifest is not the one that run wrote',
  );
  // The invocation ids alone decide: the same run, re-stamped after the manifest, is fine.
  const same = { ...fixtureRun(V3), invocationId: fixtureManifest(V3).invocationId };
  t.same(await warnings(V3, same), []);
});

t.test('run_results of another project: a warning naming unknown nodes', async (t) => {
  const run = { ...fixtureRun(DOCS), invocationId: fixtureManifest(BQ).invocationId };
  const entries = await warnings(BQ, run);
  t.same(
    entries.map((e) => (isLogEntry(e, 'AE009') ? e.data.code : e.info.code)),
    ['RUN_RESULTS_UNKNOWN_NODES'],
  );
  t.match(
    entries[0]?.info.msg,
    /^Warning: \d+ of the \d+ nodes in .*run_results\.json are not in .*manifest\.json \(project jaffle_shop\) \(\w+\.dbt_bouncer_test_project\./,
  );
});

t.test('no warning without a manifest, or when the feature is off', async (t) => {
  const report = await maybeRefresh({
    lineage: lineage([]),
    runResults: fixtureRun(V4),
    refresher: createFakeRefresher(),
    enabled: true,
    now: NOW,
  });
  t.notOk(report.log.some((e) => e.info.code === 'AE009'));
  t.same(await warnings(V4, fixtureRun(V4), false), []);
});
