/**
 * The matching rules: what becomes of one table a Tableau workbook reads. They read top to bottom
 * in the order of docs/matching.md (§ 1 custom SQL, § 2 the Tableau name, § 3 the relation, § 5
 * the reasons): a table either resolves to exactly one dbt node or is reported with a reason
 * code, a sentence saying what to do, and the candidates that came close. Never a guess.
 *
 * Each distinct Tableau spelling is decided once per build (`Matcher` memoises by spelling, and
 * published data sources by luid), so a site where thousands of workbooks share tables stays
 * linear in its references.
 */
import type { DbtNode } from '../artifacts/types.js';
import type { TableauCustomSql, TableauTable } from '../tableau/types.js';
import { compareStrings } from '../util/compare.js';
import { parseCustomSqlTables } from './custom-sql.js';
import {
  displayRelation,
  exactPart,
  isWarehouseConnection,
  normalizeIdentifier,
  type RelationCandidate,
  type RelationIndex,
  type RelationParts,
  resolveTableauName,
  shownRelation,
  tableauTableLabel,
} from './relation.js';
import type { DbtReference, MatchKind, UnmatchedReason, UnmatchedTable } from './types.js';

/** Tableau-side name → dbt-side name; keys compare case-insensitively. */
export type NameAliases = Readonly<Record<string, string>>;

/** Name aliases applied before Tableau tables are matched onto dbt relations. */
export interface MatchOptions {
  /** Map Tableau database names onto dbt ones (`{ PROD_ANALYTICS: 'analytics' }`). */
  databaseAliases?: NameAliases | undefined;
  /** Map Tableau schema names onto dbt ones (`{ REPORTING: 'marts' }`). */
  schemaAliases?: NameAliases | undefined;
}

/** What became of one Tableau table (or custom SQL query): a dbt node, or a reported miss. */
export type TableOutcome =
  | {
      kind: 'matched';
      label: string;
      node: DbtNode;
      match: MatchKind;
      ref: DbtReference;
    }
  | { kind: 'unmatched'; label: string; entry: UnmatchedTable };

/** A table's source of names: read directly (`exact`), or listed by Tableau for custom SQL. */
type TableKind = 'exact' | 'custom_sql';

/** The data sources a table list comes from. */
export interface SourceTables {
  tables: readonly TableauTable[];
  customSql: readonly TableauCustomSql[];
}

/** At most this many candidates are listed in a detail sentence (all are in `candidates`). */
const DETAIL_CANDIDATES = 5;

/** When one node is reached several ways in a workbook, the most direct kind wins. */
export const MATCH_RANK: Readonly<Record<MatchKind, number>> = {
  exact: 0,
  schema_identifier: 1,
  custom_sql: 2,
  custom_sql_parsed: 3,
};

function unmatched(
  label: string,
  reason: UnmatchedReason,
  detail: string,
  candidates?: string[],
): TableOutcome {
  const entry: UnmatchedTable =
    candidates === undefined
      ? { table: label, reason, detail }
      : { table: label, reason, detail, candidates };
  return { kind: 'unmatched', label, entry };
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, DETAIL_CANDIDATES).join(', ');
  return values.length > DETAIL_CANDIDATES
    ? `${shown} and ${values.length - DETAIL_CANDIDATES} more`
    : shown;
}

function sortedIds(nodes: readonly DbtNode[]): string[] {
  return nodes.map((n) => n.uniqueId).sort(compareStrings);
}

function sortedRelations(nodes: readonly DbtNode[]): string[] {
  return [...new Set(nodes.map(displayRelation))].sort(compareStrings);
}

/** How an exposure names a node: `source(...)` for sources, `ref(...)` for the rest. */
function referenceOf(node: DbtNode): DbtReference {
  if (node.resourceType === 'source') {
    return {
      kind: 'source',
      package: node.packageName,
      source: node.sourceName ?? node.packageName,
      name: node.name,
    };
  }
  // A versioned model pins the version Tableau reads: unpinned, the ref would follow latest.
  const version = node.resourceType === 'model' ? node.version : null;
  return { kind: 'ref', package: node.packageName, name: node.name, version };
}

