/**
 * dbt's logging flags and variables, in process (`run` with captured output; the real binary's
 * output is in test/cli/binary.test.ts): --log-format text|json|debug and DBT_LOG_FORMAT (in JSON
 * every stdout line is a JSON event with dbt-common's EventInfo fields, fatal errors included),
 * --log-level, -q/--quiet, --no-color/NO_COLOR, --output json, and --warn-error (flag,
 * DBT_WARN_ERROR, config key).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { type CliResult, captureIo, copyExample, runCli } from './helpers.js';

/** dbt-common's EventInfo fields (dbt_common/events/types.proto), as dbt's JSON logs carry them. */
const EVENT_INFO = [
  'category',
  'code',
  'extra',
  'invocation_id',
  'level',
  'msg',
  'name',
  'pid',
  'thread',
  'ts',
];

/** Every stdout line parsed as JSON (the test fails on one that does not parse). */
type Line = { info: Record<string, unknown>; data: Record<string, unknown> } & Record<
  string,
  unknown
>;

function jsonLines(t: Test, r: CliResult): Line[] {
  const lines = r.stdout.trimEnd().split('\n');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Line;
    } catch {
      t.fail(`not JSON: ${line}`);
      return { info: {}, data: {} };
    }
  });
}

t.test('--log-format json / DBT_LOG_FORMAT=json: every stdout line is a dbt event', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  for (const [args, env] of [
    [['--log-format', 'json'], {}],
    [[], { DBT_LOG_FORMAT: 'json' }],
  ] as [string[], Record<string, string>][]) {
    const r = await runCli(['sync', '--snapshot', snapshot, ...args], { cwd: project, env });
    t.equal(r.code, 0, r.stderr);
    const events = jsonLines(t, r);
    t.ok(events.length >= 1);
    for (const event of events) {
      t.same(Object.keys(event.info).sort(), EVENT_INFO, 'EventInfo fields');
      t.type(event.info.pid, 'number');
      t.equal(event.info.thread, 'MainThread');
      t.match(event.info.ts, /^\d{4}-\d\d-\d\dT/);
    }
    const summary = events.find((e) => e.info.name === 'SyncSummary');
    t.match(summary, {
      info: { level: 'info', msg: /^Read 7 workbooks/ },
      data: { stats: { workbooks: 7 }, unmatchedByReason: [{ reason: String, count: 1 }] },
    });
  }
});

t.test('in JSON mode fatal errors are JSON lines on stdout too', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  t.equal((await runCli(['sync', '--snapshot', snapshot], { cwd: project })).code, 0);
  const cases: [string[], Record<string, string>, number, string][] = [
    [['impact', '-s', 'ordrs', '--log-format', 'json'], {}, 2, 'ERR_INVALID_OPTION'],
    [['synk'], { DBT_LOG_FORMAT: 'json' }, 2, 'ERR_INVALID_OPTION'],
  ];
  for (const [args, env, exit, code] of cases) {
    const r = await runCli(args, { cwd: project, env });
    t.equal(r.code, exit, args.join(' '));
    t.equal(r.stderr, '', 'nothing on stderr');
    const [event, ...more] = jsonLines(t, r);
    t.same(more, []);
    t.match(event, {
      info: { level: 'error', name: 'CliError', code: 'AE203', pid: Number, thread: 'MainThread' },
      data: { code, exit_code: exit, message: String },
    });
  }
});

t.test('--log-format debug: dbt debug lines with time, level and thread', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const r = await runCli(['sync', '--snapshot', snapshot, '--log-format', 'debug'], {
    cwd: project,
  });
  t.equal(r.code, 0, r.stderr);
  for (const line of r.stdout.trimEnd().split('\n')) {
    t.match(line, /^\d\d:\d\d:\d\d\.\d{6} \[(info |debug|warn |error)\] \[MainThread\]: /);
  }
});

