/**
 * `refresh` as users run it, read line by line as it prints: the log arrives as things happen,
 * `--follow -` refreshes before dbt's log ends, a job not waited on is TRIGGERED (not success),
 * and --wait prints that it is waiting. The first case pipes dbt's log into the built binary and
 * reads its stdout while it runs (a real process's pipes); the others run in process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { writeRun } from '../active/dbt-log-helpers.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { binary, captureIo, copyExample, mockTableau, runCli } from './helpers.js';

async function setUp(t: Test) {
  const project = await copyExample(t);
  const { server, env: connection } = await mockTableau(t);
  const env = { ...connection, DBT_PROJECT_DIR: project };
  const sync = captureIo(env, project);
  t.equal(await run(['sync'], sync.io), 0, sync.stderr());
  return { project, server, env };
}

/** The binary, its stdout read line by line as printed. */
function start(args: string[], env: Record<string, string>, cwd: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [binary, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let done = false;
  void exited.then(() => (done = true));
  return { child, lines, exited, stderr: () => stderr, done: () => done };
}

/** The CLI in process, its stdin a pipe the test writes dbt's log into. */
function startInProcess(args: string[], env: Record<string, string>, cwd: string) {
  const c = captureIo(env, cwd);
  const stdin = new PassThrough();
  c.io.stdin = stdin;
  let done = false;
  const exited = run(args, c.io).finally(() => (done = true));
  const lines = (): string[] => c.stdout().split('\n').slice(0, -1);
  return { stdin, lines, exited, stderr: c.stderr, done: () => done };
}

const linesOf = (stdout: string): string[] => stdout.trimEnd().split('\n');

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const startedAt = Date.now();
  while (!check()) {
    if (Date.now() - startedAt > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The example project's build (its run_results), as dbt's JSON log. */
const BUILD = writeRun('core', 'build', [
  { id: 'seed.jaffle_tableau.country_codes', status: 'success' },
  { id: 'snapshot.jaffle_tableau.customers_snapshot', status: 'success' },
  { id: 'model.jaffle_tableau.stg_orders', status: 'success' },
  { id: 'model.jaffle_tableau.stg_customers', status: 'success' },
  { id: 'model.jaffle_tableau.stg_payments', status: 'success' },
  { id: 'model.jaffle_tableau.stg_refunds', status: 'error' },
  { id: 'model.jaffle_tableau.orders', status: 'success' },
  { id: 'test.jaffle_tableau.not_null_orders_order_id.4f1e2d3c5b', status: 'pass' },
  { id: 'model.jaffle_tableau.customers.v1', status: 'success' },
  { id: 'model.jaffle_tableau.customers.v2', status: 'success' },
  { id: 'test.jaffle_tableau.not_null_customers_v2_customer_id.9a8b7c6d5e', status: 'pass' },
  { id: 'model.jaffle_tableau.Revenue_By_Country', status: 'success' },
  { id: 'model.jaffle_tableau.refunds', status: 'skipped' },
]);

if (!existsSync(binary)) {
  t.fail(`${binary} is missing: run \`npm run build\` first (npm test does)`);
} else {
  t.test('refresh --follow -: the first refresh line is printed before dbt ends', async (t) => {
    const { project, server, env } = await setUp(t);
    const cli = start(['refresh', '--follow', '-'], { ...env, DBT_ACTIVE_EXPOSURES: '1' }, project);
    // customer_health depends on the seed and the snapshot: done after the second node.
    const snapshot = BUILD.finishedAt.get('snapshot.jaffle_tableau.customers_snapshot')!;
    cli.child.stdin.write(`${BUILD.lines.slice(0, snapshot + 1).join('\n')}\n`);
    await until(() => cli.lines.some((l) => /TRIGGERED refresh of .* for customer_health/.test(l)));
    t.equal(cli.done(), false, 'printed while dbt still writes its log');
    t.equal(server.jobs().length, 1, 'the refresh reached Tableau');
    t.match(cli.lines[0], /Running active exposures for 6 exposures/);

    cli.child.stdin.end(`${BUILD.lines.slice(snapshot + 1).join('\n')}\n`);
    t.equal(await cli.exited, 0, cli.stderr());
    t.match(cli.lines.join('\n'), /dbt build completed: 13 nodes finished; deciding the rest/);
    t.match(
      cli.lines.at(-1),
      /Done\. 6 exposures, 7 refresh targets: TRIGGERED=5 REFRESHED=0 SKIP=2 ERROR=0/,
    );
    t.match(cli.lines.join('\n'), /SKIP active exposure refund_tracker .*upstream failed/);
    t.equal(server.jobs().length, 5, 'each target refreshed once');
    const report = JSON.parse(
      await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
    );
    t.equal(report.version, 2);
    t.equal(report.invocationId, BUILD.runResults.invocationId);
    assertNoSecrets(t, cli.lines.join('\n'), cli.stderr(), report);
  });

  t.test('--json: one JSON line per entry, as it happens', async (t) => {
    const { project, env } = await setUp(t);
    const cli = startInProcess(
      ['refresh', '--follow', '-', '--log-format', 'json'],
      { ...env, DBT_ACTIVE_EXPOSURES: '1' },
      project,
    );
    const snapshot = BUILD.finishedAt.get('snapshot.jaffle_tableau.customers_snapshot')!;
    cli.stdin.write(`${BUILD.lines.slice(0, snapshot + 1).join('\n')}\n`);
    await until(() => cli.lines().some((l) => l.includes('"AE010"')));
    t.equal(cli.done(), false);
    cli.stdin.end(`${BUILD.lines.slice(snapshot + 1).join('\n')}\n`);
    t.equal(await cli.exited, 0, cli.stderr());
    const entries = cli.lines().map((l) => JSON.parse(l));
    const library = entries.filter((e) => /^AE[01]/.test(e.info.code));
    t.equal(library.filter((e) => /^AE0/.test(e.info.code)).at(-1).info.code, 'AE007');
    t.ok(library.every((e) => e.info.category === 'active_exposures'));
  });

  t.test(
    'failing jobs not waited on are TRIGGERED, exit 0; waited on, ERROR, exit 1',
    async (t) => {
      const { project, server, env } = await setUp(t);
      server.setJobPlan(null, { outcome: 'failed', queuedMs: 100, runMs: 400 });
      const enabled = { ...env, DBT_ACTIVE_EXPOSURES: '1' };
      const noWait = await runCli(['refresh'], { env: enabled, cwd: project });
      t.equal(noWait.code, 0, noWait.stderr);
      t.notMatch(noWait.stdout, /OK refreshed/);
      t.match(noWait.stdout, /TRIGGERED refresh of workbook 'Customer Health'/);
      t.match(linesOf(noWait.stdout).at(-1), /TRIGGERED=5 REFRESHED=0 SKIP=2 ERROR=0/);
      const report = JSON.parse(
        await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
      );
      t.notOk(report.results.some((r: { status: string }) => r.status === 'success'));
      t.equal(report.summary.triggered, 5);

      // Those jobs end before the next run asks (else Tableau answers "already queued").
      await until(() => server.jobs().every((job) => job.completedAt !== null));
      // All five jobs waited on at once: one poll interval (500 ms) instead of three at the
      // default concurrency of 2.
      const waited = await runCli(
        ['refresh', '--wait', '--build-after', '0', '--concurrency', '5'],
        {
          env: { ...enabled, DBT_AUTO_EXPOSURES_PROGRESS_INTERVAL: '0.05' },
          cwd: project,
        },
      );
      t.equal(waited.code, 1, waited.stderr);
      t.match(linesOf(waited.stdout).at(-1), /TRIGGERED=0 REFRESHED=0 SKIP=2 ERROR=5/);
      t.match(waited.stdout, /ERROR refreshing .* \[ERROR: job failed: /);
      // Not a terminal: a line now and then while the jobs run.
      t.match(waited.stderr, /waiting for \d refresh jobs? \(\d+s\)\n/);
    },
  );
}