function aliasMap(aliases: NameAliases | undefined): Map<string, string> {
  return new Map(
    Object.entries(aliases ?? {}).map(([from, to]) => [normalizeIdentifier(from), to]),
  );
}

/** One way a table was spelled, with its outcome: every field the rules read. */
interface Spelling {
  kind: TableKind;
  fullName: string | null;
  name: string;
  schema: string | null;
  databaseName: string | null;
  connectionType: string | null;
  outcome: TableOutcome;
}

/** A Tableau-side name mapped by `aliases` (keys compared case-insensitively), else itself. */
function aliased(aliases: ReadonlyMap<string, string>, name: string): string {
  return aliases.size === 0 ? name : (aliases.get(normalizeIdentifier(name)) ?? name);
}

/** Applies the rules against one manifest's index, once per distinct spelling. */
export class Matcher {
  readonly #index: RelationIndex;
  readonly #parseCustomSql: boolean;
  readonly #databaseAliases: Map<string, string>;
  readonly #schemaAliases: Map<string, string>;
  /**
   * Outcomes by Tableau's name for the table (`fullName`, else `name`). A name almost always
   * stands for one table, but the same name can come with another database, schema or
   * connection type (`[MARTS].[ORDERS]` in two databases), so each spelling keeps the fields its
   * outcome was decided from.
   */
  readonly #bySpelling = new Map<string, Spelling[]>();
  readonly #byPublishedLuid = new Map<string, TableOutcome[]>();
  readonly #byQuery = new Map<string, TableOutcome[]>();
  /** `isWarehouseConnection` by connection type (a site has a handful). */
  readonly #warehouse = new Map<string | null, boolean>();
  /** Distinct custom SQL queries Tableau listed no tables for, and how many were parsed here. */
  readonly customSqlStats = { queries: 0, parsed: 0 };

  constructor(index: RelationIndex, options: MatchOptions & { parseCustomSql: boolean }) {
    this.#index = index;
    this.#parseCustomSql = options.parseCustomSql;
    this.#databaseAliases = aliasMap(options.databaseAliases);
    this.#schemaAliases = aliasMap(options.schemaAliases);
  }

  /** Outcomes of a published data source, decided once per luid. */
  published(luid: string, source: SourceTables): readonly TableOutcome[] {
    let outcomes = this.#byPublishedLuid.get(luid);
    if (outcomes === undefined) {
      outcomes = [];
      for (const table of source.tables) outcomes.push(this.table(table));
      for (const sql of source.customSql) outcomes.push(...this.customSql(sql));
      this.#byPublishedLuid.set(luid, outcomes);
    }
    return outcomes;
  }

  /**
   * § 1 custom SQL: the tables Tableau's own parser listed (`custom_sql`; a table's missing
   * database and connection type are the query's), else the query parsed here.
   */
  customSql(sql: TableauCustomSql): readonly TableOutcome[] {
    if (sql.tables.length > 0) return sql.tables.map((t) => this.table(t, 'custom_sql', sql));
    const key = JSON.stringify([sql.name, sql.connectionType, sql.databaseName, sql.query]);
    let outcomes = this.#byQuery.get(key);
    if (outcomes === undefined) {
      outcomes = this.#parsedQuery(sql);
      this.#byQuery.set(key, outcomes);
    }
    return outcomes;
  }

  /** One Tableau table, decided once per spelling. */
  table(table: TableauTable, kind: TableKind = 'exact', query?: TableauCustomSql): TableOutcome {
    const { fullName, name, schema } = table;
    const databaseName = table.databaseName ?? query?.databaseName ?? null;
    const connectionType = table.connectionType ?? query?.connectionType ?? null;
    const key = fullName || name;
    const spellings = this.#bySpelling.get(key);
    if (spellings !== undefined) {
      for (const s of spellings) {
        if (
          s.kind === kind &&
          s.fullName === fullName &&
          s.name === name &&
          s.schema === schema &&
          s.databaseName === databaseName &&
          s.connectionType === connectionType
        ) {
          return s.outcome;
        }
      }
    }
    const outcome = this.#decideTable(table, kind, databaseName, connectionType);
    const spelling = { kind, fullName, name, schema, databaseName, connectionType, outcome };
    if (spellings === undefined) this.#bySpelling.set(key, [spelling]);
    else spellings.push(spelling);
    return outcome;
  }

