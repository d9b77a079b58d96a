/**
 * Data sources → table outcomes. Resolves and matches every table a data source reads (direct
 * tables, Tableau-parsed custom SQL, and opt-in parsed custom SQL), memoising per table and per
 * published data source so a site where thousands of workbooks share sources stays linear.
 */
import type { DbtNode } from '../artifacts/types.js';
import type { TableauCustomSql, TableauTable } from '../tableau/types.js';
import { parseCustomSqlTables } from './custom-sql.js';
import type { RelationMatch, RelationMatcher } from './match.js';
import {
  isWarehouseConnection,
  resolveTableauTable,
  type TableauRelation,
  tableauTableLabel,
} from './tableau-relation.js';
import type { MatchKind, UnmatchedReason } from './types.js';

/** One Tableau table (or custom SQL query) and what became of it. */
export interface TableOutcome {
  /** The table as Tableau spelled it (or `custom SQL "<name>"`). */
  label: string;
  result: RelationMatch;
}

export interface SourceLike {
  tables: readonly TableauTable[];
  customSql: readonly TableauCustomSql[];
}

export interface AnalyzerOptions {
  parseCustomSql: boolean;
}

function unmatched(
  label: string,
  reason: UnmatchedReason,
  detail: string,
  candidates?: string[],
): TableOutcome {
  return {
    label,
    result: {
      kind: 'unmatched',
      reason,
      detail,
      ...(candidates === undefined ? {} : { candidates }),
    },
  };
}

function withKind(result: RelationMatch, kind: MatchKind): RelationMatch {
  return result.kind === 'matched' ? { kind: 'matched', node: result.node, match: kind } : result;
}

/** A memoised table outcome with every field it was computed from. */
interface TableMemoEntry {
  kind: 'exact' | 'custom_sql';
  fullName: string | null;
  name: string;
  schema: string | null;
  databaseName: string | null;
  connectionType: string | null;
  outcome: TableOutcome;
}

/** Analyses data sources against one matcher; holds the memo tables for one build. */
export class SourceAnalyzer {
  readonly #matcher: RelationMatcher;
  readonly #options: AnalyzerOptions;
  /** Keyed by `fullName ?? name`; entries compare the remaining fields by value (no key string). */
  readonly #tableMemo = new Map<string, TableMemoEntry[]>();
  readonly #sqlMemo = new Map<string, TableOutcome[]>();
  readonly #publishedMemo = new Map<string, TableOutcome[]>();

  constructor(matcher: RelationMatcher, options: AnalyzerOptions) {
    this.#matcher = matcher;
    this.#options = options;
  }

  /** Outcomes of a published data source, computed once per luid. */
  published(luid: string, source: SourceLike): TableOutcome[] {
    let outcomes = this.#publishedMemo.get(luid);
    if (outcomes === undefined) {
      outcomes = this.source(source);
      this.#publishedMemo.set(luid, outcomes);
    }
    return outcomes;
  }

  /** Outcomes of every table and custom SQL query of a data source. */
  source(source: SourceLike): TableOutcome[] {
    const out: TableOutcome[] = [];
    for (const table of source.tables) out.push(this.table(table, 'exact'));
    for (const sql of source.customSql) out.push(...this.customSql(sql));
    return out;
  }

