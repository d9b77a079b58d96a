/**
 * Matching one resolved Tableau relation onto dbt nodes through the shared `RelationIndex`.
 *
 * Never guesses: a relation either resolves to exactly one dbt node, or it is reported with a
 * reason code, a sentence saying what to do, and the candidates that came close.
 */
import {
  displayRelation,
  normalizeIdentifier,
  normalizePartsFast,
  type RelationIndex,
  sameCaseNodes,
  spelledInSeveralCases,
} from '../artifacts/relation.js';
import type { DbtNode } from '../artifacts/types.js';
import type { TableauRelation } from './tableau-relation.js';
import type { MatchKind, UnmatchedReason } from './types.js';

/** Tableau-side name → dbt-side name; keys compare case-insensitively. */
export type NameAliases = Readonly<Record<string, string>>;

export interface MatchOptions {
  /** Map Tableau database names onto dbt ones (`{ PROD_ANALYTICS: 'analytics' }`). */
  databaseAliases?: NameAliases;
  /** Map Tableau schema names onto dbt ones (`{ REPORTING: 'marts' }`). */
  schemaAliases?: NameAliases;
}

export type RelationMatch =
  | { kind: 'matched'; node: DbtNode; match: MatchKind }
  | {
      kind: 'unmatched';
      reason: UnmatchedReason;
      detail: string;
      /** Sorted unique ids (ambiguous) or relations (database mismatch, no schema). */
      candidates?: string[];
    };

/** At most this many candidates are listed in a detail sentence (all are in `candidates`). */
const DETAIL_CANDIDATES = 5;

function aliasMap(aliases: NameAliases | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (aliases === undefined) return map;
  for (const [from, to] of Object.entries(aliases)) map.set(normalizeIdentifier(from), to);
  return map;
}

function listed(values: string[]): string {
  const shown = values.slice(0, DETAIL_CANDIDATES).join(', ');
  return values.length > DETAIL_CANDIDATES
    ? `${shown} and ${values.length - DETAIL_CANDIDATES} more`
    : shown;
}

/** A relation as reports show it: its known parts, dotted. */
function shownRelation(relation: TableauRelation): string {
  return [relation.database, relation.schema, relation.identifier]
    .filter((p) => p !== null)
    .join('.');
}

function sortedIds(nodes: readonly DbtNode[]): string[] {
  return nodes.map((n) => n.uniqueId).sort();
}

function sortedRelations(nodes: readonly DbtNode[]): string[] {
  return [...new Set(nodes.map((n) => displayRelation(n)))].sort();
}

/**
 * Matches relations against one manifest's index. Build once per manifest and reuse: aliases are
 * normalised once, and lookups allocate nothing beyond the result.
 */
export class RelationMatcher {
  readonly #index: RelationIndex;
  readonly #databaseAliases: Map<string, string>;
  readonly #schemaAliases: Map<string, string>;

  constructor(index: RelationIndex, options: MatchOptions = {}) {
    this.#index = index;
    this.#databaseAliases = aliasMap(options.databaseAliases);
    this.#schemaAliases = aliasMap(options.schemaAliases);
  }

