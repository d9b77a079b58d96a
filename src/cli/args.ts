/**
 * The command line of one command: its flags (from argv, else from each flag's environment
 * variable), the values read from them, and usage errors with a "did you mean".
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../index.js';
import type { CommandSpec, FlagSpec } from './specs.js';
import { didYouMean } from './suggest.js';

/** Flag values by flag name. */
export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** Where each given flag came from: the command line, or its environment variable. */
export type FlagOrigins = Record<string, 'flag' | 'env'>;

export interface CommandLine {
  flags: ParsedFlags;
  origins: FlagOrigins;
}

/** A usage error for `field` (a flag or argument), with a hint on what to do instead. Exit 2. */
export function usageError(message: string, hint: string, field?: string): ConfigError {
  return new ConfigError('ERR_INVALID_OPTION', message, { field, hint });
}

/** Flags that were renamed or folded into another: their old spelling gets a pointed hint. */
const RENAMED: Record<string, string> = {
  json: 'use --log-format json (every line a JSON event) or --output json (the result as one JSON object)',
  include: 'workbook name globs are --include-workbook',
  'dry-run-only': 'use --dry-run',
};

/** Flags that take values written as dbt writes them: `-s orders customers` (a space list). */
const SPACE_LISTS: ReadonlySet<string> = new Set(['select', 'exclude']);

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

/** The value of `flag` from its environment variable, or undefined when the variable is unset. */
function fromEnvironment(flag: FlagSpec, env: Readonly<Record<string, string | undefined>>) {
  if (flag.env === '' || flag.envReadAsIs === true) return undefined;
  const raw = env[flag.env];
  if (raw === undefined || (raw === '' && flag.emptyIsValue !== true && flag.type === 'string')) {
    return undefined;
  }
  if (flag.type === 'boolean') {
    const value = raw.trim().toLowerCase();
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return undefined;
    throw usageError(
      `${flag.env}: expected 1/true/yes or 0/false/no, got "${raw}"`,
      `set ${flag.env}=1 for --${flag.name}, or unset it`,
      flag.env,
    );
  }
  return flag.multiple === true ? [raw] : raw;
}

function unknownOption(command: CommandSpec, message: string): ConfigError {
  const name = /'(-[^' ]+)'/.exec(message)?.[1] ?? '';
  const bare = name.replace(/^-+/, '').replace(/=.*$/, '');
  const renamed = RENAMED[bare];
  const flags = command.flags.map((f) => `--${f.name}`);
  const suggestion = didYouMean(`--${bare}`, flags, '');
  return usageError(
    `${command.name}: unknown option ${name}${suggestion}`,
    renamed ?? `run \`dbt-auto-exposures ${command.name} --help\` for the flags it accepts`,
    name,
  );
}

/**
 * Parse `argv` for `command`, then fill the flags not given from their environment variables.
 * Unknown flags, missing values and stray arguments are usage errors (exit 2).
 */
export function parseCommandLine(
  command: CommandSpec,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CommandLine {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const f of command.flags) {
    options[f.name] = {
      type: f.type,
      ...(f.short === undefined ? {} : { short: f.short }),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/^Unknown option/.test(message)) throw unknownOption(command, message);
    throw usageError(
      `${command.name}: ${message.replace(/\. To specify.*$/s, '')}`,
      `run \`dbt-auto-exposures ${command.name} --help\` for the flags it accepts`,
    );
  }
  const flags = { ...parsed.values } as ParsedFlags;
  // dbt's `-s orders customers`: arguments after a selection flag belong to it.
  let listOwner: string | null = null;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option') {
      listOwner = SPACE_LISTS.has(token.name) ? token.name : null;
    } else if (token.kind === 'positional' && listOwner !== null) {
      (flags[listOwner] as string[]).push(token.value);
    } else if (token.kind === 'positional') {
      throw usageError(
        `${command.name}: unexpected argument '${token.value}'`,
        `run \`dbt-auto-exposures ${command.name} --help\` for the flags it accepts`,
      );
    } else {
      listOwner = null;
    }
  }
  const origins: FlagOrigins = {};
  for (const name of Object.keys(flags)) origins[name] = 'flag';
  for (const f of command.flags) {
    if (flags[f.name] !== undefined) continue;
    const value = fromEnvironment(f, env);
    if (value === undefined) continue;
    flags[f.name] = value;
    origins[f.name] = 'env';
  }
  return { flags, origins };
}

/** A string flag's value, or undefined when not given. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable flag's values, comma lists split and blanks dropped; undefined when not given. */
export function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const value = flags[name];
  if (!Array.isArray(value)) return undefined;
  return value
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A string flag that must be one of `choices` (undefined when not given). */
export function choiceFlag<T extends string>(
  flags: ParsedFlags,
  name: string,
  choices: readonly T[],
): T | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined || (choices as readonly string[]).includes(value)) {
    return value as T | undefined;
  }
  throw usageError(
    `--${name}: expected ${choices.join(', ')}, got "${value}"${didYouMean(value, choices)}`,
    `pass --${name} ${choices.join(' | ')}`,
    `--${name}`,
  );
}

export interface NumberBounds {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** Parse a numeric flag or variable; `integer`, `min` and `max` bound it. */
export function parseNumber(name: string, value: string, bounds: NumberBounds = {}): number {
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (!bounds.integer || Number.isInteger(n)) &&
    (bounds.min === undefined || n >= bounds.min) &&
    (bounds.max === undefined || n <= bounds.max);
  if (!ok) {
    const what = `${bounds.integer ? 'a whole number' : 'a number'}${bounds.min === undefined ? '' : ` ≥ ${bounds.min}`}${bounds.max === undefined ? '' : ` and ≤ ${bounds.max}`}`;
    throw usageError(`${name}: expected ${what}, got "${value}"`, `pass ${what}`, name);
  }
  return n;
}

/** A numeric flag `--<name>` parsed with `parseNumber`, or undefined when not given. */
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  bounds: NumberBounds = {},
): number | undefined {
  const value = stringFlag(flags, name);
  return value === undefined ? undefined : parseNumber(`--${name}`, value, bounds);
}
