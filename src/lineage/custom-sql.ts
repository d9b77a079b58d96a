/**
 * Custom SQL: the tables a Tableau custom SQL query reads, found by parsing its text (opt-in).
 *
 * Tableau's own parser result (`CustomSQLTable.tables`) is preferred by the caller; this file is
 * the fallback for queries Tableau could not parse. The text is cleaned first (HTML entities,
 * Tableau parameters, Tableau's doubled angle brackets), then parsed with node-sql-parser in the
 * dialect of the connection, and when that grammar rejects it, in `RETRY_GRAMMARS`. CTE names are
 * not tables.
 */
import { createRequire } from 'node:module';
import { splitQualifiedName } from '../artifacts/relation-name.js';
import { compareStrings } from '../util/compare.js';
import type { RelationParts } from './relation.js';

type SqlParser = import('node-sql-parser').Parser;

/**
 * node-sql-parser (2.5 MB of grammars, ≈ 0.37 s to load) is required on the first parse only:
 * parsing custom SQL is opt-in, and every other run would pay for it. `require` keeps the
 * matching synchronous; the package is CommonJS.
 */
let parser: SqlParser | undefined;
function sqlParser(): SqlParser {
  if (parser === undefined) {
    const require = createRequire(import.meta.url);
    const { Parser } = require('node-sql-parser') as typeof import('node-sql-parser');
    parser = new Parser();
  }
  return parser;
}

const ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Decode HTML entities in one pass (so `&amp;lt;` becomes `&lt;`, not `<`). */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X'
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** A Tableau parameter reference: `<[Parameters].[Parameter 1]>`. */
const PARAMETER = /<\[Parameters\]\.\[(?:[^\]]|\]\])*\]>/gi;

/**
 * Clean Tableau custom SQL for a SQL parser: decode HTML entities, replace parameter references
 * by the literal `0` (valid wherever a value is: comparisons, IN lists, LIMIT), then undo
 * Tableau's escaping of `<` and `>` as `<<` and `>>`.
 */
export function cleanCustomSql(query: string): string {
  return decodeHtmlEntities(query)
    .replace(PARAMETER, '0')
    .replace(/<</g, '<')
    .replace(/>>/g, '>')
    .trim()
    .replace(/;\s*$/, '');
}

/** Tableau connection type (lower-cased, `-jdbc`/`_jdbc` stripped) → node-sql-parser dialect. */
const DIALECTS: Record<string, string> = {
  snowflake: 'Snowflake',
  postgres: 'PostgresQL',
  postgresql: 'PostgresQL',
  greenplum: 'PostgresQL',
  redshift: 'Redshift',
  bigquery: 'BigQuery',
  googlebigquery: 'BigQuery',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  sqlserver: 'TransactSQL',
  azure_sql_dw: 'TransactSQL',
  azuresqldw: 'TransactSQL',
  synapse: 'TransactSQL',
  databricks: 'Hive',
  spark: 'Hive',
  hive: 'Hive',
  awshadoophive: 'Hive',
  athena: 'Athena',
  trino: 'Trino',
  presto: 'Trino',
  db2: 'Db2',
  sqlite: 'Sqlite',
};

/**
 * Grammars tried, in this order, when the connection's own grammar rejects a query (or the
 * connection type is unknown): each parses constructs the others reject (Snowflake: `TOP`,
 * `QUALIFY`; Trino: `ILIKE '%' || x || '%'`; SQL Server: `LISTAGG … WITHIN GROUP`). Only grammars
 * that read a double-quoted name as an identifier are listed, so `"ORDER"` and `"Encounter"` stay
 * table names: BigQuery, MySQL, MariaDB, Hive and Db2 read `"x"` as a string (measured; see
 * docs/matching.md) and are never retried.
 */
export const RETRY_GRAMMARS: readonly string[] = [
  'PostgresQL',
  'Snowflake',
  'Redshift',
  'Trino',
  'TransactSQL',
];

/** The node-sql-parser dialect for a Tableau connection type, or null when unknown. */
export function dialectForConnection(connectionType: string | null): string | null {
  if (connectionType === null) return null;
  const type = connectionType
    .trim()
    .toLowerCase()
    .replace(/[-_]jdbc$/, '');
  return DIALECTS[type] ?? null;
}

export type ParsedCustomSql =
  | { ok: true; dialect: string; tables: RelationParts[] }
  | {
      ok: false;
      dialect: string | null;
      /** The first grammar's message. */
      message: string;
      /** The grammars tried, in order (none for an empty query). */
      grammars: string[];
    };

interface FromItem {
  db?: unknown;
  schema?: unknown;
  table?: unknown;
  surround?: { table?: unknown } | null;
}

