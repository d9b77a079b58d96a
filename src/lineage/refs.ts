/**
 * How an exposure's `depends_on` names a dbt node: `ref(...)` for models, seeds and snapshots,
 * `source(...)` for sources, in the exact Jinja form dbt parses.
 */
import type { DbtNode } from '../artifacts/types.js';

/** Quote a string as a single-quoted Jinja string literal (`\` and `'` escaped). */
export function jinjaString(value: string): string {
  if (!value.includes('\\') && !value.includes("'")) return `'${value}'`;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A version as a Jinja literal: numbers bare (`2`, `1.5`), other strings quoted. */
function versionLiteral(version: string | number): string {
  if (typeof version === 'number') return String(version);
  return /^\d+(\.\d+)?$/.test(version) ? version : jinjaString(version);
}

export interface RenderRefOptions {
  /** The dbt project the exposure lives in; nodes of other packages get the two-argument ref. */
  projectName: string | null;
}

/**
 * The `depends_on` entry for a node:
 * - sources: `source('src', 'table')`;
 * - models, seeds, snapshots of the project: `ref('name')`, of another package (dbt package or
 *   dbt Mesh upstream project): `ref('pkg', 'name')`;
 * - versioned models pin the version whose relation Tableau reads: `ref('name', v=2)` — an
 *   unpinned ref would follow `latest_version` and point at a different relation.
 */
export function renderRef(node: DbtNode, options: RenderRefOptions): string {
  if (node.resourceType === 'source') {
    return `source(${jinjaString(node.sourceName ?? node.packageName)}, ${jinjaString(node.name)})`;
  }
  const args: string[] = [];
  if (options.projectName === null || node.packageName !== options.projectName) {
    args.push(jinjaString(node.packageName));
  }
  args.push(jinjaString(node.name));
  if (node.resourceType === 'model' && node.version !== null) {
    args.push(`v=${versionLiteral(node.version)}`);
  }
  return `ref(${args.join(', ')})`;
}
