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
 */
/** Path of the Metadata API endpoint on the server. */
export const METADATA_GRAPHQL_PATH = '/api/metadata/graphql';

/**
 * Default `first` for `WORKBOOKS_QUERY`: Tableau's own default page size. Every workbook brings
 * nested lists (≈ 40 nodes for a typical one), so 100 stays far below the 20,000-node limit for
 * workbooks of up to ≈ 200 nodes; heavier pages are halved automatically (see docs/performance.md).
 */
export const DEFAULT_WORKBOOKS_PAGE_SIZE = 100;
/**
 * Default `first` for `CUSTOM_SQL_QUERY` (and the least it uses): a custom SQL entry is ≈ 15–20
 * nodes (its tables, the workbooks and data sources using it, one column), so 500 is ≈ 10,000.
 */
export const DEFAULT_CUSTOM_SQL_PAGE_SIZE = 500;
/** Largest page size (`first`) the client asks for (Tableau clamps larger values with MAX_PAGE_SIZE_EXCEEDED). */
export const MAX_PAGE_SIZE = 1000;
/** Luids per refresh-time query: long `luidWithin` lists have produced empty HTTP responses. */
export const MAX_LUIDS_PER_QUERY = 100;

const TABLE_FIELDS = 'id name fullName schema connectionType database { name connectionType }';
const PAGE_FIELDS = 'totalCount pageInfo { hasNextPage endCursor }';

/**
 * Workbooks with everything lineage needs, one page. Variables: `WorkbooksQueryVariables`.
 * Response: `RawGraphQLResponse<RawWorkbooksData>`.
 */
export const WORKBOOKS_QUERY = `query DbtAutoExposuresWorkbooks($first: Int!, $after: String, $filter: Workbook_Filter) {
  workbooksConnection(first: $first, after: $after, filter: $filter) {
    ${PAGE_FIELDS}
    nodes {
      id luid name description createdAt updatedAt uri vizportalUrlId projectName projectLuid
      owner { name email username }
      tags { name }
      embeddedDatasources {
        id name hasExtracts extractLastRefreshTime
        upstreamTables { ${TABLE_FIELDS} }
        upstreamDatasources { id luid name }
      }
      upstreamDatasources {
        id luid name projectName vizportalUrlId hasExtracts extractLastRefreshTime
        upstreamTables { ${TABLE_FIELDS} }
      }
    }
  }
}`;

/**
 * Custom SQL tables of the site, one page, with what uses them. Variables: `PageVariables`.
 * Response: `RawGraphQLResponse<RawCustomSqlData>`.
 */
export const CUSTOM_SQL_QUERY = `query DbtAutoExposuresCustomSql($first: Int!, $after: String) {
  customSQLTablesConnection(first: $first, after: $after) {
    ${PAGE_FIELDS}
    nodes {
      id name query isUnsupportedCustomSql connectionType
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
      }
    }
  }
}`;

/**
 * Current extract refresh times of workbooks (their embedded extracts), by luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawWorkbooksData>`.
 */
export const WORKBOOK_REFRESH_TIMES_QUERY = `query DbtAutoExposuresWorkbookRefreshTimes($luids: [String!]!, $first: Int!, $after: String) {
  workbooksConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { luid name embeddedDatasources { id name hasExtracts extractLastRefreshTime } }
  }
}`;

/**
 * Current extract refresh times of published data sources, by luid.
 * Variables: `RefreshTimesQueryVariables`. Response: `RawGraphQLResponse<RawPublishedDatasourcesData>`.
 */
export const PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY = `query DbtAutoExposuresDatasourceRefreshTimes($luids: [String!]!, $first: Int!, $after: String) {
  publishedDatasourcesConnection(first: $first, after: $after, filter: { luidWithin: $luids }) {
    ${PAGE_FIELDS}
    nodes { id luid name hasExtracts extractLastRefreshTime }
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

/** Variables of the two refresh-time queries. */
export interface RefreshTimesQueryVariables extends PageVariables {
  luids: string[];
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

/** A published data source as listed under `workbook.upstreamDatasources` or `publishedDatasourcesConnection`. */
export interface RawPublishedDatasource extends RawDatasourceRef {
  projectName?: string | null;
  vizportalUrlId?: string | null;
  hasExtracts?: boolean | null;
  extractLastRefreshTime?: string | null;
  upstreamTables?: (RawTable | null)[] | null;
  upstreamTablesConnection?: RawConnection<RawTable> | null;
}

/** An embedded data source of a workbook (no luid: not a REST object). */
export interface RawEmbeddedDatasource {
  id?: string | null;
  name?: string | null;
  hasExtracts?: boolean | null;
  extractLastRefreshTime?: string | null;
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
