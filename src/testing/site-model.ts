/**
 * The mock server's site: a declarative input (`MockSiteInput`, easy to write by hand, and
 * accepting the library's own `TableauWorkbook[]` as workbooks) and the complete `MockSite` it
 * resolves into (`resolveMockSite`, in resolve-mock-site.ts).
 */
import type { TableauOwner } from '../tableau/types.js';

/** A table: an object, or the shorthand `"DB.SCHEMA.TABLE"` / `"SCHEMA.TABLE"` / `"TABLE"`. */
export type MockTableInput =
  | string
  | {
      name?: string;
      /** Default: `[SCHEMA].[TABLE]` (the Snowflake form Tableau reports), or `[TABLE]`. */
      fullName?: string | null;
      schema?: string | null;
      databaseName?: string | null;
      /** Default: the site's `defaultConnectionType` ("snowflake"). */
      connectionType?: string | null;
    };

export interface MockCustomSqlInput {
  id?: string;
  name?: string;
  query: string;
  connectionType?: string | null;
  databaseName?: string | null;
  /** Also accepts the normalised field name. */
  isUnsupported?: boolean;
  /** Tableau's parsed tables; leave empty for SQL its parser cannot read. */
  tables?: MockTableInput[];
}

export interface MockPublishedDatasourceInput {
  luid: string;
  name: string;
  id?: string;
  projectName?: string | null;
  projectLuid?: string | null;
  vizportalUrlId?: string | null;
  /** Default: false (a live connection). */
  hasExtracts?: boolean;
  extractLastRefreshTime?: string | null;
  tables?: MockTableInput[];
  customSql?: MockCustomSqlInput[];
}

export interface MockEmbeddedDatasourceInput {
  id?: string;
  name: string;
  /** Default: false (a live connection). */
  hasExtracts?: boolean;
  extractLastRefreshTime?: string | null;
  tables?: MockTableInput[];
  customSql?: MockCustomSqlInput[];
  /** Published data sources (by luid) this embedded one connects to. */
  publishedDatasourceLuids?: string[];
}

/** A workbook. A `TableauWorkbook` (e.g. read from a snapshot) is a valid `MockWorkbookInput`. */
export interface MockWorkbookInput {
  luid: string;
  name: string;
  id?: string;
  projectName?: string | null;
  projectLuid?: string | null;
  owner?: TableauOwner | null;
  tags?: string[];
  description?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  vizportalUrlId?: string | null;
  embeddedDatasources?: MockEmbeddedDatasourceInput[];
  /** Published data sources it uses; merged into the site's list by luid. */
  publishedDatasources?: MockPublishedDatasourceInput[];
  /** In the owner's personal space (default false). */
  personalSpace?: boolean;
  /** Ignored (the server builds URLs from vizportalUrlId); present so `TableauWorkbook` fits. */
  url?: string | null;
}

export interface MockProjectInput {
  luid: string;
  name: string;
  parentLuid?: string | null;
}

export interface MockCollectionInput {
  luid: string;
  name: string;
  description?: string;
  ownerLuid?: string;
  items: { type: 'workbook' | 'datasource'; luid: string }[];
}

/** A hand-written site. Everything but `workbooks` is optional. */
export interface MockSiteInput {
  /** The site's contentUrl (what sign-in takes). Default "mock". */
  contentUrl?: string;
  luid?: string;
  name?: string;
  /** Connection type of tables that do not say. Default "snowflake". */
  defaultConnectionType?: string;
  projects?: MockProjectInput[];
  workbooks?: MockWorkbookInput[];
  publishedDatasources?: MockPublishedDatasourceInput[];
  collections?: MockCollectionInput[];
}

export interface MockTable {
  id: string;
  name: string;
  fullName: string | null;
  schema: string | null;
  databaseName: string | null;
  connectionType: string | null;
}

export interface MockCustomSql {
  id: string;
  name: string;
  query: string;
  connectionType: string | null;
  databaseName: string | null;
  isUnsupported: boolean;
  tables: MockTable[];
}

export interface MockPublishedDatasource {
  id: string;
  luid: string;
  name: string;
  projectName: string | null;
  projectLuid: string | null;
  vizportalUrlId: string;
  hasExtracts: boolean;
  extractLastRefreshTime: string | null;
  tables: MockTable[];
  customSql: MockCustomSql[];
}

export interface MockEmbeddedDatasource {
  id: string;
  name: string;
  hasExtracts: boolean;
  extractLastRefreshTime: string | null;
  tables: MockTable[];
  customSql: MockCustomSql[];
  publishedDatasourceLuids: string[];
}

export interface MockWorkbook {
  id: string;
  luid: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  vizportalUrlId: string;
  projectName: string | null;
  projectLuid: string | null;
  personalSpace: boolean;
  owner: TableauOwner | null;
  tags: string[];
  embeddedDatasources: MockEmbeddedDatasource[];
  /** Luids of the published data sources it uses (directly listed or through embedded ones). */
  publishedDatasourceLuids: string[];
}

export interface MockProject {
  luid: string;
  name: string;
  parentLuid: string | null;
}

export interface MockCollection {
  luid: string;
  name: string;
  description: string;
  ownerLuid: string | null;
  items: { type: 'workbook' | 'datasource'; luid: string }[];
}

/** A resolved site: what the server serves. Mutable only through the server (refresh times). */
export interface MockSite {
  contentUrl: string;
  luid: string;
  name: string;
  projects: MockProject[];
  workbooks: MockWorkbook[];
  publishedDatasources: MockPublishedDatasource[];
  collections: MockCollection[];
}
