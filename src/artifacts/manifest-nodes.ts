/**
 * Turning raw manifest entries (already checked by the fast checks in raw-checks.ts) into
 * matchable `DbtNode`s: which entries own a warehouse relation, and what that relation is.
 */
import { splitQualifiedName } from './relation-name.js';
import type { DbtNode, ModelAccess } from './types.js';

type Raw = Record<string, unknown>;

/** Resource types in `nodes` that own a relation when enabled and not ephemeral. */
export const RELATIONAL_TYPES: ReadonlySet<string> = new Set(['model', 'seed', 'snapshot']);

/** Where a node lives in the warehouse. */
export interface ResolvedRelation {
  database: string | null;
  schema: string;
  identifier: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * The relation of a node: from `database`/`schema`/`alias|identifier` when present (they are what
 * dbt builds the relation from), else from `relation_name`, split quote-aware (`"a.b"."c"` is two
 * parts). A `relation_name` that is an expression (dbt-duckdb's `read_csv('…')`) cannot supply a
 * relation; the node then needs its fields. Null when neither gives a schema and an identifier.
 */
export function resolveRelation(
  database: unknown,
  schema: unknown,
  identifier: unknown,
  relationName: unknown,
): ResolvedRelation | null {
  const db = nonEmpty(database) ? database : null;
  if (nonEmpty(schema) && nonEmpty(identifier)) return { database: db, schema, identifier };
  const parts = typeof relationName === 'string' ? splitQualifiedName(relationName) : null;
  if (parts?.length === 3) return { database: parts[0]!, schema: parts[1]!, identifier: parts[2]! };
  if (parts?.length === 2) return { database: db, schema: parts[0]!, identifier: parts[1]! };
  return null;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]).slice() : []);
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Why a relational entry is not matchable, or the node. */
export type NodeConversion =
  | { kind: 'node'; node: DbtNode }
  | { kind: 'skipped'; reason: 'disabled' | 'ephemeral' }
  | { kind: 'no_relation' };

/** A model, seed or snapshot entry of `nodes`. */
export function convertRelationalNode(
  uniqueId: string,
  raw: Raw,
  resourceType: 'model' | 'seed' | 'snapshot',
): NodeConversion {
  const config = raw.config as Raw | null | undefined;
  if (config?.enabled === false) return { kind: 'skipped', reason: 'disabled' };
  const materialization = (config?.materialized as string | null | undefined) ?? null;
  if (materialization === 'ephemeral') return { kind: 'skipped', reason: 'ephemeral' };
  const relation = resolveRelation(raw.database, raw.schema, raw.alias, raw.relation_name);
  if (!relation) return { kind: 'no_relation' };
  return {
    kind: 'node',
    node: {
      uniqueId,
      resourceType,
      packageName: raw.package_name as string,
      name: raw.name as string,
      sourceName: null,
      database: relation.database,
      schema: relation.schema,
      identifier: relation.identifier,
      relationName: orNull(raw.relation_name as string | null | undefined),
      materialization,
      version: orNull(raw.version as string | number | null | undefined),
      latestVersion: orNull(raw.latest_version as string | number | null | undefined),
      access: orNull(raw.access as ModelAccess | null | undefined),
      enabled: true,
      tags: list(raw.tags),
      fqn: list(raw.fqn),
      description: orNull(raw.description as string | null | undefined),
    },
  };
}

/** An entry of `sources`. */
export function convertSource(uniqueId: string, raw: Raw): NodeConversion {
  const config = raw.config as Raw | null | undefined;
  if (config?.enabled === false) return { kind: 'skipped', reason: 'disabled' };
  const relation = resolveRelation(raw.database, raw.schema, raw.identifier, raw.relation_name);
  if (!relation) return { kind: 'no_relation' };
  return {
    kind: 'node',
    node: {
      uniqueId,
      resourceType: 'source',
      packageName: raw.package_name as string,
      name: raw.name as string,
      sourceName: raw.source_name as string,
      database: relation.database,
      schema: relation.schema,
      identifier: relation.identifier,
      relationName: orNull(raw.relation_name as string | null | undefined),
      materialization: null,
      version: null,
      latestVersion: null,
      access: null,
      enabled: true,
      tags: list(raw.tags),
      fqn: list(raw.fqn),
      description: orNull(raw.description as string | null | undefined),
    },
  };
}
