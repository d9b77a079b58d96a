/** Normalised tables and custom SQL: the leaves of a workbook, sorted and deduplicated. */
import type { RawCustomSqlTable, RawTable } from './raw-types.js';
import { field, list, str } from './raw-values.js';
import { byKeys } from './sort-keys.js';
import type { TableauCustomSql, TableauTable } from './types.js';

function stripQuotes(part: string): string {
  return part.replace(/^[[`"']|[\]`"']$/g, '');
}

/** Normalise one table. A missing `name` is taken from the last part of `fullName`. */
export function normalizeTable(raw: RawTable): TableauTable {
  const fullName = str(raw.fullName);
  const lastPart =
    fullName === null
      ? null
      : (fullName.match(/(\[[^\]]*\]|"[^"]*"|`[^`]*`|[^.]+)$/)?.[1] ?? fullName);
  return {
    name: str(raw.name) ?? (lastPart === null ? '' : stripQuotes(lastPart)),
    fullName,
    schema: str(raw.schema),
    databaseName: str(raw.database?.name),
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
  };
}

/** Identity of a normalised table, for deduplication. */
export function tableKey(t: TableauTable): string {
  return JSON.stringify([t.fullName ?? t.name, t.name, t.schema, t.databaseName, t.connectionType]);
}

/** Normalise raw tables: deduplicated by `tableKey`, sorted. */
export function normalizeTables(raws: (RawTable | null)[] | null | undefined): TableauTable[] {
  const byKey = new Map<string, TableauTable>();
  for (const raw of list(raws)) {
    const table = normalizeTable(raw);
    byKey.set(tableKey(table), table);
  }
  return [...byKey.values()].sort(
    byKeys(
      (t) => t.fullName ?? t.name,
      (t) => t.name,
      (t) => t.databaseName,
      (t) => t.connectionType,
      (t) => t.schema,
    ),
  );
}

/** Normalise one custom SQL table. */
export function normalizeCustomSql(raw: RawCustomSqlTable): TableauCustomSql {
  return {
    name: str(raw.name) ?? 'Custom SQL Query',
    query: str(raw.query) ?? '',
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
    databaseName: str(raw.database?.name),
    isUnsupported: raw.isUnsupportedCustomSql === true,
    tables: normalizeTables(field<RawTable>(raw, 'tables')),
  };
}

/** Identity of a normalised custom SQL query, for deduplication. */
export function customSqlKey(item: TableauCustomSql): string {
  return JSON.stringify([item.name, item.query, item.databaseName]);
}

/** Custom SQL deduplicated by name, query and database, sorted. */
export function sortCustomSql(items: TableauCustomSql[]): TableauCustomSql[] {
  const byKey = new Map<string, TableauCustomSql>();
  for (const item of items) byKey.set(customSqlKey(item), item);
  return [...byKey.values()].sort(
    byKeys(
      (c) => c.name,
      (c) => c.query,
      (c) => c.databaseName,
    ),
  );
}
