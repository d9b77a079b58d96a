import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { LineageError } from '../../src/errors.js';
import { isGeneratedFile } from '../../src/output/exposure-scan.js';
import { writeSyncOutputs } from '../../src/output/sync-outputs.js';
import { GENERATED_MARKER } from '../../src/output/yaml.js';
import { exposure, lineage } from './sample-lineage.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dae-files-'));
}

const HAND_WRITTEN =
  'version: 2\nexposures:\n  - name: by_hand\n    type: dashboard\n    owner: {name: Me}\n';

/** Every file under `dir` with its bytes and modification time. */
async function snapshotDir(dir: string): Promise<Record<string, [string, number]>> {
  const out: Record<string, [string, number]> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isFile()) out[name] = [await readFile(path, 'utf8'), info.mtimeMs];
  }
  return out;
}

t.test('single file: written, then unchanged on an identical sync', async (t) => {
  const dir = join(await tempDir(), 'models', 'exposures');
  const l = lineage([exposure('a_dash')]);
  const first = await writeSyncOutputs(dir, l);
  const path = join(dir, 'tableau_exposures.yml');
  t.same(first, { written: [path], removed: [], unchanged: [], unscanned: [] });
  t.equal(parse(await readFile(path, 'utf8')).exposures[0].name, 'a_dash');
  const mtime = (await stat(path)).mtimeMs;
  const second = await writeSyncOutputs(dir, l);
  t.same(second, { written: [], removed: [], unchanged: [path], unscanned: [] });
  t.equal((await stat(path)).mtimeMs, mtime, 'identical file not rewritten');
});

t.test('a hand-written file at a managed path: ERR_OUTPUT_CONFLICT, nothing written', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'tableau__finance.yml'), HAND_WRITTEN);
  const l = lineage([
    exposure('a_dash', { projectName: 'Finance' }),
    exposure('b_dash', { projectName: 'Aaa' }),
  ]);
  const error = await writeSyncOutputs(dir, l, { groupBy: 'project' }).catch((e: unknown) => e);
  t.ok(error instanceof LineageError);
  t.equal((error as LineageError).code, 'ERR_OUTPUT_CONFLICT');
  t.equal((error as LineageError).file, join(dir, 'tableau__finance.yml'));
  t.same(
    await readdir(dir),
    ['tableau__finance.yml'],
    'the other project file was not written either',
  );
  t.equal(await readFile(join(dir, 'tableau__finance.yml'), 'utf8'), HAND_WRITTEN);
});

t.test('grouped: stale generated files removed after writing; hand-written kept', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'my_exposures.yml'), HAND_WRITTEN);
  await writeFile(join(dir, 'tableau__hand.yml'), HAND_WRITTEN);
  await writeFile(join(dir, 'other_site.yml'), `${GENERATED_MARKER}\nversion: 2\nexposures: []\n`);
  const before = lineage([
    exposure('a_dash', { projectName: 'Finance' }),
    exposure('b_dash', { projectName: 'Sales' }),
  ]);
  const first = await writeSyncOutputs(dir, before, { groupBy: 'project' });
  t.same(first.written, [join(dir, 'tableau__finance.yml'), join(dir, 'tableau__sales.yml')]);
  const after = lineage([exposure('a_dash', { projectName: 'Finance', label: 'Renamed' })]);
  const second = await writeSyncOutputs(dir, after, { groupBy: 'project' });
  t.same(second, {
    written: [join(dir, 'tableau__finance.yml')],
    removed: [join(dir, 'tableau__sales.yml')],
    unchanged: [],
    unscanned: [],
  });
  t.same((await readdir(dir)).sort(), [
    'my_exposures.yml',
    'other_site.yml',
    'tableau__finance.yml',
    'tableau__hand.yml',
  ]);
  // Switching back to one file removes the per-project generated files.
  const third = await writeSyncOutputs(dir, after);
  t.same(third.removed, [join(dir, 'tableau__finance.yml')]);
  t.same(third.written, [join(dir, 'tableau_exposures.yml')]);
});

t.test('a failed write removes nothing and leaves previous files intact', async (t) => {
  const dir = await tempDir();
  const before = lineage([
    exposure('a_dash', { projectName: 'Finance' }),
    exposure('b_dash', { projectName: 'Sales' }),
  ]);
  await writeSyncOutputs(dir, before, { groupBy: 'project' });
  const sales = await readFile(join(dir, 'tableau__sales.yml'), 'utf8');
  // A directory where the new file must go makes that write fail.
  await mkdir(join(dir, 'tableau__marketing.yml'));
  await writeFile(join(dir, 'tableau__marketing.yml', 'x'), '');
  // The directory is not a generated file: reading it fails first, with a coded error.
  const after = lineage([exposure('c_dash', { projectName: 'Marketing' })]);
  const error = await writeSyncOutputs(dir, after, { groupBy: 'project' }).catch((e: unknown) => e);
  t.equal((error as LineageError).code, 'ERR_OUTPUT_WRITE');
  t.equal(await readFile(join(dir, 'tableau__sales.yml'), 'utf8'), sales, 'stale file not removed');
  t.ok(isGeneratedFile(await readFile(join(dir, 'tableau__finance.yml'), 'utf8')));
});

t.test('isGeneratedFile', async (t) => {
  t.ok(isGeneratedFile(`${GENERATED_MARKER}\nversion: 2\n`));
  t.ok(isGeneratedFile(`\ufeff${GENERATED_MARKER}\r\nversion: 2\n`));
  t.ok(isGeneratedFile(GENERATED_MARKER));
  t.notOk(isGeneratedFile(`version: 2\n${GENERATED_MARKER}\n`));
  t.notOk(isGeneratedFile(`${GENERATED_MARKER} but edited\n`));
  t.notOk(isGeneratedFile(''));
});

