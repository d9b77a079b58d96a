/**
 * `loadRunResults` / `parseRunResults` with `manifest`: the run's notes say when it does not
 * belong with that manifest, over real recorded pairs (test/fixtures/dbt). The same check drives
 * maybeRefresh's AE009 (test/active/artifact-pairing.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { loadManifest, loadRunResults, parseRunResults } from '../../src/index.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

const folder = (name: string) => join(repoFixtures, 'dbt', name);
const pairingCodes = (notes: ReadonlyArray<{ code: string }>) =>
  notes.map((n) => n.code).filter((code) => code.startsWith('RUN_RESULTS_'));

t.test('a pair written by one invocation: no pairing note', async (t) => {
  const manifest = await loadManifest(folder('v12_bigquery_1.9.0'));
  const run = await loadRunResults(folder('v12_bigquery_1.9.0'), { manifest });
  t.same(pairingCodes(run.notes), []);
});

t.test('a run older than its manifest: a warn note naming both files', async (t) => {
  const manifest = await loadManifest(folder('v4_bigquery_1.0.0'));
  const run = await loadRunResults(folder('v4_bigquery_1.0.0'), { manifest });
  t.same(pairingCodes(run.notes), ['RUN_RESULTS_OLDER_THAN_MANIFEST']);
  const note = run.notes.find((n) => n.code === 'RUN_RESULTS_OLDER_THAN_MANIFEST');
  t.equal(note?.level, 'warn');
  t.match(note?.message, /run_results\.json .* is older than .*manifest\.json/);
  t.same(
    pairingCodes((await loadRunResults(folder('v4_bigquery_1.0.0'))).notes),
    [],
    'without a manifest nothing is checked',
  );
});

t.test("another project's run: most nodes unknown to the manifest", async (t) => {
  const manifest = await loadManifest(folder('v12_bigquery_1.9.0'));
  const path = join(folder('v12_duckdb_1.11.12_exposures'), 'run_results.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  // Stamped with the manifest's invocation, so only the nodes tell them apart.
  json.metadata.invocation_id = manifest.invocationId;
  const run = parseRunResults(json, { path, manifest });
  t.same(pairingCodes(run.notes), ['RUN_RESULTS_UNKNOWN_NODES']);
  t.match(run.notes.at(-1)?.message, /nodes in .*run_results\.json are not in .*manifest\.json/);
});
