import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DbtAutoExposuresError, findDbtProjects } from '../../src/index.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'dae-find-')));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

t.test(
  'finds every project of a monorepo, sorted, skipping packages and hidden dirs',
  async (t) => {
    const root = await tree({
      'analytics/dbt_project.yml': 'name: analytics\n',
      'analytics/target/manifest.json': '{}',
      'analytics/target/run_results.json': '{}',
      'analytics/dbt_packages/dbt_utils/dbt_project.yml': 'name: dbt_utils\n',
      'analytics/dbt_packages/dbt_utils/target/manifest.json': '{}',
      'finance/dbt_project.yml': "name: finance\ntarget-path: 'build/out'\n",
      'finance/build/out/manifest.json': '{}',
      'finance/target/manifest.json': '{} stale, ignored: target-path says build/out',
      'fresh/dbt_project.yml': 'name: fresh\n',
      'broken/dbt_project.yml': 'name: [unclosed\n',
      'broken/target/run_results.json': '{}',
      'ci-artifacts/prod/target/manifest.json': '{}',
      'node_modules/pkg/dbt_project.yml': 'name: x\n',
      '.venv/lib/dbt/include/global_project/dbt_project.yml': 'name: dbt\n',
      'venv/lib/python3.12/site-packages/dbt/include/global_project/dbt_project.yml': 'name: dbt\n',
      '.git/dbt_project.yml': 'name: x\n',
      'templated/dbt_project.yml': 'name: t\ntarget-path: "{{ env_var(\'X\') }}"\n',
      'templated/target/manifest.json': '{}',
    });
    t.teardown(() => rm(root, { recursive: true, force: true }));
    const found = await findDbtProjects(root);
    t.same(found, [
      {
        projectDir: join(root, 'analytics'),
        manifestPath: join(root, 'analytics/target/manifest.json'),
        runResultsPath: join(root, 'analytics/target/run_results.json'),
      },
      {
        projectDir: join(root, 'broken'),
        manifestPath: null,
        runResultsPath: join(root, 'broken/target/run_results.json'),
      },
      {
        projectDir: join(root, 'ci-artifacts/prod'),
        manifestPath: join(root, 'ci-artifacts/prod/target/manifest.json'),
        runResultsPath: null,
      },
      {
        projectDir: join(root, 'finance'),
        manifestPath: join(root, 'finance/build/out/manifest.json'),
        runResultsPath: null,
      },
      { projectDir: join(root, 'fresh'), manifestPath: null, runResultsPath: null },
      {
        projectDir: join(root, 'templated'),
        manifestPath: join(root, 'templated/target/manifest.json'),
        runResultsPath: null,
      },
    ]);
  },
);

t.test('several roots, overlapping, give one entry per project', async (t) => {
  const root = await tree({
    'a/dbt_project.yml': 'name: a\n',
    'b/dbt_project.yml': 'name: b\n',
    'b/target/manifest.json': '{}',
  });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const found = await findDbtProjects([join(root, 'b'), root]);
  t.same(
    found.map((p) => p.projectDir),
    [join(root, 'a'), join(root, 'b')],
  );
  t.same(await findDbtProjects(join(root, 'a')), [
    { projectDir: join(root, 'a'), manifestPath: null, runResultsPath: null },
  ]);
});

t.test('a missing root is ERR_ARTIFACT_NOT_FOUND; abort rejects', async (t) => {
  const root = await tree({ 'file.txt': 'x' });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  for (const bad of [join(root, 'nope'), join(root, 'file.txt')]) {
    await t.rejects(findDbtProjects(bad), {
      name: 'ArtifactError',
      code: 'ERR_ARTIFACT_NOT_FOUND',
      file: bad,
    });
  }
  const controller = new AbortController();
  controller.abort();
  await t.rejects(findDbtProjects(root, { signal: controller.signal }), {
    constructor: DbtAutoExposuresError,
    code: 'ERR_ABORTED',
  });
});
