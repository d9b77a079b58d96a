/**
 * The CLI entry: `run(argv, io)` dispatches to a command and resolves to the exit code. Each
 * command module is loaded with one dynamic `import()` (the only ones in the code base), so
 * `--help` and `--version` load nothing but this file, the command specs and the help text
 * (bench/cases/cli.ts measures them against `node -e 0`).
 */
import { readFile } from 'node:fs/promises';
import { commandHelp, mainHelp } from './help.js';
import type { CliIo } from './io.js';
import { COMMANDS, findCommand } from './specs.js';
import { didYouMean } from './suggest.js';

type Runner = (argv: readonly string[], io: CliIo) => Promise<number>;

const commands: Record<string, () => Promise<Runner>> = {
  sync: async () => (await import('./commands/sync.js')).runSync,
  refresh: async () => (await import('./commands/refresh.js')).runRefresh,
  impact: async () => (await import('./commands/impact.js')).runImpact,
  lineage: async () => (await import('./commands/impact.js')).runLineage,
  snapshot: async () => (await import('./commands/snapshot.js')).runSnapshot,
};

/** The package version, read from package.json. */
export async function packageVersion(): Promise<string> {
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(await readFile(url, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** A usage error found before any command runs: printed by the shared command code (loaded
 * on demand like a command, since it prints errors as the logging flags ask). */
async function fail(message: string, hint: string, argv: readonly string[], io: CliIo) {
  const { failBeforeCommand } = await import('./command.js');
  return failBeforeCommand(message, hint, argv, io);
}

function unknown(name: string): { message: string; hint: string } {
  const names = COMMANDS.map((c) => c.name);
  const message = name.startsWith('-')
    ? `unknown option ${name}${didYouMean(name, ['--help', '--version'], '')}`
    : `unknown command "${name}"${didYouMean(name, names)}`;
  return { message, hint: `commands: ${names.join(', ')}; run \`dbt-auto-exposures --help\`` };
}

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && command === undefined) {
      const { message, hint } = unknown(topic);
      return fail(message, hint, argv, io);
    }
    io.stdout.write(command === undefined ? mainHelp() : commandHelp(command));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${await packageVersion()}\n`);
    return 0;
  }
  const command = findCommand(first);
  const load = commands[first];
  if (command === undefined || load === undefined) {
    const { message, hint } = unknown(first);
    return fail(message, hint, argv, io);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  return (await load())(rest, io);
}
