/**
 * The Metadata API (GraphQL) documents the client sends, builders for their variables, and the
 * raw shapes of the answers (which raw payloads users feed share).
 *
 * Decisions (the Metadata API behaviour they rest on: docs/tableau.md):
 * - Values only ever travel as GraphQL variables; no document is built from user input.
 * - No `orderBy`: the Metadata API's default order is by id and its cursors encode the last id
 *   (`{"sortOrderValue":{"lastId":…}}` in the recorded cursors), so cursor pages are already
 *   stable. Loop on `pageInfo.hasNextPage`; the last page may still carry an `endCursor`.
 * - `upstreamTables` of a workbook or data source lists DatabaseTables only, never custom SQL, so
 *   custom SQL is fetched by a second paginated query (`CUSTOM_SQL_QUERY`, as dbt-exposures-crawler
 *   does) and mapped back through `columnsConnection.referencedByFields.datasource` (the data source
 *   that uses it: an embedded one by `id` + workbook luid, a published one by luid), with
 *   `downstreamDatasources` / `downstreamWorkbooks` as fallbacks. Only the first column is asked
 *   for: every column of one custom SQL table belongs to the same data source, and asking for all
 *   of them multiplies nodes towards the 20,000 node limit.
 * - Documents are built for the server at hand (`metadataFeatures`, from its serverinfo): no field
 *   newer than the server is ever asked, because Tableau fails the WHOLE query on one unknown
 *   field. The only field the library needs that not every supported release has is
 *   `Workbook.projectLuid` / `Workbook_Filter.projectLuidWithin` (Cloud June 2022 / Server 2022.3).
 * - Published data sources are listed once (`PUBLISHED_DATASOURCES_QUERY`) and workbooks refer to
 *   them by luid: sending their tables again under every workbook that uses them cost about a
 *   quarter of a listing's nodes.
 * - Extract times: `extractLastUpdateTime` (any refresh, full or incremental, or creation) and
 *   `extractLastRefreshTime` (last FULL refresh) are both asked; the first wins when set (see
 *   `lastExtractTime` in normalize.ts). The schema marks neither with an availability note.
 */
/** Path of the Metadata API endpoint on the server. */
export const METADATA_GRAPHQL_PATH = '/api/metadata/graphql';

/**
 * `first` of the first page of a listing: Tableau's own default page size. Later pages are sized
 * from the node budget that page measured (see metadata.ts), unless the caller fixed `pageSize`.
 */
export const DEFAULT_WORKBOOKS_PAGE_SIZE = 100;
/** Largest page size (`first`) the client asks for (Tableau clamps larger values with MAX_PAGE_SIZE_EXCEEDED). */
export const MAX_PAGE_SIZE = 1000;
/** Luids per refresh-time query: long `luidWithin` lists have produced empty HTTP responses. */
export const MAX_LUIDS_PER_QUERY = 100;

const TABLE_FIELDS = 'id name fullName schema connectionType database { name connectionType }';
const PAGE_FIELDS = 'totalCount pageInfo { hasNextPage endCursor }';
const EXTRACT_FIELDS = 'hasExtracts extractLastUpdateTime extractLastRefreshTime';

/** What the server's Metadata API offers that not every supported release does. */
export interface MetadataFeatures {
  /** `Workbook.projectLuid` and the `projectLuidWithin` filter (Cloud June 2022 / Server 2022.3). */
  projectLuid: boolean;
}

/** The first release with `Workbook.projectLuid`, and its REST API version. */
const PROJECT_LUID_RELEASE = [2022, 3] as const;
const PROJECT_LUID_REST_API = '3.17';

/**
 * The features of a server from its serverinfo: its release (`productVersion`, e.g. "2023.3.0";
 * Tableau Cloud reports its current release, always newer than the notes the library depends
 * on), or, when that is missing or unreadable, its REST API version (3.17 is Server 2022.3).
 */
