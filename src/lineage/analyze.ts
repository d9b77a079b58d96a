/**
 * Data sources → table outcomes. Resolves and matches every table a data source reads (direct
 * tables, Tableau-parsed custom SQL, and opt-in parsed custom SQL), memoising per table and per
 * published data source so a site where thousands of workbooks share sources stays linear.
 *
 * Every outcome points at per-build slots (its label, its dbt node, its unmatched entry) so a
 * workbook counts and de-duplicates its tables by stamping those slots instead of filling maps:
 * the per-reference cost is a few field reads, and nothing per workbook outlives the workbook.
 */
import type { DbtNode } from '../artifacts/types.js';
import type { TableauCustomSql, TableauTable } from '../tableau/types.js';
import { parseCustomSqlTables } from './custom-sql.js';
import type { RelationMatch, RelationMatcher } from './match.js';
import {
  type LabelSlot,
  type MemoisedTable,
  type NodeSlot,
  shareResult,
  type TableOutcome,
  type UnmatchedSlot,
} from './outcome.js';
import {
  isWarehouseConnection,
  resolveTableauTable,
  type TableauRelation,
  tableauTableLabel,
} from './tableau-relation.js';
import type { MatchKind, UnmatchedReason } from './types.js';

/** What became of a table before it is attached to the build's slots. */
interface RawOutcome {
  label: string;
  result: RelationMatch;
}

export interface SourceLike {
  tables: readonly TableauTable[];
  customSql: readonly TableauCustomSql[];
}

export interface AnalyzerOptions {
  parseCustomSql: boolean;
  /** Renders a node's `ref(...)` for the project the exposures live in. */
  renderRef: (node: DbtNode) => string;
}

