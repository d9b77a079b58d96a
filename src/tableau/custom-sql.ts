/**
 * The custom SQL of a listing. A site administrator lists the whole site's custom SQL in one
 * paged query (`CUSTOM_SQL_QUERY`). Anyone else gets Tableau's FILTER_REQUIRED ("rerun the query
 * with a … filter"), and the client falls back to the filtered form Tableau's schema offers:
 *
 * 1. the ids of the custom SQL tables the in-scope workbooks read, from their side: each embedded
 *    data source's fields → upstream columns → table, kept when it is a `CustomSQLTable`
 *    (`WORKBOOK_CUSTOM_SQL_IDS_QUERY`), and the same for the published data sources they use
 *    (`PUBLISHED_DATASOURCE_CUSTOM_SQL_IDS_QUERY`), both by luid;
 * 2. those tables by id (`CUSTOM_SQL_BY_ID_QUERY`, `filter: { idWithin }`), with exactly the
 *    fields of the site-wide query, so lineage is read the same way.
 *
 * Luids and ids go 100 to a query. The fallback is one listing for the bounds: its pages and nodes
 * together stay within `maxListingPages` / `maxListingNodes`, and each page is sized to the node
 * budget like any other. It says so once through the logger (`warn`, event
 * `tableau_custom_sql_filtered`); it is not a `TableauWarning`, since nothing is missing.
 */
import { TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { compareStrings } from '../util/compare.js';
import type { MetadataApi, PaginateOptions } from './metadata.js';
import {
  CUSTOM_SQL_BY_ID_QUERY,
  CUSTOM_SQL_QUERY,
  chunkLuids,
  type MetadataConnectionField,
  PUBLISHED_DATASOURCE_CUSTOM_SQL_IDS_QUERY,
  type RawCustomSqlTable,
  type RawField,
  type RawPublishedDatasource,
  type RawWorkbook,
  WORKBOOK_CUSTOM_SQL_IDS_QUERY,
} from './queries.js';
import { checkListingBounds, type ListingLimits } from './settings.js';

/** Event of the logger's warning when the listing falls back to custom SQL by id. */
export const CUSTOM_SQL_FILTERED_EVENT = 'tableau_custom_sql_filtered';

/** How a listing pages (shared by its three queries). */
export type Paging = Pick<
  PaginateOptions,
  'pageSize' | 'sizeToNodeBudget' | 'signal' | 'onWarning'
>;

/** Dependencies of `listCustomSql`. */
export interface CustomSqlDeps {
  metadata: MetadataApi;
  /** The listing bounds. */
  settings: ListingLimits;
  logger?: Logger | undefined;
}

/**
 * The custom SQL the listing needs: the site's, or (after FILTER_REQUIRED) that of the workbooks
 * `inScope` resolves to. `inScope` is only awaited by the fallback.
 */
export async function listCustomSql(
  deps: CustomSqlDeps,
  paging: Paging,
  inScope: () => Promise<RawWorkbook[]>,
): Promise<RawCustomSqlTable[]> {
  try {
    const nodes: RawCustomSqlTable[] = [];
    for await (const page of deps.metadata.paginate<RawCustomSqlTable>({
      ...paging,
      document: CUSTOM_SQL_QUERY,
      connection: 'customSQLTablesConnection',
      variables: (page) => page,
      operation: 'list custom SQL',
    })) {
      nodes.push(...page.nodes);
    }
    return nodes;
  } catch (error) {
    if (!(error instanceof TableauApiError) || error.tableauCode !== 'FILTER_REQUIRED') throw error;
    const workbooks = await inScope();
    deps.logger?.warn?.(
      'list custom SQL: Tableau answered FILTER_REQUIRED (only a site administrator may list a ' +
        "whole site's custom SQL), so the custom SQL of the workbooks in scope is listed by id " +
        'instead: lineage is the same, in a few more requests. A Site Administrator Explorer ' +
        'token lists it in one query.',
      { event: CUSTOM_SQL_FILTERED_EVENT, reason: 'FILTER_REQUIRED', workbooks: workbooks.length },
    );
    try {
      return await listCustomSqlOf(deps, paging, workbooks);
    } catch (filtered) {
      if (!(filtered instanceof TableauApiError) || filtered.tableauCode !== 'FILTER_REQUIRED') {
        throw filtered;
      }
      throw new TableauApiError(
        'ERR_TABLEAU_GRAPHQL',
        'list custom SQL: Tableau answered FILTER_REQUIRED to the site-wide custom SQL listing and ' +
          'again to the listing by id: this token may not read custom SQL through the Metadata ' +
          "API. Give the token's user the Site Administrator Explorer (or Site Administrator " +
          'Creator) site role; lineage through custom SQL cannot be read without it.',
        {
          method: 'POST',
          url: filtered.url,
          status: filtered.status,
          tableauCode: 'FILTER_REQUIRED',
          hint: "give the token's user the Site Administrator Explorer (or Site Administrator Creator) site role",
          cause: filtered,
        },
      );
    }
  }
}

/** Counts the fallback's pages and nodes, checked against the listing bounds after every page. */
type PageCounter = (nodes: number) => void;

function pageCounter(limits: ListingLimits): PageCounter {
  let pages = 0;
  let nodes = 0;
  return (more) => {
    pages += 1;
    nodes += more;
    checkListingBounds('list custom SQL by id', { pages, nodes }, limits);
  };
}

/** Every node of a connection queried by lists of at most 100 keys (luids or ids). */
async function byKeys<N>(
  deps: CustomSqlDeps,
  paging: Paging,
  count: PageCounter,
  query: {
    document: string;
    connection: MetadataConnectionField;
    variable: 'luids' | 'ids';
    operation: string;
  },
  keys: string[],
): Promise<N[]> {
  const nodes: N[] = [];
  for (const chunk of chunkLuids(keys)) {
    for await (const page of deps.metadata.paginate<N>({
      ...paging,
      document: query.document,
      connection: query.connection,
      variables: (page) => ({ ...page, [query.variable]: chunk }),
      operation: query.operation,
    })) {
      count(page.nodes.length);
      nodes.push(...page.nodes);
    }
  }
  return nodes;
}

/** Ids of the custom SQL tables behind these fields. */
function customSqlIds(fields: (RawField | null)[] | null | undefined, into: Set<string>): void {
  for (const field of fields ?? []) {
    for (const column of field?.upstreamColumns ?? []) {
      const id = column?.table?.id;
      if (typeof id === 'string' && id !== '') into.add(id);
    }
  }
}

/** Luids of the published data sources the workbooks use (directly or through an embedded one). */
function publishedLuids(workbooks: RawWorkbook[]): string[] {
  const luids = new Set<string>();
  for (const workbook of workbooks) {
    const refs = [
      ...(workbook.upstreamDatasources ?? []),
      ...(workbook.embeddedDatasources ?? []).flatMap((ds) => ds?.upstreamDatasources ?? []),
    ];
    for (const ref of refs) if (typeof ref?.luid === 'string') luids.add(ref.luid);
  }
  return [...luids].sort(compareStrings);
}

/** The custom SQL of these workbooks and of the published data sources they use, by id. */
async function listCustomSqlOf(
  deps: CustomSqlDeps,
  paging: Paging,
  workbooks: RawWorkbook[],
): Promise<RawCustomSqlTable[]> {
  const count = pageCounter(deps.settings);
  const ids = new Set<string>();
  const workbookLuids = workbooks
    .map((w) => w.luid)
    .filter((luid): luid is string => typeof luid === 'string')
    .sort(compareStrings);
  const withIds = await byKeys<RawWorkbook>(
    deps,
    paging,
    count,
    {
      document: WORKBOOK_CUSTOM_SQL_IDS_QUERY,
      connection: 'workbooksConnection',
      variable: 'luids',
      operation: 'list custom SQL ids of workbooks',
    },
    workbookLuids,
  );
  for (const workbook of withIds) {
    for (const ds of workbook.embeddedDatasources ?? []) customSqlIds(ds?.fields, ids);
  }
  const published = await byKeys<RawPublishedDatasource>(
    deps,
    paging,
    count,
    {
      document: PUBLISHED_DATASOURCE_CUSTOM_SQL_IDS_QUERY,
      connection: 'publishedDatasourcesConnection',
      variable: 'luids',
      operation: 'list custom SQL ids of published data sources',
    },
    publishedLuids(workbooks),
  );
  for (const ds of published) customSqlIds(ds.fields, ids);
  return byKeys<RawCustomSqlTable>(
    deps,
    paging,
    count,
    {
      document: CUSTOM_SQL_BY_ID_QUERY,
      connection: 'customSQLTablesConnection',
      variable: 'ids',
      operation: 'list custom SQL by id',
    },
    [...ids].sort(compareStrings),
  );
}
