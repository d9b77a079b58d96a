/**
 * The mock Metadata API. Each document is first validated against Tableau's published schema as
 * the simulated version serves it (`schema.ts`): a field, argument, filter or type the version
 * lacks fails the whole request, as on Tableau. A valid document is then read with the `graphql`
 * package (never recognised by sharing the client's query strings): its top-level connection
 * field, that field's arguments (variables substituted) and its selection set. The answer is built
 * from the site the way Tableau answers: id order, opaque cursors in Tableau's format, `first`
 * clamped with a MAX_PAGE_SIZE_EXCEEDED warning, the filters used, a node limit that returns
 * partial data with a NODE_LIMIT_EXCEEDED error, a PERMISSIONS_MODE_SWITCHED warning when
 * filtering on project names, FILTER_REQUIRED for a custom SQL listing by a non-administrator
 * without an `idWithin` filter, and tables the token may not see with their names nulled. Every node is cut
 * down to the fields the document selects (aliases, inline fragments and named fragments on
 * `__typename` included); a selected field the site does not model is null.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { compareStrings } from '../util/compare.js';
import { checkRequest } from './schema.js';
import type {
  MockCustomSql,
  MockEmbeddedDatasource,
  MockPublishedDatasource,
  MockSite,
  MockTable,
  MockWorkbook,
} from './site.js';

/** Limits of the mock Metadata API. */
export interface MockGraphQLLimits {
  /** Largest `first` honoured; larger values are clamped with a warning. Default 1000. */
  maxPageSize: number;
  /** Objects allowed in one response before it is cut with NODE_LIMIT_EXCEEDED. Default 20000. */
  nodeLimit: number;
  /** The schema of the simulated version: every document is validated against it. */
  schema: () => GraphQLSchema;
  /** The token's user is no administrator: site-wide custom SQL / table listings need a filter. */
  filterRequired: boolean;
}

/** A GraphQL error or warning entry, as Tableau sends them. */
export interface MockGraphQLError {
  message?: string | null | undefined;
  path?: (string | number)[] | null | undefined;
  locations?: unknown;
  extensions?:
    | {
        severity?: string | null | undefined;
        code?: string | null | undefined;
        properties?: Record<string, unknown> | null | undefined;
        /** graphql-java's error class (`ValidationError` for a document the schema rejects). */
        classification?: string | null | undefined;
      }
    | null
    | undefined;
}

/** A GraphQL response body. */
export interface MockGraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: MockGraphQLError[];
}

/** What the mock understood of a request (for counters) and its answer. */
export interface MockGraphQLResult {
  /** The top-level connection field answered, or null when the document was not understood. */
  connection: string | null;
  body: MockGraphQLBody;
  /** The document failed schema validation. */
  invalid: boolean;
  /** Objects in the answered connection (what the node limit counts). */
  nodes: number;
}

/** What a document asks: one top-level field, its arguments and its selection set. */
export interface MockQuery {
  field: string;
  /** Arguments with variables substituted (`first`, `after`, `filter`, …). */
  arguments: Record<string, unknown>;
  selection: SelectionSetNode | undefined;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

/**
 * Parse a document and find what it asks: the operation named `operationName` (or the first one),
 * and its first top-level field. Throws `GraphQLError` on a syntax error or a document without one.
 */
export function readQuery(
  document: string,
  variables: Record<string, unknown>,
  operationName?: string,
): MockQuery {
  const parsed = parse(document);
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of parsed.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations.push(definition);
    }
  }
  const operation =
    operationName === undefined
      ? operations[0]
      : operations.find((o) => o.name?.value === operationName);
  const field = operation?.selectionSet.selections.find(
    (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename',
  );
  if (operation === undefined || field === undefined) {
    throw new GraphQLError(
      operationName === undefined
        ? 'The document has no operation with a field'
        : `No operation named ${JSON.stringify(operationName)}`,
    );
  }
  const args: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) {
    args[argument.name.value] = valueFromASTUntyped(argument.value, variables);
  }
  return { field: field.name.value, arguments: args, selection: field.selectionSet, fragments };
}

