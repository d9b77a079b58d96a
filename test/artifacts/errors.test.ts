/** Every artifact error code, produced by a real bad file under test/fixtures/bad. */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import {
  ArtifactError,
  DbtAutoExposuresError,
  loadManifest,
  loadRunResults,
} from '../../src/index.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

const bad = (name: string) => join(repoFixtures, 'bad', name);

async function rejection(promise: Promise<unknown>): Promise<ArtifactError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ArtifactError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

t.test('ERR_ARTIFACT_NOT_FOUND lists every path tried', async (t) => {
  const missing = bad('no-such-dir');
  const e1 = await rejection(loadManifest(missing));
  t.equal(e1.code, 'ERR_ARTIFACT_NOT_FOUND');
  t.equal(e1.file, missing);
  t.match(e1.message, `No manifest.json at ${missing}. Run dbt first`);
  t.notMatch(e1.message, 'tried', 'one path tried: it is not listed twice');
  t.same(e1.details?.tried, [missing]);

  const dir = await mkdtemp(join(tmpdir(), 'dae-artifacts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const e2 = await rejection(loadRunResults(dir));
  t.equal(e2.code, 'ERR_ARTIFACT_NOT_FOUND');
  t.same(e2.details?.tried, [
    join(dir, 'run_results.json'),
    join(dir, 'target', 'run_results.json'),
  ]);
  t.match(e2.message, `No run_results.json in ${dir} (tried ${join(dir, 'run_results.json')}, `);
  t.match(e2.message, join(dir, 'target', 'run_results.json'));
  // dbt parse writes no run_results.json: the message names the commands that do.
  t.match(e2.message, 'Run `dbt build` or `dbt run` first');
  // The library's hint names no CLI flag; the CLI says its own (test/cli/messages.test.ts).
  t.equal(
    e2.hint,
    'run `dbt build` or `dbt run` first (they write it; `dbt parse` does not), or pass the path of the run_results.json it wrote',
  );
  t.notMatch(e2.hint, /--/);
  t.match(e2.toJSON(), { code: 'ERR_ARTIFACT_NOT_FOUND', hint: e2.hint });

  const e3 = await rejection(loadManifest(dir));
  t.match(e3.message, `No manifest.json in ${dir} (tried `);
  t.match(e3.message, /Run dbt first/);
});

t.test('ERR_ARTIFACT_JSON: truncated file, with line and column', async (t) => {
  const file = bad('manifest-truncated.json');
  const e = await rejection(loadManifest(file));
  t.equal(e.code, 'ERR_ARTIFACT_JSON');
  t.equal(e.file, file);
  // 600 bytes, 21 newlines, 14 characters on the last line: cut inside a string
  t.same(e.details, { line: 22, column: 15 });
  t.match(e.message, file);
  t.match(e.message, 'line 22, column 15');
  t.match(e.message, /truncated/);
  t.type(e.cause, SyntaxError);
});

t.test('ERR_ARTIFACT_JSON: a bad token where V8 gives no position', async (t) => {
  const file = bad('manifest-bad-token.json');
  const e = await rejection(loadManifest(file));
  t.equal(e.code, 'ERR_ARTIFACT_JSON');
  t.equal(e.details, undefined, 'no position is made up');
  // V8's own message quotes the text around the bad token.
  t.match(e.message, `${file} is not valid JSON: Unexpected token`);
  t.match(e.message, `"name": 'orders'`);
  t.notMatch(e.message, /truncated/);
});

t.test('ERR_ARTIFACT_JSON: empty and blank files', async (t) => {
  for (const name of ['manifest-empty.json', 'manifest-blank.json']) {
    const file = bad(name);
    const e = await rejection(loadManifest(file));
    t.equal(e.code, 'ERR_ARTIFACT_JSON', name);
    t.equal(e.file, file);
    t.match(e.message, `${file} is empty`);
  }
});

t.test(
  'ERR_ARTIFACT_KIND: catalog.json, sources.json, run_results as manifest and back',
  async (t) => {
    const catalog = await rejection(loadManifest(bad('catalog.json')));
    t.equal(catalog.code, 'ERR_ARTIFACT_KIND');
    t.equal(catalog.file, bad('catalog.json'));
    t.equal(catalog.field, 'metadata.dbt_schema_version');
    t.match(catalog.message, 'is a dbt catalog.json');
    t.match(catalog.message, 'not a manifest.json');

    const sources = await rejection(loadRunResults(bad('sources.json')));
    t.equal(sources.code, 'ERR_ARTIFACT_KIND');
    t.match(sources.message, 'is a dbt sources.json');
    t.match(sources.message, 'not a run_results.json');

    const runResultsFile = join(repoFixtures, 'dbt', 'v4_bigquery_1.0.0', 'run_results.json');
    const swapped = await rejection(loadManifest(runResultsFile));
    t.equal(swapped.code, 'ERR_ARTIFACT_KIND');
    t.match(swapped.message, 'is a dbt run_results.json (schema v4), not a manifest.json');
    t.match(swapped.message, 'loadRunResults');

    const manifestFile = join(repoFixtures, 'dbt', 'v4_bigquery_1.0.0', 'manifest.json');
    const swappedBack = await rejection(loadRunResults(manifestFile));
    t.equal(swappedBack.code, 'ERR_ARTIFACT_KIND');
    t.match(swappedBack.message, 'is a dbt manifest.json (schema v4), not a run_results.json');

    const other = await rejection(loadManifest(bad('not-an-artifact.json')));
    t.equal(other.code, 'ERR_ARTIFACT_KIND');
    t.match(other.message, 'is not a dbt artifact');
  },
);

t.test('ERR_ARTIFACT_VERSION: a v99 manifest whose shape changed', async (t) => {
  const file = bad('manifest-v99.json');
  const e = await rejection(loadManifest(file));
  t.equal(e.code, 'ERR_ARTIFACT_VERSION');
  t.equal(e.file, file);
  t.equal(e.field, 'nodes');
  t.match(e.message, file);
  t.match(e.message, 'manifest schema v99 is newer than this library knows (v1–v12)');
  t.match(e.message, 'nodes must be an object');
  t.equal((e.cause as ArtifactError).code, 'ERR_ARTIFACT_SCHEMA');
});

t.test('a v13 manifest with every field read intact is read, with a warning', async (t) => {
  const m = await loadManifest(bad('manifest-v13.json'));
  t.equal(m.schemaVersion, 13);
  t.same([...m.nodes.keys()], ['model.shop.orders']);
  t.equal(m.notes.length, 1);
  t.match(m.notes[0], { level: 'warn', code: 'ARTIFACT_VERSION_NEWER' });
  t.match(m.notes[0]?.message, 'v13 is newer');
});

t.test('ERR_ARTIFACT_SCHEMA names file, JSON path and expectation', async (t) => {
  const file = bad('manifest-wrong-type.json');
  const e = await rejection(loadManifest(file));
  t.equal(e.code, 'ERR_ARTIFACT_SCHEMA');
  t.equal(e.file, file);
  t.equal(e.field, 'nodes["model.shop.orders"].schema');
  t.equal(e.expected, 'a string or null');
  t.match(
    e.message,
    `${file}: nodes["model.shop.orders"].schema must be a string or null, got number 42.`,
  );

  const rr = bad('run_results-wrong-type.json');
  const e2 = await rejection(loadRunResults(rr));
  t.equal(e2.code, 'ERR_ARTIFACT_SCHEMA');
  t.equal(e2.file, rr);
  t.equal(e2.field, 'results[1].status');
  t.match(e2.message, `${rr}: results[1].status must be a string, got number 3.`);
});

t.test('a path below a file is not found', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dae-artifacts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'x'), '');
  const e = await rejection(loadManifest(join(dir, 'x', 'manifest.json')));
  t.equal(e.code, 'ERR_ARTIFACT_NOT_FOUND');
});

