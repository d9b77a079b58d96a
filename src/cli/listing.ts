/**
 * Listing workbooks from Tableau for `sync` and `snapshot`: progress on a terminal, warnings
 * collected (a listing with warnings may be incomplete, so sync then removes nothing), and the
 * session always signed out.
 */
import type { TableauWarning, TableauWorkbook } from '../tableau/types.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';
import type { CliSettings } from './settings.js';
import { openTableau } from './tableau.js';

/**
 * Warnings that do not make a listing incomplete: `PERMISSIONS_MODE_SWITCHED` (Tableau filtered
 * the results to what the token's user may see — what that user always sees, e.g. whenever a
 * project filter is used) and `MAX_PAGE_SIZE_EXCEEDED` (the page size was clamped; paging goes
 * on). Every other warning (BACKFILL_RUNNING, LINKED_RESULTS_INCOMPLETE, INHERITANCE_INCOMPLETE,
 * unknown codes) may mean missing workbooks or tables.
 */
export const INFORMATIONAL_WARNINGS: ReadonlySet<string> = new Set([
  'PERMISSIONS_MODE_SWITCHED',
  'MAX_PAGE_SIZE_EXCEEDED',
]);

/** Whether a warning means the listing may be incomplete. */
export function isIncompleteWarning(warning: TableauWarning): boolean {
  return warning.code === null || !INFORMATIONAL_WARNINGS.has(warning.code);
}

export interface Listing {
  workbooks: TableauWorkbook[];
  warnings: TableauWarning[];
}

export async function listFromTableau(settings: CliSettings, io: CliIo): Promise<Listing> {
  const client = await openTableau(settings, io);
  const progress = createProgress(io.stderr);
  const warnings: TableauWarning[] = [];
  progress.update('signing in to Tableau…');
  try {
    const workbooks = await client.listWorkbooks({
      ...settings.filter,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      onProgress: (p) => {
        const total = p.totalCount === null ? '' : ` of ${p.totalCount}`;
        progress.update(`fetched ${p.workbooksFetched}${total} workbooks (page ${p.pagesFetched})`);
      },
      onWarning: (w) => warnings.push(w),
    });
    return { workbooks, warnings };
  } finally {
    progress.done();
    await client.signOut().catch(() => undefined);
  }
}
