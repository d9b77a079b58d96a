/**
 * What every command shares: its command line parsed (flags, then variables), its console built
 * from the logging flags, the token secret masked in all it prints, and a failure printed as text
 * or as a JSON event with its exit code. Each module of commands/ is `runCommand` around a body.
 */

import type { ArtifactNote } from '../index.js';
import {
  choiceFlag,
  type FlagOrigins,
  numberFlag,
  type ParsedFlags,
  parseCommandLine,
  usageError,
} from './args.js';
import {
  type Console,
  type ConsoleOptions,
  createConsole,
  LOG_FORMATS,
  LOG_LEVELS,
  PROGRESS_INTERVAL_MS,
} from './console.js';
import type { CliIo, TextSink } from './io.js';
import { painter, useColor } from './io.js';
import { isMaskable, maskText, secretsOf } from './mask.js';
import { errorData, exitCodeFor, formatError } from './report-error.js';
import type { CommandSpec } from './specs.js';

export interface CommandContext {
  /** The process's window, with the token secret masked in what is written to it. */
  io: CliIo;
  flags: ParsedFlags;
  /** Where each flag came from (shown with --verbose and in the debug settings entry). */
  origins: FlagOrigins;
  console: Console;
}

export type CommandBody = (context: CommandContext) => Promise<number>;

/**
 * Replace every occurrence of the given secrets in text written to `sink` (defence in depth: the
 * library never puts a secret in a message, and this makes sure the CLI cannot print one either).
 */
export function redactingSink(sink: TextSink, secrets: readonly string[]): TextSink {
  if (!secrets.some(isMaskable)) return sink;
  return { isTTY: sink.isTTY, write: (text: string) => sink.write(maskText(text, secrets)) };
}

function masked(io: CliIo): CliIo {
  const secrets = secretsOf(io.env);
  return {
    ...io,
    stdout: redactingSink(io.stdout, secrets),
    stderr: redactingSink(io.stderr, secrets),
  };
}

/** The console options from the parsed flags (dbt's precedence: --quiet, then --debug). */
export function consoleOptions(flags: ParsedFlags): ConsoleOptions {
  const format = choiceFlag(flags, 'log-format', LOG_FORMATS) ?? 'text';
  const chosen = choiceFlag(flags, 'log-level', LOG_LEVELS);
  const level =
    flags.quiet === true ? 'error' : flags.debug === true ? 'debug' : (chosen ?? 'info');
  const outputJson = choiceFlag(flags, 'output', ['text', 'json'] as const) === 'json';
  const interval = numberFlag(flags, 'progress-interval', { min: 0 });
  return {
    format,
    level,
    outputJson,
    noColor: flags['no-color'] === true,
    progressIntervalMs: interval === undefined ? PROGRESS_INTERVAL_MS : Math.round(interval * 1000),
  };
}

/**
 * The console for an error found before the flags could be read: JSON when argv or
 * DBT_LOG_FORMAT asks for it, so even a usage error is a JSON line then.
 */
function fallbackConsole(argv: readonly string[], io: CliIo): Console {
  const at = argv.indexOf('--log-format');
  const given =
    argv.find((a) => a.startsWith('--log-format='))?.slice('--log-format='.length) ??
    (at === -1 ? undefined : argv[at + 1]) ??
    io.env.DBT_LOG_FORMAT;
  const format = given === 'json' || given === 'debug' ? given : 'text';
  return createConsole(io, {
    format,
    level: 'info',
    outputJson: false,
    noColor: false,
    progressIntervalMs: 0,
  });
}

function printFailure(error: unknown, verbose: boolean, io: CliIo, console: Console) {
  const paint = painter(!console.options.noColor && useColor(io.env, io.stderr));
  console.fatal(formatError(error, { verbose, paint }), errorData(error));
  return exitCodeFor(error);
}

/** Print a usage error found before any command ran, as the flags ask; its exit code (2). */
export function failBeforeCommand(
  message: string,
  hint: string,
  argv: readonly string[],
  rawIo: CliIo,
): number {
  const io = masked(rawIo);
  const verbose = argv.includes('--verbose');
  return printFailure(usageError(message, hint), verbose, io, fallbackConsole(argv, io));
}

/** Run `body` for `spec` with `argv` (the arguments after the command name). */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  rawIo: CliIo,
  body: CommandBody,
): Promise<number> {
  const io = masked(rawIo);
  let console = fallbackConsole(argv, io);
  let verbose = argv.includes('--verbose');
  try {
    const { flags, origins } = parseCommandLine(spec, argv, io.env);
    verbose = flags.verbose === true;
    console = createConsole(io, consoleOptions(flags));
    return await body({ io, flags, origins, console });
  } catch (error) {
    return printFailure(error, verbose, io, console);
  }
}

/** Artifact notes worth a line on every run (others, such as one per node without a relation, are not). */
const PRINTED_NOTES: ReadonlySet<string> = new Set([
  'ARTIFACT_VERSION_NEWER',
  // Pairing (loadRunResults with a manifest): a run read against another graph skews what counts
  // as rebuilt.
  'RUN_RESULTS_OLDER_THAN_MANIFEST',
  'RUN_RESULTS_OTHER_INVOCATION',
  'RUN_RESULTS_UNKNOWN_NODES',
]);

/**
 * Warn about the dbt artifacts a command read: a schema newer than this library knows, a run that
 * does not belong with the manifest.
 */
export function warnAboutArtifacts(
  console: Console,
  artifacts: ReadonlyArray<{ notes: readonly ArtifactNote[] }>,
): number {
  let count = 0;
  for (const artifact of artifacts) {
    for (const note of artifact.notes) {
      if (!PRINTED_NOTES.has(note.code)) continue;
      console.warn(note.message, { code: note.code });
      count += 1;
    }
  }
  return count;
}