export function metadataFeatures(info: {
  productVersion: string | null;
  restApiVersion: string;
}): MetadataFeatures {
  const release = /^(\d{4})\.(\d+)/.exec(info.productVersion ?? '');
  if (release !== null) {
    const [year, minor] = [Number(release[1]), Number(release[2])];
    const [needYear, needMinor] = PROJECT_LUID_RELEASE;
    return { projectLuid: year > needYear || (year === needYear && minor >= needMinor) };
  }
  const [major = 0, minor = 0] = info.restApiVersion.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = PROJECT_LUID_REST_API.split('.').map(Number);
  return { projectLuid: major > needMajor || (major === needMajor && minor >= needMinor) };
}

/**
 * Workbooks with everything lineage needs, one page, for a server with `features`. Published
 * data sources are referred to by luid (their content comes from `PUBLISHED_DATASOURCES_QUERY`).
 * Variables: `WorkbooksQueryVariables`. Response: `RawGraphQLResponse<RawWorkbooksData>`.
 */
export function workbooksQuery(features: MetadataFeatures): string {
  const project = features.projectLuid ? 'projectName projectLuid' : 'projectName';
  return `query DbtAutoExposuresWorkbooks($first: Int!, $after: String, $filter: Workbook_Filter) {
  workbooksConnection(first: $first, after: $after, filter: $filter) {
    ${PAGE_FIELDS}
    nodes {
      id luid name description createdAt updatedAt uri vizportalUrlId ${project}
      owner { name email username }
      tags { name }
      embeddedDatasources {
        id name ${EXTRACT_FIELDS}
        upstreamTables { ${TABLE_FIELDS} }
        upstreamDatasources { luid }
      }
      upstreamDatasources { luid }
    }
  }
}`;
}

/**
 * Published data sources of the site with their tables, one page. Variables: `PageVariables`.
 * Response: `RawGraphQLResponse<RawPublishedDatasourcesData>`.
 */
export const PUBLISHED_DATASOURCES_QUERY = `query DbtAutoExposuresPublishedDatasources($first: Int!, $after: String) {
  publishedDatasourcesConnection(first: $first, after: $after) {
    ${PAGE_FIELDS}
    nodes {
      id luid name projectName vizportalUrlId ${EXTRACT_FIELDS}
      upstreamTables { ${TABLE_FIELDS} }
    }
  }
}`;

/** What the client reads of a custom SQL table: its SQL, its parsed tables and what uses it. */
const CUSTOM_SQL_NODE_FIELDS = `id name query isUnsupportedCustomSql connectionType
      database { name connectionType }
      tables { ${TABLE_FIELDS} }
      downstreamWorkbooks { luid name }
      downstreamDatasources { id luid name }
      columnsConnection(first: 1) {
        nodes {
          referencedByFields {
            datasource {
              __typename id name
              ... on PublishedDatasource { luid }
              ... on EmbeddedDatasource { workbook { luid name } }
            }
          }
        }
      }`;

/**
 * Custom SQL tables of the site, one page, with what uses them. Variables: `PageVariables`.
 * Response: `RawGraphQLResponse<RawCustomSqlData>`. Tableau answers FILTER_REQUIRED to anyone
 * but a site administrator: see `CUSTOM_SQL_BY_ID_QUERY`.
 */
export const CUSTOM_SQL_QUERY = `query DbtAutoExposuresCustomSql($first: Int!, $after: String) {
  customSQLTablesConnection(first: $first, after: $after) {
    ${PAGE_FIELDS}
    nodes {
      ${CUSTOM_SQL_NODE_FIELDS}
    }
  }
}`;

/**
 * Custom SQL tables by id (`CustomSQLTable_Filter.idWithin`), one page, with the same fields as
 * `CUSTOM_SQL_QUERY`: the filtered form a non-administrator may run. Variables:
 * `CustomSqlByIdVariables`. Response: `RawGraphQLResponse<RawCustomSqlData>`.
 */
export const CUSTOM_SQL_BY_ID_QUERY = `query DbtAutoExposuresCustomSqlById($ids: [ID!]!, $first: Int!, $after: String) {
  customSQLTablesConnection(first: $first, after: $after, filter: { idWithin: $ids }) {
    ${PAGE_FIELDS}
    nodes {
      ${CUSTOM_SQL_NODE_FIELDS}
    }
  }
}`;