  /**
   * One Tableau table; `kind` `custom_sql` marks tables Tableau's parser listed for custom SQL,
   * whose missing database and connection type come from the query (`fallback`).
   */
  table(
    table: TableauTable,
    kind: 'exact' | 'custom_sql',
    fallback?: Pick<TableauCustomSql, 'databaseName' | 'connectionType'>,
  ): TableOutcome {
    const { fullName, name, schema } = table;
    const databaseName = table.databaseName ?? fallback?.databaseName ?? null;
    const connectionType = table.connectionType ?? fallback?.connectionType ?? null;
    // Most references are distinct, so the memo must cost less than a miss: no key string is
    // built; the candidates sharing `fullName ?? name` (usually one) are compared field by field.
    const memoKey = fullName ?? name;
    let entries = this.#tableMemo.get(memoKey);
    if (entries === undefined) {
      entries = [];
      this.#tableMemo.set(memoKey, entries);
    }
    for (const e of entries) {
      if (
        e.kind === kind &&
        e.fullName === fullName &&
        e.name === name &&
        e.schema === schema &&
        e.databaseName === databaseName &&
        e.connectionType === connectionType
      ) {
        return e.outcome;
      }
    }
    const outcome = this.#resolveTable(
      { name, fullName, schema, databaseName, connectionType },
      kind,
    );
    entries.push({ kind, fullName, name, schema, databaseName, connectionType, outcome });
    return outcome;
  }

  #resolveTable(table: TableauTable, kind: 'exact' | 'custom_sql'): TableOutcome {
    const label = tableauTableLabel(table);
    const resolved = resolveTableauTable(table);
    if (resolved.kind === 'not_a_warehouse') {
      return unmatched(
        label,
        'not_a_warehouse',
        `${resolved.connectionType} connection: a file, extract or web data connector, not a warehouse table dbt builds`,
      );
    }
    if (resolved.kind === 'unparseable') {
      return unmatched(
        label,
        'no_relation',
        `Tableau's name ${JSON.stringify(label)} is not a table name`,
      );
    }
    const result = this.#matcher.match(resolved);
    return { label, result: kind === 'custom_sql' ? withKind(result, 'custom_sql') : result };
  }

  /** A custom SQL query: Tableau's parsed tables, else (opt-in) our own parse. */
  customSql(sql: TableauCustomSql): TableOutcome[] {
    if (sql.tables.length > 0) {
      return sql.tables.map((t) => this.table(t, 'custom_sql', sql));
    }
    const key = `${this.#options.parseCustomSql}\u001f${sql.name}\u001f${sql.connectionType ?? ''}\u001f${sql.databaseName ?? ''}\u001f${sql.query}`;
    let outcomes = this.#sqlMemo.get(key);
    if (outcomes === undefined) {
      outcomes = this.#parseCustomSql(sql);
      this.#sqlMemo.set(key, outcomes);
    }
    return outcomes;
  }

  #parseCustomSql(sql: TableauCustomSql): TableOutcome[] {
    const label = `custom SQL ${JSON.stringify(sql.name)}`;
    if (!isWarehouseConnection(sql.connectionType)) {
      return [
        unmatched(
          label,
          'not_a_warehouse',
          `${sql.connectionType} connection: custom SQL over a file or extract`,
        ),
      ];
    }
    if (!this.#options.parseCustomSql) {
      const why = sql.isUnsupported
        ? 'Tableau could not parse this custom SQL'
        : 'Tableau listed no tables for this custom SQL';
      return [
        unmatched(
          label,
          'unsupported_custom_sql',
          `${why}; set parseCustomSql: true to parse the query text here`,
        ),
      ];
    }
    const parsed = parseCustomSqlTables(sql.query, sql.connectionType);
    if (!parsed.ok) {
      return [
        unmatched(
          label,
          'unsupported_custom_sql',
          `the SQL parser (${parsed.dialect ?? 'PostgreSQL and MySQL dialects'}) rejected the query: ${parsed.message}`,
        ),
      ];
    }
    if (parsed.tables.length === 0) {
      return [unmatched(label, 'unsupported_custom_sql', 'the query reads no table')];
    }
    return parsed.tables.map((relation) => this.#parsedTable(relation, sql));
  }

  #parsedTable(relation: TableauRelation, sql: TableauCustomSql): TableOutcome {
    const label = [relation.database, relation.schema, relation.identifier]
      .filter((p) => p !== null)
      .join('.');
    const filled: TableauRelation = {
      ...relation,
      database:
        relation.database ?? (relation.schema === null ? null : sql.databaseName?.trim() || null),
    };
    return { label, result: withKind(this.#matcher.match(filled), 'custom_sql_parsed') };
  }
}

/** Rank of match kinds when one node is reached several ways: the most direct wins. */
export const MATCH_RANK: Readonly<Record<MatchKind, number>> = {
  exact: 0,
  schema_identifier: 1,
  custom_sql: 2,
  custom_sql_parsed: 3,
};

/** A matched node with everything that led to it, accumulated over one workbook. */
export interface DependencyAccumulator {
  node: DbtNode;
  /** Distinct labels of the tables that reached the node, in the order met. */
  tables: string[];
  match: MatchKind;
}
