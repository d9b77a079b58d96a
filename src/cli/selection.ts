/**
 * dbt's node selection (`-s/--select`, `--exclude`) over the manifest's graph and the exposures
 * of the lineage, as dbt writes it (https://docs.getdbt.com/reference/node-selection/syntax):
 *
 * - a selector list: space-separated terms are a union (`orders customers`), comma-separated
 *   atoms inside a term an intersection (`tag:finance,path:models/marts`); `--select` repeated is
 *   one more union;
 * - an atom: `[+|@]method:value[+]` where method is `tag`, `path`, `exposure`, `source`,
 *   `resource_type`, `package` or none (a node name, `package.name`, an fqn prefix such as a
 *   folder `staging` or `marts.orders`, a versioned name `customers.v2`, `source_name.table`,
 *   or a unique id);
 *   `+x` adds its ancestors, `x+` its descendants, `@x` its descendants and their ancestors;
 *   `*` in a value matches any characters.
 *
 * An atom that matches nothing is an error (exit 2) naming the closest names: a typo must not
 * turn a CI check into a silent pass.
 */
import type { ExposureLineage, Manifest } from '../index.js';
import { closure } from '../util/graph.js';
import { usageError } from './args.js';
import { didYouMean } from './suggest.js';

/** What a selector can match on, for one node or exposure. */
interface Selectable {
  uniqueId: string;
  resourceType: string;
  packageName: string;
  name: string;
  /** `<type>.<package>.` stripped from the unique id: `orders`, `customers.v2`, `raw.payments`. */
  localName: string;
  fqn: readonly string[];
  tags: readonly string[];
  path: string | null;
  sourceName: string | null;
}

/** The graph selectors walk: every node of the manifest and every exposure of the lineage. */
export interface SelectionGraph {
  items: Map<string, Selectable>;
  parents: Map<string, readonly string[]>;
  children: Map<string, readonly string[]>;
}

/** Build the graph once per command: the manifest's nodes and edges plus the lineage's exposures. */
export function selectionGraph(
  manifest: Manifest,
  lineages: readonly (ExposureLineage | null)[],
): SelectionGraph {
  const items = new Map<string, Selectable>();
  for (const [uniqueId, resourceType] of manifest.resourceTypes) {
    const [, packageName = '', ...rest] = uniqueId.split('.');
    const localName = rest.join('.');
    const node = manifest.nodes.get(uniqueId);
    items.set(uniqueId, {
      uniqueId,
      resourceType,
      packageName: node?.packageName ?? packageName,
      name: node?.name ?? rest[rest.length - 1] ?? uniqueId,
      localName,
      fqn: node?.fqn ?? [],
      tags: node?.tags ?? [],
      path: node?.originalFilePath ?? null,
      sourceName: node?.sourceName ?? null,
    });
  }
  const parents = new Map<string, readonly string[]>(manifest.parentMap);
  const children = new Map<string, string[]>();
  for (const [id, list] of manifest.childMap) children.set(id, [...list]);
  for (const lineage of lineages) {
    for (const exposure of lineage?.exposures ?? []) {
      if (items.has(exposure.uniqueId) && parents.has(exposure.uniqueId)) continue;
      const [, packageName = ''] = exposure.uniqueId.split('.');
      items.set(exposure.uniqueId, {
        uniqueId: exposure.uniqueId,
        resourceType: 'exposure',
        packageName,
        name: exposure.name,
        localName: exposure.name,
        fqn: [packageName, exposure.name],
        tags: exposure.tags,
        path: null,
        sourceName: null,
      });
      const upstream = exposure.dependsOn.map((d) => d.uniqueId);
      parents.set(exposure.uniqueId, upstream);
      for (const id of upstream) {
        const list = children.get(id) ?? [];
        list.push(exposure.uniqueId);
        children.set(id, list);
      }
    }
  }
  return { items, parents, children };
}

/** A value with `*` wildcards, compared case-insensitively (as the CLI always compared names). */
function matcher(value: string): (candidate: string | null | undefined) => boolean {
  const lower = value.toLowerCase();
  if (!lower.includes('*')) return (c) => c?.toLowerCase() === lower;
  const pattern = lower.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const regex = new RegExp(`^${pattern}$`);
  return (c) => c !== null && c !== undefined && regex.test(c.toLowerCase());
}

/** `fqn` starts with `parts` (each part may hold `*`). */
function fqnStartsWith(fqn: readonly string[], parts: readonly string[]): boolean {
  return parts.length <= fqn.length && parts.every((p, i) => matcher(p)(fqn[i]));
}

/** Whether `item` matches the atom `method:value`. */
function matches(item: Selectable, method: string, value: string): boolean {
  const is = matcher(value);
  switch (method) {
    case 'tag':
      return item.tags.some(is);
    case 'path': {
      if (item.path === null) return false;
      const dir = value.replace(/\/+$/, '');
      return is(item.path) || item.path.toLowerCase().startsWith(`${dir.toLowerCase()}/`);
    }
    case 'exposure':
      return item.resourceType === 'exposure' && is(item.name);
    case 'source': {
      if (item.resourceType !== 'source') return false;
      const [source, table] = value.split('.');
      return (
        matcher(source!)(item.sourceName) && (table === undefined || matcher(table)(item.name))
      );
    }
    case 'resource_type':
      return is(item.resourceType);
    case 'package':
      return is(item.packageName);
    default: {
      // fqn, as dbt: the name, `package.name`, an fqn prefix with or without the package (a
      // folder: `staging`, `marts.orders`). A source's table name alone is not enough (a model
      // and a source are often both `orders`): write `source:` or `source_name.table`.
      if (is(item.uniqueId) || is(item.localName)) return true;
      if (item.resourceType === 'source') return false;
      const parts = value.split('.');
      return (
        (parts.length === 1 && is(item.name)) ||
        fqnStartsWith(item.fqn, parts) ||
        fqnStartsWith(item.fqn.slice(1), parts)
      );
    }
  }
}

