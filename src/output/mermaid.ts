/**
 * A Mermaid flowchart of dashboards and the dbt nodes they read, for a pull request comment or the
 * docs. Pure and deterministic: same lineage, same text.
 */
import type { DbtReference, ExposureLineage } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';
import { plainText } from '../util/terminal-text.js';

/** Options of `renderMermaid`: which nodes, the direction, and whether to fence it. */
export interface RenderMermaidOptions {
  /**
   * Only these dbt nodes (model/seed/snapshot/source names, or unique ids) and the dashboards that
   * read them: the impact of a change. Default: every dependency of every exposure.
   */
  select?: readonly string[] | undefined;
  /** Flowchart direction. Default `LR` (dbt nodes on the left, dashboards on the right). */
  direction?: 'LR' | 'RL' | 'TB' | 'BT' | undefined;
  /** Wrap in a ```mermaid fence, ready to paste into a GitHub comment. Default false. */
  fence?: boolean | undefined;
}

/**
 * A label safe inside `["…"]`: characters Mermaid or its HTML rendering would interpret become
 * numeric entity codes (`#34;`), line breaks and tabs spaces; other control characters and bidi
 * controls are removed (see `plainText`).
 */
export function mermaidLabel(text: string): string {
  return plainText(text).replace(/["#&<>[\]{}()|`\\;]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

function sanitizeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Node id → unique Mermaid id (prefix avoids keywords like `end`; collisions get a counter). */
function assignIds(prefix: string, keys: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const key of keys) {
    const base = `${prefix}_${sanitizeId(key)}`;
    let id = base;
    for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
    used.add(id);
    ids.set(key, id);
  }
  return ids;
}

/** A node as dbt users name it: `orders`, `raw.customers`, `customers v2`, `pkg.calendar`. */
function nodeLabel(ref: DbtReference, packageName: string): string {
  if (ref.kind === 'source') return `${ref.source}.${ref.name}`;
  const name = ref.package === packageName ? ref.name : `${ref.package}.${ref.name}`;
  return ref.version === null ? name : `${name} v${ref.version}`;
}

function nodeClass(uniqueId: string): string {
  const type = uniqueId.slice(0, uniqueId.indexOf('.'));
  return ['model', 'seed', 'snapshot', 'source'].includes(type) ? type : 'model';
}

/**
 * Render a `flowchart` of dbt nodes → dashboards. Nodes are labelled with their dbt name
 * (`orders`, `raw.customers`, `customers v2`, `pkg.calendar`), dashboards with their label, and
 * styled by kind. Everything is sorted; ids are sanitised and unique.
 */
export function renderMermaid(
  lineage: ExposureLineage,
  options: RenderMermaidOptions = {},
): string {
  const select = options.select === undefined ? null : new Set(options.select);
  const nodes = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  const exposures = new Map<string, string>();
  for (const e of lineage.exposures) {
    for (const d of e.dependsOn) {
      if (select !== null && !select.has(d.uniqueId) && !select.has(d.ref.name)) continue;
      nodes.set(d.uniqueId, nodeLabel(d.ref, lineage.dbt.packageName));
      exposures.set(e.name, e.label === '' ? e.name : e.label);
      edges.push([d.uniqueId, e.name]);
    }
    if (select === null && e.dependsOn.length === 0)
      exposures.set(e.name, e.label === '' ? e.name : e.label);
  }
  const nodeKeys = [...nodes.keys()].sort(compareStrings);
  const exposureKeys = [...exposures.keys()].sort(compareStrings);
  const nodeIds = assignIds('n', nodeKeys);
  const exposureIds = assignIds('e', exposureKeys);
  const lines = [`flowchart ${options.direction ?? 'LR'}`];
  for (const key of nodeKeys) {
    lines.push(
      `  ${nodeIds.get(key)}["${mermaidLabel(nodes.get(key) as string)}"]:::${nodeClass(key)}`,
    );
  }
  for (const key of exposureKeys) {
    lines.push(
      `  ${exposureIds.get(key)}{{"${mermaidLabel(exposures.get(key) as string)}"}}:::dashboard`,
    );
  }
  const edgeLines = [
    ...new Set(edges.map(([from, to]) => `  ${nodeIds.get(from)} --> ${exposureIds.get(to)}`)),
  ].sort(compareStrings);
  lines.push(...edgeLines);
  lines.push(
    '  classDef model fill:#e8f0fe,stroke:#4a6fa5',
    '  classDef seed fill:#e6f4ea,stroke:#3c8d5a',
    '  classDef snapshot fill:#fef7e0,stroke:#b08400',
    '  classDef source fill:#f3e8fd,stroke:#7b4fa5',
    '  classDef dashboard fill:#fde8e8,stroke:#c0392b',
  );
  const text = lines.join('\n');
  return options.fence ? `\`\`\`mermaid\n${text}\n\`\`\`\n` : `${text}\n`;
}
