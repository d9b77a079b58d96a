/**
 * What changed between two lineages, for review (pull requests) and logs. Pure.
 */
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';
import { orderKeys } from './lineage-canonical.js';

/** The fields compared, in report order. `refreshTargets` ignore `lastRefreshAt` (it moves daily). */
export const DIFFED_FIELDS = [
  'uniqueId',
  'label',
  'type',
  'maturity',
  'url',
  'owner',
  'description',
  'tags',
  'meta',
  'dependsOn',
  'refreshTargets',
  'unmatchedTables',
] as const;

export type DiffedField = (typeof DIFFED_FIELDS)[number];

export interface ExposureChange {
  name: string;
  /** Fields that differ, in `DIFFED_FIELDS` order. */
  fields: DiffedField[];
  /** Dependencies (unique ids) gained and lost, sorted. */
  dependencies: { added: string[]; removed: string[] };
}

export interface LineageDiff {
  /** Exposure names, sorted. */
  added: string[];
  removed: string[];
  changed: ExposureChange[];
  unchanged: number;
}

function comparable(e: LineageExposure, field: DiffedField): string {
  const value: unknown =
    field === 'tags'
      ? [...e.tags].sort(compareStrings)
      : field === 'dependsOn'
        ? [...e.dependsOn]
            .map((d) => ({ ...d, tables: [...d.tables].sort(compareStrings) }))
            .sort((a, b) => compareStrings(a.uniqueId, b.uniqueId))
        : field === 'refreshTargets'
          ? e.refreshTargets
              .map(({ lastRefreshAt: _ignored, ...rest }) => rest)
              .sort((a, b) => compareStrings(`${a.kind}:${a.luid}`, `${b.kind}:${b.luid}`))
          : field === 'unmatchedTables'
            ? [...e.unmatchedTables].sort((a, b) => compareStrings(a.table, b.table))
            : e[field];
  return JSON.stringify(orderKeys(value)) ?? 'undefined';
}

/**
 * Compare two lineages by exposure name. `previous` null (first sync) reports every exposure as
 * added. All lists are sorted, so the result is deterministic.
 */
export function diffLineage(previous: ExposureLineage | null, next: ExposureLineage): LineageDiff {
  const before = new Map((previous?.exposures ?? []).map((e) => [e.name, e]));
  const after = new Map(next.exposures.map((e) => [e.name, e]));
  const diff: LineageDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  for (const [name, e] of after) {
    const old = before.get(name);
    if (old === undefined) {
      diff.added.push(name);
      continue;
    }
    const fields = DIFFED_FIELDS.filter((f) => comparable(old, f) !== comparable(e, f));
    if (fields.length === 0) {
      diff.unchanged += 1;
      continue;
    }
    const oldDeps = new Set(old.dependsOn.map((d) => d.uniqueId));
    const newDeps = new Set(e.dependsOn.map((d) => d.uniqueId));
    diff.changed.push({
      name,
      fields,
      dependencies: {
        added: [...newDeps].filter((d) => !oldDeps.has(d)).sort(compareStrings),
        removed: [...oldDeps].filter((d) => !newDeps.has(d)).sort(compareStrings),
      },
    });
  }
  diff.added.sort(compareStrings);
  diff.removed.sort(compareStrings);
  diff.changed.sort((a, b) => compareStrings(a.name, b.name));
  return diff;
}

/**
 * The diff as text for logs and review, one line per exposure:
 * `+ name` added, `- name` removed, `~ name: field, field (+dep, -dep)` changed, after a summary line.
 */
export function formatLineageDiff(diff: LineageDiff): string {
  const { added, removed, changed, unchanged } = diff;
  if (added.length + removed.length + changed.length === 0) {
    return `No exposure changes (${unchanged} unchanged)`;
  }
  const lines = [
    `Exposures: ${added.length} added, ${removed.length} removed, ${changed.length} changed, ${unchanged} unchanged`,
    ...added.map((name) => `+ ${name}`),
    ...removed.map((name) => `- ${name}`),
    ...changed.map((c) => {
      const deps = [
        ...c.dependencies.added.map((d) => `+${d}`),
        ...c.dependencies.removed.map((d) => `-${d}`),
      ];
      return `~ ${c.name}: ${c.fields.join(', ')}${deps.length > 0 ? ` (${deps.join(', ')})` : ''}`;
    }),
  ];
  return lines.join('\n');
}
