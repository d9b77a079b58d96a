/**
 * The normalised Tableau model. Live Metadata API responses, raw payloads fed from files and the
 * library's own snapshot format all normalise to these shapes through one pure function
 * (`normalizeWorkbooks`), so matching never sees raw GraphQL.
 */

/** A warehouse (or file) table upstream of a data source, as Tableau reports it. */
export interface TableauTable {
  /** Tableau's `name` (may itself hold `schema.table`). */
  name: string;
  /** Tableau's `fullName`: `[DB].[SCHEMA].[T]`, `[SCHEMA].[T]`, `DB.SCHEMA.T`, `T`, … or null. */
  fullName: string | null;
  /** Tableau's `schema` (may be "" or disagree with fullName). */
  schema: string | null;
  /** `database.name` */
  databaseName: string | null;
  /** `connectionType` (snowflake, postgres, bigquery, excel-direct, hyper, webdata-direct:…). */
  connectionType: string | null;
}

/** A custom SQL query under a data source. */
export interface TableauCustomSql {
  name: string;
  query: string;
  connectionType: string | null;
  databaseName: string | null;
  /** Tableau flagged it as unsupported by its own parser. */
  isUnsupported: boolean;
  /** The tables Tableau's parser found (empty when it could not parse the SQL). */
  tables: TableauTable[];
}

/** A published data source: its extract state and the tables and custom SQL it reads. */
export interface TableauPublishedDatasource {
  luid: string;
  name: string;
  projectName: string | null;
  vizportalUrlId: string | null;
  hasExtracts: boolean;
  /** ISO time of the last extract refresh, or null. */
  extractLastRefreshTime: string | null;
  tables: TableauTable[];
  customSql: TableauCustomSql[];
}

/**
 * A data source embedded in a workbook: its extract state, the tables it reads directly, its
 * custom SQL and the published data sources it uses.
 */
export interface TableauEmbeddedDatasource {
  name: string;
  hasExtracts: boolean;
  extractLastRefreshTime: string | null;
  /** Tables reached directly (not through a published data source). */
  tables: TableauTable[];
  customSql: TableauCustomSql[];
  /** Published data sources this embedded one connects to. */
  publishedDatasourceLuids: string[];
}

/** The owner of a workbook, as Tableau reports it. */
export interface TableauOwner {
  name: string | null;
  email: string | null;
  username: string | null;
}

/**
 * A Tableau workbook, normalised from the Metadata API or a snapshot: ids, project, owner, tags,
 * URLs, and its data sources.
 */
export interface TableauWorkbook {
  luid: string;
  name: string;
  projectName: string | null;
  projectLuid: string | null;
  owner: TableauOwner | null;
  tags: string[];
  description: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  vizportalUrlId: string | null;
  /** Browser URL (`https://host/#/site/<site>/workbooks/<vizportalUrlId>`), when the server is known. */
  url: string | null;
  embeddedDatasources: TableauEmbeddedDatasource[];
  /** Published data sources upstream of this workbook, each once. */
  publishedDatasources: TableauPublishedDatasource[];
}

/**
 * `data.event` of the logger warning the client gives when Tableau Cloud moves it to its pod
 * (`{ event, from, to, status }`), so a caller can surface it.
 */
export const POD_REDIRECT_EVENT = 'tableau_pod_redirect';

/** Something whose extracts can be refreshed: a workbook (embedded extracts) or a published data source. */
export interface RefreshTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
}

/** A stable key for a refresh target (`workbook:<luid>` / `datasource:<luid>`). */
export function refreshTargetKey(target: Pick<RefreshTarget, 'kind' | 'luid'>): string {
  return `${target.kind}:${target.luid}`;
}

export type RefreshTrigger =
  | { status: 'queued'; jobId: string }
  /** Tableau 409093: a refresh of this target is already queued or running. */
  | { status: 'already_queued'; detail?: string | undefined }
  /** Tableau 409090: the target has no extract that can be refreshed. */
  | { status: 'not_refreshable'; detail?: string | undefined };

export interface JobOutcome {
  jobId: string;
  status: 'success' | 'failed' | 'cancelled' | 'timeout';
  /** Tableau finishCode (0 success, 1 failed, 2 cancelled, 3 completed), when finished. */
  finishCode: number | null;
  /** Tableau's failure notes, when it failed. */
  notes: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Time spent waiting, in ms. */
  durationMs: number;
  /** How many status polls were made. */
  polls: number;
}

export interface WaitForJobOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * A warning surfaced to the caller instead of thrown: a GraphQL warning (extensions.severity
 * WARNING), or `UNREAD_TABLES` when a raw payload holds tables no normalised workbook does.
 */
export interface TableauWarning {
  code: string | null;
  message: string;
  /** The JSON path in the payload it is about, when there is one. */
  path?: string | undefined;
}

/** Which workbooks to list: projects, collections, tags, name globs, personal space. */
export interface WorkbookFilter {
  /** Project names, nested paths ("Finance/Reporting") or luids. Default: every project. */
  projects?: string[] | undefined;
  /** Tableau Collection luids or names (REST API 3.28+). */
  collections?: string[] | undefined;
  /** Keep workbooks carrying at least one of these tags. */
  tags?: string[] | undefined;
  /** Workbook name globs to include (default: all). */
  include?: string[] | undefined;
  /** Workbook name globs to exclude. */
  exclude?: string[] | undefined;
  /** Include workbooks in personal spaces (default false). */
  includePersonalSpace?: boolean | undefined;
}

/** Progress of a listing, handed to `onProgress` after each page. */
export interface ListWorkbooksProgress {
  pagesFetched: number;
  workbooksFetched: number;
  totalCount: number | null;
}

/**
 * Options of `listWorkbooks`: the filter, page size, progress and warning callbacks, and `signal`.
 */
export interface ListWorkbooksOptions extends WorkbookFilter {
  signal?: AbortSignal | undefined;
  /** Page size for the Metadata API (`first`). */
  pageSize?: number | undefined;
  onProgress?: ((progress: ListWorkbooksProgress) => void) | undefined;
  onWarning?: ((warning: TableauWarning) => void) | undefined;
}

/** Options of a single client call. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
}

/** What the library needs from Tableau. `createTableauClient` returns one; tests may fake it. */
export interface TableauClient {
  listWorkbooks(options?: ListWorkbooksOptions): Promise<TableauWorkbook[]>;
  /** Current extract refresh time of each target, by `refreshTargetKey`; null when never refreshed or live. */
  getLastRefreshTimes(
    targets: RefreshTarget[],
    options?: RequestOptions,
  ): Promise<Map<string, Date | null>>;
  refresh(target: RefreshTarget, options?: RequestOptions): Promise<RefreshTrigger>;
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<JobOutcome>;
  signOut(options?: RequestOptions): Promise<void>;
}
