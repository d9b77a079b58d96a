/**
 * What the CLI says about the artifacts it reads: a manifest (or run_results) schema newer than
 * this library knows is read and printed as a warning by every command; a run_results that does
 * not belong with the manifest is a warning in `refresh`'s log and on `impact`'s stderr.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { captureIo, copyExample, exampleProject, mockTableau } from './helpers.js';

const snapshot = join(exampleProject, 'tableau-snapshot.json');

/** The parts of an artifact these tests change. */
interface Artifact {
  metadata: Record<string, string>;
  results: { unique_id: string }[];
}

async function editJson(path: string, edit: (json: Artifact) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Artifact;
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

t.test('a manifest schema newer than known: read, and a warning from every command', async (t) => {
  const project = await copyExample(t);
  const manifest = join(project, 'target', 'manifest.json');
  await editJson(manifest, (m) => {
    m.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json';
  });
  const warning = `warning: ${manifest}: manifest schema v13 is newer than this library knows (v1–v12); it was read because every field used is present. Check for a newer dbt-auto-exposures.\n`;
  const sync = captureIo({}, project);
  t.equal(await run(['sync', '--snapshot', snapshot], sync.io), 0, sync.stderr());
  t.equal(sync.stderr(), warning);
  const impact = captureIo({}, project);
  t.equal(await run(['impact', '--select', 'orders'], impact.io), 0, impact.stderr());
  t.equal(impact.stderr(), warning);
  const refresh = captureIo({}, project);
  t.equal(await run(['refresh'], refresh.io), 0, refresh.stderr());
  t.match(refresh.stderr(), warning);
  const current = captureIo({}, await copyExample(t));
  t.equal(await run(['sync', '--snapshot', snapshot], current.io), 0);
  t.equal(current.stderr(), '', 'no warning for a known schema');
});

t.test('refresh: run_results of another invocation, older than the manifest', async (t) => {
  const project = await copyExample(t);
  const mock = await mockTableau(t);
  const env = { ...mock.env, DBT_ACTIVE_EXPOSURES: '1' };
  t.equal(await run(['sync'], captureIo(env, project).io), 0);
  const belongs = captureIo(env, project);
  t.equal(await run(['refresh', '--dry-run'], belongs.io), 0, belongs.stderr());
  t.notMatch(belongs.stdout(), 'Warning:', 'the example run and manifest belong together');

  // `dbt parse` after the build: a new manifest, a new invocation id.
  const runResults = join(project, 'target', 'run_results.json');
  await editJson(join(project, 'target', 'manifest.json'), (m) => {
    m.metadata.invocation_id = '00000000-0000-4000-8000-0000000000aa';
    m.metadata.generated_at = '2026-03-02T07:00:00.000000Z';
  });
  const c = captureIo(env, project);
  t.equal(await run(['refresh', '--dry-run'], c.io), 0, c.stderr());
  t.match(
    c.stdout(),
    new RegExp(
      `^\\d\\d:\\d\\d:\\d\\d {2}Warning: ${runResults.replace(/[.]/g, '\\.')} \\(invocation [0-9a-f-]+, written 2026-03-02T06:15:58\\.640312Z\\) is older than .*manifest\\.json \\(invocation 00000000-0000-4000-8000-0000000000aa, written 2026-03-02T07:00:00\\.000000Z\\)`,
      'm',
    ),
  );
  const json = captureIo(env, project);
  t.equal(await run(['refresh', '--dry-run', '--log-format', 'json'], json.io), 0);
  const entries = json
    .stdout()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.match(
    entries.find((e) => e.info.code === 'AE009'),
    { info: { level: 'warn' }, data: { code: 'RUN_RESULTS_OLDER_THAN_MANIFEST' } },
  );
});

t.test('impact --run-results of another project: a warning on stderr', async (t) => {
  const project = await copyExample(t);
  const runResults = join(project, 'target', 'run_results.json');
  await editJson(runResults, (r) => {
    for (const result of r.results) {
      result.unique_id = result.unique_id.replace('.jaffle_tableau.', '.other_project.');
    }
  });
  t.equal(await run(['sync', '--snapshot', snapshot], captureIo({}, project).io), 0);
  const c = captureIo({}, project);
  t.equal(await run(['impact', '--run-results', runResults], c.io), 0, c.stderr());
  t.match(
    c.stderr(),
    /^warning: \d+ of the \d+ nodes in .*run_results\.json are not in .*manifest\.json \(project jaffle_tableau\) \(\w+\.other_project\..*\): the run comes from another project\. Use the manifest of the same run\.\n$/,
  );
});
