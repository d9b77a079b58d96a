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

function anyMatched(outcomes: readonly TableOutcome[]): boolean {
  return outcomes.some((o) => o.result.kind === 'matched');
}

/** Match every table of a workbook (embedded, published, custom SQL) and gather the outcome. */
export function analyzeWorkbook(
  workbook: TableauWorkbook,
  analyzer: SourceAnalyzer,
): WorkbookAnalysis {
  const outcomes: TableOutcome[] = [];
  let directMatch = false;
  for (const embedded of workbook.embeddedDatasources) {
    const direct = analyzer.source(embedded);
    directMatch ||= anyMatched(direct);
    outcomes.push(...direct);
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
    const reached = analyzer.published(published.luid, published);
    if (anyMatched(reached)) {
      refreshTargets.push({
        kind: 'datasource',
        luid: published.luid,
        name: published.name,
        hasExtracts: published.hasExtracts,
        lastRefreshAt: published.hasExtracts ? published.extractLastRefreshTime : null,
      });
    }
    outcomes.push(...reached);
  }
  refreshTargets.sort((a, b) => compare(refreshTargetKey(a), refreshTargetKey(b)));

  const dependencies = new Map<string, DependencyAccumulator>();
  const unmatchedByKey = new Map<string, UnmatchedTable>();
  const tables = new Set<string>();
  const matchedTables = new Set<string>();
  for (const { label, result } of outcomes) {
    tables.add(label);
    if (result.kind === 'matched') {
      matchedTables.add(label);
      const existing = dependencies.get(result.node.uniqueId);
      if (existing === undefined) {
        dependencies.set(result.node.uniqueId, {
          node: result.node,
          tables: new Set([label]),
          match: result.match,
        });
      } else {
        existing.tables.add(label);
        if (MATCH_RANK[result.match] < MATCH_RANK[existing.match]) existing.match = result.match;
      }
      continue;
    }
    const key = `${label}\u001f${result.reason}\u001f${result.detail}`;
    if (!unmatchedByKey.has(key)) {
      unmatchedByKey.set(key, {
        table: label,
        reason: result.reason,
        detail: result.detail,
        ...(result.candidates === undefined ? {} : { candidates: result.candidates }),
      });
    }
  }
  const unmatched = [...unmatchedByKey.values()]
    .filter((u) => !matchedTables.has(u.table))
    .sort(
      (a, b) =>
        compare(a.table, b.table) || compare(a.reason, b.reason) || compare(a.detail, b.detail),
    );
  return {
    workbook,
    dependencies,
    unmatched,
    refreshTargets,
    tableCount: tables.size,
    matchedCount: matchedTables.size,
  };
}
