/**
 * The mock Metadata API: answers the documents of `src/tableau/queries.ts` (recognised by their
 * top-level connection field and variables, not by a GraphQL engine) from a `MockSite`, the way
 * Tableau does: id order, opaque cursors in Tableau's format, `first` clamped with a
 * MAX_PAGE_SIZE_EXCEEDED warning, the filters used, a node limit that returns partial data with a
 * NODE_LIMIT_EXCEEDED error, and a PERMISSIONS_MODE_SWITCHED warning when filtering on project names.
 */

import { connectionFieldOf } from '../tableau/queries.js';
import type { RawGraphQLError } from '../tableau/raw-types.js';
import type {
  MockCustomSql,
  MockEmbeddedDatasource,
  MockPublishedDatasource,
  MockSite,
  MockTable,
  MockWorkbook,
} from './site-model.js';

/** Limits of the mock Metadata API. */
export interface MockGraphQLLimits {
  /** Largest `first` honoured; larger values are clamped with a warning. Default 1000. */
  maxPageSize: number;
  /** Objects allowed in one response before it is cut with NODE_LIMIT_EXCEEDED. Default 20000. */
  nodeLimit: number;
}

/** A GraphQL response body. */
export interface MockGraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: RawGraphQLError[];
}

/** What the mock understood of a request (for counters). */
export interface MockGraphQLResult {
  connection: string | null;
  body: MockGraphQLBody;
}

interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const CURSOR_TYPES: Record<string, string> = {
  workbooksConnection: 'Workbook',
  customSQLTablesConnection: 'CustomSQLTable',
  publishedDatasourcesConnection: 'PublishedDatasource',
};

/** Tableau's cursor format (base64 JSON with the last id), as seen in recorded payloads. */
export function encodeCursor(type: string, lastId: string): string {
  const json = JSON.stringify({ type, scope: 'sites/1', sortOrderValue: { lastId } });
  return Buffer.from(json, 'utf8').toString('base64');
}

function decodeCursor(cursor: string, type: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as {
      type?: unknown;
      sortOrderValue?: { lastId?: unknown };
    };
    const lastId = parsed.sortOrderValue?.lastId;
    return parsed.type === type && typeof lastId === 'string' ? lastId : null;
  } catch {
    return null;
  }
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

function countNodes(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countNodes(v), 0);
  if (value !== null && typeof value === 'object') {
    return 1 + Object.values(value).reduce((n: number, v) => n + countNodes(v), 0);
  }
  return 0;
}

function tableNode(t: MockTable): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    fullName: t.fullName,
    schema: t.schema,
    connectionType: t.connectionType,
    database:
      t.databaseName === null ? null : { name: t.databaseName, connectionType: t.connectionType },
  };
}

function publishedNode(ds: MockPublishedDatasource, full: boolean): Record<string, unknown> {
  const base = {
    id: ds.id,
    luid: ds.luid,
    name: ds.name,
    hasExtracts: ds.hasExtracts,
    extractLastRefreshTime: ds.extractLastRefreshTime,
  };
  if (!full) return base;
  return {
    ...base,
    projectName: ds.projectName,
    vizportalUrlId: ds.vizportalUrlId,
    upstreamTables: ds.tables.map(tableNode),
  };
}

function embeddedNode(
  ds: MockEmbeddedDatasource,
  site: MockSite,
  full: boolean,
): Record<string, unknown> {
  const base = {
    id: ds.id,
    name: ds.name,
    hasExtracts: ds.hasExtracts,
    extractLastRefreshTime: ds.extractLastRefreshTime,
  };
  if (!full) return base;
  return {
    ...base,
    upstreamTables: ds.tables.map(tableNode),
    upstreamDatasources: ds.publishedDatasourceLuids.map((luid) => {
      const p = site.publishedDatasources.find((x) => x.luid === luid);
      return { id: p?.id ?? null, luid, name: p?.name ?? null };
    }),
  };
}

