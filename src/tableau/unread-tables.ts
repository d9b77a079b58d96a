/**
 * Nothing dropped silently: the tables (and custom SQL queries) of a raw Metadata API payload that
 * no normalised workbook holds. They sit where the reader does not read tables (a field it does
 * not know, such as `sheets { upstreamTables }`), or belong to nothing it read (a published data
 * source no workbook uses, custom SQL naming no workbook or data source). One warning per JSON
 * path pattern (indexes as `[*]`), naming the first path and table, so a large payload gives a
 * few lines.
 */
import { customSqlKey, normalizeCustomSql, normalizeTable, tableKey } from './normalize-tables.js';
import type { RawCustomSqlTable, RawTable } from './raw-types.js';
import type { TableauWarning, TableauWorkbook } from './types.js';

/** `code` of the warning. */
export const UNREAD_TABLES = 'UNREAD_TABLES';

/** Keys whose values hold tables: `tables`, `upstreamTables`, `databaseTablesConnection`, … */
const TABLE_FIELD = /(?:^t|T)ables(?:Connection)?$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const PLURALS = { table: 'tables', 'custom SQL query': 'custom SQL queries' } as const;

interface Group {
  kind: 'table' | 'custom SQL query';
  count: number;
  first: string;
  label: string;
}

/** The elements of a list, or the nodes of a connection (`nodes`, `edges[].node`), with paths. */
function entries(value: unknown, path: string): [unknown, string][] {
  if (Array.isArray(value)) return value.map((v, i) => [v, `${path}[${i}]`]);
  if (!isObj(value)) return [];
  const out: [unknown, string][] = [];
  if (Array.isArray(value.nodes)) out.push(...entries(value.nodes, `${path}.nodes`));
  if (Array.isArray(value.edges)) {
    for (const [i, edge] of value.edges.entries()) {
      if (isObj(edge)) out.push([edge.node, `${path}.edges[${i}].node`]);
    }
  }
  return out;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/**
 * Warnings (`UNREAD_TABLES`) for the tables and custom SQL of `input` that `workbooks` (its
 * normalised form) do not hold. Pure.
 */
export function unreadTableWarnings(
  input: unknown,
  workbooks: readonly TableauWorkbook[],
): TableauWarning[] {
  const tables = new Set<string>();
  const queries = new Set<string>();
  for (const wb of workbooks) {
    for (const ds of [...wb.embeddedDatasources, ...wb.publishedDatasources]) {
      for (const t of ds.tables) tables.add(tableKey(t));
      for (const sql of ds.customSql) {
        queries.add(customSqlKey(sql));
        for (const t of sql.tables) tables.add(tableKey(t));
      }
    }
  }
  const groups = new Map<string, Group>();
  /** Whether an element of a table field is held; records it when it is not. */
  const held = (element: Obj, path: string): boolean => {
    const isQuery = typeof element.query === 'string';
    if (isQuery) {
      const sql = normalizeCustomSql(element as RawCustomSqlTable);
      if (queries.has(customSqlKey(sql))) return true;
      record(path, 'custom SQL query', JSON.stringify(sql.name));
    } else {
      const table = normalizeTable(element as RawTable);
      if (tables.has(tableKey(table))) return true;
      record(path, 'table', table.fullName ?? table.name);
    }
    return false;
  };
  const record = (path: string, kind: Group['kind'], label: string) => {
    const pattern = path.replace(/\[\d+\]/g, '[*]');
    const group = groups.get(pattern);
    if (group === undefined) groups.set(pattern, { kind, count: 1, first: path, label });
    else group.count += 1;
  };
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
      return;
    }
    if (!isObj(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = join(path, key);
      if (!TABLE_FIELD.test(key)) {
        walk(child, childPath);
        continue;
      }
      for (const [element, elementPath] of entries(child, childPath)) {
        // An element not held is reported once, not again for the tables inside it.
        if (isObj(element) && held(element, elementPath)) walk(element, elementPath);
      }
    }
  };
  walk(input, '');
  return [...groups.entries()].map(([pattern, g]) => ({
    code: UNREAD_TABLES,
    message:
      `${g.count} ${g.count === 1 ? g.kind : PLURALS[g.kind]} at ${pattern} ` +
      `reached no workbook (first: ${g.label} at ${g.first}); see docs/tableau.md for the shapes read`,
    path: g.first,
  }));
}
