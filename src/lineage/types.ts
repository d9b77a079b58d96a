/**
 * The exposure lineage object: plain, versioned JSON. `sync` writes it, `refresh` reads it, tools
 * consume it. Format 2 (docs/outputs.md, "The lineage file"): dependencies name their dbt node as
 * a structured reference; Jinja (`ref('orders')`) is rendered only by the YAML renderer. Objects
 * are built with their keys in the order written here, which is the order of the file.
 */

export const LINEAGE_VERSION = 2;

/**
 * How a table was matched onto a dbt node (`exact`, `schema_identifier`, `custom_sql`,
 * `custom_sql_parsed`).
 */
export type MatchKind =
  /** database.schema.identifier matched (after aliases and case folding). */
  | 'exact'
  /** Tableau gave no database; schema.identifier was unique in the manifest. */
  | 'schema_identifier'
  /** Table found by parsing custom SQL text with node-sql-parser (opt-in). */
  | 'custom_sql_parsed'
  /** Table listed by Tableau's own parser for a custom SQL query. */
  | 'custom_sql';

/** Why a Tableau table matched no dbt node (`no_relation`, `database_mismatch`, `ambiguous`, …). */
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

/**
 * How an exposure names a dbt node. `package` is always the node's package; renderers leave it
 * out when it is the lineage's root project (`dbt.packageName`): `ref('orders')` rather than
 * `ref('shop', 'orders')`. `version` pins a versioned model to the version Tableau reads.
 */
export type DbtReference =
  | { kind: 'ref'; package: string; name: string; version: string | number | null }
  | { kind: 'source'; package: string; source: string; name: string };

/**
 * One dbt node an exposure depends on: its unique id, reference, the Tableau tables that matched
 * it and how.
 */
export interface LineageDependency {
  uniqueId: string;
  ref: DbtReference;
  /** The Tableau-side table names that led here, as Tableau spelled them, sorted. */
  tables: string[];
  match: MatchKind;
}

/**
 * A workbook or published data source to refresh for an exposure, with `hasExtracts` and
 * `lastRefreshAt` at sync time.
 */
export interface LineageRefreshTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
  hasExtracts: boolean;
  /** As seen at sync time (refresh asks Tableau again at decision time). */
  lastRefreshAt: string | null;
}

/** A Tableau table that matched no dbt node, with the reason and candidates. */
export interface UnmatchedTable {
  table: string;
  reason: UnmatchedReason;
  detail: string;
  /** Nearest dbt relation for `database_mismatch` / candidates for `ambiguous`. */
  candidates?: string[] | undefined;
}

/** An exposure's owner: `name` and, when Tableau knows it, `email`. */
export interface LineageOwner {
  name: string;
  email?: string | undefined;
}

/**
 * One exposure: name, ids, label, type, maturity, url, owner, description, tags, meta,
 * dependencies, refresh targets and unmatched tables.
 */
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
      /** Written by `buildExposureLineage`; absent from files of older versions. */
      projectLuid?: string | null | undefined;
      vizportalUrlId?: string | null | undefined;
    } & Record<string, unknown>;
  } & Record<string, unknown>;
  dependsOn: LineageDependency[];
  refreshTargets: LineageRefreshTarget[];
  unmatchedTables: UnmatchedTable[];
}

/** A Tableau table that matched several dbt nodes: the workbook, the table and the candidates. */
export interface AmbiguousMatch {
  workbookLuid: string;
  workbookName: string;
  table: string;
  candidates: string[];
}

/** Where the workbooks came from: `kind` (`tableau`, `snapshot`), `serverUrl`, `siteName`. */
export interface LineageSource {
  kind: 'tableau' | 'snapshot';
  serverUrl: string | null;
  siteName: string | null;
}

/**
 * The dbt project the lineage was built against: project and package name, adapter, manifest
 * schema version, dbt version.
 */
export interface LineageDbtInfo {
  /** `metadata.project_name` of the manifest (null before dbt 1.6). */
  projectName: string | null;
  /**
   * The root project the exposures belong to (`options.packageName`, else the manifest's root
   * project): references into it are rendered without their package.
   */
  packageName: string;
  adapterType: string | null;
  manifestSchemaVersion: number;
  dbtVersion: string;
}

/** Counts of a sync: workbooks, tables, matched and unmatched tables, custom SQL. */
export interface LineageStats {
  workbooks: number;
  tables: number;
  matched: number;
  unmatched: number;
  /**
   * Custom SQL queries (distinct, over warehouse connections) Tableau listed no tables for, and
   * how many of them this library parsed (0 unless `parseCustomSql`). Absent when there were none.
   */
  customSql?: { queries: number; parsed: number } | undefined;
}

/** Workbooks left out of `exposures`, and why (no matched table, excluded by a curation rule). */
export interface SkippedWorkbook {
  workbookLuid: string;
  workbookName: string;
  reason: 'no_matched_tables' | 'excluded';
  unmatchedTables: UnmatchedTable[];
}

/**
 * The lineage object (format 2) that `sync` writes and `refresh` reads: exposures with their
 * dependencies and refresh targets, ambiguous matches, skipped workbooks, stats.
 */
export interface ExposureLineage {
  version: typeof LINEAGE_VERSION;
  /** Only when the caller passes a clock; omitted otherwise so output is deterministic. */
  generatedAt?: string | undefined;
  source: LineageSource;
  dbt: LineageDbtInfo;
  exposures: LineageExposure[];
  ambiguous: AmbiguousMatch[];
  skippedWorkbooks: SkippedWorkbook[];
  stats: LineageStats;
}