/** `value` cut down to `selection` (see the module comment). */
function project(
  value: unknown,
  selection: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selection, fragments));
  if (selection === undefined || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selection.selections) {
    if (s.kind === Kind.FIELD) {
      out[s.alias?.value ?? s.name.value] = project(node[s.name.value], s.selectionSet, fragments);
      continue;
    }
    const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : fragments.get(s.name.value);
    const type = fragment?.typeCondition?.name.value;
    if (fragment !== undefined && (type === undefined || type === node.__typename)) {
      Object.assign(out, project(node, fragment.selectionSet, fragments));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The site as Metadata API objects (every field the mock models; `project` keeps what is asked)

type GraphQLObject = Record<string, unknown>;

function tableObject(t: MockTable): GraphQLObject {
  if (t.hidden) {
    // OBFUSCATE_RESULTS: the object is there, its sensitive attributes are null.
    return {
      __typename: 'DatabaseTable',
      id: t.id,
      name: null,
      fullName: null,
      schema: null,
      connectionType: null,
      database: null,
    };
  }
  return {
    __typename: 'DatabaseTable',
    id: t.id,
    name: t.name,
    fullName: t.fullName,
    schema: t.schema,
    connectionType: t.connectionType,
    database:
      t.databaseName === null
        ? null
        : { __typename: 'Database', name: t.databaseName, connectionType: t.connectionType },
  };
}

/**
 * The fields of a data source, one per table and per custom SQL it reads, each with the column it
 * comes from and that column's table: what `fields { upstreamColumns { table } }` reaches.
 */
function fieldObjects(tables: MockTable[], customSql: MockCustomSql[]): GraphQLObject[] {
  const field = (id: string, name: string | null, table: GraphQLObject): GraphQLObject => ({
    __typename: 'ColumnField',
    id: `${id}-field`,
    name,
    upstreamColumns: [{ __typename: 'Column', id: `${id}-column`, name, table }],
  });
  return [
    ...tables.map((t) => field(t.id, t.hidden ? null : t.name, tableObject(t))),
    ...customSql.map((sql) =>
      field(sql.id, sql.name, { __typename: 'CustomSQLTable', id: sql.id, name: sql.name }),
    ),
  ];
}

function publishedObject(ds: MockPublishedDatasource): GraphQLObject {
  return {
    __typename: 'PublishedDatasource',
    id: ds.id,
    luid: ds.luid,
    name: ds.name,
    hasExtracts: ds.hasExtracts,
    extractLastRefreshTime: ds.extractLastRefreshTime,
    extractLastUpdateTime: ds.extractLastUpdateTime,
    projectName: ds.projectName,
    vizportalUrlId: ds.vizportalUrlId,
    upstreamTables: ds.tables.map(tableObject),
    fields: fieldObjects(ds.tables, ds.customSql),
  };
}

function publishedByLuid(site: MockSite, luids: readonly string[]): GraphQLObject[] {
  return luids
    .map((luid) => site.publishedDatasources.find((p) => p.luid === luid))
    .filter((p): p is MockPublishedDatasource => p !== undefined)
    .map(publishedObject);
}

function embeddedObject(ds: MockEmbeddedDatasource, site: MockSite): GraphQLObject {
  return {
    __typename: 'EmbeddedDatasource',
    id: ds.id,
    name: ds.name,
    hasExtracts: ds.hasExtracts,
    extractLastRefreshTime: ds.extractLastRefreshTime,
    extractLastUpdateTime: ds.extractLastUpdateTime,
    upstreamTables: ds.tables.map(tableObject),
    upstreamDatasources: publishedByLuid(site, ds.publishedDatasourceLuids),
    fields: fieldObjects(ds.tables, ds.customSql),
  };
}

function workbookObject(wb: MockWorkbook, site: MockSite): GraphQLObject {
  return {
    __typename: 'Workbook',
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
    owner: wb.owner === null ? null : { __typename: 'TableauUser', ...wb.owner },
    tags: wb.tags.map((name) => ({ __typename: 'Tag', name })),
    embeddedDatasources: wb.embeddedDatasources.map((ds) => embeddedObject(ds, site)),
    upstreamDatasources: publishedByLuid(site, wb.publishedDatasourceLuids),
  };
}

interface CustomSqlEntry {
  id: string;
  sql: MockCustomSql;
  owner:
    | { kind: 'embedded'; ds: MockEmbeddedDatasource; workbook: MockWorkbook }
    | { kind: 'published'; ds: MockPublishedDatasource };
}

function customSqlEntries(site: MockSite): CustomSqlEntry[] {
  const entries: CustomSqlEntry[] = [];
  for (const workbook of site.workbooks) {
    for (const ds of workbook.embeddedDatasources) {
      for (const sql of ds.customSql) {
        entries.push({ id: sql.id, sql, owner: { kind: 'embedded', ds, workbook } });
      }
    }
  }
  for (const ds of site.publishedDatasources) {
    for (const sql of ds.customSql) {
      entries.push({ id: sql.id, sql, owner: { kind: 'published', ds } });
    }
  }
  return entries;
}

function customSqlObject(entry: CustomSqlEntry, site: MockSite): GraphQLObject {
  const { sql, owner } = entry;
  const workbookRef = (w: MockWorkbook): GraphQLObject => ({
    __typename: 'Workbook',
    id: w.id,
    luid: w.luid,
    name: w.name,
  });
  const datasource =
    owner.kind === 'embedded'
      ? {
          __typename: 'EmbeddedDatasource',
          id: owner.ds.id,
          name: owner.ds.name,
          workbook: workbookRef(owner.workbook),
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
    __typename: 'CustomSQLTable',
    id: sql.id,
    name: sql.name,
    query: sql.query,
    isUnsupportedCustomSql: sql.isUnsupported,
    connectionType: sql.connectionType,
    database:
      sql.databaseName === null
        ? null
        : { __typename: 'Database', name: sql.databaseName, connectionType: sql.connectionType },
    tables: sql.tables.map(tableObject),
    downstreamWorkbooks: downstreamWorkbooks.map(workbookRef),
    downstreamDatasources:
      owner.kind === 'published'
        ? [
            {
              __typename: 'PublishedDatasource',
              id: owner.ds.id,
              luid: owner.ds.luid,
              name: owner.ds.name,
            },
          ]
        : [],
    columnsConnection: {
      __typename: 'ColumnsConnection',
      nodes: [
        {
          __typename: 'Column',
          referencedByFields: [{ __typename: 'ColumnField', datasource }],
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

/** Tableau's cursor format (base64 JSON with the last id), as seen in recorded payloads. */
function encodeCursor(type: string, lastId: string): string {
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

interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

function paginate<T extends { id: string }>(
  items: T[],
  type: string,
  first: number,
  after: string | null,
): Page<T> | MockGraphQLError {
  const sorted = [...items].sort((a, b) => compareStrings(a.id, b.id));
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

function countNodes(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countNodes(v), 0);
  if (value !== null && typeof value === 'object') {
    return 1 + Object.values(value).reduce((n: number, v) => n + countNodes(v), 0);
  }
  return 0;
}

function warning(
  code: string,
  message: string,
  properties: Record<string, unknown> | null = null,
): MockGraphQLError {
  return { message, extensions: { severity: 'WARNING', code, properties } };
}

function notUnderstood(message: string): MockGraphQLResult {
  return {
    connection: null,
    invalid: false,
    nodes: 0,
    body: {
      errors: [
        { message, extensions: { severity: 'ERROR', code: 'INVALID_ARGUMENT', properties: null } },
      ],
    },
  };
}

/**
 * A document the schema rejects. Tableau's Metadata API is graphql-java: validation errors come
 * with `locations` and `extensions.classification: "ValidationError"`, no `data`, and nothing of
 * the request is run.
 */
function invalidDocument(errors: readonly GraphQLError[], syntax: boolean): MockGraphQLResult {
  return {
    connection: null,
    invalid: true,
    nodes: 0,
    body: {
      errors: errors.map((e) => ({
        message: e.message,
        locations: e.locations ?? [],
        extensions: { classification: syntax ? 'InvalidSyntax' : 'ValidationError' },
      })),
    },
  };
}

/**
 * Connections a non-administrator may only query with a filter (Tableau's FILTER_REQUIRED), and
 * the filter the mock accepts from one: custom SQL tables by id (`idWithin`), the form the client
 * falls back to. Which other filters Tableau accepts is not documented.
 */
const FILTER_REQUIRED_CONNECTIONS = new Set(['customSQLTablesConnection']);

function filtersById(filter: unknown): boolean {
  const ids = (filter as { idWithin?: unknown } | null | undefined)?.idWithin;
  return Array.isArray(ids) && ids.length > 0;
}

/** The custom SQL filters the mock models; another is an error rather than silently ignored. */
const CUSTOM_SQL_FILTERS = new Set(['idWithin']);

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

/** The connections the mock answers, with the type name its cursors carry. */
const CONNECTIONS: Record<string, string> = {
  workbooksConnection: 'Workbook',
  customSQLTablesConnection: 'CustomSQLTable',
  publishedDatasourcesConnection: 'PublishedDatasource',
};

/** Answer one GraphQL request body against the site. Pure apart from reading `site`. */
export function answerGraphQL(
  site: MockSite,
  request: { query?: unknown; variables?: unknown; operationName?: unknown },
  limits: MockGraphQLLimits,
): MockGraphQLResult {
  const variables =
    request.variables !== null && typeof request.variables === 'object'
      ? (request.variables as Record<string, unknown>)
      : {};
  const source = typeof request.query === 'string' ? request.query : '';
  const operationName =
    typeof request.operationName === 'string' ? request.operationName : undefined;
  const checked = checkRequest(limits.schema(), source, variables, operationName);
  if (checked.errors.length > 0) return invalidDocument(checked.errors, checked.syntax);
  let query: MockQuery;
  try {
    query = readQuery(source, variables, operationName);
  } catch (error) {
    return notUnderstood((error as GraphQLError).message);
  }
  const connection = query.field;
  const type = CONNECTIONS[connection];
  if (type === undefined) {
    return notUnderstood(
      `The mock Metadata API only answers ${Object.keys(CONNECTIONS).join(', ')} queries, not ${connection}`,
    );
  }
  const args = query.arguments;
  if (
    limits.filterRequired &&
    FILTER_REQUIRED_CONNECTIONS.has(connection) &&
    !filtersById(args.filter)
  ) {
    return {
      connection,
      invalid: false,
      nodes: 0,
      body: {
        data: null,
        errors: [
          {
            message:
              "Can't run the query because you must be an admin. Alternatively, if you are not an admin, you can rerun the query with a field name filter to return results.",
            path: [connection],
            extensions: { severity: 'ERROR', code: 'FILTER_REQUIRED', properties: null },
          },
        ],
      },
    };
  }
  const errors: MockGraphQLError[] = [];
  let first = typeof args.first === 'number' && args.first > 0 ? Math.floor(args.first) : 100;
  if (first > limits.maxPageSize) {
    errors.push(
      warning(
        'MAX_PAGE_SIZE_EXCEEDED',
        `Requested page size ${first} exceeds the maximum ${limits.maxPageSize}; using ${limits.maxPageSize}`,
      ),
    );
    first = limits.maxPageSize;
  }
  const after = typeof args.after === 'string' ? args.after : null;
  const filter =
    args.filter !== null && typeof args.filter === 'object'
      ? (args.filter as Record<string, unknown>)
      : {};
  const luidWithin = stringList(filter.luidWithin);

  let page: Page<GraphQLObject> | MockGraphQLError;
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
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map((w) => workbookObject(w, site)) } : p;
  } else if (connection === 'publishedDatasourcesConnection') {
    const items = site.publishedDatasources.filter(
      (d) => luidWithin === null || luidWithin.includes(d.luid),
    );
    totalCount = items.length;
    const p = paginate(items, type, first, after);
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map(publishedObject) } : p;
  } else {
    const unmodelled = Object.keys(filter).filter((key) => !CUSTOM_SQL_FILTERS.has(key));
    if (unmodelled.length > 0) {
      return notUnderstood(
        `The mock Metadata API filters custom SQL tables by idWithin only, not ${unmodelled.join(', ')}`,
      );
    }
    const ids = stringList(filter.idWithin);
    const entries = customSqlEntries(site).filter((e) => ids === null || ids.includes(e.id));
    totalCount = entries.length;
    const p = paginate(entries, type, first, after);
    page = 'nodes' in p ? { ...p, nodes: p.nodes.map((e) => customSqlObject(e, site)) } : p;
  }
  if (!('nodes' in page)) {
    return {
      connection,
      invalid: false,
      nodes: 0,
      body: { data: null, errors: [...errors, page] },
    };
  }

  const field = project(
    {
      __typename: `${type}sConnection`,
      nodes: page.nodes,
      pageInfo: {
        __typename: 'PageInfo',
        hasNextPage: page.hasNextPage,
        endCursor: page.endCursor,
      },
      totalCount,
    },
    query.selection,
    query.fragments,
  ) as { nodes?: unknown };
  // The node limit counts the objects of the answer as asked (the connection and its pageInfo too).
  let used = countNodes(field);
  if (Array.isArray(field.nodes)) {
    used = countNodes({ ...field, nodes: [] });
    const kept: unknown[] = [];
    for (const node of field.nodes) {
      used += countNodes(node);
      if (used > limits.nodeLimit) break;
      kept.push(node);
    }
    if (kept.length < field.nodes.length) {
      used = countNodes({ ...field, nodes: kept });
      field.nodes = kept;
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
  }
  const body: MockGraphQLBody = { data: { [connection]: field } };
  if (errors.length > 0) body.errors = errors;
  return { connection, invalid: false, nodes: used, body };
}
