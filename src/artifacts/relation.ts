/**
 * Relation names: the one normalisation used everywhere (dbt side and Tableau side).
 *
 * dbt renders relations per adapter (`"db"."schema"."t"`, `` `p`.`d`.`t` ``, `DB.SCHEMA.t`);
 * Tableau writes `[DB].[SCHEMA].[T]`, `[SCHEMA].[T]`, `DB.SCHEMA.T` or bare names. Parts are
 * unquoted quote-aware (a `.` or a quote inside a quoted part does not split it) and compared
 * case-insensitively by default; the original spelling is kept for display.
 */
import type { DbtNode } from './types.js';

const CLOSERS: Record<string, string> = { '"': '"', '`': '`', '[': ']' };
/** Characters that open a quoted part or make the text an expression (`]` alone is literal). */
const SPECIAL = /["`[()']/;

/**
 * Split a qualified name into its unquoted parts: `[DB].[S].[T]` → `['DB','S','T']`,
 * `"a.b"."c"` → `['a.b','c']`. A doubled closing quote inside a quoted part is one literal
 * character (`"a""b"` → `a"b`). Returns null for text that is not a plain dotted name, such as
 * dbt-duckdb's `read_csv('…')` expressions or an empty string.
 */
export function splitQualifiedName(text: string): string[] | null {
  const input = text.trim();
  if (input === '') return null;
  // Fast path (most names: `DB.SCHEMA.T`): nothing quoted, nothing that makes it an expression.
  if (!SPECIAL.test(input)) {
    const parts = input.split('.');
    for (let k = 0; k < parts.length; k += 1) {
      const part = parts[k]!.trim();
      if (part === '') return null;
      parts[k] = part;
    }
    return parts;
  }
  const parts: string[] = [];
  let i = 0;
  while (i <= input.length) {
    const ch = input[i];
    let part = '';
    if (ch !== undefined && ch in CLOSERS) {
      const close = CLOSERS[ch]!;
      i += 1;
      let closed = false;
      // Jump from closer to closer with indexOf and slice, instead of one string per character.
      for (;;) {
        const at = input.indexOf(close, i);
        if (at === -1) break;
        if (input[at + 1] === close) {
          part += input.slice(i, at + 1);
          i = at + 2;
          continue;
        }
        part += input.slice(i, at);
        i = at + 1;
        closed = true;
        break;
      }
      if (!closed) return null;
    } else {
      let end = input.indexOf('.', i);
      if (end === -1) end = input.length;
      const raw = input.slice(i, end);
      if (SPECIAL.test(raw)) return null;
      part = raw.trim();
      i = end;
    }
    if (part === '') return null;
    parts.push(part);
    if (i >= input.length) break;
    if (input[i] !== '.') return null;
    i += 1;
    if (i >= input.length) return null;
  }
  return parts;
}

/** Unquote one part if it is wholly quoted, trim it, and fold case unless asked not to. */
export function normalizeIdentifier(
  part: string,
  options: { caseSensitive?: boolean } = {},
): string {
  let value = part.trim();
  const first = value[0];
  if (first !== undefined && first in CLOSERS && value.length >= 2) {
    const parsed = splitQualifiedName(value);
    if (parsed?.length === 1) value = parsed[0]!;
  }
  return options.caseSensitive ? value : value.toLowerCase();
}

/** Printable ASCII only: folding the case of a whole name then equals folding each part. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A part `normalizeIdentifier` returns unchanged but for case: no edge space, not quoted. */
function isPlainPart(part: string): boolean {
  return !(part[0]! in CLOSERS) && part[0] !== ' ' && part[part.length - 1] !== ' ';
}

/**
 * The parts of a qualified name exactly as `normalizeIdentifier` would give them one by one, found
 * with one case fold of the whole name — or null when the one-pass result could differ from the
 * part-by-part one (non-ASCII text, a part with edge spaces or still quoted after unquoting, such as
 * `[ORDERS ]` or `["x"]`) or the text is not a qualified name. Callers fall back to the general way.
 */
export function normalizePartsFast(
  text: string,
  options: { caseSensitive?: boolean } = {},
): string[] | null {
  if (!PRINTABLE_ASCII.test(text)) return null;
  const parts = splitQualifiedName(options.caseSensitive ? text : text.toLowerCase());
  if (parts === null) return null;
  for (const part of parts) if (!isPlainPart(part)) return null;
  return parts;
}

const SEP = '\u001f';

/** The parts of a relation as a Tableau name gives them (null: not given). */
export interface RelationParts {
  database: string | null;
  schema: string | null;
  identifier: string;
}

const PART_NAMES = ['database', 'schema', 'identifier'] as const;

/**
 * Of several nodes on one relation compared case-insensitively, those spelled with the case of
 * `relation`. Quoted identifiers (Postgres, Snowflake) make `orders` and `"Orders"` two tables, so
 * when the nodes' spellings of a part differ only by case, the part spelled exactly decides; parts
 * all nodes spell alike are not compared, so Snowflake's `ANALYTICS` still reads dbt's
 * `analytics`. Nodes that spell every part alike (two nodes on one relation) all stay.
 */
export function sameCaseNodes(nodes: readonly DbtNode[], relation: RelationParts): DbtNode[] {
  let out = [...nodes];
  for (const key of PART_NAMES) {
    const wanted = relation[key];
    if (wanted === null) continue;
    const spell = (node: DbtNode) => exactPart(node[key]);
    if (new Set(out.map(spell)).size < 2) continue;
    const spelled = exactPart(wanted);
    out = out.filter((node) => spell(node) === spelled);
  }
  return out;
}

/** Whether nodes on one relation (compared case-insensitively) spell it in several cases. */
export function spelledInSeveralCases(nodes: readonly DbtNode[]): boolean {
  const spellings = nodes.map((n) => PART_NAMES.map((key) => exactPart(n[key])).join(SEP));
  return new Set(spellings).size > 1;
}

/** A part unquoted and trimmed, its case kept (a missing database is ''). */
function exactPart(part: string | null): string {
  return part ? normalizeIdentifier(part, { caseSensitive: true }) : '';
}

/** The lookup key of a relation. Parts are normalised; a null/empty database is kept as empty. */
export function relationKey(
  database: string | null,
  schema: string,
  identifier: string,
  options: { caseSensitive?: boolean } = {},
): string {
  return [
    database ? normalizeIdentifier(database, options) : '',
    normalizeIdentifier(schema, options),
    normalizeIdentifier(identifier, options),
  ].join(SEP);
}

/** `database.schema.identifier` in the original spelling (database omitted when null). */
export function displayRelation(node: Pick<DbtNode, 'database' | 'schema' | 'identifier'>): string {
  return [node.database, node.schema, node.identifier]
    .filter((p) => p !== null && p !== '')
    .join('.');
}

export interface RelationCollision {
  key: string;
  /** The relation as the first node spells it. */
  relation: string;
  uniqueIds: string[];
}

export type SchemaLookup =
  | { kind: 'unique'; node: DbtNode }
  | { kind: 'ambiguous'; nodes: DbtNode[] }
  | { kind: 'none' };

export interface RelationIndexOptions {
  /** Compare names case-sensitively (default false: warehouses fold unquoted names). */
  caseSensitive?: boolean;
}

/** A node on a `schema.identifier`, with its database as the index compares it (`''` when none). */
export interface RelationCandidate {
  readonly node: DbtNode;
  readonly database: string;
}

const NO_CANDIDATES: readonly RelationCandidate[] = Object.freeze([]);

/** Look up dbt nodes by warehouse relation. Build it once per manifest with `buildRelationIndex`. */
export class RelationIndex {
  readonly caseSensitive: boolean;
  /**
   * schema → identifier → the nodes on that `schema.identifier` in every database, in manifest
   * order. Nested maps on the normalised parts: no key string is built per node or per lookup,
   * and a database-less lookup is the list itself.
   */
  readonly #bySchema = new Map<string, Map<string, RelationCandidate[]>>();
  /** identifier → nodes; only lookups without a schema need it, so it is built on first use. */
  #byIdentifier: Map<string, DbtNode[]> | null = null;
  /** Every node, in manifest order. */
  readonly #nodes: DbtNode[] = [];

  constructor(nodes: Iterable<DbtNode>, options: RelationIndexOptions = {}) {
    this.caseSensitive = options.caseSensitive ?? false;
    for (const node of nodes) {
      this.#nodes.push(node);
      const schema = this.normalize(node.schema);
      let identifiers = this.#bySchema.get(schema);
      if (identifiers === undefined) {
        identifiers = new Map();
        this.#bySchema.set(schema, identifiers);
      }
      const identifier = this.normalize(node.identifier);
      const candidate = { node, database: node.database ? this.normalize(node.database) : '' };
      const list = identifiers.get(identifier);
      if (list === undefined) identifiers.set(identifier, [candidate]);
      else list.push(candidate);
    }
  }

  /** Number of nodes indexed. */
  get size(): number {
    return this.#nodes.length;
  }

  /** Nodes whose relation is exactly this one (usually 0 or 1; more is a collision). */
  get(database: string | null, schema: string, identifier: string): DbtNode[] {
    return this.getNormalized(
      database ? this.normalize(database) : '',
      this.normalize(schema),
      this.normalize(identifier),
    );
  }

  /** One name part as this index compares it (`normalizeIdentifier` with the index's case rule). */
  normalize(part: string): string {
    return normalizeIdentifier(part, { caseSensitive: this.caseSensitive });
  }

  /**
   * `get` for parts already passed through `normalize` (database `''` when unknown), so a caller
   * looking a relation up several ways normalises each part once.
   */
  getNormalized(database: string, schema: string, identifier: string): DbtNode[] {
    const out: DbtNode[] = [];
    for (const c of this.candidates(schema, identifier))
      if (c.database === database) out.push(c.node);
    return out;
  }

  /**
   * Every node on `schema.identifier` (parts already normalised), whatever its database, in
   * manifest order: the one lookup a matcher needs to decide exact, database-less, ambiguous
   * and database-mismatch cases. Do not mutate the returned list.
   */
  candidates(schema: string, identifier: string): readonly RelationCandidate[] {
    return this.#bySchema.get(schema)?.get(identifier) ?? NO_CANDIDATES;
  }

  /** For when the database is unknown: unique, ambiguous, or none. */
  getBySchemaIdentifier(schema: string, identifier: string): SchemaLookup {
    return this.getBySchemaIdentifierNormalized(this.normalize(schema), this.normalize(identifier));
  }

  /** `getBySchemaIdentifier` for parts already passed through `normalize`. */
  getBySchemaIdentifierNormalized(schema: string, identifier: string): SchemaLookup {
    const list = this.candidates(schema, identifier);
    if (list.length === 0) return { kind: 'none' };
    if (list.length === 1) return { kind: 'unique', node: list[0]!.node };
    return { kind: 'ambiguous', nodes: list.map((c) => c.node) };
  }

  /** Every node whose identifier (alias) is this, whatever its schema and database. */
  getByIdentifier(identifier: string): DbtNode[] {
    if (this.#byIdentifier === null) {
      const byIdentifier = new Map<string, DbtNode[]>();
      for (const node of this.#nodes) {
        const key = this.normalize(node.identifier);
        const nodes = byIdentifier.get(key);
        if (nodes === undefined) byIdentifier.set(key, [node]);
        else nodes.push(node);
      }
      this.#byIdentifier = byIdentifier;
    }
    return [...(this.#byIdentifier.get(this.normalize(identifier)) ?? [])];
  }

  /** Keys shared by more than one node: reported, never silently dropped. */
  collisions(): RelationCollision[] {
    const out: RelationCollision[] = [];
    for (const [schema, identifiers] of this.#bySchema) {
      for (const [identifier, list] of identifiers) {
        if (list.length < 2) continue;
        const byDatabase = new Map<string, DbtNode[]>();
        for (const c of list) {
          const nodes = byDatabase.get(c.database);
          if (nodes === undefined) byDatabase.set(c.database, [c.node]);
          else nodes.push(c.node);
        }
        for (const [database, nodes] of byDatabase) {
          if (nodes.length < 2) continue;
          out.push({
            key: `${database}${SEP}${schema}${SEP}${identifier}`,
            relation: displayRelation(nodes[0]!),
            uniqueIds: nodes.map((n) => n.uniqueId).sort(),
          });
        }
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** Index the matchable nodes of a manifest (or any node list) by relation. */
export function buildRelationIndex(
  nodes: Iterable<DbtNode> | { nodes: ReadonlyMap<string, DbtNode> },
  options: RelationIndexOptions = {},
): RelationIndex {
  const list = Symbol.iterator in nodes ? nodes : nodes.nodes.values();
  return new RelationIndex(list, options);
}
