/**
 * The CLI entry: `run(argv, io)` dispatches to a command and returns the exit code. Commands are
 * loaded with dynamic `import()` so `--version` and `--help` never load zod, yaml, node-fetch or
 * the library's heavy modules.
 */
import { readFile } from 'node:fs/promises';
import { findCommand } from './command-specs.js';
import { type ParsedFlags, parseFlags } from './flags.js';
import { commandHelp, mainHelp } from './help.js';
import { type CliIo, painter, type TextSink, useColor } from './io.js';
import { isMaskable, maskText, secretsOf } from './mask.js';
import { EXIT, exitCodeFor, formatError } from './report-error.js';
import { usageError } from './usage-error.js';

/** What a command module exports. */
export type CommandRunner = (context: CommandContext) => Promise<number>;

export interface CommandContext {
  io: CliIo;
  flags: ParsedFlags;
  positionals: string[];
}

const loaders: Record<string, () => Promise<CommandRunner>> = {
  sync: async () => (await import('./commands/sync.js')).runSync,
  refresh: async () => (await import('./commands/refresh.js')).runRefresh,
  impact: async () => (await import('./commands/impact.js')).runImpact,
  lineage: async () => (await import('./commands/impact.js')).runLineage,
  snapshot: async () => (await import('./commands/snapshot.js')).runSnapshot,
};

/** The package version, read from package.json on demand. */
export async function packageVersion(): Promise<string> {
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(await readFile(url, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * Replace every occurrence of the given secrets in text written to `sink` (defence in depth: the
 * library never puts a secret in a message, and this makes sure the CLI cannot print one either).
 */
export function redactingSink(sink: TextSink, secrets: readonly string[]): TextSink {
  if (!secrets.some(isMaskable)) return sink;
  return {
    isTTY: sink.isTTY,
    write: (text: string) => sink.write(maskText(text, secrets)),
  };
}

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function run(argv: readonly string[], rawIo: CliIo): Promise<number> {
  const secrets = secretsOf(rawIo.env);
  const io: CliIo = {
    ...rawIo,
    stdout: redactingSink(rawIo.stdout, secrets),
    stderr: redactingSink(rawIo.stderr, secrets),
  };
  const [first, ...rest] = argv;
  const verbose = argv.includes('--verbose');
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      const command = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && command === undefined) throw unknownCommand(topic);
      io.stdout.write(command === undefined ? mainHelp() : commandHelp(command));
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`${await packageVersion()}\n`);
      return EXIT.ok;
    }
    const command = findCommand(first);
    if (command === undefined) throw unknownCommand(first);
    const { flags, positionals } = parseFlags(command, rest);
    if (flags.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const runner = await loaders[command.name]!();
    return await runner({ io, flags, positionals });
  } catch (error) {
    const paint = painter(useColor(io.env, io.stderr));
    io.stderr.write(formatError(error, { verbose, paint }));
    return exitCodeFor(error);
  }
}

function unknownCommand(name: string) {
  const known = Object.keys(loaders).join(', ');
  return usageError(
    name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`,
    `commands: ${known}; run \`dbt-auto-exposures --help\``,
  );
}
