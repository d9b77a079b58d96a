/**
 * Relation names on both sides, brought to one form so they can be compared.
 *
 * dbt renders relations per adapter (`"db"."schema"."t"`, `` `p`.`d`.`t` ``, `DB.SCHEMA.t`);
 * Tableau writes `[DB].[SCHEMA].[T]`, `[SCHEMA].[T]`, `DB.SCHEMA.T`, bare names, and sometimes
 * brackets `database.schema` together (`[DEV_DB.LONDON].[CYCLE]`), puts the schema in `name`
 * (`dataset.table`), or gives the database only in `database.name`. Parts are unquoted by the one
 * splitter (`splitQualifiedName`) and compared case-insensitively; the original spelling is kept
 * for display and for the case rule (match.ts).
 */
import { splitQualifiedName } from '../artifacts/relation-name.js';
import type { DbtNode } from '../artifacts/types.js';
import type { TableauTable } from '../tableau/types.js';
import type { DbtReference } from './types.js';

/** A relation's parts as a Tableau name gives them (null: not given). */
export interface RelationParts {
  database: string | null;
  schema: string | null;
  identifier: string;
}

/** One part as the index compares it: unquoted if wholly quoted, trimmed, case folded. */
export function normalizeIdentifier(part: string): string {
  return exactPart(part).toLowerCase();
}

/** One part unquoted if wholly quoted and trimmed, its case kept. */
export function exactPart(part: string): string {
  const value = part.trim();
  if (value.length >= 2 && (value[0] === '"' || value[0] === '`' || value[0] === '[')) {
    const parts = splitQualifiedName(value);
    if (parts?.length === 1) return parts[0]!;
  }
  return value;
}

/** `database.schema.identifier` of a dbt node in its own spelling (empty parts left out). */
export function displayRelation(node: Pick<DbtNode, 'database' | 'schema' | 'identifier'>): string {
  return [node.database, node.schema, node.identifier]
    .filter((p) => p !== null && p !== '')
    .join('.');
}

/** A relation as reports show it: its known parts, dotted. */
export function shownRelation(relation: RelationParts): string {
  return [relation.database, relation.schema, relation.identifier]
    .filter((p) => p !== null)
    .join('.');
}

/** A dbt node with its schema and database as the index compares them (`''`: no database). */
export interface RelationCandidate {
  readonly node: DbtNode;
  readonly schema: string;
  readonly database: string;
  /** How exposures name the node, made by the matcher on its first match and shared after. */
  ref: DbtReference | undefined;
}

/**
 * dbt nodes by relation, compared case-insensitively: enabled models that are not ephemeral,
 * seeds, snapshots and sources (the nodes that own a relation). Keyed by identifier alone: an
 * identifier is nearly always unique, so its list is short and no key is built per lookup.
 */
export class RelationIndex {
  /** Normalised identifier → the nodes with it, whatever their schema and database, in manifest order. */
  readonly #byIdentifier = new Map<string, RelationCandidate[]>();

  constructor(nodes: Iterable<DbtNode>) {
    for (const node of nodes) {
      if (!node.enabled || node.materialization === 'ephemeral') continue;
      const identifier = normalizeIdentifier(node.identifier);
      const candidate = {
        node,
        schema: normalizeIdentifier(node.schema),
        database: node.database ? normalizeIdentifier(node.database) : '',
        ref: undefined,
      };
      const list = this.#byIdentifier.get(identifier);
      if (list === undefined) this.#byIdentifier.set(identifier, [candidate]);
      else list.push(candidate);
    }
  }

  /** Every node with this normalised identifier, whatever its schema and database. */
  withIdentifier(identifier: string): readonly RelationCandidate[] {
    return this.#byIdentifier.get(identifier) ?? [];
  }
}

