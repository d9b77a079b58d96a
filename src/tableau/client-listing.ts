/**
 * The listing half of `createTableauClient`: `listWorkbooks` (GraphQL pages, REST project and
 * collection lookups, picomatch name globs) and the normaliser of its raw pages. `client.ts` loads
 * this module with `import()` on the first `listWorkbooks` call, so a client that only signs in,
 * reads refresh times and triggers refreshes (the `refresh` command) never loads it.
 */
import type { Logger } from '../log/types.js';
import type { MetadataApi } from './metadata.js';
import { normalizeWorkbooks } from './normalize.js';
import type { Session } from './session.js';
import type { TableauSettings } from './settings.js';
import type { ListWorkbooksOptions, TableauWorkbook } from './types.js';
import { listWorkbooks, type RawListing } from './workbooks.js';

/** What the client hands to its listing. */
export interface ClientListingDeps {
  session: Session;
  metadata: MetadataApi;
  settings: TableauSettings;
  logger?: Logger | undefined;
}

/** `client.listWorkbooks`: list, then normalise with the client's server and site. */
export function listClientWorkbooks(
  deps: ClientListingDeps,
  options: ListWorkbooksOptions,
): Promise<TableauWorkbook[]> {
  const { session, metadata, settings, logger } = deps;
  const normalize = (listing: RawListing) =>
    normalizeWorkbooks(
      [
        { data: { workbooksConnection: { nodes: listing.workbooks } } },
        { data: { customSQLTablesConnection: { nodes: listing.customSql } } },
      ],
      // Custom SQL is listed site-wide: workbooks known only from it are out of the filter's scope.
      { serverUrl: settings.baseUrl, siteName: settings.siteName, customSqlOnlyWorkbooks: false },
    );
  return listWorkbooks(
    { session, metadata, normalize, pageSize: settings.pageSize, logger, limits: settings },
    options,
  );
}