t.test('-q, DBT_QUIET, --log-level: what is printed', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const sync = (args: string[], env: Record<string, string> = {}) =>
    runCli(['sync', '--snapshot', snapshot, ...args], { cwd: project, env });
  const quiet = await sync([], { DBT_QUIET: '1' });
  t.equal(quiet.code, 0, quiet.stderr);
  t.equal(quiet.stdout, '', 'DBT_QUIET: no summary');
  for (const [args, env] of [
    [['-q'], {}],
    [[], { DBT_LOG_LEVEL: 'warn' }],
  ] as [string[], Record<string, string>][]) {
    const c = captureIo(env, project);
    t.equal(await run(['sync', '--snapshot', snapshot, ...args], c.io), 0);
    t.equal(c.stdout(), '', `${args.join(' ')} ${JSON.stringify(env)}: no summary`);
  }
  const level = captureIo({}, project);
  await run(['sync', '--snapshot', snapshot, '--log-level', 'error'], level.io);
  t.equal(level.stdout(), '', '--log-level error: no summary');
  const bad = captureIo({ DBT_QUIET: 'maybe' }, project);
  t.equal(await run(['sync', '--snapshot', snapshot], bad.io), 2);
  t.match(bad.stderr(), /DBT_QUIET: expected 1\/true\/yes or 0\/false\/no, got "maybe"/);
  const quietResult = captureIo({}, project);
  await run(['impact', '-q', '-s', 'stg_refunds'], quietResult.io);
  t.match(quietResult.stdout(), /^1 exposure depend on stg_refunds:/, 'the result still prints');
});

t.test('--no-color and NO_COLOR win over FORCE_COLOR', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const sync = async (args: string[], env: Record<string, string>) => {
    const c = captureIo(env, project);
    await run(['sync', '--snapshot', snapshot, '--lineage', 'l.json', ...args], c.io);
    return c.stdout();
  };
  t.match(await sync([], { FORCE_COLOR: '1' }), '\u001b[32m  + sales_overview');
  t.notMatch(await sync(['--no-color'], { FORCE_COLOR: '1' }), '\u001b[');
  t.notMatch(await sync([], { FORCE_COLOR: '1', NO_COLOR: 'x' }), '\u001b[');
});

t.test('--output json: one JSON object on stdout for sync, impact and lineage', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const sync = await runCli(['sync', '--snapshot', snapshot, '-o', 'json'], { cwd: project });
  t.equal(sync.code, 0, sync.stderr);
  const [summary, ...rest] = jsonLines(t, sync);
  t.same(rest, []);
  t.match(summary, {
    firstSync: true,
    added: ['customer_health', 'executive_kpis'],
    unmatchedByReason: [
      { reason: 'database_mismatch', count: 1 },
      { reason: 'no_relation', count: 1 },
      { reason: 'not_a_warehouse', count: 1 },
    ],
  });
  const lineage = await runCli(['lineage', '--output', 'json'], { cwd: project });
  t.equal(JSON.parse(lineage.stdout).exposures.length, 6);
});

t.test('--warn-error, DBT_WARN_ERROR and warnError: new unmatched tables exit 1', async (t) => {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const sync = async (dir: string, args: string[], env: Record<string, string> = {}) => {
    const c = captureIo(env, dir);
    const code = await run(['sync', '--snapshot', snapshot, ...args], c.io);
    return { code, stdout: c.stdout(), stderr: c.stderr() };
  };
  const first = await sync(project, ['--warn-error']);
  t.equal(first.code, 1, 'three unmatched tables, all new');
  t.match(first.stderr, /--warn-error: 3 warnings \(3 new unmatched tables\): exit 1/);
  t.match(first.stdout, 'Unmatched tables by reason: database_mismatch 1, no_relation 1');
  const again = await sync(project, [], { DBT_WARN_ERROR: '1' });
  t.equal(again.code, 0, 'nothing new: exit 0');
  const plain = await sync(project, []);
  t.equal(plain.code, 0, 'without --warn-error warnings do not fail');

  const other = await copyExample(t);
  await writeFile(
    join(other, 'dbt-auto-exposures.config.yml'),
    'warnError: true\nmatching:\n  parseCustomSql: true\n',
  );
  const fromConfig = await sync(other, []);
  t.equal(fromConfig.code, 1, 'the config key turns it on');
  t.match(
    fromConfig.stdout,
    '3 new unmatched tables (not in the previous sync); --warn-error: exit 1.',
  );
});
