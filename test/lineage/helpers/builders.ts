/**
 * Small builders for hand-made manifests and Tableau workbooks in lineage tests. Every field is
 * explicit at the call site that matters; defaults are neutral (no extracts, no owner, …).
 */
import type { DbtNode, Manifest, ManifestExposure } from '../../../src/artifacts/types.js';
import type {
  TableauCustomSql,
  TableauEmbeddedDatasource,
  TableauPublishedDatasource,
  TableauTable,
  TableauWorkbook,
} from '../../../src/tableau/types.js';

export function node(
  fields: Partial<DbtNode> & Pick<DbtNode, 'uniqueId' | 'name' | 'schema' | 'identifier'>,
): DbtNode {
  return {
    resourceType: 'model',
    packageName: 'shop',
    sourceName: null,
    database: 'analytics',
    relationName: null,
    materialization: 'table',
    version: null,
    latestVersion: null,
    access: 'protected',
    enabled: true,
    tags: [],
    fqn: [],
    originalFilePath: null,
    description: null,
    ...fields,
  };
}

export function manifest(
  nodes: DbtNode[],
  extra: Partial<Manifest> & { exposures?: ManifestExposure[] } = {},
): Manifest {
  const names = new Set<string>(nodes.map((n) => n.name.toLowerCase()));
  for (const e of extra.exposures ?? []) names.add(e.name.toLowerCase());
  return {
    path: null,
    schemaVersion: 12,
    dbtVersion: '1.10.6',
    isFusion: false,
    projectName: 'shop',
    adapterType: 'snowflake',
    invocationId: null,
    generatedAt: null,
    quoting: null,
    nodes: new Map(nodes.map((n) => [n.uniqueId, n])),
    takenNames: names,
    parentMap: new Map(),
    childMap: new Map(),
    exposures: [],
    resourceTypes: new Map(nodes.map((n) => [n.uniqueId, n.resourceType])),
    notes: [],
    ...extra,
  };
}

export function table(fields: Partial<TableauTable> & Pick<TableauTable, 'name'>): TableauTable {
  return {
    fullName: null,
    schema: null,
    databaseName: null,
    connectionType: 'snowflake',
    ...fields,
  };
}

export function customSql(
  fields: Partial<TableauCustomSql> & Pick<TableauCustomSql, 'query'>,
): TableauCustomSql {
  return {
    name: 'Custom SQL Query',
    connectionType: 'snowflake',
    databaseName: null,
    isUnsupported: false,
    tables: [],
    ...fields,
  };
}

export function embedded(
  fields: Partial<TableauEmbeddedDatasource> = {},
): TableauEmbeddedDatasource {
  return {
    name: 'embedded',
    hasExtracts: false,
    extractLastRefreshTime: null,
    tables: [],
    customSql: [],
    publishedDatasourceLuids: [],
    ...fields,
  };
}

export function published(
  fields: Partial<TableauPublishedDatasource> & Pick<TableauPublishedDatasource, 'luid' | 'name'>,
): TableauPublishedDatasource {
  return {
    projectName: null,
    vizportalUrlId: null,
    hasExtracts: false,
    extractLastRefreshTime: null,
    tables: [],
    customSql: [],
    ...fields,
  };
}

export function workbook(
  fields: Partial<TableauWorkbook> & Pick<TableauWorkbook, 'luid' | 'name'>,
): TableauWorkbook {
  return {
    projectName: 'Default',
    projectLuid: null,
    owner: null,
    tags: [],
    description: null,
    createdAt: null,
    updatedAt: null,
    vizportalUrlId: null,
    url: null,
    embeddedDatasources: [],
    publishedDatasources: [],
    ...fields,
  };
}
