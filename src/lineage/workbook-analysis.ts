/** One workbook's tables matched onto dbt nodes: its dependencies, misses and refresh targets. */
import { refreshTargetKey, type TableauWorkbook } from '../tableau/types.js';
import {
  type DependencyAccumulator,
  MATCH_RANK,
  type SourceAnalyzer,
  type TableOutcome,
} from './analyze.js';
import { compare } from './compare.js';
import type { LineageRefreshTarget, UnmatchedTable } from './types.js';

/** Oldest refresh time among extracts (null when one was never refreshed): refresh decisions err towards refreshing. */
function oldestRefresh(times: ReadonlyArray<string | null>): string | null {
  let oldest: string | null = null;
  for (const time of times) {
    if (time === null) return null;
    if (oldest === null || Date.parse(time) < Date.parse(oldest)) oldest = time;
  }
  return oldest;
}

/** What one workbook reaches: dbt nodes by unique id, unmatched tables, refresh targets, counts. */
export interface WorkbookAnalysis {
  workbook: TableauWorkbook;
  dependencies: Map<string, DependencyAccumulator>;
  unmatched: UnmatchedTable[];
  refreshTargets: LineageRefreshTarget[];
  tableCount: number;
  matchedCount: number;
}

/**
 * One workbook's outcomes, accumulated as they come (no concatenated outcome list): distinct
 * labels and whether each matched, dependencies by unique id, and unmatched entries.
 */
class OutcomeAccumulator {
  readonly dependencies = new Map<string, DependencyAccumulator>();
  /** Every distinct label; true once one of its outcomes matched. */
  readonly #labels = new Map<string, boolean>();
  readonly #unmatched = new Map<string, UnmatchedTable>();
  #matchedCount = 0;

  /** Add a data source's outcomes; true when at least one matched. */
  addAll(outcomes: readonly TableOutcome[]): boolean {
    let any = false;
    for (const outcome of outcomes) any = this.add(outcome) || any;
    return any;
  }

  add({ label, result }: TableOutcome): boolean {
    const seen = this.#labels.get(label);
    if (result.kind !== 'matched') {
      if (seen === undefined) this.#labels.set(label, false);
      const key = `${label}\u001f${result.reason}\u001f${result.detail}`;
      if (!this.#unmatched.has(key)) {
        this.#unmatched.set(key, {
          table: label,
          reason: result.reason,
          detail: result.detail,
          ...(result.candidates === undefined ? {} : { candidates: result.candidates }),
        });
      }
      return false;
    }
    if (seen !== true) {
      this.#labels.set(label, true);
      this.#matchedCount += 1;
    }
    const existing = this.dependencies.get(result.node.uniqueId);
    if (existing === undefined) {
      this.dependencies.set(result.node.uniqueId, {
        node: result.node,
        tables: [label],
        match: result.match,
      });
    } else {
      if (!existing.tables.includes(label)) existing.tables.push(label);
      if (MATCH_RANK[result.match] < MATCH_RANK[existing.match]) existing.match = result.match;
    }
    return true;
  }

  get tableCount(): number {
    return this.#labels.size;
  }

  get matchedCount(): number {
    return this.#matchedCount;
  }

  /** Unmatched entries of labels that never matched elsewhere, sorted. */
  unmatched(): UnmatchedTable[] {
    const out: UnmatchedTable[] = [];
    for (const u of this.#unmatched.values()) if (this.#labels.get(u.table) !== true) out.push(u);
    return out.sort(
      (a, b) =>
        compare(a.table, b.table) || compare(a.reason, b.reason) || compare(a.detail, b.detail),
    );
  }
}

/** Match every table of a workbook (embedded, published, custom SQL) and gather the outcome. */
export function analyzeWorkbook(
  workbook: TableauWorkbook,
  analyzer: SourceAnalyzer,
): WorkbookAnalysis {
  const acc = new OutcomeAccumulator();
  let directMatch = false;
  for (const embedded of workbook.embeddedDatasources) {
    if (acc.addAll(analyzer.source(embedded))) directMatch = true;
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
  if (refreshTargets.length > 1) {
    refreshTargets.sort((a, b) => compare(refreshTargetKey(a), refreshTargetKey(b)));
  }
  return {
    workbook,
    dependencies: acc.dependencies,
    unmatched: acc.unmatched(),
    refreshTargets,
    tableCount: acc.tableCount,
    matchedCount: acc.matchedCount,
  };
}
