/**
 * Bad usage (unknown flag, missing value, wrong command) is a `ConfigError` with code
 * `ERR_INVALID_OPTION` and a hint, so it prints like every other error and exits with 2.
 */
import { ConfigError } from '../errors.js';

/** A usage error for `field` (a flag or argument), with a hint on what to do instead. */
export function usageError(message: string, hint: string, field?: string): ConfigError {
  return new ConfigError(message, {
    code: 'ERR_INVALID_OPTION',
    field,
    details: { hint },
  });
}
