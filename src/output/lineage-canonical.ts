/**
 * The canonical form of the lineage JSON file: stable key order and sorted arrays, so the file
 * diffs cleanly in version control and two syncs over the same inputs write identical bytes.
 */

import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';

/**
 * Key order in the written file: the documented order (docs/outputs.md), then any other key
 * alphabetically. One global ranking works because field names do not clash across objects.
 */
const KEY_ORDER = [
  'version',
  'generatedAt',
  'source',
  'dbt',
  'exposures',
  'ambiguous',
  'skippedWorkbooks',
  'stats',
  'kind',
  'serverUrl',
  'siteName',
  'projectName',
  'adapterType',
  'manifestSchemaVersion',
  'dbtVersion',
  'name',
  'uniqueId',
  'label',
  'type',
  'maturity',
  'url',
  'owner',
  'email',
  'description',
  'tags',
  'meta',
  'tableau',
  'workbookLuid',
  'workbookName',
  'updatedAt',
  'dependsOn',
  'ref',
  'tables',
  'match',
  'refreshTargets',
  'luid',
  'hasExtracts',
  'lastRefreshAt',
  'unmatchedTables',
  'table',
  'reason',
  'detail',
  'candidates',
  'workbooks',
  'matched',
  'unmatched',
  'customSql',
  'queries',
  'parsed',
];
const RANK = new Map(KEY_ORDER.map((key, i) => [key, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rb = RANK.get(b) ?? Number.MAX_SAFE_INTEGER;
  return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A deep copy with object keys in canonical order (arrays keep their order). An own `__proto__`
 * key (JSON.parse makes one from `"__proto__": …`) is dropped, as zod drops it: assigning it would
 * set the copy's prototype instead, and JSON.stringify never wrote it anyway.
 */
export function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    if (key === '__proto__') continue;
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) out[key] = orderKeys(child);
  }
  return out;
}

function by<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareStrings(key(a), key(b));
}

const sortedStrings = (values: readonly string[]): string[] => [...values].sort(compareStrings);

function sortUnmatched<T extends { table: string; reason: string; candidates?: string[] }>(
  items: readonly T[],
): T[] {
  return items
    .map((u) =>
      u.candidates === undefined ? { ...u } : { ...u, candidates: sortedStrings(u.candidates) },
    )
    .sort(by((u) => `${u.table}\u0000${u.reason}`));
}

function sortExposure(e: LineageExposure): LineageExposure {
  return {
    ...e,
    tags: sortedStrings(e.tags),
    dependsOn: e.dependsOn
      .map((d) => ({ ...d, tables: sortedStrings(d.tables) }))
      .sort(by((d) => d.uniqueId)),
    refreshTargets: [...e.refreshTargets].sort(by((r) => `${r.kind}\u0000${r.luid}`)),
    unmatchedTables: sortUnmatched(e.unmatchedTables),
  };
}

/**
 * The canonical form of a lineage object: every array sorted by its natural key (exposures by
 * name, dependencies by unique id, tables and tags alphabetically, …) and object keys in a stable
 * order. Pure; the input is not modified.
 */
export function canonicalLineage(lineage: ExposureLineage): ExposureLineage {
  const sorted: ExposureLineage = {
    ...lineage,
    exposures: lineage.exposures.map(sortExposure).sort(by((e) => e.name)),
    ambiguous: lineage.ambiguous
      .map((a) => ({ ...a, candidates: sortedStrings(a.candidates) }))
      .sort(by((a) => `${a.workbookLuid}\u0000${a.table}`)),
    skippedWorkbooks: lineage.skippedWorkbooks
      .map((s) => ({ ...s, unmatchedTables: sortUnmatched(s.unmatchedTables) }))
      .sort(by((s) => s.workbookLuid)),
  };
  return orderKeys(sorted) as ExposureLineage;
}
