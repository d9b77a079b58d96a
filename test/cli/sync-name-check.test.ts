/**
 * sync refuses exposure names that a hand-written exposure in the dbt project already uses (the
 * manifest may predate it), in process, offline from the example snapshot.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { captureIo, copyExample, exampleProject } from './helpers.js';

const snapshot = join(exampleProject, 'tableau-snapshot.json');

async function put(root: string, path: string, text: string): Promise<string> {
  const file = join(root, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** The generated outputs, bytes and modification times. */
async function outputs(project: string): Promise<Record<string, [string, number]>> {
  const dir = join(project, 'models', 'exposures');
  const out: Record<string, [string, number]> = {};
  for (const name of (await readdir(dir)).sort()) {
    out[name] = [await readFile(join(dir, name), 'utf8'), (await stat(join(dir, name))).mtimeMs];
  }
  return out;
}

const CLASHING = 'version: 2\nexposures:\n  - name: Sales_Overview\n    type: dashboard\n';

t.test(
  'a hand-written exposure with a name about to be written: exit 1, nothing written',
  async (t) => {
    const project = await copyExample(t);
    const first = captureIo({}, project);
    t.equal(await run(['sync', '--snapshot', snapshot], first.io), 0, first.stderr());
    const before = await outputs(project);
    t.same(Object.keys(before), ['tableau_exposures.yml', 'tableau_lineage.json']);

    // Added by hand after that sync (and after the last dbt parse).
    const hand = await put(project, 'models/marts/dashboards.yml', CLASHING);
    const c = captureIo({}, project);
    // --group-by project would rewrite every output: the check comes first.
    t.equal(await run(['sync', '--snapshot', snapshot, '--group-by', 'project'], c.io), 1);
    t.equal(c.stdout(), '');
    const err = c.stderr();
    t.match(
      err,
      /^ERR_EXPOSURE_NAME_TAKEN: Exposure name "sales_overview" for Tableau workbook "Sales Overview" \(luid [^)]+\) is already used by the hand-written exposure "Sales_Overview" in /,
    );
    t.match(err, `${hand}:3`);
    t.match(err, 'nothing was written');
    t.match(
      err,
      /\nhint: give the workbook another name with an override \(the overrides option: .*matching\.overrides in the CLI's config file\)/,
    );
    t.match(err, 'rename or remove the hand-written exposure "Sales_Overview"');
    t.same(await outputs(project), before, 'previous outputs byte-identical');

    // --check reports the same clash (a CI guard), and writes nothing either.
    const check = captureIo({}, project);
    t.equal(await run(['sync', '--snapshot', snapshot, '--check'], check.io), 1);
    t.match(check.stderr(), /^ERR_EXPOSURE_NAME_TAKEN: /);

    // --skip-name-check: the user takes responsibility.
    const skip = captureIo({}, project);
    t.equal(
      await run(
        ['sync', '--snapshot', snapshot, '--group-by', 'project', '--skip-name-check'],
        skip.io,
      ),
      0,
      skip.stderr(),
    );
    t.match(skip.stdout(), 'models/exposures/tableau__sales.yml');
  },
);

t.test('every resource path of dbt_project.yml is scanned, and only those', async (t) => {
  const project = await copyExample(t);
  // analyses/ is dbt's default analysis path (the example does not set it).
  const hand = await put(
    project,
    'analyses/exposures.yml',
    CLASHING.replace('Sales_Overview', 'REFUND_TRACKER'),
  );
  const c = captureIo({}, project);
  t.equal(await run(['sync', '--snapshot', snapshot], c.io), 1);
  t.match(c.stderr(), `"refund_tracker" for Tableau workbook "Refund Tracker"`);
  t.match(c.stderr(), hand);
  await t.rejects(readFile(join(project, 'models', 'exposures', 'tableau_lineage.json')));

  // A YAML file outside the resource paths is not dbt's, so not ours to check.
  await put(project, 'docs/exposures.yml', CLASHING);
  await put(project, 'analyses/exposures.yml', 'version: 2\n');
  const ok = captureIo({}, project);
  t.equal(await run(['sync', '--snapshot', snapshot], ok.io), 0, ok.stderr());
});

t.test('a YAML file that does not parse: listed in the summary, the sync goes on', async (t) => {
  const project = await copyExample(t);
  await put(project, 'models/broken.yml', 'version: 2\nexposures:\n  - name: [unclosed\n');
  const c = captureIo({}, project);
  t.equal(await run(['sync', '--snapshot', snapshot], c.io), 0, c.stderr());
  t.match(
    c.stdout(),
    /YAML files not checked for hand-written exposures \(1\):\n {2}models\/broken\.yml — line \d+: /,
  );
  const json = captureIo({}, project);
  t.equal(
    await run(['sync', '--snapshot', snapshot, '--output', 'json'], json.io),
    0,
    json.stderr(),
  );
  const summary = JSON.parse(json.stdout());
  t.same(
    summary.unscannedYaml.map((u: { file: string }) => u.file),
    [join(project, 'models', 'broken.yml')],
  );
});
