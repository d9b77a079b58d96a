/** Options of `buildExposureLineage`, and their validation. */
import type { Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { TableauWorkbook } from '../tableau/types.js';
import {
  type CurationOptions,
  EXPOSURE_MATURITIES,
  EXPOSURE_TYPES,
  type ExposureMaturity,
  type ExposureType,
} from './curation.js';
import type { MatchOptions } from './match.js';
import type { LineageSource } from './types.js';

/** Options of `buildExposureLineage` (matching and curation options included). */
export interface BuildLineageOptions extends MatchOptions, CurationOptions {
  /** Parse custom SQL text when Tableau listed no tables for it (default false). */
  parseCustomSql?: boolean | undefined;
  /** Default exposure type (default `dashboard`). */
  defaultType?: ExposureType | undefined;
  /** Default maturity (default `medium`). */
  defaultMaturity?: ExposureMaturity | undefined;
  /** Emit workbooks that matched no table, with empty `dependsOn` (default false: skipped). */
  keepUnmatchedWorkbooks?: boolean | undefined;
  /** The dbt project the exposures belong to (default `manifest.projectName`). */
  packageName?: string | undefined;
  /** Where the workbooks came from (default `{ kind: 'tableau', serverUrl: null, siteName: null }`). */
  source?: LineageSource | undefined;
  /** Timestamp to record; omitted from the output when not given. */
  generatedAt?: string | undefined;
  /** Tags on every exposure (default `['tableau']`). */
  tags?: string[] | undefined;
  /**
   * Globs (picomatch) over `original_file_path` of manifest exposures this library generated:
   * their names are not treated as taken, so names stay put from one sync to the next.
   */
  managedPaths?: string[] | undefined;
}

/** The input of `buildExposureLineage`. */
export interface BuildLineageInput {
  manifest: Manifest;
  workbooks: readonly TableauWorkbook[];
  options?: BuildLineageOptions | undefined;
}

/** Throw `ERR_INVALID_OPTION` for `options.<field>`. */
export function invalidOption(field: string, message: string, expected: string): never {
  throw new ConfigError('ERR_INVALID_OPTION', message, {
    field: `options.${field}`,
    expected,
  });
}

/** Check option types and values; throws `ERR_INVALID_OPTION` naming the option. */
export function checkOptions(options: BuildLineageOptions): void {
  for (const field of ['databaseAliases', 'schemaAliases'] as const) {
    const value: unknown = options[field];
    if (value === undefined) continue;
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.values(value).every((v) => typeof v === 'string' && v !== '')
    ) {
      invalidOption(
        field,
        `options.${field} must map Tableau names to dbt names`,
        'Record<string, string>',
      );
    }
  }
  for (const field of ['parseCustomSql', 'keepUnmatchedWorkbooks'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'boolean') {
      invalidOption(field, `options.${field} must be a boolean`, 'boolean');
    }
  }
  if (options.defaultType !== undefined && !EXPOSURE_TYPES.includes(options.defaultType)) {
    invalidOption(
      'defaultType',
      `options.defaultType must be one of ${EXPOSURE_TYPES.join(', ')}`,
      'a dbt exposure type',
    );
  }
  if (
    options.defaultMaturity !== undefined &&
    !EXPOSURE_MATURITIES.includes(options.defaultMaturity)
  ) {
    invalidOption(
      'defaultMaturity',
      'options.defaultMaturity must be high, medium or low',
      'high | medium | low',
    );
  }
  if (
    options.tags !== undefined &&
    (!Array.isArray(options.tags) || !options.tags.every((t) => typeof t === 'string'))
  ) {
    invalidOption('tags', 'options.tags must be an array of strings', 'string[]');
  }
  if (
    options.managedPaths !== undefined &&
    (!Array.isArray(options.managedPaths) ||
      !options.managedPaths.every((t) => typeof t === 'string' && t !== ''))
  ) {
    invalidOption(
      'managedPaths',
      'options.managedPaths must be an array of glob strings',
      'string[]',
    );
  }
  for (const field of ['packageName', 'generatedAt'] as const) {
    const value: unknown = options[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      invalidOption(field, `options.${field} must be a non-empty string`, 'string');
    }
  }
}
