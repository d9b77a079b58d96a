/** loadDbtProject: the facts of dbt_project.yml, with dbt's defaults, and coded errors. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ArtifactError, DbtAutoExposuresError, loadDbtProject } from '../../src/index.js';

const DEFAULT_RESOURCE_PATHS = ['models', 'seeds', 'snapshots', 'analyses', 'macros', 'tests'];

async function projectWith(t: Test, text: string | null): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dae-dbt-project-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  if (text !== null) await writeFile(join(dir, 'dbt_project.yml'), text);
  return dir;
}

t.test('the file `dbt init` writes', async (t) => {
  const dir = await projectWith(
    t,
    `
# Name your project! Project names should contain only lowercase characters
name: 'my_new_project'
version: '1.0.0'
config-version: 2
profile: 'default'

model-paths: ["models"]
analysis-paths: ["analyses"]
test-paths: ["tests"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]

clean-targets:         # directories to be removed by \`dbt clean\`
  - "target"
  - "dbt_packages"

models:
  my_new_project:
    example:
      +materialized: view
`,
  );
  t.same(await loadDbtProject(dir), {
    file: join(dir, 'dbt_project.yml'),
    name: 'my_new_project',
    targetPath: null,
    modelPaths: ['models'],
    resourcePaths: ['models', 'seeds', 'snapshots', 'analyses', 'macros', 'tests'],
  });
});

t.test('target path, block lists, legacy names, anchors and block scalars', async (t) => {
  const dir = await projectWith(
    t,
    `\uFEFFname: jaffle_shop
target-path: build/target
source-paths:
- src_models
- more
data-paths: data
on-run-start: |
  select 1
vars: {a: &x 1, b: *x}
analysis-paths: []
macro-paths: ['/abs/macros', 3]
test-paths: null
`,
  );
  t.same(await loadDbtProject(dir), {
    file: join(dir, 'dbt_project.yml'),
    name: 'jaffle_shop',
    targetPath: 'build/target',
    modelPaths: ['src_models', 'more'],
    // analysis-paths is set to nothing; a number is not a path; null is dbt's default
    resourcePaths: ['src_models', 'more', 'data', 'snapshots', '/abs/macros', 'tests'],
  });
});

t.test('the example project', async (t) => {
  const dir = new URL('../../examples/jaffle-tableau/', import.meta.url).pathname;
  const project = await loadDbtProject(dir);
  const text = await readFile(join(dir, 'dbt_project.yml'), 'utf8');
  t.equal(project.name, /^name: '?([a-z_]+)/m.exec(text)?.[1]);
  t.equal(project.file, join(dir, 'dbt_project.yml'));
});

t.test('no dbt_project.yml: dbt defaults; an empty one: the same, from the file', async (t) => {
  const none = await projectWith(t, null);
  t.same(await loadDbtProject(none), {
    file: null,
    name: null,
    targetPath: null,
    modelPaths: ['models'],
    resourcePaths: DEFAULT_RESOURCE_PATHS,
  });
  t.same(await loadDbtProject(join(none, 'nope')), await loadDbtProject(none));
  const empty = await projectWith(t, '# nothing yet\n');
  t.same(await loadDbtProject(empty), {
    file: join(empty, 'dbt_project.yml'),
    name: null,
    targetPath: null,
    modelPaths: ['models'],
    resourcePaths: DEFAULT_RESOURCE_PATHS,
  });
});

t.test('Jinja in target-path is kept as written (only dbt renders it)', async (t) => {
  const dir = await projectWith(t, `name: p\ntarget-path: "{{ env_var('TARGET') }}"\n`);
  t.equal((await loadDbtProject(dir)).targetPath, "{{ env_var('TARGET') }}");
});

t.test('a broken file is a coded ArtifactError naming it', async (t) => {
  const invalid = await projectWith(t, 'name: p\nmodels:\n  a: [\n');
  const file = join(invalid, 'dbt_project.yml');
  const error = await loadDbtProject(invalid).catch((e: unknown) => e);
  t.type(error, ArtifactError);
  t.match(error, {
    code: 'ERR_ARTIFACT_SCHEMA',
    file,
    expected: 'YAML',
    message: new RegExp(`^${file} is not valid YAML: `),
    details: { line: Number, column: Number },
    hint: /dbt_project\.yml/,
  });

  const duplicate = await projectWith(t, 'name: a\nname: b\n');
  await t.rejects(loadDbtProject(duplicate), {
    code: 'ERR_ARTIFACT_SCHEMA',
    message: /Map keys must be unique at line 2, column 1\.$/,
  });

  const list = await projectWith(t, '- name: p\n');
  await t.rejects(loadDbtProject(list), {
    name: 'ArtifactError',
    code: 'ERR_ARTIFACT_SCHEMA',
    field: '(the top level)',
    message: /dbt_project\.yml must hold a mapping of settings .*, got a list\./,
  });

  const directory = await projectWith(t, null);
  await mkdir(join(directory, 'dbt_project.yml'));
  await t.rejects(loadDbtProject(directory), {
    name: 'ArtifactError',
    code: 'ERR_ARTIFACT_READ',
    file: join(directory, 'dbt_project.yml'),
  });
});

t.test('abort is ERR_ABORTED', async (t) => {
  const dir = await projectWith(t, 'name: p\n');
  const controller = new AbortController();
  controller.abort();
  await t.rejects(loadDbtProject(dir, { signal: controller.signal }), {
    constructor: DbtAutoExposuresError,
    code: 'ERR_ABORTED',
  });
});
