/**
 * The root project of a manifest. dbt writes `metadata.project_name` since 1.6 (manifest v10);
 * before that only `metadata.project_id`, the MD5 of the project name, which identifies the root
 * project among the manifest's package names.
 */
import { createHash } from 'node:crypto';

/** The package of a unique id (`model.jaffle_shop.orders` → `jaffle_shop`), or null. */
function packageOf(uniqueId: string): string | null {
  return uniqueId.split('.')[1] || null;
}

/** Every package named by these unique ids, sorted, once each. */
export function packageNames(uniqueIds: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const id of uniqueIds) {
    const name = packageOf(id);
    if (name !== null) names.add(name);
  }
  return [...names].sort();
}

/** The package whose MD5 is `projectId` (dbt's `metadata.project_id`), or null. */
export function packageWithProjectId(
  projectId: string,
  packages: readonly string[],
): string | null {
  const wanted = projectId.trim().toLowerCase();
  for (const name of packages) {
    if (createHash('md5').update(name).digest('hex') === wanted) return name;
  }
  return null;
}