/**
 * The custom SQL a data source reads, found from its side: every field's upstream columns and the
 * table each belongs to, kept only when it is a `CustomSQLTable` (its id). The inverse of the
 * `columnsConnection.referencedByFields.datasource` link `CUSTOM_SQL_QUERY` follows.
 */
const CUSTOM_SQL_IDS_FIELDS =
  'fields { upstreamColumns { table { ... on CustomSQLTable { id } } } }';

/**
 * Ids of the custom SQL tables the embedded data sources of workbooks read, by workbook luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawWorkbooksData>`.
 */
export const WORKBOOK_CUSTOM_SQL_IDS_QUERY = `query DbtAutoExposuresWorkbookCustomSqlIds($luids: [String!]!, $first: Int!, $after: String) {
  workbooksConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { luid embeddedDatasources { ${CUSTOM_SQL_IDS_FIELDS} } }
  }
}`;

/**
 * Ids of the custom SQL tables published data sources read, by luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawPublishedDatasourcesData>`.
 */
export const PUBLISHED_DATASOURCE_CUSTOM_SQL_IDS_QUERY = `query DbtAutoExposuresDatasourceCustomSqlIds($luids: [String!]!, $first: Int!, $after: String) {
  publishedDatasourcesConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { luid ${CUSTOM_SQL_IDS_FIELDS} }
  }
}`;

/**
 * Current extract refresh times of workbooks (their embedded extracts), by luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawWorkbooksData>`.
 */
export const WORKBOOK_REFRESH_TIMES_QUERY = `query DbtAutoExposuresWorkbookRefreshTimes($luids: [String!]!, $first: Int!, $after: String) {
  workbooksConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { luid name embeddedDatasources { id name ${EXTRACT_FIELDS} } }
  }
}`;

/**
 * Current extract refresh times of published data sources, by luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawPublishedDatasourcesData>`.
 */
export const PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY = `query DbtAutoExposuresDatasourceRefreshTimes($luids: [String!]!, $first: Int!, $after: String) {
  publishedDatasourcesConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { id luid name ${EXTRACT_FIELDS} }
  }
}`;

/** The top-level connection fields these documents ask for. */
export type MetadataConnectionField =
  | 'workbooksConnection'
  | 'customSQLTablesConnection'
  | 'publishedDatasourcesConnection';

/** Cursor paging variables. */
export interface PageVariables {
  first: number;
  after: string | null;
}

/** The subset of Tableau's `Workbook_Filter` the library uses. */
export interface WorkbooksQueryFilter {
  luidWithin?: string[];
  projectLuidWithin?: string[];
  /** Note: filtering on project names makes Tableau switch permission mode (PERMISSIONS_MODE_SWITCHED warning). */
  projectNameWithin?: string[];
  nameWithin?: string[];
}

/** Variables of `WORKBOOKS_QUERY`. */
export interface WorkbooksQueryVariables extends PageVariables {
  filter: WorkbooksQueryFilter | null;
}

/** Variables of the queries by luid (refresh times, custom SQL ids). */
export interface RefreshTimesQueryVariables extends PageVariables {
  luids: string[];
}

/** Variables of `CUSTOM_SQL_BY_ID_QUERY`. */
export interface CustomSqlByIdVariables extends PageVariables {
  ids: string[];
}

