/**
 * A hand-written check of the lineage JSON file, version 1: exactly the rules of `lineageSchemaV1`
 * (lineage-schema.ts), without loading zod. Reading a valid file (what `refresh` does on every run)
 * then never loads zod; an invalid one is handed to the schema, which names the first offending
 * field. A property test (test/output/lineage-guard.test.ts) holds the two verdicts equal.
 *
 * The zod rules mirrored: objects are loose (`typeof 'object'`, not null, not an array; unknown
 * keys kept); `z.string()` is a primitive string, `.min(1)` at least one UTF-16 code unit;
 * `z.number().int()` a safe integer; `.optional()` also accepts a key present with `undefined`.
 */
import type { ExposureLineage } from '../lineage/types.js';

type Obj = Record<string, unknown>;

const MATCH_KINDS: ReadonlySet<unknown> = new Set([
  'exact',
  'schema_identifier',
  'custom_sql_parsed',
  'custom_sql',
]);
const UNMATCHED_REASONS: ReadonlySet<unknown> = new Set([
  'no_relation',
  'database_mismatch',
  'ambiguous',
  'not_a_warehouse',
  'unsupported_custom_sql',
  'hidden_by_permissions',
]);
const EXPOSURE_TYPES: ReadonlySet<unknown> = new Set([
  'dashboard',
  'notebook',
  'analysis',
  'ml',
  'application',
]);
const MATURITIES: ReadonlySet<unknown> = new Set(['high', 'medium', 'low']);
const SOURCE_KINDS: ReadonlySet<unknown> = new Set(['tableau', 'snapshot']);
const TARGET_KINDS: ReadonlySet<unknown> = new Set(['workbook', 'datasource']);
const SKIP_REASONS: ReadonlySet<unknown> = new Set(['no_matched_tables', 'excluded']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNonEmptyStr = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const isNullableStr = (v: unknown): boolean => v === null || typeof v === 'string';
const isOptionalStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isArrayOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  // An index loop, as zod's: a hole reads as undefined, which no item check accepts.
  for (let i = 0; i < v.length; i += 1) if (!item(v[i])) return false;
  return true;
}

const isStrArray = (v: unknown): boolean => isArrayOf(v, isStr);

function isUnmatchedTable(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.table) &&
    UNMATCHED_REASONS.has(v.reason) &&
    isStr(v.detail) &&
    (v.candidates === undefined || isStrArray(v.candidates))
  );
}

function isDependency(v: unknown): boolean {
  return (
    isObj(v) &&
    isNonEmptyStr(v.uniqueId) &&
    isNonEmptyStr(v.ref) &&
    isStrArray(v.tables) &&
    MATCH_KINDS.has(v.match)
  );
}

function isRefreshTarget(v: unknown): boolean {
  return (
    isObj(v) &&
    TARGET_KINDS.has(v.kind) &&
    isStr(v.luid) &&
    isStr(v.name) &&
    typeof v.hasExtracts === 'boolean' &&
    isNullableStr(v.lastRefreshAt)
  );
}

function isExposure(v: unknown): boolean {
  if (!isObj(v)) return false;
  const { owner, meta } = v;
  const tableau = isObj(meta) ? meta.tableau : undefined;
  return (
    isNonEmptyStr(v.name) &&
    isNonEmptyStr(v.uniqueId) &&
    isStr(v.label) &&
    EXPOSURE_TYPES.has(v.type) &&
    MATURITIES.has(v.maturity) &&
    isNullableStr(v.url) &&
    isObj(owner) &&
    isStr(owner.name) &&
    isOptionalStr(owner.email) &&
    isStr(v.description) &&
    isStrArray(v.tags) &&
    isObj(tableau) &&
    isStr(tableau.workbookLuid) &&
    isNullableStr(tableau.projectName) &&
    isNullableStr(tableau.updatedAt) &&
    isArrayOf(v.dependsOn, isDependency) &&
    isArrayOf(v.refreshTargets, isRefreshTarget) &&
    isArrayOf(v.unmatchedTables, isUnmatchedTable)
  );
}

function isAmbiguous(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.workbookLuid) &&
    isStr(v.workbookName) &&
    isStr(v.table) &&
    isStrArray(v.candidates)
  );
}

function isSkippedWorkbook(v: unknown): boolean {
  return (
    isObj(v) &&
    isStr(v.workbookLuid) &&
    isStr(v.workbookName) &&
    SKIP_REASONS.has(v.reason) &&
    isArrayOf(v.unmatchedTables, isUnmatchedTable)
  );
}

/** True exactly when `lineageSchemaV1` accepts `value`. */
export function isLineageV1(value: unknown): value is ExposureLineage {
  if (!isObj(value)) return false;
  const { source, dbt, stats } = value;
  return (
    value.version === 1 &&
    isOptionalStr(value.generatedAt) &&
    isObj(source) &&
    SOURCE_KINDS.has(source.kind) &&
    isNullableStr(source.serverUrl) &&
    isNullableStr(source.siteName) &&
    isObj(dbt) &&
    isNullableStr(dbt.projectName) &&
    isNullableStr(dbt.adapterType) &&
    Number.isSafeInteger(dbt.manifestSchemaVersion) &&
    (dbt.manifestSchemaVersion as number) > 0 &&
    isStr(dbt.dbtVersion) &&
    isArrayOf(value.exposures, isExposure) &&
    isArrayOf(value.ambiguous, isAmbiguous) &&
    isArrayOf(value.skippedWorkbooks, isSkippedWorkbook) &&
    isObj(stats) &&
    isCount(stats.workbooks) &&
    isCount(stats.tables) &&
    isCount(stats.matched) &&
    isCount(stats.unmatched) &&
    (stats.customSql === undefined ||
      (isObj(stats.customSql) &&
        isCount(stats.customSql.queries) &&
        isCount(stats.customSql.parsed)))
  );
}