function workbookNode(wb: MockWorkbook, site: MockSite, full: boolean): Record<string, unknown> {
  if (!full) {
    return {
      luid: wb.luid,
      name: wb.name,
      embeddedDatasources: wb.embeddedDatasources.map((ds) => embeddedNode(ds, site, false)),
    };
  }
  return {
    id: wb.id,
    luid: wb.luid,
    name: wb.name,
    description: wb.description,
    createdAt: wb.createdAt,
    updatedAt: wb.updatedAt,
    uri: `sites/1/workbooks/${wb.vizportalUrlId}`,
    vizportalUrlId: wb.vizportalUrlId,
    projectName: wb.projectName,
    projectLuid: wb.projectLuid,
    owner: wb.owner,
    tags: wb.tags.map((name) => ({ name })),
    embeddedDatasources: wb.embeddedDatasources.map((ds) => embeddedNode(ds, site, true)),
    upstreamDatasources: wb.publishedDatasourceLuids
      .map((luid) => site.publishedDatasources.find((p) => p.luid === luid))
      .filter((p): p is MockPublishedDatasource => p !== undefined)
      .map((p) => publishedNode(p, true)),
  };
}

interface CustomSqlEntry {
  sql: MockCustomSql;
  owner:
    | { kind: 'embedded'; ds: MockEmbeddedDatasource; workbook: MockWorkbook }
    | { kind: 'published'; ds: MockPublishedDatasource };
}

function customSqlEntries(site: MockSite): CustomSqlEntry[] {
  const entries: CustomSqlEntry[] = [];
  for (const workbook of site.workbooks) {
    for (const ds of workbook.embeddedDatasources) {
      for (const sql of ds.customSql)
        entries.push({ sql, owner: { kind: 'embedded', ds, workbook } });
    }
  }
  for (const ds of site.publishedDatasources) {
    for (const sql of ds.customSql) entries.push({ sql, owner: { kind: 'published', ds } });
  }
  return entries;
}

function customSqlNode(entry: CustomSqlEntry, site: MockSite): Record<string, unknown> {
  const { sql, owner } = entry;
  const datasource =
    owner.kind === 'embedded'
      ? {
          __typename: 'EmbeddedDatasource',
          id: owner.ds.id,
          name: owner.ds.name,
          workbook: { luid: owner.workbook.luid, name: owner.workbook.name },
        }
      : {
          __typename: 'PublishedDatasource',
          id: owner.ds.id,
          name: owner.ds.name,
          luid: owner.ds.luid,
        };
  const downstreamWorkbooks =
    owner.kind === 'embedded'
      ? [owner.workbook]
      : site.workbooks.filter((w) => w.publishedDatasourceLuids.includes(owner.ds.luid));
  return {
    id: sql.id,
    name: sql.name,
    query: sql.query,
    isUnsupportedCustomSql: sql.isUnsupported,
    connectionType: sql.connectionType,
    database:
      sql.databaseName === null
        ? null
        : { name: sql.databaseName, connectionType: sql.connectionType },
    tables: sql.tables.map(tableNode),
    downstreamWorkbooks: downstreamWorkbooks.map((w) => ({ luid: w.luid, name: w.name })),
    downstreamDatasources:
      owner.kind === 'published'
        ? [{ id: owner.ds.id, luid: owner.ds.luid, name: owner.ds.name }]
        : [],
    columnsConnection: { nodes: [{ referencedByFields: [{ datasource }] }] },
  };
}

function paginate<T extends { id: string }>(
  items: T[],
  type: string,
  first: number,
  after: string | null,
): Page<T> | RawGraphQLError {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let start = 0;
  if (after !== null) {
    const lastId = decodeCursor(after, type);
    if (lastId === null) {
      return {
        message: `Invalid cursor: ${after}`,
        path: null,
        extensions: { severity: 'ERROR', code: 'INVALID_ARGUMENT', properties: null },
      };
    }
    start = sorted.findIndex((item) => item.id > lastId);
    if (start < 0) start = sorted.length;
  }
  const nodes = sorted.slice(start, start + first);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    hasNextPage: start + first < sorted.length,
    endCursor: last === undefined ? null : encodeCursor(type, last.id),
  };
}

function warning(
  code: string,
  message: string,
  properties: Record<string, unknown> | null = null,
): RawGraphQLError {
  return { message, extensions: { severity: 'WARNING', code, properties } };
}

