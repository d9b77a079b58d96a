/**
 * What changed between two lineages, for review (pull requests) and logs. Pure. Lists inside an
 * exposure are compared as sets (their order is not a change), values as JSON: the lineages are
 * compared as they are, nothing is serialised.
 */
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';

/** The fields compared, in report order. `refreshTargets` ignore `lastRefreshAt` (it moves daily). */
const DIFFED_FIELDS = [
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

/** An exposure field `diffLineage` compares. */
export type DiffedField = (typeof DIFFED_FIELDS)[number];

/** One changed exposure: its name, the fields that differ, and the dependencies gained and lost. */
export interface ExposureChange {
  name: string;
  /** Fields that differ, in report order. */
  fields: DiffedField[];
  /** Dependencies (unique ids) gained and lost, sorted. */
  dependencies: { added: string[]; removed: string[] };
}

/** What `diffLineage` found: exposures added, removed, changed and unchanged. */
export interface LineageDiff {
  /** Exposure names, sorted. */
  added: string[];
  removed: string[];
  changed: ExposureChange[];
  unchanged: number;
}

/** Equal as JSON values: a key whose value is `undefined` is a missing key. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]))
    );
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const xKeys = keys(x);
  return xKeys.length === keys(y).length && xKeys.every((k) => sameJson(x[k], y[k]));
}

/** `list` in the order of `key` (the list itself when it is in that order already). */
function sorted<T>(list: readonly T[], key: (item: T) => string): readonly T[] {
  for (let i = 1; i < list.length; i += 1) {
    if (compareStrings(key(list[i - 1]!), key(list[i]!)) > 0) {
      return [...list].sort((a, b) => compareStrings(key(a), key(b)));
    }
  }
  return list;
}

const itself = (text: string) => text;

/** Equal as sets: the same entries, in any order. */
function sameSet<T>(
  a: readonly T[],
  b: readonly T[],
  key: (item: T) => string,
  same: (x: T, y: T) => boolean = sameJson,
): boolean {
  if (a.length !== b.length) return false;
  const x = sorted(a, key);
  const y = sorted(b, key);
  return x.every((item, i) => same(item, y[i]!));
}

function sameField(a: LineageExposure, b: LineageExposure, field: DiffedField): boolean {
  switch (field) {
    case 'tags':
      return sameSet(a.tags, b.tags, itself);
    case 'dependsOn':
      return sameSet(
        a.dependsOn,
        b.dependsOn,
        (d) => d.uniqueId,
        (x, y) =>
          sameSet(x.tables, y.tables, itself) &&
          sameJson({ ...x, tables: undefined }, { ...y, tables: undefined }),
      );
    case 'refreshTargets':
      return sameSet(
        a.refreshTargets,
        b.refreshTargets,
        (r) => `${r.kind}:${r.luid}`,
        (x, y) => sameJson({ ...x, lastRefreshAt: undefined }, { ...y, lastRefreshAt: undefined }),
      );
    case 'unmatchedTables':
      return sameSet(a.unmatchedTables, b.unmatchedTables, (u) =>
        JSON.stringify([u.table, u.reason, u.detail]),
      );
    default:
      return sameJson(a[field], b[field]);
  }
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
    const fields = DIFFED_FIELDS.filter((f) => !sameField(old, e, f));
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
export function renderLineageDiff(diff: LineageDiff): string {
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