function unmatched(
  label: string,
  reason: UnmatchedReason,
  detail: string,
  candidates?: string[],
): RawOutcome {
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

/**
 * A Tableau table's outcome, memoised with every field it was computed from (compared by value,
 * no key string built); `next` chains the other tables spelled with the same label.
 */
class TableRecord implements MemoisedTable {
  next: MemoisedTable | null = null;
  constructor(
    readonly kind: 'exact' | 'custom_sql',
    readonly fullName: string | null,
    readonly name: string,
    readonly schema: string | null,
    readonly databaseName: string | null,
    readonly connectionType: string | null,
    readonly label: string,
    readonly result: RelationMatch,
    readonly labelSlot: LabelSlot,
    readonly nodeSlot: NodeSlot | null,
    readonly unmatchedSlot: UnmatchedSlot | null,
  ) {}
}

function withKind(result: RelationMatch, kind: MatchKind): RelationMatch {
  return result.kind === 'matched' ? { kind: 'matched', node: result.node, match: kind } : result;
}

/** Analyses data sources against one matcher; holds the memo tables and slots for one build. */
export class SourceAnalyzer {
  readonly #matcher: RelationMatcher;
  readonly #options: AnalyzerOptions;
  readonly #sqlMemo = new Map<string, TableOutcome[]>();
  readonly #publishedMemo = new Map<string, TableOutcome[]>();
  readonly #labelSlots = new Map<string, LabelSlot>();
  readonly #nodeSlots = new Map<DbtNode, NodeSlot>();
  readonly #unmatchedSlots = new Map<string, UnmatchedSlot>();
  readonly #warehouseTypes = new Map<string, boolean>();
  #stamp = 0;
  /** Distinct custom SQL queries Tableau listed no tables for, and how many were parsed here. */
  readonly customSqlStats = { queries: 0, parsed: 0 };

  constructor(matcher: RelationMatcher, options: AnalyzerOptions) {
    this.#matcher = matcher;
    this.#options = options;
  }

  /** A fresh stamp for one workbook's accumulation (slots stamped earlier read as unseen). */
  nextStamp(): number {
    this.#stamp += 1;
    return this.#stamp;
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
    // One map lookup per reference: the label's slot holds the memoised tables spelled so.
    const labelSlot = this.#labelSlot(tableauTableLabel(table));
    for (let e = labelSlot.tables; e !== null; e = e.next) {
      if (
        e.kind === kind &&
        e.fullName === fullName &&
        e.name === name &&
        e.schema === schema &&
        e.databaseName === databaseName &&
        e.connectionType === connectionType
      ) {
        return e;
      }
    }
    const result =
      this.#quickMatch(fullName, connectionType, kind) ??
      this.#resolveTable(
        databaseName === table.databaseName && connectionType === table.connectionType
          ? table
          : { name, fullName, schema, databaseName, connectionType },
        labelSlot.label,
        kind,
      );
    const nodeSlot = result.kind === 'matched' ? this.#nodeSlot(result.node) : null;
    const record = new TableRecord(
      kind,
      fullName,
      name,
      schema,
      databaseName,
      connectionType,
      labelSlot.label,
      nodeSlot === null ? result : shareResult(nodeSlot, result),
      labelSlot,
      nodeSlot,
      result.kind === 'matched' ? null : this.#unmatchedSlot(labelSlot, result),
    );
    record.next = labelSlot.tables;
    labelSlot.tables = record;
    return record;
  }

  /**
   * A complete three-part name on a warehouse connection that builds exactly one node: matched,
   * without the general resolution (`#resolveTable` decides the rest).
   */
  #quickMatch(
    fullName: string | null,
    connectionType: string | null,
    kind: 'exact' | 'custom_sql',
  ): RelationMatch | undefined {
    if (fullName === null || !this.#isWarehouse(connectionType)) return undefined;
    const node = this.#matcher.matchExactName(fullName);
    return node === undefined ? undefined : { kind: 'matched', node, match: kind };
  }

  /** `isWarehouseConnection`, remembered per connection type (a site has a handful). */
  #isWarehouse(connectionType: string | null): boolean {
    if (connectionType === null) return true;
    let warehouse = this.#warehouseTypes.get(connectionType);
    if (warehouse === undefined) {
      warehouse = isWarehouseConnection(connectionType);
      this.#warehouseTypes.set(connectionType, warehouse);
    }
    return warehouse;
  }

  #labelSlot(label: string): LabelSlot {
    let slot = this.#labelSlots.get(label);
    if (slot === undefined) {
      slot = { label, stamp: 0, matched: false, tables: null };
      this.#labelSlots.set(label, slot);
    }
    return slot;
  }

  #nodeSlot(node: DbtNode): NodeSlot {
    let slot = this.#nodeSlots.get(node);
    if (slot === undefined) {
      slot = {
        node,
        ref: this.#options.renderRef(node),
        stamp: 0,
        dependency: null,
        results: [undefined, undefined, undefined, undefined],
      };
      this.#nodeSlots.set(node, slot);
    }
    return slot;
  }

  #unmatchedSlot(
    labelSlot: LabelSlot,
    result: Extract<RelationMatch, { kind: 'unmatched' }>,
  ): UnmatchedSlot {
    const key = `${labelSlot.label}\u001f${result.reason}\u001f${result.detail}`;
    let slot = this.#unmatchedSlots.get(key);
    if (slot === undefined) {
      slot = {
        labelSlot,
        reason: result.reason,
        detail: result.detail,
        candidates: result.candidates,
        stamp: 0,
      };
      this.#unmatchedSlots.set(key, slot);
    }
    return slot;
  }

  /** An outcome that is not a Tableau table (custom SQL), attached to the build's slots. */
  #attach({ label, result }: RawOutcome): TableOutcome {
    const labelSlot = this.#labelSlot(label);
    const nodeSlot = result.kind === 'matched' ? this.#nodeSlot(result.node) : null;
    return {
      label,
      result: nodeSlot === null ? result : shareResult(nodeSlot, result),
      labelSlot,
      nodeSlot,
      unmatchedSlot: result.kind === 'matched' ? null : this.#unmatchedSlot(labelSlot, result),
    };
  }

  #resolveTable(table: TableauTable, label: string, kind: 'exact' | 'custom_sql'): RelationMatch {
    // Tableau's OBFUSCATE_RESULTS: a table the token may not see has its name and fullName nulled.
    if (table.name === '' && table.fullName === null) {
      return unmatched(
        label,
        'hidden_by_permissions',
        "Tableau hid this table from the token: its name came back null (the token's user lacks View on it in Tableau Catalog)",
      ).result;
    }
    const resolved = resolveTableauTable(table);
    if (resolved.kind === 'not_a_warehouse') {
      return unmatched(
        label,
        'not_a_warehouse',
        `${resolved.connectionType} connection: a file, extract or web data connector, not a warehouse table dbt builds`,
      ).result;
    }
    if (resolved.kind === 'unparseable') {
      return unmatched(
        label,
        'no_relation',
        `Tableau's name ${JSON.stringify(label)} is not a table name`,
      ).result;
    }
    const result = this.#matcher.match(resolved);
    return kind === 'custom_sql' ? withKind(result, 'custom_sql') : result;
  }

  /** A custom SQL query: Tableau's parsed tables, else (opt-in) our own parse. */
  customSql(sql: TableauCustomSql): TableOutcome[] {
    if (sql.tables.length > 0) {
      return sql.tables.map((t) => this.table(t, 'custom_sql', sql));
    }
    const key = `${this.#options.parseCustomSql}\u001f${sql.name}\u001f${sql.connectionType ?? ''}\u001f${sql.databaseName ?? ''}\u001f${sql.query}`;
    let outcomes = this.#sqlMemo.get(key);
    if (outcomes === undefined) {
      outcomes = this.#parseCustomSql(sql).map((raw) => this.#attach(raw));
      this.#sqlMemo.set(key, outcomes);
    }
    return outcomes;
  }

  #parseCustomSql(sql: TableauCustomSql): RawOutcome[] {
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
    this.customSqlStats.queries += 1;
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
          parsed.grammars.length === 0
            ? parsed.message
            : `the SQL parser rejected the query in every grammar tried (${parsed.grammars.join(', ')}): ${parsed.message}`,
        ),
      ];
    }
    this.customSqlStats.parsed += 1;
    if (parsed.tables.length === 0) {
      return [unmatched(label, 'unsupported_custom_sql', 'the query reads no table')];
    }
    return parsed.tables.map((relation) => this.#parsedTable(relation, sql));
  }

  #parsedTable(relation: TableauRelation, sql: TableauCustomSql): RawOutcome {
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