  /** § 2: a warehouse table with a readable name, then § 3 on its relation. */
  #decideTable(
    table: TableauTable,
    kind: TableKind,
    databaseName: string | null,
    connectionType: string | null,
  ): TableOutcome {
    const label = tableauTableLabel(table);
    // Tableau's OBFUSCATE_RESULTS: a table the token may not see has its name and fullName nulled.
    if (table.name === '' && table.fullName === null) {
      return unmatched(
        label,
        'hidden_by_permissions',
        "Tableau hid this table from the token: its name came back null (the token's user lacks View on it in Tableau Catalog)",
      );
    }
    let warehouse = this.#warehouse.get(connectionType);
    if (warehouse === undefined) {
      warehouse = isWarehouseConnection(connectionType);
      this.#warehouse.set(connectionType, warehouse);
    }
    if (!warehouse) {
      return unmatched(
        label,
        'not_a_warehouse',
        `${connectionType} connection: a file, extract or web data connector, not a warehouse table dbt builds`,
      );
    }
    const relation = resolveTableauName(table, databaseName);
    if (relation === null) {
      return unmatched(
        label,
        'no_relation',
        `Tableau's name ${JSON.stringify(label)} is not a table name`,
      );
    }
    return this.#matchRelation(label, relation, kind === 'custom_sql' ? 'custom_sql' : null);
  }

  /**
   * § 6: a query Tableau listed no tables for. Counted over warehouse connections; parsed only
   * with `parseCustomSql`; each table read is matched as `custom_sql_parsed`, its missing
   * database taken from the connection.
   */
  #parsedQuery(sql: TableauCustomSql): TableOutcome[] {
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
    if (!this.#parseCustomSql) {
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
    return parsed.tables.map((relation) => {
      const database =
        relation.database ?? (relation.schema === null ? null : sql.databaseName?.trim() || null);
      return this.#matchRelation(
        shownRelation(relation),
        { ...relation, database },
        'custom_sql_parsed',
      );
    });
  }

  /**
   * § 3, in order: aliases; no schema is never matched on the name alone; the exact
   * `database.schema.identifier`; without a database, a unique `schema.identifier`; a dbt node
   * without a database; else a database mismatch naming what dbt builds. Several nodes go to the
   * case rule (`#several`); a private model is never a dependency. `viaSql` replaces the match
   * kind of tables found through custom SQL.
   */
  #matchRelation(
    label: string,
    tableauRelation: RelationParts,
    viaSql: MatchKind | null,
  ): TableOutcome {
    const { identifier } = tableauRelation;
    const database =
      tableauRelation.database === null
        ? null
        : aliased(this.#databaseAliases, tableauRelation.database);
    const schema =
      tableauRelation.schema === null ? null : aliased(this.#schemaAliases, tableauRelation.schema);
    const shown = () => shownRelation({ database, schema, identifier });
    if (schema === null) {
      const named = this.#index.withIdentifier(normalizeIdentifier(identifier));
      if (named.length === 0) {
        return unmatched(
          label,
          'no_relation',
          `Tableau gives no schema for ${shown()} and no dbt relation has that name`,
        );
      }
      const candidates = sortedRelations(named.map((c) => c.node));
      return unmatched(
        label,
        'no_relation',
        `Tableau gives no schema for ${shown()}; not matched on the name alone (dbt has ${listed(candidates)})`,
        candidates,
      );
    }
    // The nodes on `schema.identifier` (any database), and those of them in Tableau's database.
    const wantedSchema = normalizeIdentifier(schema);
    const wantedDatabase = database === null ? null : normalizeIdentifier(database);
    const onSchema: RelationCandidate[] = [];
    const exact: RelationCandidate[] = [];
    for (const candidate of this.#index.withIdentifier(normalizeIdentifier(identifier))) {
      if (candidate.schema !== wantedSchema) continue;
      onSchema.push(candidate);
      if (candidate.database === wantedDatabase) exact.push(candidate);
    }
    if (exact.length === 1) return this.#accept(label, exact[0]!, viaSql ?? 'exact');
    if (exact.length > 1) {
      const relation = { database, schema, identifier };
      return this.#several(label, relation, exact, viaSql ?? 'exact', 'several dbt nodes build');
    }
    if (onSchema.length === 0) {
      return unmatched(
        label,
        'no_relation',
        `no dbt model, seed, snapshot or source builds ${shown()}`,
      );
    }
    if (database === null) {
      return onSchema.length === 1
        ? this.#accept(label, onSchema[0]!, viaSql ?? 'schema_identifier')
        : this.#several(
            label,
            { database, schema, identifier },
            onSchema,
            viaSql ?? 'schema_identifier',
            'Tableau gives no database and several dbt nodes match',
          );
    }
    if (onSchema.length === 1 && !onSchema[0]!.node.database) {
      return this.#accept(label, onSchema[0]!, viaSql ?? 'schema_identifier');
    }
    const nodes = onSchema.map((c) => c.node);
    const candidates = sortedRelations(nodes);
    const dbtDatabase = nodes.find((n) => n.database)?.database ?? '';
    return unmatched(
      label,
      'database_mismatch',
      `Tableau reads ${shown()} but dbt builds ${listed(candidates)}; if they are the same table, add databaseAliases: { "${tableauRelation.database ?? ''}": "${dbtDatabase}" }`,
      candidates,
    );
  }

  /** A private model cannot be an exposure's dependency: dbt raises DbtReferenceError. */
  #accept(label: string, candidate: RelationCandidate, match: MatchKind): TableOutcome {
    const { node } = candidate;
    if (node.resourceType === 'model' && node.access === 'private') {
      return unmatched(
        label,
        'private_model',
        `${node.uniqueId} is a private model; exposures cannot ref it (dbt raises DbtReferenceError): make it protected or public`,
        [node.uniqueId],
      );
    }
    // One reference per node, shared by every dependency on it.
    candidate.ref ??= referenceOf(node);
    return { kind: 'matched', label, node, match, ref: candidate.ref };
  }

  /**
   * Several nodes on the relation (compared case-insensitively). When their spellings differ by
   * case (quoted identifiers, Postgres or Snowflake: `orders` and `"Orders"` are two tables), the
   * one spelled with Tableau's case matches; only the parts the nodes spell differently are
   * compared, so Snowflake's `ANALYTICS` still reads dbt's `analytics`. Otherwise ambiguous.
   */
  #several(
    label: string,
    relation: RelationParts,
    candidates: readonly RelationCandidate[],
    match: MatchKind,
    why: string,
  ): TableOutcome {
    const nodes = candidates.map((c) => c.node);
    const spelling = (n: DbtNode) =>
      JSON.stringify([exactPart(n.database ?? ''), exactPart(n.schema), exactPart(n.identifier)]);
    if (new Set(nodes.map(spelling)).size < 2) return this.#ambiguous(label, relation, nodes, why);
    let sameCase = [...candidates];
    for (const part of ['database', 'schema', 'identifier'] as const) {
      const wanted = relation[part];
      if (wanted === null) continue;
      const spell = (c: RelationCandidate) => exactPart(c.node[part] ?? '');
      if (new Set(sameCase.map(spell)).size < 2) continue;
      sameCase = sameCase.filter((c) => spell(c) === exactPart(wanted));
    }
    if (sameCase.length === 1) return this.#accept(label, sameCase[0]!, match);
    return sameCase.length === 0
      ? this.#ambiguous(
          label,
          relation,
          nodes,
          'dbt builds relations that differ only by case (quoted identifiers), none spelled exactly as',
        )
      : this.#ambiguous(
          label,
          relation,
          sameCase.map((c) => c.node),
          why,
        );
  }

  #ambiguous(
    label: string,
    relation: RelationParts,
    nodes: readonly DbtNode[],
    why: string,
  ): TableOutcome {
    const candidates = sortedIds(nodes);
    return unmatched(
      label,
      'ambiguous',
      `${why} ${shownRelation(relation)}: ${listed(candidates)}; not guessing`,
      candidates,
    );
  }
}
