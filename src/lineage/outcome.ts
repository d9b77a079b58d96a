/**
 * What analysing a Tableau table produces, and the per-build slots outcomes point at: one slot
 * per distinct label, dbt node and unmatched entry, which a workbook stamps with its number to
 * count and de-duplicate its tables without maps of its own (see `workbook-analysis.ts`).
 */
import type { DbtNode } from '../artifacts/types.js';
import type { RelationMatch } from './match.js';
import type { LineageDependency, MatchKind, UnmatchedReason } from './types.js';

/** A distinct table label of the build; `stamp` marks the workbook that last met it. */
export interface LabelSlot {
  readonly label: string;
  stamp: number;
  /** Whether one of the label's outcomes matched in the workbook `stamp`. */
  matched: boolean;
  /** The memoised Tableau tables with this label (usually one), chained by `next`. */
  tables: MemoisedTable | null;
}

/** A dbt node reached in the build: its shared match results and the current workbook's entry. */
export interface NodeSlot {
  readonly node: DbtNode;
  stamp: number;
  /** `ref(...)` of the node, rendered once per build. */
  readonly ref: string;
  /** The dependency of the workbook `stamp` on this node (its `tables` in the order met). */
  dependency: LineageDependency | null;
  /** One shared `matched` result per match kind, indexed by `MATCH_RANK`. */
  readonly results: (RelationMatch | undefined)[];
}

/** A distinct unmatched entry (label, reason, detail) of the build. */
export interface UnmatchedSlot {
  readonly labelSlot: LabelSlot;
  readonly reason: UnmatchedReason;
  readonly detail: string;
  readonly candidates: string[] | undefined;
  stamp: number;
}

/** One Tableau table (or custom SQL query) and what became of it. */
export interface TableOutcome {
  /** The table as Tableau spelled it (or `custom SQL "<name>"`). */
  readonly label: string;
  readonly result: RelationMatch;
  readonly labelSlot: LabelSlot;
  /** Set when matched. */
  readonly nodeSlot: NodeSlot | null;
  /** Set when not matched. */
  readonly unmatchedSlot: UnmatchedSlot | null;
}

/**
 * A Tableau table's outcome memoised with every field it was computed from (compared by value);
 * `next` chains the other tables spelled with the same label.
 */
export interface MemoisedTable extends TableOutcome {
  readonly kind: 'exact' | 'custom_sql';
  readonly fullName: string | null;
  readonly name: string;
  readonly schema: string | null;
  readonly databaseName: string | null;
  readonly connectionType: string | null;
  next: MemoisedTable | null;
}

/** One `matched` result object per node and match kind, shared by every outcome reaching it. */
export function shareResult(slot: NodeSlot, result: RelationMatch): RelationMatch {
  if (result.kind !== 'matched') return result;
  const rank = MATCH_RANK[result.match];
  const shared = slot.results[rank];
  if (shared !== undefined) return shared;
  slot.results[rank] = result;
  return result;
}

/** Rank of match kinds when one node is reached several ways: the most direct wins. */
export const MATCH_RANK: Readonly<Record<MatchKind, number>> = {
  exact: 0,
  schema_identifier: 1,
  custom_sql: 2,
  custom_sql_parsed: 3,
};
