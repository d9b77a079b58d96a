import t from 'tap';
import { redactingSink } from '../../src/cli/command.js';
import { packageVersion, run } from '../../src/cli/run.js';
import { COMMANDS } from '../../src/cli/specs.js';
import { captureIo } from './helpers.js';

t.test('--version prints the version of package.json', async (t) => {
  const c = captureIo();
  t.equal(await run(['--version'], c.io), 0);
  t.match(c.stdout(), /^\d+\.\d+\.\d+\n$/);
  t.equal(c.stdout().trim(), await packageVersion());
  const short = captureIo();
  t.equal(await run(['-v'], short.io), 0);
  t.equal(short.stdout(), c.stdout());
});

t.test('--help lists every command; no command prints help and exits 2', async (t) => {
  const c = captureIo();
  t.equal(await run(['--help'], c.io), 0);
  for (const name of ['sync', 'refresh', 'impact', 'lineage', 'snapshot']) {
    t.match(c.stdout(), new RegExp(`\\n  ${name} `), `lists ${name}`);
  }
  t.match(c.stdout(), /Exit codes: 0 done, 1 something failed/);
  const bare = captureIo();
  t.equal(await run([], bare.io), 2);
  t.equal(bare.stdout(), c.stdout());
});

t.test('every command has --help with usage, flags and examples', async (t) => {
  for (const command of COMMANDS) {
    const c = captureIo();
    t.equal(await run([command.name, '--help'], c.io), 0, `${command.name} --help exits 0`);
    const text = c.stdout();
    t.match(text, `Usage: dbt-auto-exposures ${command.name}`);
    t.match(text, /\nExamples:\n {2}\S/);
    for (const flag of command.flags)
      t.match(text, `--${flag.name}`, `${command.name} shows --${flag.name}`);
    const viaHelp = captureIo();
    t.equal(await run(['help', command.name], viaHelp.io), 0);
    t.equal(viaHelp.stdout(), text, `help ${command.name} is the same text`);
  }
});

t.test('bad usage exits 2 with code, message and hint on stderr', async (t) => {
  const cases: [string[], RegExp][] = [
    [
      ['nonsense'],
      /^ERR_INVALID_OPTION: unknown command "nonsense"\nhint: commands: sync, refresh/,
    ],
    [['--bogus'], /^ERR_INVALID_OPTION: unknown option --bogus/],
    [['help', 'nope'], /unknown command "nope"/],
    [
      ['sync', '--bogus'],
      /^ERR_INVALID_OPTION: sync: unknown option --bogus\nhint: run `dbt-auto-exposures sync --help`/,
    ],
    [['refresh', '--build-after'], /refresh: Option '--build-after <value>' argument missing/],
    [['impact', 'orders'], /impact: unexpected argument 'orders'/],
    [
      ['sync', '--log-format', 'jsn'],
      /--log-format: expected text, json, debug, got "jsn"; did you mean "json"\?/,
    ],
    [['synk'], /^ERR_INVALID_OPTION: unknown command "synk"; did you mean "sync"\?/],
    [['sync', '--projet', 'x'], /sync: unknown option --projet; did you mean --project\?/],
    [['refresh', '--dryrun'], /refresh: unknown option --dryrun; did you mean --dry-run\?/],
    [
      ['impact', '--json'],
      /hint: use --log-format json \(every line a JSON event\) or --output json/,
    ],
    [
      ['impact', '--format', 'jsn'],
      /--format: expected text, markdown, mermaid, json, got "jsn"; did you mean "json"\?/,
    ],
  ];
  for (const [argv, expected] of cases) {
    const c = captureIo();
    t.equal(await run(argv, c.io), 2, `${argv.join(' ')} exits 2`);
    t.match(c.stderr(), expected, argv.join(' '));
    t.equal(c.stdout(), '', 'nothing on stdout');
    t.notMatch(c.stderr(), /\n {4}at /, 'no stack without --verbose');
  }
});

t.test('errors are coloured only when asked', async (t) => {
  const forced = captureIo({ FORCE_COLOR: '1' });
  await run(['nonsense'], forced.io);
  t.match(forced.stderr(), '\u001b[31mERR_INVALID_OPTION\u001b[0m');
  const off = captureIo({ FORCE_COLOR: '1', NO_COLOR: '1' });
  await run(['nonsense'], off.io);
  t.notMatch(off.stderr(), '\u001b[');
  const tty = captureIo({}, undefined, true);
  await run(['nonsense'], tty.io);
  t.match(tty.stderr(), '\u001b[31m', 'a terminal gets colours by default');
  const zero = captureIo({ FORCE_COLOR: '0' }, undefined, true);
  await run(['nonsense'], zero.io);
  t.notMatch(zero.stderr(), '\u001b[', 'FORCE_COLOR=0 turns them off');
});

t.test('--verbose adds the stack of the error', async (t) => {
  const c = captureIo();
  t.equal(await run(['sync', '--bogus', '--verbose'], c.io), 2);
  t.match(c.stderr(), /\n {4}at /);
});

t.test('redactingSink replaces the secret in everything written', async (t) => {
  let text = '';
  const sink = redactingSink({ write: (s: string) => (text += s), isTTY: true }, [
    's3cr3t-value',
    'ab',
  ]);
  sink.write('token s3cr3t-value and s3cr3t-value; ab stays');
  t.equal(text, 'token *** and ***; ab stays', 'secrets shorter than 4 characters are ignored');
  t.equal(sink.isTTY, true);
  const plain = { write: () => true };
  t.equal(redactingSink(plain, []), plain, 'no secret: the sink itself');
});
