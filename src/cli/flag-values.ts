/** Reading single values from parsed flags and the environment (absent and empty read as unset). */
import type { ParsedFlags } from './flags.js';
import type { CliIo } from './io.js';
import { usageError } from './usage-error.js';

/** A variable of the environment, or undefined when unset or empty. */
export function envValue(env: CliIo['env'], name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
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

/** Parse a numeric flag or variable; `integer`, `min` and `max` bound it. */
export function parseNumber(
  name: string,
  value: string,
  options: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (!options.integer || Number.isInteger(n)) &&
    (options.min === undefined || n >= options.min) &&
    (options.max === undefined || n <= options.max);
  if (!ok) {
    const what = `${options.integer ? 'a whole number' : 'a number'}${options.min === undefined ? '' : ` ≥ ${options.min}`}${options.max === undefined ? '' : ` and ≤ ${options.max}`}`;
    throw usageError(`${name}: expected ${what}, got "${value}"`, `pass ${what}`, name);
  }
  return n;
}

/** A numeric flag `--<name>` parsed with `parseNumber`, or undefined when not given. */
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  options: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const value = stringFlag(flags, name);
  return value === undefined ? undefined : parseNumber(`--${name}`, value, options);
}
