/**
 * Curation: which workbooks become exposures, and what the user overrides on them.
 * Options are validated up front, so a typo fails before any work with a coded `ConfigError`
 * naming the option.
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import type { TableauWorkbook } from '../tableau/types.js';
import { isValidExposureName } from './naming.js';
import type { LineageExposure, LineageOwner } from './types.js';

/** dbt's exposure types: `dashboard`, `notebook`, `analysis`, `ml`, `application`. */
export type ExposureType = LineageExposure['type'];
/** dbt's exposure maturity: `high`, `medium` or `low`. */
export type ExposureMaturity = LineageExposure['maturity'];

export const EXPOSURE_TYPES: readonly ExposureType[] = [
  'dashboard',
  'notebook',
  'analysis',
  'ml',
  'application',
];
export const EXPOSURE_MATURITIES: readonly ExposureMaturity[] = ['high', 'medium', 'low'];

/** Per-workbook changes, keyed by workbook luid or exact workbook name (luid wins). */
export interface ExposureOverride {
  /** Exposure name; must match `^[a-z][a-z0-9_]*$` (≤ 64 characters) and be unique. */
  name?: string | undefined;
  label?: string | undefined;
  type?: ExposureType | undefined;
  maturity?: ExposureMaturity | undefined;
  owner?: LineageOwner | undefined;
  description?: string | undefined;
  /** Replaces the default `tags` for this exposure. */
  tags?: string[] | undefined;
  /** Leave this workbook out (reported in `skippedWorkbooks` as `excluded`). */
  exclude?: boolean | undefined;
}

/** Which workbooks become exposures (project and workbook globs) and per-workbook overrides. */
export interface CurationOptions {
  /** Project name globs (picomatch, case-insensitive); when given, only matching projects. */
  includeProjects?: string[] | undefined;
  /** Project name globs to leave out (wins over include). */
  excludeProjects?: string[] | undefined;
  /** Workbook name globs; when given, only matching workbooks. */
  includeWorkbooks?: string[] | undefined;
  /** Workbook name globs to leave out (wins over include). */
  excludeWorkbooks?: string[] | undefined;
  overrides?: Readonly<Record<string, ExposureOverride>> | undefined;
}

type Matcher = (value: string) => boolean;

function globList(value: unknown, field: string): Matcher | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new ConfigError(
      'ERR_INVALID_OPTION',
      `options.${field} must be an array of non-empty glob strings`,
      {
        field: `options.${field}`,
        expected: 'string[] of picomatch globs',
      },
    );
  }
  if (value.length === 0) return null;
  return picomatch(value as string[], { nocase: true, dot: true });
}

function fail(field: string, message: string, expected: string): never {
  throw new ConfigError('ERR_INVALID_OPTION', message, { field, expected });
}

function validateOverride(key: string, override: unknown): ExposureOverride {
  const field = `options.overrides[${JSON.stringify(key)}]`;
  if (override === null || typeof override !== 'object' || Array.isArray(override)) {
    fail(field, `${field} must be an object`, 'an ExposureOverride object');
  }
  const o = override as Record<string, unknown>;
  const isString = (v: unknown) => v === undefined || typeof v === 'string';
  if (o.name !== undefined && (typeof o.name !== 'string' || !isValidExposureName(o.name))) {
    fail(
      `${field}.name`,
      `${field}.name ${JSON.stringify(o.name)} is not a valid exposure name`,
      'lower-case letters, digits and underscores, starting with a letter, at most 64 characters',
    );
  }
  for (const k of ['label', 'description'] as const) {
    if (!isString(o[k])) fail(`${field}.${k}`, `${field}.${k} must be a string`, 'a string');
  }
  if (o.type !== undefined && !EXPOSURE_TYPES.includes(o.type as ExposureType)) {
    fail(
      `${field}.type`,
      `${field}.type must be one of ${EXPOSURE_TYPES.join(', ')}`,
      'a dbt exposure type',
    );
  }
  if (o.maturity !== undefined && !EXPOSURE_MATURITIES.includes(o.maturity as ExposureMaturity)) {
    fail(
      `${field}.maturity`,
      `${field}.maturity must be high, medium or low`,
      'high | medium | low',
    );
  }
  if (o.owner !== undefined) {
    const owner = o.owner as Record<string, unknown> | null;
    if (
      owner === null ||
      typeof owner !== 'object' ||
      typeof owner.name !== 'string' ||
      owner.name === '' ||
      !isString(owner.email)
    ) {
      fail(
        `${field}.owner`,
        `${field}.owner must be { name, email? }`,
        '{ name: string; email?: string }',
      );
    }
  }
  if (
    o.tags !== undefined &&
    (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === 'string'))
  ) {
    fail(`${field}.tags`, `${field}.tags must be an array of strings`, 'string[]');
  }
  if (o.exclude !== undefined && typeof o.exclude !== 'boolean') {
    fail(`${field}.exclude`, `${field}.exclude must be a boolean`, 'boolean');
  }
  return o as ExposureOverride;
}

/** Validated curation rules, compiled once. */
export class Curation {
  readonly #includeProjects: Matcher | null;
  readonly #excludeProjects: Matcher | null;
  readonly #includeWorkbooks: Matcher | null;
  readonly #excludeWorkbooks: Matcher | null;
  readonly #overrides = new Map<string, ExposureOverride>();

  constructor(options: CurationOptions = {}) {
    this.#includeProjects = globList(options.includeProjects, 'includeProjects');
    this.#excludeProjects = globList(options.excludeProjects, 'excludeProjects');
    this.#includeWorkbooks = globList(options.includeWorkbooks, 'includeWorkbooks');
    this.#excludeWorkbooks = globList(options.excludeWorkbooks, 'excludeWorkbooks');
    const overrides = options.overrides;
    if (overrides !== undefined) {
      if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
        fail(
          'options.overrides',
          'options.overrides must be an object keyed by luid or name',
          'Record<string, ExposureOverride>',
        );
      }
      for (const [key, value] of Object.entries(overrides)) {
        this.#overrides.set(key, validateOverride(key, value));
      }
    }
  }

  /** The override for a workbook: by luid first, then by exact name. */
  overrideFor(workbook: Pick<TableauWorkbook, 'luid' | 'name'>): ExposureOverride | undefined {
    return this.#overrides.get(workbook.luid) ?? this.#overrides.get(workbook.name);
  }

  /**
   * Whether a workbook is left out: an `exclude: true` override, a project or workbook exclude
   * glob, or include globs it does not match. A workbook without a project is matched as `""`.
   */
  isExcluded(workbook: Pick<TableauWorkbook, 'luid' | 'name' | 'projectName'>): boolean {
    if (this.overrideFor(workbook)?.exclude === true) return true;
    const project = workbook.projectName ?? '';
    if (this.#includeProjects && !this.#includeProjects(project)) return true;
    if (this.#excludeProjects?.(project)) return true;
    if (this.#includeWorkbooks && !this.#includeWorkbooks(workbook.name)) return true;
    if (this.#excludeWorkbooks?.(workbook.name)) return true;
    return false;
  }
}
