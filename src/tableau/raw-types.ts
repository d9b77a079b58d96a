/**
 * Types of the raw Metadata API (GraphQL) responses to the documents in `queries.ts`, as they
 * arrive on the wire. Every field is optional and nullable on purpose: Tableau omits or nulls
 * fields the caller may not see (permissions, Data Management licensing), and users feed older or
 * hand-trimmed payloads. `normalize.ts` turns these into the domain types of `types.ts`.
 */

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
