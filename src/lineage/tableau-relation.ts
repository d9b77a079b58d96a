/**
 * Tableau table names → warehouse relations.
 *
 * Tableau's `fullName` is inconsistent (`[DB].[SCHEMA].[T]`, `[SCHEMA].[T]`, `DB.SCHEMA.T`, `[T]`,
 * `T`, `[DEV_DB.LONDON].[CYCLE]`), `name` may hold `schema.table` (Redshift, BigQuery `dataset.table`),
 * `schema` may be empty or disagree with `fullName`, and the database is often only in
 * `database.name`. This file turns all of them into one `{database, schema, identifier}` triple,
 * using the shared `splitQualifiedName` so Tableau and dbt names are unquoted the same way.
 */
import { splitQualifiedName } from '../artifacts/relation.js';
import type { TableauTable } from '../tableau/types.js';

/** A Tableau table resolved to a warehouse relation; missing parts are null. */
export interface TableauRelation {
  database: string | null;
  schema: string | null;
  identifier: string;
}

export type ResolvedTableauTable =
  | ({ kind: 'relation' } & TableauRelation)
  /** A file, extract or web connector: nothing dbt can build. */
  | { kind: 'not_a_warehouse'; connectionType: string }
  /** Neither `fullName` nor `name` is a dotted name (e.g. an expression or an empty string). */
  | { kind: 'unparseable' };

/** Exact connection types (lower-cased) that never point at a warehouse table. */
const NON_WAREHOUSE_TYPES = new Set([
  'excel',
  'excel-direct',
  'textscan',
  'csv',
  'hyper',
  'dataengine',
  'google-sheets',
  'googlesheets',
  'semistructpassivestore-direct',
  'ogrdirect',
  'pdf',
  'statfile',
  'msaccess',
  'json',
]);

/** Connection type prefixes of the same kind (web data connectors carry `:<connector>`). */
const NON_WAREHOUSE_PREFIXES = ['webdata', 'excel', 'textscan', 'hyper', 'google-sheets'];

/**
 * Whether a Tableau `connectionType` can hold dbt-built relations. Files (Excel, text/CSV, JSON,
 * PDF, spatial, statistical files), extracts (`hyper`, `dataengine`), Google Sheets and web data
 * connectors (`webdata-direct:*`) cannot; anything else, including an unknown or missing type, is
 * treated as a warehouse so that matching decides.
 */
export function isWarehouseConnection(connectionType: string | null): boolean {
  if (connectionType === null) return true;
  const type = connectionType.trim().toLowerCase();
  if (NON_WAREHOUSE_TYPES.has(type)) return false;
  return !NON_WAREHOUSE_PREFIXES.some((prefix) => type.startsWith(prefix));
}

/** How a Tableau table is shown in reports: `fullName` when Tableau gives one, else `name`. */
export function tableauTableLabel(table: Pick<TableauTable, 'fullName' | 'name'>): string {
  const full = table.fullName?.trim();
  // No name at all: Tableau hid the table from the token (see hidden_by_permissions).
  return full ? full : table.name || '(hidden by permissions)';
}

function nonEmpty(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Split a Tableau-spelled name. Tableau sometimes brackets `database.schema` together
 * (`[DEV_DB.LONDON].[CYCLE]`); when a name has fewer than three parts, a part holding dots is
 * split again so those parts are not lost. Names with more than three parts (linked servers)
 * keep their last three.
 */
function splitTableauName(text: string | null): string[] | null {
  if (text === null) return null;
  const parts = splitQualifiedName(text);
  if (parts === null) return null;
  let out = parts;
  if (parts.length < 3 && parts.some((p) => p.includes('.'))) {
    const expanded: string[] = [];
    for (const part of parts) {
      const inner = part.includes('.') ? splitQualifiedName(part) : [part];
      if (inner === null) return parts.slice(-3);
      expanded.push(...inner);
    }
    if (expanded.length <= 3) out = expanded;
  }
  return out.length > 3 ? out.slice(-3) : out;
}

function sameTail(longer: string[], shorter: string[]): boolean {
  const offset = longer.length - shorter.length;
  return shorter.every((part, i) => part.toLowerCase() === longer[offset + i]?.toLowerCase());
}

/**
 * Resolve a Tableau table to `{database, schema, identifier}`.
 *
 * Parts come from `fullName` first (it is what the connection used); `name` is used when
 * `fullName` is missing or when `name` carries more qualifiers ending in the same parts
 * (`fullName: [client]`, `name: datawarehouse.client`). Parts still missing are filled from
 * `schema` (when non-empty) and `database.name`. A `schema` that disagrees with `fullName` loses:
 * `fullName` is the name the query ran against.
 */
export function resolveTableauTable(
  table: Pick<TableauTable, 'name' | 'fullName' | 'schema' | 'databaseName' | 'connectionType'>,
): ResolvedTableauTable {
  if (!isWarehouseConnection(table.connectionType)) {
    return { kind: 'not_a_warehouse', connectionType: table.connectionType ?? '' };
  }
  const fromFull = splitTableauName(nonEmpty(table.fullName));
  if (fromFull !== null && fromFull.length === 3) {
    // Complete already: `name` can only win with more parts, and no name has more than three.
    return {
      kind: 'relation',
      database: fromFull[0]!,
      schema: fromFull[1]!,
      identifier: fromFull[2]!,
    };
  }
  const fromName = splitTableauName(nonEmpty(table.name));
  let parts = fromFull ?? fromName;
  if (
    fromFull !== null &&
    fromName !== null &&
    fromName.length > fromFull.length &&
    sameTail(fromName, fromFull)
  ) {
    parts = fromName;
  }
  if (parts === null || parts.length === 0) return { kind: 'unparseable' };
  const identifier = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : nonEmpty(table.schema);
  const database = parts.length === 3 ? parts[0]! : nonEmpty(table.databaseName);
  return { kind: 'relation', database, schema, identifier };
}
