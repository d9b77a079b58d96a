/** Readers of untyped Metadata API values: a wrong type reads as absent, never as a crash. */

/** The value when it is a string, else null. */
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The object items of a raw list (null items and a missing list are skipped). */
export function list<T>(value: (T | null)[] | null | undefined): T[] {
  return Array.isArray(value)
    ? value.filter((v): v is T => v !== null && typeof v === 'object')
    : [];
}

/** The object without its null and undefined members (so a spread does not erase known values). */
export function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}

/**
 * The nodes of a connection (`{ nodes }`, or Relay-style `{ edges: [{ node }] }` as some GraphQL
 * tools re-shape it) or the items of a plain list; objects only.
 */
export function items(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return list(value as (Record<string, unknown> | null)[]);
  if (value === null || typeof value !== 'object') return [];
  const connection = value as { nodes?: unknown; edges?: unknown };
  const nodes = Array.isArray(connection.nodes) ? list(connection.nodes as object[]) : [];
  const edges = Array.isArray(connection.edges) ? list(connection.edges as object[]) : [];
  const fromEdges = edges.map((e) => (e as { node?: unknown }).node);
  return [...nodes, ...list(fromEdges as object[])] as Record<string, unknown>[];
}

/**
 * A list field of a raw object as the Metadata API can spell it: `field` (a list) and
 * `fieldConnection` (a connection), both read. `upstreamTables` and `upstreamTablesConnection`
 * are the same tables asked two ways.
 */
export function field<T>(raw: object, key: string): T[] {
  const record = raw as Record<string, unknown>;
  return [...items(record[key]), ...items(record[`${key}Connection`])] as T[];
}
