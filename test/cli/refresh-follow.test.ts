/**
 * `refresh --follow` and `--from-log`, in process (`run` with captured output) against the mock
 * Tableau server: a log file followed to its end, stdin, a killed run's log, the flags that do not
 * go together, and the waiting line in a terminal.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { writeRun } from '../active/dbt-log-helpers.js';
import { captureIo, copyExample, mockTableau } from './helpers.js';

async function setUp(t: Test) {
  const project = await copyExample(t);
  const { server, env: connection } = await mockTableau(t);
  const env = { ...connection, DBT_PROJECT_DIR: project };
  t.equal(await run(['sync'], captureIo(env, project).io), 0);
  return { project, server, env: { ...env, DBT_ACTIVE_EXPOSURES: '1' } };
}

const NODES = [
  { id: 'seed.jaffle_tableau.country_codes', status: 'success' },
  { id: 'snapshot.jaffle_tableau.customers_snapshot', status: 'success' },
  { id: 'model.jaffle_tableau.stg_orders', status: 'success' },
  { id: 'model.jaffle_tableau.stg_customers', status: 'error' },
];

t.test('--follow <file>: followed while appended, until CommandCompleted', async (t) => {
  const { project, server, env } = await setUp(t);
  const log = join(project, 'logs', 'dbt.log');
  const build = writeRun('core', 'build', NODES);
  const c = captureIo(env, project);
  const following = run(['refresh', '--follow', 'logs/dbt.log'], c.io);
  // A run that completed before the follower started is a past run: start dbt after it.
  while (!c.stdout().includes('Running active exposures')) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await mkdir(join(project, 'logs'), { recursive: true });
  await writeFile(log, `${build.lines.slice(0, 8).join('\n')}\n`);
  await appendFile(log, `${build.lines.slice(8).join('\n')}\n`);
  t.equal(await following, 0, c.stderr());
  t.match(c.stdout(), /TRIGGERED refresh of workbook 'Customer Health' for customer_health/);
  t.match(c.stdout(), /dbt build completed: 4 nodes finished/);
  t.match(
    c.stdout(),
    /SKIP active exposure sales_overview .*upstream failed: model\.jaffle_tableau\.stg_customers \(error\)/,
  );
  // customer_health (seed, snapshot) and finance_forecast (stg_orders); stg_customers blocks the rest.
  t.equal(server.jobs().length, 2);
});

t.test('--follow -: stdin, read to its end', async (t) => {
  const { project, server, env } = await setUp(t);
  const build = writeRun('fusion', 'build', NODES);
  const c = captureIo(env, project);
  c.io.stdin = Readable.from(build.lines.map((line) => `${line}\n`));
  t.equal(
    await run(['refresh', '--follow', '-', '--log-format', 'json', '--debug'], c.io),
    0,
    c.stderr(),
  );
  const entries = c
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.ok(
    entries.some((e) => e.info.code === 'AE106'),
    'the Fusion separator line is skipped',
  );
  // The run's summary is the last log entry (debug entries AE1xx and the CLI's AE2xx may follow).
  t.equal(entries.filter((e) => /^AE0/.test(e.info.code)).at(-1).info.code, 'AE007');
  t.equal(server.jobs().length, 2);
});

t.test('--follow - with no stdin, and a failed run still reads stdin to its end', async (t) => {
  const { project, env } = await setUp(t);
  const none = captureIo(env, project);
  t.equal(await run(['refresh', '--follow', '-'], none.io), 2);
  t.match(none.stderr(), /--follow - reads stdin, and there is none/);
  const broken = captureIo({ ...env, DBT_ACTIVE_EXPOSURES: 'maybe' }, project);
  const stdin = Readable.from(['a\n', 'b\n']);
  broken.io.stdin = stdin;
  t.equal(await run(['refresh', '--follow', '-'], broken.io), 2);
  t.match(broken.stderr(), /DBT_ACTIVE_EXPOSURES/);
  t.equal(stdin.readableEnded, true, 'dbt never writes into a closed pipe');
});

t.test('--from-log: a run killed before run_results.json', async (t) => {
  const { project, server, env } = await setUp(t);
  const killed = writeRun('core', 'build', NODES.slice(0, 2), { complete: false });
  await writeFile(join(project, 'dbt.log'), killed.lines.join('\n'));
  const c = captureIo(env, project);
  t.equal(await run(['refresh', '--from-log', 'dbt.log'], c.io), 0, c.stderr());
  t.match(c.stdout(), /TRIGGERED refresh of workbook 'Customer Health' for customer_health/);
  // The seed country_codes is upstream of four distinct targets; nothing failed.
  t.equal(server.jobs().length, 4);
  const report = JSON.parse(
    await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
  );
  t.equal(report.invocationId, killed.runResults.invocationId);
});

t.test('flags that name the run twice are usage errors', async (t) => {
  for (const args of [
    ['--follow', '-', '--from-log', 'x'],
    ['--follow', '-', '--run-results', 'x'],
    ['--from-log', 'x', '--run-results', 'y'],
  ]) {
    const c = captureIo({});
    t.equal(await run(['refresh', ...args], c.io), 2, args.join(' '));
    t.match(c.stderr(), /ERR_INVALID_OPTION/);
  }
});

t.test('--wait in a terminal: one line shows the jobs waited on and the time', async (t) => {
  const { project, server, env } = await setUp(t);
  server.setJobPlan(null, { queuedMs: 200, runMs: 1200 });
  const c = captureIo(env, project, true);
  // All five jobs waited on at once: one job's wait (~2 s) instead of three in a row.
  t.equal(await run(['refresh', '--wait', '--concurrency', '5'], c.io), 0, c.stderr());
  // The line is rewritten in place: carriage return and erase-line before each update.
  t.match(c.stderr(), '\r\u001b[2Kwaiting for ');
  t.match(c.stderr(), /waiting for \d refresh jobs? \(\d+s\)/);
  t.match(c.stdout(), /OK refreshed/);
});
