/**
 * The second floor of the matching benchmark: the least a matcher must do to produce exposures of
 * the same size from the same inputs, with none of the library's rules. It indexes nodes by
 * lower-cased relation, memoises each Tableau spelling, resolves only `[DB].[S].[T]`, `DB.S.T` and
 * two-part names with the database beside them, de-duplicates per workbook, and builds one
 * exposure per workbook with sorted dependencies (`uniqueId`, `ref`, `tables`, `match`). No quoting
 * rules beyond brackets, no aliases, no reasons for misses, no custom SQL parsing, no refresh
 * targets, no naming rules, no validation. Measured in the same run as the library, it shows what
 * the library's rules cost on this machine, separately from what any matcher costs here.
 */
import type { DbtNode, Manifest, TableauTable, TableauWorkbook } from '../../src/index.js';

interface Slot {
  node: DbtNode;
  ref: string;
  stamp: number;
  dependency: MinimalDependency | null;
}

interface Spelling {
  label: string;
  slot: Slot | null;
}

interface MinimalDependency {
  uniqueId: string;
  ref: string;
  tables: string[];
  match: 'exact';
}

export interface MinimalExposure {
  name: string;
  label: string;
  dependsOn: MinimalDependency[];
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unbracket(part: string): string {
  return part.startsWith('[') && part.endsWith(']') ? part.slice(1, -1) : part;
}

/** Exposures of `workbooks` against `manifest`, the minimal way (see the file comment). */
export function minimalMatch(manifest: Manifest, workbooks: TableauWorkbook[]): MinimalExposure[] {
  const index = new Map<string, Map<string, { node: DbtNode; database: string }[]>>();
  for (const node of manifest.nodes.values()) {
    if (!node.enabled || node.materialization === 'ephemeral') continue;
    const schema = node.schema.toLowerCase();
    let identifiers = index.get(schema);
    if (identifiers === undefined) {
      identifiers = new Map();
      index.set(schema, identifiers);
    }
    const identifier = node.identifier.toLowerCase();
    const entry = { node, database: (node.database ?? '').toLowerCase() };
    const list = identifiers.get(identifier);
    if (list === undefined) identifiers.set(identifier, [entry]);
    else list.push(entry);
  }
  const slots = new Map<DbtNode, Slot>();
  const spellings = new Map<string, Spelling>();
  const resolve = (table: TableauTable): Spelling => {
    const label = table.fullName ?? table.name;
    let spelling = spellings.get(label);
    if (spelling !== undefined) return spelling;
    const parts = label.toLowerCase().split('.').map(unbracket);
    const database = parts.length === 3 ? parts[0]! : (table.databaseName ?? '').toLowerCase();
    let found: DbtNode | null = null;
    if (parts.length >= 2) {
      const list = index.get(parts[parts.length - 2]!)?.get(parts[parts.length - 1]!) ?? [];
      for (const entry of list) if (entry.database === database) found = entry.node;
    }
    let slot: Slot | null = null;
    if (found !== null) {
      slot = slots.get(found) ?? null;
      if (slot === null) {
        slot = { node: found, ref: `ref('${found.name}')`, stamp: 0, dependency: null };
        slots.set(found, slot);
      }
    }
    spelling = { label, slot };
    spellings.set(label, spelling);
    return spelling;
  };
  const published = new Map<string, Spelling[]>();
  const exposures: MinimalExposure[] = [];
  let stamp = 0;
  for (const workbook of workbooks) {
    stamp += 1;
    const dependsOn: MinimalDependency[] = [];
    const add = ({ label, slot }: Spelling): void => {
      if (slot === null) return;
      if (slot.stamp !== stamp) {
        slot.stamp = stamp;
        slot.dependency = {
          uniqueId: slot.node.uniqueId,
          ref: slot.ref,
          tables: [label],
          match: 'exact',
        };
        dependsOn.push(slot.dependency);
      } else if (!slot.dependency!.tables.includes(label)) {
        slot.dependency!.tables.push(label);
      }
    };
    for (const source of workbook.embeddedDatasources) {
      for (const table of source.tables) add(resolve(table));
      for (const sql of source.customSql) for (const table of sql.tables) add(resolve(table));
    }
    for (const source of workbook.publishedDatasources) {
      let list = published.get(source.luid);
      if (list === undefined) {
        list = source.tables.map(resolve);
        published.set(source.luid, list);
      }
      for (const spelling of list) add(spelling);
    }
    if (dependsOn.length === 0) continue;
    for (const d of dependsOn) d.tables.sort(byString);
    dependsOn.sort((a, b) => byString(a.uniqueId, b.uniqueId));
    const name = workbook.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    exposures.push({ name, label: workbook.name, dependsOn });
  }
  return exposures.sort((a, b) => byString(a.name, b.name) || byString(a.label, b.label));
}
