/**
 * The zod schema of the lineage JSON file (version 1), and its canonical form: stable key order
 * and sorted arrays, so the file diffs cleanly in version control and two syncs over the same
 * inputs write identical bytes.
 *
 * Objects are loose: a field added later to the lineage types (always optional within a version)
 * survives a read/write round trip instead of being silently dropped.
 */
import { z } from 'zod';
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';

const matchKind = z.enum(['exact', 'schema_identifier', 'custom_sql_parsed', 'custom_sql']);
const unmatchedReason = z.enum([
  'no_relation',
  'database_mismatch',
  'ambiguous',
  'not_a_warehouse',
  'unsupported_custom_sql',
]);
const nullableString = z.string().nullable();

const unmatchedTable = z.looseObject({
  table: z.string(),
  reason: unmatchedReason,
  detail: z.string(),
  candidates: z.array(z.string()).optional(),
});

const exposure = z.looseObject({
  name: z.string().min(1),
  uniqueId: z.string().min(1),
  label: z.string(),
  type: z.enum(['dashboard', 'notebook', 'analysis', 'ml', 'application']),
  maturity: z.enum(['high', 'medium', 'low']),
  url: nullableString,
  owner: z.looseObject({ name: z.string(), email: z.string().optional() }),
  description: z.string(),
  tags: z.array(z.string()),
  meta: z.looseObject({
    tableau: z.looseObject({
      workbookLuid: z.string(),
      projectName: nullableString,
      updatedAt: nullableString,
    }),
  }),
  dependsOn: z.array(
    z.looseObject({
      uniqueId: z.string().min(1),
      ref: z.string().min(1),
      tables: z.array(z.string()),
      match: matchKind,
    }),
  ),
  refreshTargets: z.array(
    z.looseObject({
      kind: z.enum(['workbook', 'datasource']),
      luid: z.string(),
      name: z.string(),
      hasExtracts: z.boolean(),
      lastRefreshAt: nullableString,
    }),
  ),
  unmatchedTables: z.array(unmatchedTable),
});

/** The lineage file schema, version 1. */
export const lineageSchemaV1 = z.looseObject({
  version: z.literal(1),
  generatedAt: z.string().optional(),
  source: z.looseObject({
    kind: z.enum(['tableau', 'snapshot']),
    serverUrl: nullableString,
    siteName: nullableString,
  }),
  dbt: z.looseObject({
    projectName: nullableString,
    adapterType: nullableString,
    manifestSchemaVersion: z.number().int().positive(),
    dbtVersion: z.string(),
  }),
  exposures: z.array(exposure),
  ambiguous: z.array(
    z.looseObject({
      workbookLuid: z.string(),
      workbookName: z.string(),
      table: z.string(),
      candidates: z.array(z.string()),
    }),
  ),
  skippedWorkbooks: z.array(
    z.looseObject({
      workbookLuid: z.string(),
      workbookName: z.string(),
      reason: z.enum(['no_matched_tables', 'excluded']),
      unmatchedTables: z.array(unmatchedTable),
    }),
  ),
  stats: z.looseObject({
    workbooks: z.number().int().nonnegative(),
    tables: z.number().int().nonnegative(),
    matched: z.number().int().nonnegative(),
    unmatched: z.number().int().nonnegative(),
  }),
});

/**
 * Key order in the written file: the documented order (DESIGN.md), then any other key
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
];
const RANK = new Map(KEY_ORDER.map((key, i) => [key, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rb = RANK.get(b) ?? Number.MAX_SAFE_INTEGER;
  return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with object keys in canonical order (arrays keep their order). */
export function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) out[key] = orderKeys(child);
  }
  return out;
}

/** Code-unit order: deterministic and locale-independent. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
