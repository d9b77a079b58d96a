/**
 * The messages issue 18 found misleading, each as the user now sees it: a wrong site name does
 * not blame the token name, a missing manifest names the one place looked at, a missing
 * run_results suggests the commands that write it and the flag that points at it, and the debug
 * entries say where --enable came from.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { captureIo, copyExample, mockTableau, tempDir } from './helpers.js';

t.test('a wrong site name: the refusal names the site, and no `field: tokenName`', async (t) => {
  const project = await copyExample(t);
  const { env } = await mockTableau(t);
  const c = captureIo({ ...env, TABLEAU_SITE_NAME: 'no-such-site', DBT_PROJECT_DIR: project });
  t.equal(await run(['sync', '--timeout', '5'], c.io), 1);
  t.match(c.stderr(), /^ERR_TABLEAU_AUTH: .*on site "no-such-site"/);
  t.notMatch(c.stderr(), 'field: tokenName');
});

t.test('a missing manifest: "No manifest.json at <path>", without a "tried" list', async (t) => {
  const dir = await tempDir(t);
  const c = captureIo({}, dir);
  t.equal(await run(['impact', '-s', 'orders', '--lineage', 'x.json'], c.io), 1);
  t.notMatch(c.stderr(), 'tried');
  const project = await copyExample(t);
  await run(
    ['sync', '--snapshot', join(project, 'tableau-snapshot.json')],
    captureIo({}, project).io,
  );
  await rm(join(project, 'target', 'manifest.json'));
  const m = captureIo({}, project);
  t.equal(await run(['impact', '-s', 'orders'], m.io), 1);
  t.match(
    m.stderr(),
    `ERR_ARTIFACT_NOT_FOUND: No manifest.json at ${join(project, 'target', 'manifest.json')}.`,
  );
  t.notMatch(m.stderr(), '(tried');
});

t.test('a missing run_results: dbt build or run, and --run-results; not dbt parse', async (t) => {
  const project = await copyExample(t);
  await run(
    ['sync', '--snapshot', join(project, 'tableau-snapshot.json')],
    captureIo({}, project).io,
  );
  await rm(join(project, 'target', 'run_results.json'));
  const c = captureIo({}, project);
  t.equal(await run(['refresh'], c.io), 1);
  t.match(c.stderr(), /^ERR_ARTIFACT_NOT_FOUND: No run_results\.json at /);
  t.match(c.stderr(), /\nhint: run `dbt build` or `dbt run` .*--run-results/);
  t.notMatch(c.stderr(), /hint: .*dbt parse/);
  t.notMatch(c.stderr(), /hint: .*--manifest/);
});

t.test('--debug: --enable is reported as an option, the variable as env', async (t) => {
  const project = await copyExample(t);
  await run(
    ['sync', '--snapshot', join(project, 'tableau-snapshot.json')],
    captureIo({}, project).io,
  );
  const settingsEntry = async (args: string[], env: Record<string, string>) => {
    const c = captureIo(env, project);
    t.equal(
      await run(['refresh', '--log-format', 'json', '--debug', ...args], c.io),
      0,
      c.stderr(),
    );
    const entries = c
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: Record<string, unknown> });
    return entries.find((e) => 'enabled_from' in e.data)?.data;
  };
  // Disabled (off by --enable's absence): no Tableau call, so no connection settings needed.
  t.match(await settingsEntry([], {}), { enabled: false, enabled_from: 'default' });
  t.match(await settingsEntry([], { DBT_ACTIVE_EXPOSURES: '0' }), {
    enabled: false,
    enabled_from: 'env',
  });
  const { env } = await mockTableau(t);
  t.match(await settingsEntry(['--enable', '--dry-run'], { ...env, DBT_ACTIVE_EXPOSURES: '0' }), {
    enabled: true,
    enabled_from: 'option',
  });
});
