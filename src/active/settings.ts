/**
 * Gating and cadence of active exposures, from the environment (dbt Cloud's variables) with
 * explicit options taking precedence. Pure: the environment is passed in. Every problem is a
 * `ConfigError` raised before any I/O.
 */
import { ConfigError } from '../errors.js';

/** Enables active exposures: `1` or `true` (case-insensitive). */
export const ENV_ACTIVE_EXPOSURES = 'DBT_ACTIVE_EXPOSURES';
/** Minimum minutes between two refreshes of a target: whole minutes ≥ 0. */
export const ENV_BUILD_AFTER = 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER';
/** Cadence when nothing sets it: once a day, as dbt Cloud recommends. */
export const DEFAULT_BUILD_AFTER_MINUTES = 1440;
/** Refresh calls in flight at once when `concurrency` is not given: Tableau Cloud limits concurrent jobs. */
export const DEFAULT_REFRESH_CONCURRENCY = 2;
/**
 * Most refresh calls in flight at once (`maybeRefresh` `concurrency`, CLI `--concurrency`):
 * Tableau Cloud runs few jobs per site at a time, and more sockets only exhaust file descriptors.
 */
export const MAX_REFRESH_CONCURRENCY = 64;

/** Where a setting's value came from. */
export type SettingSource = 'option' | 'env' | 'default';

export interface ActiveExposureSettings {
  enabled: boolean;
  buildAfterMinutes: number;
  sources: { enabled: SettingSource; buildAfterMinutes: SettingSource };
  /** The raw `DBT_ACTIVE_EXPOSURES` value (null when unset), for the report's explanation. */
  enabledRaw: string | null;
}

export interface ActiveExposureOverrides {
  /** Overrides `DBT_ACTIVE_EXPOSURES`. */
  enabled?: boolean | undefined;
  /** Overrides `DBT_ACTIVE_EXPOSURES_BUILD_AFTER`. */
  buildAfterMinutes?: number | undefined;
}

const ENABLED_VALUES = new Set(['1', 'true']);
const DISABLED_VALUES = new Set(['', '0', 'false']);

/**
 * Resolve the settings.
 * - `DBT_ACTIVE_EXPOSURES`: `1`/`true` (case-insensitive, surrounding spaces ignored) enables;
 *   unset, empty, `0`, `false` disable; anything else is an error.
 * - `DBT_ACTIVE_EXPOSURES_BUILD_AFTER`: whole minutes ≥ 0 (digits only); unset or empty means the
 *   default 1440; anything else is an error. `0` means "refresh after every build".
 * - An explicit option wins, and the variable it overrides is then not read (nor validated).
 * The build-after variable is validated even when the feature is disabled, so a typo surfaces in
 * development rather than on the first production run.
 *
 * @throws ConfigError `ERR_CONFIG` naming the variable, the value and what is accepted;
 *   `ERR_INVALID_OPTION` for a bad explicit option.
 */
export function resolveActiveExposureSettings(
  env: Readonly<Record<string, string | undefined>>,
  overrides: ActiveExposureOverrides = {},
): ActiveExposureSettings {
  const enabledRaw = env[ENV_ACTIVE_EXPOSURES] ?? null;
  let enabled: boolean;
  let enabledSource: SettingSource;
  if (overrides.enabled !== undefined) {
    if (typeof overrides.enabled !== 'boolean') {
      throw new ConfigError(
        'ERR_INVALID_OPTION',
        `Option enabled must be a boolean, got ${String(overrides.enabled)}`,
        {
          field: 'enabled',
          expected: 'true or false',
        },
      );
    }
    enabled = overrides.enabled;
    enabledSource = 'option';
  } else if (enabledRaw === null) {
    enabled = false;
    enabledSource = 'default';
  } else {
    enabled = parseEnabled(enabledRaw);
    enabledSource = 'env';
  }

  let buildAfterMinutes = DEFAULT_BUILD_AFTER_MINUTES;
  let buildAfterSource: SettingSource = 'default';
  if (overrides.buildAfterMinutes !== undefined) {
    if (!isWholeMinutes(overrides.buildAfterMinutes)) {
      throw new ConfigError(
        'ERR_INVALID_OPTION',
        `Option buildAfterMinutes must be a whole number of minutes >= 0, got ${String(overrides.buildAfterMinutes)}`,
        { field: 'buildAfterMinutes', expected: 'an integer >= 0' },
      );
    }
    buildAfterMinutes = overrides.buildAfterMinutes;
    buildAfterSource = 'option';
  } else {
    const raw = env[ENV_BUILD_AFTER];
    if (raw !== undefined && raw.trim() !== '') {
      buildAfterMinutes = parseBuildAfter(raw);
      buildAfterSource = 'env';
    }
  }

  return {
    enabled,
    buildAfterMinutes,
    sources: { enabled: enabledSource, buildAfterMinutes: buildAfterSource },
    enabledRaw,
  };
}

function parseEnabled(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (ENABLED_VALUES.has(value)) return true;
  if (DISABLED_VALUES.has(value)) return false;
  throw new ConfigError(
    'ERR_CONFIG',
    `${ENV_ACTIVE_EXPOSURES}=${JSON.stringify(raw)} is not a valid value: use 1 or true to enable active exposures; 0, false, empty or unset to disable them`,
    {
      field: ENV_ACTIVE_EXPOSURES,
      hint: `set ${ENV_ACTIVE_EXPOSURES} to 1 or true to enable active exposures, or to 0, false or nothing to disable them`,
      expected: '1, true, 0, false or empty (case-insensitive)',
      details: { variable: ENV_ACTIVE_EXPOSURES, value: raw },
    },
  );
}

function parseBuildAfter(raw: string): number {
  const value = raw.trim();
  const minutes = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!isWholeMinutes(minutes)) {
    throw new ConfigError(
      'ERR_CONFIG',
      `${ENV_BUILD_AFTER}=${JSON.stringify(raw)} is not a valid value: use a whole number of minutes >= 0 (default ${DEFAULT_BUILD_AFTER_MINUTES})`,
      {
        field: ENV_BUILD_AFTER,
        hint: `set ${ENV_BUILD_AFTER} to a whole number of minutes (${DEFAULT_BUILD_AFTER_MINUTES} is one day), or unset it`,
        expected: 'a whole number of minutes >= 0, e.g. 1440',
        details: { variable: ENV_BUILD_AFTER, value: raw },
      },
    );
  }
  return minutes;
}

function isWholeMinutes(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