function asName(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Collect table references and CTE names anywhere in a node-sql-parser AST. */
function walk(node: unknown, tables: FromItem[], ctes: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, tables, ctes);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.with)) {
    for (const cte of record.with as Array<{ name?: { value?: unknown } | string }>) {
      const name = typeof cte.name === 'string' ? cte.name : asName(cte.name?.value);
      if (name !== null) ctes.add(name.toLowerCase());
    }
  }
  if (Array.isArray(record.from)) {
    for (const item of record.from as FromItem[]) {
      if (item !== null && typeof item === 'object' && typeof item.table === 'string') {
        tables.push(item);
      }
    }
  }
  for (const value of Object.values(record)) {
    if (value !== null && typeof value === 'object') walk(value, tables, ctes);
  }
}

function toRelation(item: FromItem, splitDotted: boolean): RelationParts | null {
  const table = asName(item.table);
  if (table === null) return null;
  const db = asName(item.db);
  const schema = asName(item.schema);
  // node-sql-parser puts a two-part name's schema in `db`, a three-part name's database in `db`.
  if (schema !== null) return { database: db, schema, identifier: table };
  if (db !== null) return { database: null, schema: db, identifier: table };
  // BigQuery: `project.dataset.table` in one pair of backticks arrives as one table name.
  if (splitDotted && table.includes('.')) {
    const parts = splitQualifiedName(table);
    if (parts !== null && parts.length <= 3) {
      const identifier = parts[parts.length - 1]!;
      return {
        database: parts.length === 3 ? parts[0]! : null,
        schema: parts.length >= 2 ? parts[parts.length - 2]! : null,
        identifier,
      };
    }
  }
  return { database: null, schema: null, identifier: table };
}

function relationKeyOf(r: RelationParts): string {
  return `${r.database ?? ''}\u001f${r.schema ?? ''}\u001f${r.identifier}`.toLowerCase();
}

function parseWith(sql: string, grammar: string, splitDotted: boolean): ParsedCustomSql {
  let ast: unknown;
  try {
    ast = sqlParser().astify(sql, { database: grammar });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = message.split('\n')[0]!.slice(0, 300);
    return { ok: false, dialect: grammar, message: line, grammars: [grammar] };
  }
  // Tableau runs custom SQL as a subquery, so it is a SELECT; a grammar that reads the text as
  // anything else (SQL Server's reads `selec nothing` as a variable assignment) did not parse it.
  const statements = Array.isArray(ast) ? ast : [ast];
  if (!statements.every((s) => (s as { type?: unknown } | null)?.type === 'select')) {
    return { ok: false, dialect: grammar, message: 'not a SELECT statement', grammars: [grammar] };
  }
  const items: FromItem[] = [];
  const ctes = new Set<string>();
  walk(ast, items, ctes);
  const byKey = new Map<string, RelationParts>();
  for (const item of items) {
    const relation = toRelation(item, splitDotted);
    if (relation === null) continue;
    const isCte =
      relation.database === null &&
      relation.schema === null &&
      ctes.has(relation.identifier.toLowerCase());
    if (!isCte) byKey.set(relationKeyOf(relation), relation);
  }
  const tables = [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, r]) => r);
  return { ok: true, dialect: grammar, tables };
}

/**
 * Parse a Tableau custom SQL query and list the tables it reads (CTE names excluded, duplicates
 * removed, sorted). Unqualified parts are null; the caller fills the database from the
 * connection. The grammar of the connection type is tried first, then `RETRY_GRAMMARS` in order;
 * `dialect` names the grammar that parsed it. Failure returns the first grammar's message
 * (`dialect`: the connection's grammar, null when the type is unknown) instead of throwing.
 */
export function parseCustomSqlTables(
  query: string,
  connectionType: string | null,
): ParsedCustomSql {
  const sql = cleanCustomSql(query);
  if (sql === '') return { ok: false, dialect: null, message: 'the query is empty', grammars: [] };
  const dialect = dialectForConnection(connectionType);
  // BigQuery reads "x" as a string, so a dotted table name came from backticks: split it.
  const splitDotted = dialect === 'BigQuery';
  const grammars = [
    ...(dialect === null ? [] : [dialect]),
    ...RETRY_GRAMMARS.filter((g) => g !== dialect),
  ];
  let first: ParsedCustomSql | undefined;
  for (const grammar of grammars) {
    const result = parseWith(sql, grammar, splitDotted);
    if (result.ok) return result;
    first ??= result;
  }
  return { ok: false, dialect, message: (first as { message: string }).message, grammars };
}