t.test('ERR_ARTIFACT_READ when the path cannot be examined or read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dae-artifacts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const loop = join(dir, 'loop');
  await symlink(loop, loop);
  const e = await rejection(loadManifest(loop));
  t.equal(e.code, 'ERR_ARTIFACT_READ');
  t.equal(e.file, loop);
  t.match(e.message, `Cannot access ${loop}`);
});

t.test(
  'ERR_ARTIFACT_READ when reading fails',
  { skip: process.platform === 'linux' ? false : 'needs /proc/self/mem (Linux)' },
  async (t) => {
    // stat says "a file", reading it fails with EIO
    const e = await rejection(loadManifest('/proc/self/mem'));
    t.equal(e.code, 'ERR_ARTIFACT_READ');
    t.match(e.message, 'Cannot read /proc/self/mem');
  },
);

t.test('an aborted load rejects with ERR_ABORTED', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const file = join(repoFixtures, 'dbt', 'v4_bigquery_1.0.0', 'manifest.json');
  const aborted = { constructor: DbtAutoExposuresError, code: 'ERR_ABORTED' };
  await t.rejects(loadManifest(file, { signal: controller.signal }), aborted);
  await t.rejects(loadRunResults(file, { signal: controller.signal }), aborted);
  await t.rejects(loadManifest(dirname(file), { signal: controller.signal }), aborted);
  const late = new AbortController();
  const pending = loadManifest(file, { signal: late.signal });
  late.abort();
  await t.rejects(pending, aborted);
});

t.test('a UTF-8 byte order mark is ignored', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dae-bom-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'manifest.json');
  await writeFile(
    file,
    `\uFEFF${JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' }, nodes: {} })}`,
  );
  const m = await loadManifest(dir);
  t.equal(m.path, file);
  t.equal(m.schemaVersion, 12);
});
