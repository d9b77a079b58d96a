/**
 * Parsing a command's flags with `parseArgs` (declared in `command-specs.ts`). Kept free of heavy
 * imports (only `node:util`), because `--help` must start fast.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandSpec } from './command-specs.js';
import { usageError } from './usage-error.js';

/** Flag values by flag name, as `parseArgs` returns them. */
export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** Parse `argv` for `command`; unknown flags and missing values are usage errors (exit 2). */
export function parseFlags(
  command: CommandSpec,
  argv: string[],
): { flags: ParsedFlags; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flag of command.flags) {
    options[flag.name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: command.positionals === true,
    });
    return { flags: values as ParsedFlags, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(
      `${command.name}: ${message.replace(/\. To specify.*$/s, '')}`,
      `run \`dbt-auto-exposures ${command.name} --help\` for the flags it accepts`,
    );
  }
}