/** Answer one GraphQL request body against the site. Pure apart from reading `site`. */
export function answerGraphQL(
  site: MockSite,
  request: { query?: unknown; variables?: unknown },
  limits: MockGraphQLLimits,
): MockGraphQLResult {
  const query = typeof request.query === 'string' ? request.query : '';
  const variables =
    request.variables !== null && typeof request.variables === 'object'
      ? (request.variables as Record<string, unknown>)
      : {};
  const connection = connectionFieldOf(query);
  if (connection === null) {
    return {
      connection: null,
      body: {
        errors: [
          {
            message:
              'The mock Metadata API only answers workbooksConnection, customSQLTablesConnection and publishedDatasourcesConnection queries',
            extensions: { severity: 'ERROR', code: 'INVALID_ARGUMENT', properties: null },
          },
        ],
      },
    };
  }
  const errors: RawGraphQLError[] = [];
  let first =
    typeof variables.first === 'number' && variables.first > 0 ? Math.floor(variables.first) : 100;
  if (first > limits.maxPageSize) {
    errors.push(
      warning(
        'MAX_PAGE_SIZE_EXCEEDED',
        `Requested page size ${first} exceeds the maximum ${limits.maxPageSize}; using ${limits.maxPageSize}`,
      ),
    );
    first = limits.maxPageSize;
  }
  const after = typeof variables.after === 'string' ? variables.after : null;
  const filter =
    variables.filter !== null && typeof variables.filter === 'object'
      ? (variables.filter as Record<string, unknown>)
      : {};
  const luidWithin = stringList(variables.luids) ?? stringList(filter.luidWithin);
  const full = query.includes('upstreamTables');
  const type = CURSOR_TYPES[connection] ?? connection;

  let page: Page<Record<string, unknown>> | RawGraphQLError;
  let totalCount: number;
  if (connection === 'workbooksConnection') {
    const projectLuids = stringList(filter.projectLuidWithin);
    const projectNames = stringList(filter.projectNameWithin);
    const names = stringList(filter.nameWithin);
    if (projectNames !== null) {
      errors.push(
        warning(
          'PERMISSIONS_MODE_SWITCHED',
          'One or more of the attributes used in your filter contain sensitive data so your results have been automatically filtered to contain only the results you have permissions to see',
          { workbooksConnection: ['projectNameWithin'] },
        ),
      );
    }
    const items = site.workbooks.filter(
      (w) =>
        (luidWithin === null || luidWithin.includes(w.luid)) &&
        (projectLuids === null ||
          (w.projectLuid !== null && projectLuids.includes(w.projectLuid))) &&
        (projectNames === null ||
          (w.projectName !== null && projectNames.includes(w.projectName))) &&
        (names === null || names.includes(w.name)),
    );
    totalCount = items.length;
    const p = paginate(items, type, first, after);
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map((w) => workbookNode(w, site, full)) } : p;
  } else if (connection === 'publishedDatasourcesConnection') {
    const items = site.publishedDatasources.filter(
      (d) => luidWithin === null || luidWithin.includes(d.luid),
    );
    totalCount = items.length;
    const p = paginate(items, type, first, after);
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map((d) => publishedNode(d, full)) } : p;
  } else {
    const entries = customSqlEntries(site).map((e) => ({ id: e.sql.id, entry: e }));
    totalCount = entries.length;
    const p = paginate(entries, type, first, after);
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map((e) => customSqlNode(e.entry, site)) } : p;
  }
  if (!('nodes' in page)) return { connection, body: { data: null, errors: [...errors, page] } };

  let nodes = page.nodes;
  let used = 2; // the connection and its pageInfo
  const kept: Record<string, unknown>[] = [];
  for (const node of nodes) {
    used += countNodes(node);
    if (used > limits.nodeLimit) break;
    kept.push(node);
  }
  if (kept.length < nodes.length) {
    nodes = kept;
    errors.push({
      message: `Showing partial results. The request exceeded the ${limits.nodeLimit} node limit. Use pagination, additional filtering, or both in the query to adjust results.`,
      path: [connection],
      extensions: {
        severity: 'ERROR',
        code: 'NODE_LIMIT_EXCEEDED',
        properties: { nodeLimit: limits.nodeLimit },
      },
    });
  }
  const body: MockGraphQLBody = {
    data: {
      [connection]: {
        nodes,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
        totalCount,
      },
    },
  };
  if (errors.length > 0) body.errors = errors;
  return { connection, body };
}