t.test('fileName must be a plain file name', async (t) => {
  const dir = await tempDir();
  for (const fileName of ['../x.yml', 'a/b.yml', '', '..']) {
    await t.rejects(writeSyncOutputs(dir, lineage([]), { fileName }), {
      name: 'ConfigError',
      code: 'ERR_INVALID_OPTION',
    });
  }
  t.same(await readdir(dir), []);
});

t.test('a custom fileName; another generated file name is not touched', async (t) => {
  const dir = await tempDir();
  await writeSyncOutputs(dir, lineage([exposure('a')]), { fileName: 'site_a.yml' });
  const r = await writeSyncOutputs(dir, lineage([exposure('b')]), { fileName: 'site_b.yml' });
  t.same(r.removed, []);
  t.same((await readdir(dir)).sort(), ['site_a.yml', 'site_b.yml']);
});

t.test('a hand-written exposure with the same name (other case): nothing written', async (t) => {
  const project = await tempDir();
  const dir = join(project, 'models', 'exposures');
  const before = lineage([
    exposure('a_dash', { projectName: 'Finance' }),
    exposure('b_dash', { projectName: 'Sales' }),
  ]);
  await writeSyncOutputs(dir, before, { groupBy: 'project' });
  // Added after the last sync (and after the last dbt parse): the manifest does not know it.
  const hand = join(dir, 'hand_written.yml');
  await writeFile(hand, 'version: 2\nexposures:\n  - name: by_hand\n  - name: New_Dash\n');
  const previous = await snapshotDir(project);

  // The next sync changes a_dash, drops b_dash and adds new_dash: every step would touch a file.
  const after = lineage([
    exposure('a_dash', { projectName: 'Finance', label: 'Changed' }),
    exposure('new_dash', { projectName: 'Marketing', label: 'New Dash' }),
  ]);
  const error = await writeSyncOutputs(dir, after, { groupBy: 'project' }).catch((e: unknown) => e);
  t.ok(error instanceof LineageError);
  const e = error as LineageError;
  t.equal(e.code, 'ERR_EXPOSURE_NAME_TAKEN');
  t.equal(e.file, hand);
  t.equal(e.field, 'exposures[1].name');
  t.match(e.message, `"new_dash" for Tableau workbook "New Dash"`);
  t.match(e.message, `"New_Dash" in ${hand}:4`);
  t.same(await snapshotDir(project), previous, 'every file byte-identical, none added or removed');
});

t.test(
  'the check scans extra paths; a generated file with the same name is no clash',
  async (t) => {
    const project = await tempDir();
    const dir = join(project, 'models', 'exposures');
    const marts = join(project, 'models', 'marts');
    await mkdir(marts, { recursive: true });
    const hand = join(marts, 'dashboards.yml');
    await writeFile(hand, HAND_WRITTEN.replace('by_hand', 'A_DASH'));
    // Another site's generated file in the output directory, using the same name: ours, not a clash.
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'other_site.yml'),
      `${GENERATED_MARKER}\nversion: 2\nexposures:\n  - name: a_dash\n`,
    );
    const l = lineage([exposure('a_dash')]);

    await t.rejects(writeSyncOutputs(dir, l, { handWrittenExposures: { paths: [marts] } }), {
      code: 'ERR_EXPOSURE_NAME_TAKEN',
      file: hand,
    });
    await t.rejects(writeSyncOutputs(dir, l, { handWrittenExposures: { paths: [hand] } }), {
      code: 'ERR_EXPOSURE_NAME_TAKEN',
    });
    t.same(await readdir(dir), ['other_site.yml'], 'nothing written');

    await t.rejects(
      writeSyncOutputs(dir, l, {
        handWrittenExposures: { exposures: [{ name: 'a_Dash', file: 'from/elsewhere.yml' }] },
      }),
      { code: 'ERR_EXPOSURE_NAME_TAKEN', file: 'from/elsewhere.yml' },
    );

    // By default only the output directory is scanned: the file in marts is not seen.
    const r = await writeSyncOutputs(dir, l);
    t.same(r.written, [join(dir, 'tableau_exposures.yml')]);
  },
);

t.test('handWrittenExposures: false turns the check off', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'mine.yml'), HAND_WRITTEN);
  const l = lineage([exposure('by_hand')]);
  await t.rejects(writeSyncOutputs(dir, l), { code: 'ERR_EXPOSURE_NAME_TAKEN' });
  const r = await writeSyncOutputs(dir, l, { handWrittenExposures: false });
  t.same(r.written, [join(dir, 'tableau_exposures.yml')]);
  t.same(r.unscanned, []);
});

t.test('a YAML file that does not parse is reported in unscanned, not fatal', async (t) => {
  const dir = await tempDir();
  const broken = join(dir, 'broken.yml');
  await writeFile(broken, 'version: 2\nexposures:\n  - name: a_dash\n    owner: {name: [x\n');
  const r = await writeSyncOutputs(dir, lineage([exposure('a_dash')]));
  t.same(r.written, [join(dir, 'tableau_exposures.yml')]);
  t.equal(r.unscanned.length, 1);
  t.equal(r.unscanned[0]!.file, broken);
  t.match(r.unscanned[0]!.reason, /^line \d+: Flow sequence/);
  t.equal(
    await readFile(broken, 'utf8'),
    'version: 2\nexposures:\n  - name: a_dash\n    owner: {name: [x\n',
    'left as it was',
  );
});
