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
