/**
 * Which artifact a JSON document is, and which schema version: read from
 * `metadata.dbt_schema_version`, a URL like `https://schemas.getdbt.com/dbt/manifest/v12.json`.
 */

/** What `metadata.dbt_schema_version` says about a document. */
export interface SchemaVersionInfo {
  /** The artifact kind from the URL path: `manifest`, `run-results`, `catalog`, `sources`, … */
  kind: string;
  /** The schema version number (`v12` → 12). */
  version: number;
}

const SCHEMA_URL = /\/dbt\/([A-Za-z0-9_-]+)\/v(\d+)\.json$/;

/** Parse a `dbt_schema_version` URL; null when it is not one. */
export function parseSchemaVersion(url: string): SchemaVersionInfo | null {
  const match = SCHEMA_URL.exec(url.trim());
  if (!match) return null;
  return { kind: match[1]!, version: Number(match[2]) };
}

const DESCRIPTIONS: Record<string, string> = {
  manifest: 'a dbt manifest.json',
  'run-results': 'a dbt run_results.json',
  catalog: 'a dbt catalog.json (written by `dbt docs generate`)',
  sources: 'a dbt sources.json (written by `dbt source freshness`)',
  'semantic-manifest': 'a dbt semantic_manifest.json',
};

/** A human description of an artifact kind, for messages. */
export function describeKind(kind: string): string {
  return DESCRIPTIONS[kind] ?? `a dbt "${kind}" artifact`;
}
