/**
 * dbt versions, as far as the outputs care: the YAML and manifest shapes of exposures change with
 * them (`label` from 1.3, `config.tags`/`config.meta` from 1.10, …).
 */

/** `[major, minor]` of a dbt version string (`1.10.6`, `1.5.0rc1`, `2.0.0-beta.2`), or null. */
export function parseDbtVersion(version: string): [number, number] | null {
  const match = /^\s*v?(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** Whether `version` (already parsed) is at least `major.minor`. */
export function versionAtLeast(
  version: readonly [number, number],
  major: number,
  minor: number,
): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}