  /**
   * The fast path for the commonest reference, a complete `database.schema.identifier` name
   * (`[DB].[SCHEMA].[T]`, `DB.SCHEMA.T`) that builds exactly one node: the node, found with one
   * lower-casing of the whole name instead of resolving and normalising part by part. Returns
   * `undefined` whenever `match` could decide anything else (aliases configured, another shape,
   * no or several nodes, a private model), so the caller falls back to it: same answers, less work.
   */
  matchExactName(fullName: string): DbtNode | undefined {
    if (this.#databaseAliases.size > 0 || this.#schemaAliases.size > 0) return undefined;
    const index = this.#index;
    const parts = normalizePartsFast(fullName, { caseSensitive: index.caseSensitive });
    if (parts === null || parts.length !== 3) return undefined;
    const database = parts[0]!;
    const schema = parts[1]!;
    const identifier = parts[2]!;
    const list = index.candidates(schema, identifier);
    let found: DbtNode | undefined;
    for (let i = 0; i < list.length; i += 1) {
      const c = list[i]!;
      if (c.database !== database) continue;
      if (found !== undefined) return undefined;
      found = c.node;
    }
    if (found !== undefined && found.resourceType === 'model' && found.access === 'private') {
      return undefined;
    }
    return found;
  }

  /** Apply `databaseAliases` / `schemaAliases` to a Tableau-side relation. */
  applyAliases(relation: TableauRelation): TableauRelation {
    const database =
      relation.database === null
        ? null
        : (this.#databaseAliases.get(normalizeIdentifier(relation.database)) ?? relation.database);
    const schema =
      relation.schema === null
        ? null
        : (this.#schemaAliases.get(normalizeIdentifier(relation.schema)) ?? relation.schema);
    return { database, schema, identifier: relation.identifier };
  }

  /**
   * Match a relation (aliases applied here):
   * - database known: exact `database.schema.identifier`; several nodes on one relation →
   *   `ambiguous`; none, but the same schema.identifier in another database → `database_mismatch`
   *   naming it (or a match when that node has no database at all);
   * - database unknown: schema.identifier when unique (`schema_identifier`), else `ambiguous`;
   * - schema unknown: never matched on the identifier alone (`no_relation`, candidates listed);
   * - several nodes whose relations differ only by case (quoted identifiers): the one spelled
   *   with Tableau's case, else `ambiguous` naming them all.
   * Private models are reported as `private_model`: exposures cannot ref them.
   */
  match(tableauRelation: TableauRelation): RelationMatch {
    const relation =
      this.#databaseAliases.size === 0 && this.#schemaAliases.size === 0
        ? tableauRelation
        : this.applyAliases(tableauRelation);
    if (relation.schema === null) {
      const shown = shownRelation(relation);
      const candidates = this.#index.getByIdentifier(relation.identifier);
      return {
        kind: 'unmatched',
        reason: 'no_relation',
        detail:
          candidates.length === 0
            ? `Tableau gives no schema for ${shown} and no dbt relation has that name`
            : `Tableau gives no schema for ${shown}; not matched on the name alone (dbt has ${listed(sortedRelations(candidates))})`,
        ...(candidates.length === 0 ? {} : { candidates: sortedRelations(candidates) }),
      };
    }
    // Each part is normalised once; one lookup gives every node on schema.identifier, whatever
    // its database, so the exact, database-less and mismatch cases need no second lookup.
    const index = this.#index;
    const list = index.candidates(
      index.normalize(relation.schema),
      index.normalize(relation.identifier),
    );
    if (relation.database !== null) {
      const database = relation.database ? index.normalize(relation.database) : '';
      let exact: DbtNode | null = null;
      let count = 0;
      for (let i = 0; i < list.length; i += 1) {
        const c = list[i]!;
        if (c.database === database) {
          exact = c.node;
          count += 1;
        }
      }
      if (count === 1) return this.#accept(exact!, 'exact');
      if (count > 1) {
        const nodes = list.filter((c) => c.database === database).map((c) => c.node);
        return this.#several(relation, nodes, 'exact', 'several dbt nodes build');
      }
    }
    const shown = shownRelation(relation);
    if (list.length === 0) {
      return {
        kind: 'unmatched',
        reason: 'no_relation',
        detail: `no dbt model, seed, snapshot or source builds ${shown}`,
      };
    }
    const nodes = list.map((c) => c.node);
    if (relation.database === null) {
      return nodes.length === 1
        ? this.#accept(nodes[0]!, 'schema_identifier')
        : this.#several(
            relation,
            nodes,
            'schema_identifier',
            'Tableau gives no database and several dbt nodes match',
          );
    }
    const withoutDatabase = nodes.filter((n) => n.database === null || n.database === '');
    if (withoutDatabase.length === 1 && nodes.length === 1) {
      return this.#accept(withoutDatabase[0]!, 'schema_identifier');
    }
    const candidates = sortedRelations(nodes);
    const first = nodes.find((n) => n.database)?.database ?? '';
    return {
      kind: 'unmatched',
      reason: 'database_mismatch',
      detail: `Tableau reads ${shown} but dbt builds ${listed(candidates)}; if they are the same table, add databaseAliases: { "${tableauRelation.database ?? ''}": "${first}" }`,
      candidates,
    };
  }

  #accept(node: DbtNode, match: MatchKind): RelationMatch {
    if (node.resourceType === 'model' && node.access === 'private') {
      return {
        kind: 'unmatched',
        reason: 'private_model',
        detail: `${node.uniqueId} is a private model; exposures cannot ref it (dbt raises DbtReferenceError): make it protected or public`,
        candidates: [node.uniqueId],
      };
    }
    return { kind: 'matched', node, match };
  }

  /**
   * Several nodes on the relation (compared case-insensitively): the one spelled with Tableau's
   * case when their spellings differ by case (quoted identifiers), else ambiguous. The fast path
   * (`matchExactName`) leaves every several-node case to this rule.
   */
  #several(
    relation: TableauRelation,
    nodes: readonly DbtNode[],
    match: MatchKind,
    why: string,
  ): RelationMatch {
    const shown = shownRelation(relation);
    if (!spelledInSeveralCases(nodes)) return this.#ambiguous(shown, nodes, why);
    const sameCase = sameCaseNodes(nodes, relation);
    if (sameCase.length === 1) return this.#accept(sameCase[0]!, match);
    return this.#ambiguous(
      shown,
      sameCase.length === 0 ? nodes : sameCase,
      sameCase.length === 0
        ? 'dbt builds relations that differ only by case (quoted identifiers), none spelled exactly as'
        : why,
    );
  }

  #ambiguous(shown: string, nodes: readonly DbtNode[], why: string): RelationMatch {
    const candidates = sortedIds(nodes);
    return {
      kind: 'unmatched',
      reason: 'ambiguous',
      detail: `${why} ${shown}: ${listed(candidates)}; not guessing`,
      candidates,
    };
  }
}
