/**
 * CLI settings against hostile input: a password in the server URL is never echoed (`--verbose`
 * included); `--concurrency` above 64 is refused before any request; `--wait-timeout` is one
 * deadline for the whole run.
 * The built binary (`node dist/cli/main.js`), as users run it; `npm test` builds first. Helpers
 * and case tables: hostile-cli.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli } from '../cli/helpers.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { URL_PASSWORD } from './echo-table.js';
import { startMock } from './harness.js';
import {
  cliCaseCount,
  envFor,
  syncedProject,
  USERINFO_COMMANDS,
  USERINFO_FORMS,
} from './hostile-cli.js';

t.test('a password in the server URL is never echoed, --verbose included', async (t) => {
  const mock = await startMock(t);
  const project = await syncedProject(t, mock);
  for (const form of USERINFO_FORMS) {
    const serverUrl = form(mock.url, URL_PASSWORD);
    for (const command of USERINFO_COMMANDS) {
      const run = await spawnCli(command, {
        cwd: project,
        env: { ...envFor(serverUrl, mock), DBT_ACTIVE_EXPOSURES: '1' },
      });
      t.equal(run.code, 2, `${command[0]}: a configuration error`);
      t.match(run.stderr, /ERR_TABLEAU_CONFIG/);
      t.notOk(
        `${run.stdout}${run.stderr}`.includes(URL_PASSWORD),
        `${command.join(' ')} ${serverUrl.replace(URL_PASSWORD, '<password>')}`,
      );
    }
  }
});

t.test(
  '--concurrency above 64 is refused (flag and config file), before any request',
  async (t) => {
    const mock = await startMock(t);
    const project = await syncedProject(t, mock);
    mock.resetCounters();
    const env = { ...envFor(mock.url, mock), DBT_ACTIVE_EXPOSURES: '1' };
    const flag = await spawnCli(['refresh', '--concurrency', '1000000'], { cwd: project, env });
    t.equal(flag.code, 2);
    t.match(
      flag.stderr,
      /ERR_INVALID_OPTION: Option concurrency must be an integer from 1 to 64, got number 1000000/,
    );
    const config = join(project, 'dbt-auto-exposures.config.yml');
    const original = await readFile(config, 'utf8');
    await writeFile(
      config,
      original.replace(
        '  buildAfterMinutes: 1440\n',
        '  buildAfterMinutes: 1440\n  concurrency: 1000\n',
      ),
    );
    const file = await spawnCli(['refresh'], { cwd: project, env });
    t.equal(file.code, 2, file.stderr);
    t.match(file.stderr, /concurrency/);
    t.equal(mock.counters.total, 0, 'no request made');
    await writeFile(config, original);
    const ok = await spawnCli(['refresh', '--concurrency', '64', '--dry-run'], {
      cwd: project,
      env,
    });
    t.equal(ok.code, 0, ok.stderr);
  },
);

t.test('--wait-timeout is one deadline for the whole run', async (t) => {
  const mock = await startMock(t);
  const project = await syncedProject(t, mock);
  mock.setJobPlan(null, { outcome: 'hang' });
  const started = performance.now();
  const run = await spawnCli(['refresh', '--wait', '--wait-timeout', '2', '--concurrency', '1'], {
    cwd: project,
    env: { ...envFor(mock.url, mock), DBT_ACTIVE_EXPOSURES: '1' },
  });
  const elapsed = performance.now() - started;
  t.equal(run.code, 1);
  const report = JSON.parse(
    await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
  );
  const timedOut = report.results.filter((r: { reason?: string }) => r.reason === 'job_timeout');
  t.ok(timedOut.length >= 4, `${timedOut.length} jobs still running at the deadline`);
  // One wait per job would take 5 × 2 s = 10 s.
  t.ok(elapsed < 8000, `the run took ${Math.round(elapsed)} ms`);
});

t.test('CLI cases tried, as docs/reliability.md states', async (t) => {
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(Number(/CLI hostile-server cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), cliCaseCount());
});
