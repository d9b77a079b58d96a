/**
 * The built binary, spawned as users run it (`node dist/cli/main.js`): once per thing only a real
 * process shows (its exit code, stdout and stderr, process.env read as the environment, a command
 * loaded from dist/); the other cases of the same tests run in process through `run` (`runCli`).
 * `npm test` builds first; in a manual run, `npm run build` before tap.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { binary, copyExample, jaffleLineage, runCli, spawnCli, tempDir } from './helpers.js';

if (!existsSync(binary)) {
  t.fail(`${binary} is missing: run \`npm run build\` first (npm test does)`);
} else {
  t.test('--version and --help', async (t) => {
    const version = await spawnCli(['--version']);
    t.equal(version.code, 0);
    const pkg = JSON.parse(await readFile(join(binary, '..', '..', '..', 'package.json'), 'utf8'));
    t.equal(version.stdout, `${pkg.version}\n`);
    t.equal(version.stderr, '');
    const help = await spawnCli(['--help']);
    t.equal(help.code, 0);
    t.match(help.stdout, /Usage: dbt-auto-exposures <command> \[options\]/);
    for (const command of ['sync', 'refresh', 'impact', 'lineage', 'snapshot']) {
      const r = await runCli([command, '--help']);
      t.equal(r.code, 0, `${command} --help`);
      t.match(r.stdout, `Usage: dbt-auto-exposures ${command}`);
      t.match(r.stdout, 'Examples:');
    }
  });

  t.test('bad flags exit 2 with a hint', async (t) => {
    const r = await spawnCli(['sync', '--no-such-flag']);
    t.equal(r.code, 2);
    t.match(r.stderr, /^ERR_INVALID_OPTION: sync: unknown option --no-such-flag\n/);
    t.match(r.stderr, /\nhint: run `dbt-auto-exposures sync --help`/);
    t.equal(r.stdout, '');
    const value = await runCli(['refresh', '--concurrency', 'many']);
    t.equal(value.code, 2);
    t.match(value.stderr, /--concurrency: expected a whole number ≥ 1, got "many"/);
  });

  t.test('missing artifacts exit 1 naming the file, with a hint', async (t) => {
    const dir = await tempDir(t);
    const r = await runCli([
      'impact',
      '--select',
      'orders',
      '--lineage',
      jaffleLineage,
      '--project-dir',
      dir,
    ]);
    t.equal(r.code, 1);
    t.match(
      r.stderr,
      `ERR_ARTIFACT_NOT_FOUND: No manifest.json at ${join(dir, 'target', 'manifest.json')}`,
    );
    t.match(r.stderr, /\nhint: run dbt first/);
    t.notMatch(r.stderr, /\n {4}at /, 'no stack without --verbose');
    const lineage = await runCli(['refresh', '--project-dir', dir]);
    t.equal(lineage.code, 1);
    t.match(
      lineage.stderr,
      /^ERR_LINEAGE_READ: Lineage file .*tableau_lineage.json does not exist/,
    );
  });

  t.test('impact and lineage over the example project', async (t) => {
    const project = await copyExample(t);
    const r = await spawnCli(['impact', '--select', 'stg_orders', '--lineage', jaffleLineage], {
      env: { DBT_PROJECT_DIR: project },
    });
    t.equal(r.code, 0, r.stderr);
    t.match(
      r.stdout,
      /^2 exposures depend on stg_orders:\n {2}Ops Live Monitor \(ops_live_monitor\)/,
    );
    t.match(
      r.stdout,
      "  Sales Overview (sales_overview) — dashboard, owner Ada Park <ada.park@jaffle.example>\n    https://tableau.example/#/site/jaffle/workbooks/101\n    reads ref('customers', v=2), ref('orders')",
    );
    const out = join(project, 'impact.md');
    const md = await runCli([
      'impact',
      '--run-results',
      join(project, 'target', 'run_results.json'),
      '--format',
      'markdown',
      '--out',
      out,
      '--lineage',
      jaffleLineage,
      '--project-dir',
      project,
    ]);
    t.equal(md.code, 0, md.stderr);
    t.equal(md.stdout, '');
    const text = await readFile(out, 'utf8');
    t.match(text, /^### Tableau exposures downstream of the 9 nodes rebuilt by the run\n/);
    t.equal(text.split('\n').filter((l) => l.startsWith('| [') || l.startsWith('| O')).length, 3);
    const bad = await runCli(['lineage', '--format', 'pdf', '--project-dir', project]);
    t.equal(bad.code, 2);
    t.match(bad.stderr, /--format: expected text, markdown, mermaid, json, got "pdf"/);
    const none = await runCli(['impact', '--project-dir', project, '--lineage', jaffleLineage]);
    t.equal(none.code, 2);
    t.match(
      none.stderr,
      /impact: say which dbt nodes changed\n {2}field: --select\nhint: pass -s orders customers/,
    );
  });

  t.test(
    'refresh, disabled: the log says so, JSON lines parse, the report is written',
    async (t) => {
      const project = await copyExample(t);
      const r = await spawnCli([
        'refresh',
        '--log-format',
        'json',
        '--lineage',
        jaffleLineage,
        '--project-dir',
        project,
      ]);
      t.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      t.ok(lines.length >= 1);
      for (const line of lines) {
        const entry = JSON.parse(line);
        t.equal(entry.info.invocation_id, '5f0c2a9e-8d7b-4c1e-9a3f-1b2c3d4e5f60');
        t.type(entry.info.msg, 'string');
      }
      t.match(JSON.parse(lines[0]!).info.msg, /disabled/);
      const report = JSON.parse(
        await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
      );
      t.equal(report.enabled, false);
      const bad = await runCli(['refresh', '--project-dir', project, '--lineage', jaffleLineage], {
        env: { DBT_ACTIVE_EXPOSURES: 'yes' },
      });
      t.equal(bad.code, 2);
      t.match(bad.stderr, /^ERR_CONFIG: DBT_ACTIVE_EXPOSURES="yes" is not a valid value/);
    },
  );
}