function uniqueStrings(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Variables for `WORKBOOKS_QUERY`: one page, the filter without empty or repeated entries. */
export function workbooksQueryVariables(
  page: PageVariables,
  filter: WorkbooksQueryFilter = {},
): WorkbooksQueryVariables {
  const used: WorkbooksQueryFilter = {};
  for (const key of [
    'luidWithin',
    'projectLuidWithin',
    'projectNameWithin',
    'nameWithin',
  ] as const) {
    const list = filter[key];
    if (list !== undefined && list.length > 0) used[key] = uniqueStrings(list);
  }
  return { ...page, filter: Object.keys(used).length > 0 ? used : null };
}

/** Luids (deduplicated, order kept) in lists of at most `MAX_LUIDS_PER_QUERY`, one query each. */
export function chunkLuids(luids: readonly string[]): string[][] {
  const unique = uniqueStrings(luids);
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_LUIDS_PER_QUERY) {
    chunks.push(unique.slice(i, i + MAX_LUIDS_PER_QUERY));
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Raw answers, as they arrive on the wire. Every field is optional and nullable on purpose:
// Tableau omits or nulls fields the caller may not see (permissions, Data Management licensing),
// and users feed older or hand-trimmed payloads. `normalize.ts` turns these into the domain types
// of `types.ts`.

/** `pageInfo` of a `…Connection`. On the last page `endCursor` may still be set: loop on `hasNextPage`. */
export interface RawPageInfo {
  hasNextPage?: boolean | null;
  endCursor?: string | null;
}

/**
 * A `…Connection` page. Tableau answers with `nodes`; `edges: [{ node }]` (Relay style) is read
 * too, for payloads a GraphQL tool re-shaped.
 */
export interface RawConnection<N> {
  nodes?: (N | null)[] | null;
  edges?: ({ node?: N | null } | null)[] | null;
  pageInfo?: RawPageInfo | null;
  totalCount?: number | null;
}

/** `database { name connectionType }` */
export interface RawDatabase {
  id?: string | null;
  name?: string | null;
  connectionType?: string | null;
}

/** A DatabaseTable (or a parsed table under a CustomSQLTable). */
export interface RawTable {
  id?: string | null;
  luid?: string | null;
  name?: string | null;
  fullName?: string | null;
  schema?: string | null;
  connectionType?: string | null;
  database?: RawDatabase | null;
}

/** `owner { name email username }` */
export interface RawOwner {
  name?: string | null;
  email?: string | null;
  username?: string | null;
}

/** `tags { name }` */
export interface RawTag {
  name?: string | null;
}

/** A reference to a published data source (`upstreamDatasources { id luid name }`). */
export interface RawDatasourceRef {
  id?: string | null;
  luid?: string | null;
  name?: string | null;
}

/** A field of a data source, read for the tables of its upstream columns (custom SQL ids). */
export interface RawField {
  upstreamColumns?: ({ table?: { id?: string | null } | null } | null)[] | null;
}

/** A published data source as listed under `workbook.upstreamDatasources` or `publishedDatasourcesConnection`. */
export interface RawPublishedDatasource extends RawDatasourceRef {
  /** Read only for the custom SQL ids (`PUBLISHED_DATASOURCE_CUSTOM_SQL_IDS_QUERY`). */
  fields?: (RawField | null)[] | null;
  projectName?: string | null;
  vizportalUrlId?: string | null;
  hasExtracts?: boolean | null;
  /** The last FULL refresh. */
  extractLastRefreshTime?: string | null;
  /** The last refresh of any kind (full or incremental) or the creation. */
  extractLastUpdateTime?: string | null;
  upstreamTables?: (RawTable | null)[] | null;
  upstreamTablesConnection?: RawConnection<RawTable> | null;
}

/** An embedded data source of a workbook (no luid: not a REST object). */
export interface RawEmbeddedDatasource {
  id?: string | null;
  /** Read only for the custom SQL ids (`WORKBOOK_CUSTOM_SQL_IDS_QUERY`). */
  fields?: (RawField | null)[] | null;
  name?: string | null;
  hasExtracts?: boolean | null;
  /** The last FULL refresh. */
  extractLastRefreshTime?: string | null;
  /** The last refresh of any kind (full or incremental) or the creation. */
  extractLastUpdateTime?: string | null;
  upstreamTables?: (RawTable | null)[] | null;
  upstreamTablesConnection?: RawConnection<RawTable> | null;
  /** The published data sources it connects to (read with or without their `upstreamTables`). */
  upstreamDatasources?: (RawPublishedDatasource | null)[] | null;
  upstreamDatasourcesConnection?: RawConnection<RawPublishedDatasource> | null;
  /** The same published data sources, under the name newer schemas also offer. */
  parentPublishedDatasources?: (RawPublishedDatasource | null)[] | null;
  parentPublishedDatasourcesConnection?: RawConnection<RawPublishedDatasource> | null;
}

/** A workbook node of `workbooksConnection`. */
export interface RawWorkbook {
  id?: string | null;
  luid?: string | null;
  name?: string | null;
  description?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  uri?: string | null;
  vizportalUrlId?: string | null;
  projectName?: string | null;
  projectLuid?: string | null;
  owner?: RawOwner | null;
  tags?: (RawTag | null)[] | null;
  embeddedDatasources?: (RawEmbeddedDatasource | null)[] | null;
  embeddedDatasourcesConnection?: RawConnection<RawEmbeddedDatasource> | null;
  upstreamDatasources?: (RawPublishedDatasource | null)[] | null;
  upstreamDatasourcesConnection?: RawConnection<RawPublishedDatasource> | null;
  /**
   * Every table upstream of the workbook, through any data source: what dbt Cloud's
   * troubleshooting query asks for (`workbooks { … upstreamTables { … } }`).
   */
  upstreamTables?: (RawTable | null)[] | null;
  upstreamTablesConnection?: RawConnection<RawTable> | null;
  /** Sheets and dashboards, read for their `upstreamTables` (tables upstream of the workbook). */
  sheets?: (RawView | null)[] | null;
  sheetsConnection?: RawConnection<RawView> | null;
  dashboards?: (RawView | null)[] | null;
  dashboardsConnection?: RawConnection<RawView> | null;
}

/** A sheet or dashboard of a workbook, read for its `upstreamTables` only. */
export interface RawView {
  id?: string | null;
  name?: string | null;
  upstreamTables?: (RawTable | null)[] | null;
  upstreamTablesConnection?: RawConnection<RawTable> | null;
}

/** `referencedByFields { datasource { … } }` of a custom SQL column: says which data source uses it. */
export interface RawFieldDatasource {
  __typename?: string | null;
  id?: string | null;
  name?: string | null;
  /** Set on PublishedDatasource. */
  luid?: string | null;
  /** Set on EmbeddedDatasource. */
  workbook?: { luid?: string | null; name?: string | null } | null;
}

/** A column of a custom SQL table, only read for `referencedByFields`. */
export interface RawCustomSqlColumn {
  referencedByFields?: ({ datasource?: RawFieldDatasource | null } | null)[] | null;
}

/** A node of `customSQLTablesConnection`. */
export interface RawCustomSqlTable {
  id?: string | null;
  name?: string | null;
  query?: string | null;
  isUnsupportedCustomSql?: boolean | null;
  connectionType?: string | null;
  database?: RawDatabase | null;
  /** Tableau's parsed tables; empty when its parser could not parse the SQL. */
  tables?: (RawTable | null)[] | null;
  tablesConnection?: RawConnection<RawTable> | null;
  downstreamWorkbooks?: ({ luid?: string | null; name?: string | null } | null)[] | null;
  downstreamWorkbooksConnection?: RawConnection<{
    luid?: string | null;
    name?: string | null;
  }> | null;
  downstreamDatasources?: (RawDatasourceRef | null)[] | null;
  downstreamDatasourcesConnection?: RawConnection<RawDatasourceRef> | null;
  columns?: (RawCustomSqlColumn | null)[] | null;
  columnsConnection?: RawConnection<RawCustomSqlColumn> | null;
}

/** A GraphQL error or warning entry. */
export interface RawGraphQLError {
  message?: string | null;
  path?: (string | number)[] | null;
  locations?: unknown;
  extensions?: {
    severity?: string | null;
    code?: string | null;
    properties?: Record<string, unknown> | null;
  } | null;
}

/** The `data` of a workbooks page (`WORKBOOKS_QUERY`). */
export interface RawWorkbooksData {
  workbooksConnection?: RawConnection<RawWorkbook> | null;
}

/** The `data` of a custom SQL page (`CUSTOM_SQL_QUERY`). */
export interface RawCustomSqlData {
  customSQLTablesConnection?: RawConnection<RawCustomSqlTable> | null;
}

/** The `data` of a published data sources page (`PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY`). */
export interface RawPublishedDatasourcesData {
  publishedDatasourcesConnection?: RawConnection<RawPublishedDatasource> | null;
}

/** A GraphQL response: `data` and/or `errors` (partial data comes with both). */
export interface RawGraphQLResponse<D> {
  data?: D | null;
  errors?: RawGraphQLError[] | null;
}
