import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseCommandLine, parseNumber } from '../../src/cli/args.js';
import { validateConfig } from '../../src/cli/config-file.js';
import { describeSettings, resolveSettings } from '../../src/cli/settings.js';
import { findCommand } from '../../src/cli/specs.js';
import { requireTableau } from '../../src/cli/tableau.js';
import { ConfigError } from '../../src/errors.js';
import { captureIo, tempDir } from './helpers.js';

/** The settings of `command argv` with environment `env`, run in `cwd` (as the binary reads them). */
function resolved(
  command: string,
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
) {
  const { flags, origins } = parseCommandLine(findCommand(command)!, argv, env);
  return resolveSettings(flags, captureIo(env, cwd).io, origins);
}

async function project(t: Parameters<typeof tempDir>[0], files: Record<string, string>) {
  const dir = await tempDir(t);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

t.test('defaults: paths from the project dir and dbt_project.yml', async (t) => {
  const dir = await project(t, { 'dbt_project.yml': 'name: p\n' });
  const s = await resolved('sync', [], {}, dir);
  t.equal(s.projectDir, dir);
  t.equal(s.hasDbtProject, true);
  t.equal(s.configFile, null);
  t.equal(s.targetPath, join(dir, 'target'));
  t.equal(s.manifestPath, join(dir, 'target', 'manifest.json'));
  t.equal(s.runResultsPath, join(dir, 'target', 'run_results.json'));
  t.equal(s.exposuresPath, join(dir, 'models', 'exposures'));
  t.equal(s.lineagePath, join(dir, 'models', 'exposures', 'tableau_lineage.json'));
  t.equal(s.groupBy, 'none');
  t.same(
    s.resourcePaths,
    ['models', 'seeds', 'snapshots', 'analyses', 'macros', 'tests'].map((p) => join(dir, p)),
    "dbt's default resource paths",
  );
  t.equal(s.injectManifestPath, null);
  t.same(s.filter, {});
  t.same(s.activeExposures, {
    env: {},
    enabled: undefined,
    buildAfterMinutes: undefined,
    reportPath: join(dir, 'target', 'active_exposures.json'),
    concurrency: undefined,
    waitTimeoutMs: 1_800_000,
  });
  t.same(s.tableau, {
    serverUrl: undefined,
    siteName: undefined,
    tokenName: undefined,
    tokenSecret: undefined,
    connectedApp: {
      clientId: undefined,
      secretId: undefined,
      secretValue: undefined,
      username: undefined,
    },
    apiVersion: undefined,
    timeoutMs: undefined,
    retries: undefined,
    pageSize: undefined,
  });
});

t.test("dbt_project.yml's target-path and model-paths move the defaults", async (t) => {
  const dir = await project(t, {
    'dbt_project.yml': "name: p\ntarget-path: build\nmodel-paths: ['dbt_models']\n",
  });
  const s = await resolved('sync', [], {}, dir);
  t.equal(s.targetPath, join(dir, 'build'));
  t.equal(s.exposuresPath, join(dir, 'dbt_models', 'exposures'));
  t.equal(s.sources.targetPath, 'dbt_project.yml');
});

t.test(
  "dbt_project.yml's resource paths: every kind, legacy names, strings, absolute",
  async (t) => {
    const dir = await project(t, {
      'dbt_project.yml': [
        'name: p',
        "source-paths: ['dbt_models', 'more_models']",
        'data-paths: data',
        "snapshot-paths: ['dbt_models']",
        'analysis-paths: []',
        "macro-paths: ['/abs/macros', 3]",
        'test-paths: null',
        '',
      ].join('\n'),
    });
    const s = await resolved('sync', [], {}, dir);
    t.same(s.resourcePaths, [
      join(dir, 'dbt_models'),
      join(dir, 'more_models'),
      join(dir, 'data'),
      '/abs/macros',
      join(dir, 'tests'),
    ]);
    const none = await resolved('sync', [], {}, await tempDir(t));
    t.equal(none.resourcePaths.length, 6, 'no dbt_project.yml: the defaults');
  },
);

t.test(
  'a dbt_project.yml outside the plain subset is read by yaml, with the same result',
  async (t) => {
    // A block scalar, an anchor and a flow mapping: the fast reader declines, yaml reads it.
    const text =
      "name: p\non-run-start: |\n  select 1\nvars: {a: &x 1, b: *x}\ntarget-path: 'build'\n" +
      'source-paths:\n  - src_models\n';
    const dir = await project(t, { 'dbt_project.yml': text });
    const s = await resolved('sync', [], {}, dir);
    t.equal(s.targetPath, join(dir, 'build'));
    t.equal(s.exposuresPath, join(dir, 'src_models', 'exposures'));
    t.equal(s.sources.targetPath, 'dbt_project.yml');
  },
);

t.test('precedence: flag > environment > config file', async (t) => {
  const dir = await project(t, {
    'dbt_project.yml': 'name: p\n',
    'dbt-auto-exposures.config.json': JSON.stringify({
      tableau: {
        serverUrl: 'config.example',
        siteName: 'cfg',
        tokenName: 'cfg-token',
        timeoutSeconds: 5,
        retries: 1,
        pageSize: 50,
        apiVersion: '3.22',
      },
      targetPath: 'cfg-target',
      exposures: { path: 'models/bi', groupBy: 'project' },
      filter: { projects: ['Finance'], tags: ['cfg'], includePersonalSpace: false },
      activeExposures: {
        enabled: true,
        buildAfterMinutes: 30,
        concurrency: 4,
        waitTimeoutSeconds: 60,
        reportPath: 'reports/ae.json',
      },
      matching: { parseCustomSql: true, databaseAliases: { PROD: 'analytics' } },
      injectManifest: 'target/with_exposures.json',
    }),
  });
  const env = {
    TABLEAU_SERVER_URL: 'env.example',
    TABLEAU_SITE_NAME: '',
    TABLEAU_TOKEN_SECRET: 'env-secret-value',
    DBT_TARGET_PATH: 'env-target',
    DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '45',
  };
  const argv = ['--server-url', 'flag.example', '--project', 'Sales,Ops', '--tag', 'x'];
  const s = await resolved('sync', argv, env, dir);
  t.equal(s.configFile, join(dir, 'dbt-auto-exposures.config.json'));
  t.equal(s.tableau.serverUrl, 'flag.example', 'flag beats env and config');
  t.equal(
    s.tableau.siteName,
    '',
    'an empty TABLEAU_SITE_NAME is the default site, and beats config',
  );
  t.equal(s.tableau.tokenName, 'cfg-token', 'config when neither flag nor env');
  t.equal(s.tableau.tokenSecret, 'env-secret-value');
  t.equal(s.tableau.timeoutMs, 5000);
  t.equal(s.tableau.retries, 1);
  t.equal(s.tableau.pageSize, 50);
  t.equal(s.tableau.apiVersion, '3.22');
  t.equal(s.targetPath, join(dir, 'env-target'), 'DBT_TARGET_PATH beats config');
  t.equal(s.exposuresPath, join(dir, 'models', 'bi'));
  t.equal(s.groupBy, 'project');
  t.equal(s.injectManifestPath, join(dir, 'target', 'with_exposures.json'));
  t.same(s.filter, { projects: ['Sales', 'Ops'], tags: ['x'], includePersonalSpace: false });
  t.same(s.matching, { parseCustomSql: true, databaseAliases: { PROD: 'analytics' } });
  t.same(s.activeExposures, {
    env: { DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '45' },
    enabled: true,
    buildAfterMinutes: undefined,
    reportPath: join(dir, 'reports', 'ae.json'),
    concurrency: 4,
    waitTimeoutMs: 60_000,
  });
  t.equal(s.sources.serverUrl, 'flag');
  t.equal(s.sources.siteName, 'env');
  t.equal(s.sources.tokenName, 'config');
  t.equal(s.sources.targetPath, 'env', 'a flag set by its variable is reported as env');
  t.equal(s.sources.activeExposures, 'config');
  t.equal(s.sources.buildAfterMinutes, 'env');

  const refreshArgv = [
    '--enable',
    '--build-after',
    '0',
    '--concurrency',
    '1',
    '--wait-timeout',
    '2.5',
    '--target-path',
    'flag-target',
    '--report',
    'r.json',
    '--timeout',
    '10',
  ];
  const r = await resolved('refresh', refreshArgv, { ...env, DBT_ACTIVE_EXPOSURES: '0' }, dir);
  t.same(r.activeExposures.env, {
    DBT_ACTIVE_EXPOSURES: '0',
    DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '45',
  });
  t.equal(r.activeExposures.enabled, true, '--enable is an option over the variable');
  t.equal(r.activeExposures.buildAfterMinutes, 0);
  t.equal(r.sources.activeExposures, 'flag', 'not env: the misleading --debug source is gone');
  t.equal(r.activeExposures.concurrency, 1);
  t.equal(r.activeExposures.waitTimeoutMs, 2500);
  t.equal(r.activeExposures.reportPath, join(dir, 'r.json'), '--report is relative to the cwd');
  t.equal(r.targetPath, join(dir, 'flag-target'));
  t.equal(r.tableau.timeoutMs, 10_000);
});

t.test(
  '--project-dir and DBT_PROJECT_DIR; relative file flags are relative to the cwd',
  async (t) => {
    const dir = await project(t, { 'p/dbt_project.yml': 'name: p\n' });
    const viaEnv = await resolved('sync', [], { DBT_PROJECT_DIR: 'p' }, dir);
    t.equal(viaEnv.projectDir, join(dir, 'p'));
    const argv = ['--project-dir', 'p', '--manifest', 'm.json', '--lineage', 'l.json'];
    const s = await resolved(
      'sync',
      [...argv, '--inject-manifest'],
      { DBT_PROJECT_DIR: 'elsewhere' },
      dir,
    );
    t.equal(s.projectDir, join(dir, 'p'));
    t.equal(s.manifestPath, join(dir, 'm.json'));
    t.equal(s.lineagePath, join(dir, 'l.json'));
    t.equal(
      s.injectManifestPath,
      join(dir, 'm.json'),
      '--inject-manifest writes the manifest in place',
    );
    const to = await resolved('sync', ['--inject-manifest-to', 'out.json'], {}, dir);
    t.equal(to.injectManifestPath, join(dir, 'out.json'));
    t.equal(to.hasDbtProject, false);
  },
);

t.test('config file errors name the file and the key (exit-2 codes)', async (t) => {
  const cases: [Record<string, string>, RegExp, string | undefined][] = [
    [
      { 'dbt-auto-exposures.config.json': '{"tableau": {"tokenSecret": "x"}}' },
      /"tableau.tokenSecret" must not be in a config file/,
      'tableau.tokenSecret',
    ],
    [
      { 'dbt-auto-exposures.config.json': '{"tablaeu": {}}' },
      /unknown key "tablaeu"; did you mean "tableau"\?/,
      'tablaeu',
    ],
    [
      { 'dbt-auto-exposures.config.yml': 'matching:\n  parseCustomSQL: true\n' },
      /unknown key "matching.parseCustomSQL"; did you mean "parseCustomSql"\?/,
      'matching.parseCustomSQL',
    ],
    [
      { 'dbt-auto-exposures.config.yml': 'filter:\n  projects: Finance\n' },
      /filter.projects: /,
      'filter.projects',
    ],
    [
      { 'dbt-auto-exposures.config.yml': 'activeExposures:\n  buildAfterMinutes: -1\n' },
      /activeExposures.buildAfterMinutes/,
      'activeExposures.buildAfterMinutes',
    ],
    [{ 'dbt-auto-exposures.config.json': '{ nope' }, /is not valid JSON/, undefined],
    [{ 'dbt-auto-exposures.config.yaml': 'a: [' }, /is not valid YAML/, undefined],
    [
      { 'dbt-auto-exposures.config.json': '{}', 'dbt-auto-exposures.config.yml': '{}' },
      /two config files/,
      undefined,
    ],
  ];
  for (const [files, message, field] of cases) {
    const dir = await project(t, files);
    const error = await resolved('sync', [], {}, dir).then(
      () => null,
      (e: unknown) => e,
    );
    t.type(error, ConfigError, String(message));
    t.match((error as ConfigError).message, message);
    t.equal((error as ConfigError).code, 'ERR_CONFIG');
    t.equal((error as ConfigError).field, field);
  }
});

t.test('a broken dbt_project.yml is an ArtifactError naming it', async (t) => {
  const dir = await project(t, { 'dbt_project.yml': 'name: [' });
  await t.rejects(resolved('sync', [], {}, dir), {
    name: 'ArtifactError',
    code: 'ERR_ARTIFACT_SCHEMA',
    file: join(dir, 'dbt_project.yml'),
    message: /dbt_project.yml is not valid YAML/,
  });
});

t.test(
  '--config: an explicit file must exist; an empty YAML file is an empty config',
  async (t) => {
    const dir = await project(t, { 'cfg.yml': '' });
    const s = await resolveSettings({ config: 'cfg.yml' }, captureIo({}, dir).io);
    t.equal(s.configFile, join(dir, 'cfg.yml'));
    await t.rejects(resolveSettings({ config: 'missing.json' }, captureIo({}, dir).io), {
      code: 'ERR_CONFIG',
      message: /config file not found/,
      field: '--config',
    });
  },
);

t.test('bad numeric and enum flags are usage errors', async (t) => {
  const dir = await tempDir(t);
  const bad: [string, string[], RegExp][] = [
    ['refresh', ['--build-after', '1.5'], /--build-after: expected a whole number ≥ 0, got "1.5"/],
    ['refresh', ['--concurrency', '0'], /--concurrency: expected a whole number ≥ 1/],
    ['refresh', ['--wait-timeout', 'soon'], /--wait-timeout: expected a number/],
    ['sync', ['--timeout', ''], /--timeout: expected a number/],
    ['sync', ['--group-by', 'folder'], /--group-by: expected none or project/],
  ];
  for (const [command, argv, message] of bad) {
    await t.rejects(resolved(command, argv, {}, dir), {
      code: 'ERR_INVALID_OPTION',
      message,
    });
  }
  t.equal(parseNumber('--x', '3', { integer: true, min: 0 }), 3);
});

t.test(
  'requireTableau names every missing setting; describeSettings hides the secret',
  async (t) => {
    const dir = await tempDir(t);
    const none = await resolved('sync', [], {}, dir);
    t.throws(() => requireTableau(none), {
      code: 'ERR_TABLEAU_CONFIG',
      message:
        /server URL \(--server-url or TABLEAU_SERVER_URL\).*site name.*token name.*token secret \(TABLEAU_TOKEN_SECRET\)/,
    });
    const env = { TABLEAU_SERVER_URL: 'h', TABLEAU_SITE_NAME: 's', TABLEAU_TOKEN_NAME: 'n' };
    const noSecret = await resolved('sync', [], env, dir);
    t.throws(() => requireTableau(noSecret), {
      code: 'ERR_TABLEAU_CONFIG',
      field: 'the token secret (TABLEAU_TOKEN_SECRET)',
    });
    const all = await resolved(
      'sync',
      [],
      { ...env, TABLEAU_TOKEN_SECRET: 'very-secret-value' },
      dir,
    );
    t.same(requireTableau(all), {
      serverUrl: 'h',
      siteName: 's',
      tokenName: 'n',
      tokenSecret: 'very-secret-value',
    });
    const text = describeSettings(all);
    t.notMatch(text, 'very-secret-value');
    t.match(text, '"tokenSecret": "(set, hidden)"');
    t.match(describeSettings(none), '"tokenSecret": "(not set)"');
  },
);

t.test('validateConfig accepts an empty or null document', async (t) => {
  t.same(validateConfig(null, 'x.yml'), {});
  t.same(validateConfig({ lineagePath: 'a.json' }, 'x.yml'), { lineagePath: 'a.json' });
});
