/**
 * The one graph walk: every node reachable from `start` through `next` (dbt's parent_map for
 * ancestors, child_map for descendants), the start nodes included, each once.
 */
export function closure(
  start: Iterable<string>,
  next: ReadonlyMap<string, readonly string[]>,
): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    for (const other of next.get(id) ?? []) if (!seen.has(other)) stack.push(other);
  }
  return seen;
}