/** Exact connection types (lower-cased) that never point at a warehouse table. */
const NON_WAREHOUSE_TYPES = new Set([
  'excel',
  'excel-direct',
  'textscan',
  'csv',
  'hyper',
  'dataengine',
  'google-sheets',
  'googlesheets',
  'semistructpassivestore-direct',
  'ogrdirect',
  'pdf',
  'statfile',
  'msaccess',
  'json',
]);

/** Connection type prefixes of the same kind (web data connectors carry `:<connector>`). */
const NON_WAREHOUSE_PREFIXES = ['webdata', 'excel', 'textscan', 'hyper', 'google-sheets'];

/**
 * Whether a Tableau `connectionType` can hold dbt-built relations. Files (Excel, text/CSV, JSON,
 * PDF, spatial, statistical files), extracts (`hyper`, `dataengine`), Google Sheets and web data
 * connectors (`webdata-direct:*`) cannot; anything else, including an unknown or missing type, is
 * treated as a warehouse so that matching decides.
 */
export function isWarehouseConnection(connectionType: string | null): boolean {
  if (connectionType === null) return true;
  const type = connectionType.trim().toLowerCase();
  if (NON_WAREHOUSE_TYPES.has(type)) return false;
  return !NON_WAREHOUSE_PREFIXES.some((prefix) => type.startsWith(prefix));
}

/** How a Tableau table is shown in reports: `fullName` when Tableau gives one, else `name`. */
export function tableauTableLabel(table: Pick<TableauTable, 'fullName' | 'name'>): string {
  const full = table.fullName?.trim();
  // No name at all: Tableau hid the table from the token (see hidden_by_permissions).
  return full ? full : table.name || '(hidden by permissions)';
}

function nonEmpty(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * Split a Tableau-spelled name. When a name has fewer than three parts, a part holding dots is
 * split again (`[DEV_DB.LONDON].[CYCLE]`) so those parts are not lost. Names with more than three
 * parts (linked servers) keep their last three.
 */
function splitTableauName(text: string | null): string[] | null {
  const parts = text === null ? null : splitQualifiedName(text);
  if (parts === null) return null;
  let out = parts;
  if (parts.length < 3 && parts.some((p) => p.includes('.'))) {
    const expanded: string[] = [];
    for (const part of parts) {
      const inner = part.includes('.') ? splitQualifiedName(part) : [part];
      if (inner === null) return parts.slice(-3);
      expanded.push(...inner);
    }
    if (expanded.length <= 3) out = expanded;
  }
  return out.length > 3 ? out.slice(-3) : out;
}

function sameTail(longer: string[], shorter: string[]): boolean {
  const offset = longer.length - shorter.length;
  return shorter.every((part, i) => part.toLowerCase() === longer[offset + i]?.toLowerCase());
}

/**
 * A Tableau table's relation, or null when neither `fullName` nor `name` is a dotted name.
 *
 * Parts come from `fullName` first (it is what the connection used); `name` is used when
 * `fullName` is missing or when `name` carries more qualifiers ending in the same parts
 * (`fullName: [client]`, `name: datawarehouse.client`). Parts still missing are filled from
 * `schema` (when non-empty) and `databaseName` (the table's, else its custom SQL query's). A `schema` that disagrees with `fullName` loses:
 * `fullName` is the name the query ran against.
 */
export function resolveTableauName(
  table: Pick<TableauTable, 'name' | 'fullName' | 'schema'>,
  databaseName: string | null,
): RelationParts | null {
  const fromFull = splitTableauName(table.fullName);
  if (fromFull?.length === 3) {
    return { database: fromFull[0]!, schema: fromFull[1]!, identifier: fromFull[2]! };
  }
  const fromName = splitTableauName(table.name);
  let parts = fromFull ?? fromName;
  if (
    fromFull !== null &&
    fromName !== null &&
    fromName.length > fromFull.length &&
    sameTail(fromName, fromFull)
  ) {
    parts = fromName;
  }
  if (parts === null) return null;
  const identifier = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : nonEmpty(table.schema);
  const database = parts.length === 3 ? parts[0]! : nonEmpty(databaseName);
  return { database, schema, identifier };
}