const METHODS = ['tag', 'path', 'exposure', 'source', 'resource_type', 'package', 'fqn'];

interface Atom {
  text: string;
  method: string;
  value: string;
  ancestors: boolean;
  descendants: boolean;
  at: boolean;
}

function parseAtom(text: string): Atom {
  let rest = text;
  const at = rest.startsWith('@');
  if (at) rest = rest.slice(1);
  const depth = /^(\d*)\+|\+(\d*)$/.exec(rest);
  if (depth !== null && (depth[1] ?? depth[2] ?? '') !== '') {
    throw usageError(
      `--select: "${text}": depth limits on + are not supported`,
      'use + without a number (all ancestors or descendants)',
      '--select',
    );
  }
  const ancestors = rest.startsWith('+');
  if (ancestors) rest = rest.slice(1);
  const descendants = rest.endsWith('+');
  if (descendants) rest = rest.slice(0, -1);
  const colon = rest.indexOf(':');
  const method = colon === -1 ? 'fqn' : rest.slice(0, colon);
  const value = colon === -1 ? rest : rest.slice(colon + 1);
  if (!METHODS.includes(method)) {
    throw usageError(
      `--select: "${text}": unknown selector method "${method}"${didYouMean(method, METHODS)}`,
      `methods: ${METHODS.join(', ')} (docs/cli.md#selection)`,
      '--select',
    );
  }
  if (value === '') {
    throw usageError(`--select: "${text}" selects nothing`, 'write method:value', '--select');
  }
  return { text, method, value, ancestors, descendants, at };
}

/** The names a mistyped value of `method` is compared with. */
function namesFor(graph: SelectionGraph, method: string): string[] {
  const out: string[] = [];
  for (const item of graph.items.values()) {
    if (method === 'tag') out.push(...item.tags);
    else if (method === 'path') {
      if (item.path !== null) out.push(item.path, item.path.replace(/\/[^/]*$/, ''));
    } else if (method === 'exposure') {
      if (item.resourceType === 'exposure') out.push(item.name);
    } else if (method === 'source') {
      if (item.sourceName !== null) out.push(item.sourceName, `${item.sourceName}.${item.name}`);
    } else if (method === 'resource_type') out.push(item.resourceType);
    else if (method === 'package') out.push(item.packageName);
    else out.push(item.name, item.localName);
  }
  return out;
}

function selectAtom(graph: SelectionGraph, atom: Atom, flag: string): Set<string> {
  const found: string[] = [];
  for (const item of graph.items.values()) {
    if (matches(item, atom.method, atom.value)) found.push(item.uniqueId);
  }
  if (found.length === 0) {
    const what = atom.method === 'fqn' ? 'dbt node or exposure' : `${atom.method}`;
    throw usageError(
      `${flag}: no ${what} matches "${atom.method === 'fqn' ? atom.value : `${atom.method}:${atom.value}`}"${didYouMean(atom.value, namesFor(graph, atom.method))}`,
      'selectors are written as in dbt: docs/cli.md#selection',
      flag,
    );
  }
  const selected = new Set(found);
  if (atom.at) {
    return closure(closure(found, graph.children), graph.parents);
  }
  if (atom.ancestors) for (const id of closure(found, graph.parents)) selected.add(id);
  if (atom.descendants) for (const id of closure(found, graph.children)) selected.add(id);
  return selected;
}

/** Union of the terms of `selectors` (each a dbt selector string); intersections inside terms. */
export function select(
  graph: SelectionGraph,
  selectors: readonly string[],
  flag = '--select',
): Set<string> {
  const result = new Set<string>();
  for (const term of selectors.flatMap((s) => s.split(/\s+/)).filter((s) => s !== '')) {
    const sets = term
      .split(',')
      .filter((a) => a !== '')
      .map((a) => selectAtom(graph, parseAtom(a), flag));
    const [first, ...others] = sets;
    for (const id of first ?? []) if (others.every((s) => s.has(id))) result.add(id);
  }
  return result;
}

export interface NodeSelection {
  /** Selected unique ids (nodes and exposures), exclusions removed; null when --select is absent. */
  selected: Set<string> | null;
  excluded: Set<string>;
}

/** `--select` and `--exclude` resolved against `graph`. */
export function resolveSelection(
  graph: SelectionGraph,
  selectors: readonly string[] | undefined,
  excludes: readonly string[] | undefined,
): NodeSelection {
  const excluded =
    excludes === undefined ? new Set<string>() : select(graph, excludes, '--exclude');
  if (selectors === undefined) return { selected: null, excluded };
  const selected = select(graph, selectors);
  for (const id of excluded) selected.delete(id);
  return { selected, excluded };
}

/** Whether the exposure `uniqueId` is acted on: selected (or no --select), and not excluded. */
export function isExposureSelected(selection: NodeSelection, uniqueId: string): boolean {
  if (selection.excluded.has(uniqueId)) return false;
  return selection.selected === null || selection.selected.has(uniqueId);
}

/** Whether --select or --exclude was given. */
export function hasSelection(selectors: unknown, excludes: unknown): boolean {
  return selectors !== undefined || excludes !== undefined;
}
