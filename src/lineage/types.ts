/**
 * The exposure lineage object: plain, versioned JSON. `sync` writes it, `refresh` reads it, tools
 * consume it. Shape documented in DESIGN.md ("The lineage object").
 */

export const LINEAGE_VERSION = 1;

export type MatchKind =
  /** database.schema.identifier matched (after aliases and case folding). */
  | 'exact'
  /** Tableau gave no database; schema.identifier was unique in the manifest. */
  | 'schema_identifier'
  /** Table found by parsing custom SQL text with node-sql-parser (opt-in). */
  | 'custom_sql_parsed'
  /** Table listed by Tableau's own parser for a custom SQL query. */
  | 'custom_sql';

export type UnmatchedReason =
  | 'no_relation'
  | 'database_mismatch'
  | 'ambiguous'
  | 'not_a_warehouse'
  | 'unsupported_custom_sql'
  /** The relation belongs to an `access: private` model, which exposures cannot `ref` (dbt raises DbtReferenceError). */
  | 'private_model'
  /** Tableau hid the table from the token (permissions): its name came back null. */
  | 'hidden_by_permissions';

export interface LineageDependency {
  uniqueId: string;
  /** `ref('orders')`, `ref('pkg', 'orders')`, `ref('orders', v=2)`, `source('raw', 'orders')`. */
  ref: string;
  /** The Tableau-side table names that led here, as Tableau spelled them, sorted. */
  tables: string[];
  match: MatchKind;
}

export interface LineageRefreshTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
  hasExtracts: boolean;
  /** As seen at sync time (refresh asks Tableau again at decision time). */
  lastRefreshAt: string | null;
}

export interface UnmatchedTable {
  table: string;
  reason: UnmatchedReason;
  detail: string;
  /** Nearest dbt relation for `database_mismatch` / candidates for `ambiguous`. */
  candidates?: string[];
}

export interface LineageOwner {
  name: string;
  email?: string;
}

export interface LineageExposure {
  name: string;
  uniqueId: string;
  label: string;
  type: 'dashboard' | 'notebook' | 'analysis' | 'ml' | 'application';
  maturity: 'high' | 'medium' | 'low';
  url: string | null;
  owner: LineageOwner;
  description: string;
  tags: string[];
  meta: {
    tableau: {
      workbookLuid: string;
      projectName: string | null;
      updatedAt: string | null;
    } & Record<string, unknown>;
  } & Record<string, unknown>;
  dependsOn: LineageDependency[];
  refreshTargets: LineageRefreshTarget[];
  unmatchedTables: UnmatchedTable[];
}

export interface AmbiguousMatch {
  workbookLuid: string;
  workbookName: string;
  table: string;
  candidates: string[];
}

export interface LineageSource {
  kind: 'tableau' | 'snapshot';
  serverUrl: string | null;
  siteName: string | null;
}

export interface LineageDbtInfo {
  projectName: string | null;
  adapterType: string | null;
  manifestSchemaVersion: number;
  dbtVersion: string;
}

export interface LineageStats {
  workbooks: number;
  tables: number;
  matched: number;
  unmatched: number;
  /**
   * Custom SQL queries (distinct, over warehouse connections) Tableau listed no tables for, and
   * how many of them this library parsed (0 unless `parseCustomSql`). Absent when there were none.
   */
  customSql?: { queries: number; parsed: number };
}

/** Workbooks left out of `exposures`, and why (no matched table, excluded by a curation rule). */
export interface SkippedWorkbook {
  workbookLuid: string;
  workbookName: string;
  reason: 'no_matched_tables' | 'excluded';
  unmatchedTables: UnmatchedTable[];
}

export interface ExposureLineage {
  version: typeof LINEAGE_VERSION;
  /** Only when the caller passes a clock; omitted otherwise so output is deterministic. */
  generatedAt?: string;
  source: LineageSource;
  dbt: LineageDbtInfo;
  exposures: LineageExposure[];
  ambiguous: AmbiguousMatch[];
  skippedWorkbooks: SkippedWorkbook[];
  stats: LineageStats;
}
