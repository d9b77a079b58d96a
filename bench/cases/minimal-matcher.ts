/**
 * The second floor of the matching benchmark, as issue 15 defines it: a rule-free minimal matcher.
 * One normalisation and one `Map` lookup per distinct spelling (memoised by spelling), then per
 * workbook the dbt node ids it uses, de-duplicated and sorted, each with its sorted table labels.
 * It resolves only `[DB].[S].[T]`, `DB.S.T` and two-part names with the database beside them;
 * no quoting rules beyond brackets, no aliases, no refs, no names, no reasons for misses, no
 * custom SQL parsing, no refresh targets, no validation. Measured in the same run as the library,
 * it shows what the library's rules cost on this machine, apart from what any matcher costs here.
 *
 * Its inputs are the bench's own: nodes from the generator's plan, workbooks in the snapshot
 * shape (which the library's `TableauWorkbook` satisfies), so it needs nothing from the library.
 */

/** A dbt node as a matcher needs it: its id and its relation. */
export interface MinimalNode {
  uniqueId: string;
  database: string;
  schema: string;
  identifier: string;
}

interface MinimalTable {
  name: string;
  fullName: string | null;
  databaseName: string | null;
}

interface MinimalSource {
  tables: readonly MinimalTable[];
}

/** The fields of a snapshot workbook the minimal matcher reads. */
export interface MinimalWorkbook {
  luid: string;
  embeddedDatasources: readonly (MinimalSource & { customSql: readonly MinimalSource[] })[];
  publishedDatasources: readonly MinimalSource[];
}

export interface MinimalDependency {
  uniqueId: string;
  tables: string[];
}

export interface MinimalExposure {
  luid: string;
  dependsOn: MinimalDependency[];
}

function relationKey(database: string, schema: string, identifier: string): string {
  return `${database}\u001f${schema}\u001f${identifier}`.toLowerCase();
}

function unbracket(part: string): string {
  return part.startsWith('[') && part.endsWith(']') ? part.slice(1, -1) : part;
}

/** The relation key a spelling names, or null for a shape this matcher does not read. */
function spellingKey(label: string, databaseName: string | null): string | null {
  const parts = label.split('.').map(unbracket);
  if (parts.length === 3) return relationKey(parts[0]!, parts[1]!, parts[2]!);
  if (parts.length === 2 && databaseName !== null) {
    return relationKey(databaseName, parts[0]!, parts[1]!);
  }
  return null;
}

/** Exposures (workbook luid + dependencies) of `workbooks` against `nodes`, the minimal way. */
export function minimalMatch(
  nodes: readonly MinimalNode[],
  workbooks: readonly MinimalWorkbook[],
): MinimalExposure[] {
  const index = new Map<string, string>();
  for (const node of nodes) {
    index.set(relationKey(node.database, node.schema, node.identifier), node.uniqueId);
  }
  // Spelling (database beside the name + the name) → node id, or null when nothing matches.
  const memo = new Map<string, string | null>();
  const lookup = (table: MinimalTable, label: string): string | null => {
    const spelling = `${table.databaseName ?? ''}\u001f${label}`;
    let uniqueId = memo.get(spelling);
    if (uniqueId === undefined) {
      const key = spellingKey(label, table.databaseName);
      uniqueId = key === null ? null : (index.get(key) ?? null);
      memo.set(spelling, uniqueId);
    }
    return uniqueId;
  };

  const exposures: MinimalExposure[] = [];
  for (const workbook of workbooks) {
    const tablesByNode = new Map<string, string[]>();
    const add = (table: MinimalTable): void => {
      const label = table.fullName ?? table.name;
      const uniqueId = lookup(table, label);
      if (uniqueId === null) return;
      const tables = tablesByNode.get(uniqueId);
      if (tables === undefined) tablesByNode.set(uniqueId, [label]);
      else if (!tables.includes(label)) tables.push(label);
    };
    for (const source of workbook.embeddedDatasources) {
      for (const table of source.tables) add(table);
      for (const sql of source.customSql) for (const table of sql.tables) add(table);
    }
    for (const source of workbook.publishedDatasources)
      for (const table of source.tables) add(table);
    if (tablesByNode.size === 0) continue;
    const dependsOn = [...tablesByNode.keys()]
      .sort()
      .map((uniqueId) => ({ uniqueId, tables: tablesByNode.get(uniqueId)!.sort() }));
    exposures.push({ luid: workbook.luid, dependsOn });
  }
  return exposures;
}
