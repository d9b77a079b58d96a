/** One workbook's tables matched onto dbt nodes: its dependencies, misses and refresh targets. */
import type { TableauWorkbook } from '../tableau/types.js';
import { compareStrings } from '../util/compare.js';
import type { SourceAnalyzer } from './analyze.js';
import { sortInPlace } from './compare.js';
import { MATCH_RANK, type TableOutcome, type UnmatchedSlot } from './outcome.js';
import type { LineageDependency, LineageRefreshTarget, UnmatchedTable } from './types.js';

/** Oldest refresh time among extracts (null when one was never refreshed): refresh decisions err towards refreshing. */
function oldestRefresh(times: ReadonlyArray<string | null>): string | null {
  let oldest: string | null = null;
  for (const time of times) {
    if (time === null) return null;
    if (oldest === null || Date.parse(time) < Date.parse(oldest)) oldest = time;
  }
  return oldest;
}

/** What one workbook reaches: dbt nodes, unmatched tables, refresh targets, counts. */
export interface WorkbookAnalysis {
  workbook: TableauWorkbook;
  /** One entry per dbt node reached, in the order first met; `tables` in the order met. */
  dependencies: LineageDependency[];
  unmatched: UnmatchedTable[];
  refreshTargets: LineageRefreshTarget[];
  tableCount: number;
  matchedCount: number;
}

/**
 * One workbook's outcomes, accumulated as they come. Distinct labels, nodes and unmatched entries
 * are told apart by stamping the analyzer's slots with this workbook's stamp, not by filling
 * per-workbook maps: a slot whose stamp differs has not been met in this workbook yet.
 */
class OutcomeAccumulator {
  readonly dependencies: LineageDependency[] = [];
  readonly #stamp: number;
  readonly #unmatched: UnmatchedSlot[] = [];
  tableCount = 0;
  matchedCount = 0;

  constructor(stamp: number) {
    this.#stamp = stamp;
  }

  /** Add a data source's outcomes; true when at least one matched. */
  addAll(outcomes: readonly TableOutcome[]): boolean {
    let any = false;
    for (const outcome of outcomes) any = this.add(outcome) || any;
    return any;
  }

  add(outcome: TableOutcome): boolean {
    const stamp = this.#stamp;
    const labelSlot = outcome.labelSlot;
    if (labelSlot.stamp !== stamp) {
      labelSlot.stamp = stamp;
      labelSlot.matched = false;
      this.tableCount += 1;
    }
    const nodeSlot = outcome.nodeSlot;
    const result = outcome.result;
    if (nodeSlot === null || result.kind !== 'matched') {
      const unmatchedSlot = outcome.unmatchedSlot!;
      if (unmatchedSlot.stamp !== stamp) {
        unmatchedSlot.stamp = stamp;
        this.#unmatched.push(unmatchedSlot);
      }
      return false;
    }
    if (!labelSlot.matched) {
      labelSlot.matched = true;
      this.matchedCount += 1;
    }
    if (nodeSlot.stamp !== stamp) {
      nodeSlot.stamp = stamp;
      const dependency: LineageDependency = {
        uniqueId: nodeSlot.node.uniqueId,
        ref: nodeSlot.ref,
        tables: [outcome.label],
        match: result.match,
      };
      nodeSlot.dependency = dependency;
      this.dependencies.push(dependency);
    } else {
      const existing = nodeSlot.dependency!;
      if (!existing.tables.includes(outcome.label)) existing.tables.push(outcome.label);
      if (MATCH_RANK[result.match] < MATCH_RANK[existing.match]) existing.match = result.match;
    }
    return true;
  }

  /** Unmatched entries of labels that never matched elsewhere in the workbook, sorted. */
  unmatched(): UnmatchedTable[] {
    const out: UnmatchedTable[] = [];
    for (const u of this.#unmatched) {
      if (u.labelSlot.matched) continue;
      out.push({
        table: u.labelSlot.label,
        reason: u.reason,
        detail: u.detail,
        ...(u.candidates === undefined ? {} : { candidates: u.candidates }),
      });
    }
    return sortInPlace(
      out,
      (a, b) =>
        compareStrings(a.table, b.table) ||
        compareStrings(a.reason, b.reason) ||
        compareStrings(a.detail, b.detail),
    );
  }
}

/** Match every table of a workbook (embedded, published, custom SQL) and gather the outcome. */
export function analyzeWorkbook(
  workbook: TableauWorkbook,
  analyzer: SourceAnalyzer,
): WorkbookAnalysis {
  const acc = new OutcomeAccumulator(analyzer.nextStamp());
  let directMatch = false;
  for (const embedded of workbook.embeddedDatasources) {
    for (const table of embedded.tables) {
      if (acc.add(analyzer.table(table, 'exact'))) directMatch = true;
    }
    for (const sql of embedded.customSql) {
      if (acc.addAll(analyzer.customSql(sql))) directMatch = true;
    }
  }
  const refreshTargets: LineageRefreshTarget[] = [];
  if (directMatch) {
    const withExtracts = workbook.embeddedDatasources.filter((d) => d.hasExtracts);
    refreshTargets.push({
      kind: 'workbook',
      luid: workbook.luid,
      name: workbook.name,
      hasExtracts: withExtracts.length > 0,
      lastRefreshAt: oldestRefresh(withExtracts.map((d) => d.extractLastRefreshTime)),
    });
  }
  for (const published of workbook.publishedDatasources) {
    if (acc.addAll(analyzer.published(published.luid, published))) {
      refreshTargets.push({
        kind: 'datasource',
        luid: published.luid,
        name: published.name,
        hasExtracts: published.hasExtracts,
        lastRefreshAt: published.hasExtracts ? published.extractLastRefreshTime : null,
      });
    }
  }
  // The order of `refreshTargetKey` (`kind:luid`; neither kind is a prefix of the other).
  sortInPlace(
    refreshTargets,
    (a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.luid, b.luid),
  );
  return {
    workbook,
    dependencies: acc.dependencies,
    unmatched: acc.unmatched(),
    refreshTargets,
    tableCount: acc.tableCount,
    matchedCount: acc.matchedCount,
  };
}
