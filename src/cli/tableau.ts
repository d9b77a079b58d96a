/**
 * The CLI's Tableau connection: the client opened from the settings (the four connection
 * settings required, with an error naming the flag and variable of each missing one), its
 * warnings routed to the console and its retries to the progress line,
 * and listing workbooks for `sync` and `snapshot` with progress.
 */
import {
  ConfigError,
  createTableauClient,
  type TableauClient,
  type TableauWarning,
  type TableauWorkbook,
} from '../index.js';
import type { Console, Progress } from './console.js';
import type { CliIo } from './io.js';
import type { CliSettings } from './settings.js';

/** What `createTableauClient` needs to connect, from the CLI settings. */
type Connection = { serverUrl: string; siteName: string } & (
  | { tokenName: string; tokenSecret: string }
  | {
      connectedApp: { clientId: string; secretId: string; secretValue: string; username: string };
    }
);

/**
 * The Tableau settings, required for commands that talk to Tableau: a missing one is a
 * configuration error naming the flag and the variable. A connected app (any of its variables
 * set) replaces the personal access token; setting both is an error.
 */
export function requireTableau(settings: CliSettings): Connection {
  const t = settings.tableau;
  const app = t.connectedApp;
  const usesApp = Object.values(app).some((v) => v !== undefined);
  const usesToken = t.tokenName !== undefined || t.tokenSecret !== undefined;
  if (usesApp && usesToken) {
    throw new ConfigError(
      'ERR_TABLEAU_CONFIG',
      'Tableau credentials: both a personal access token (TABLEAU_TOKEN_NAME / --token-name / ' +
        'TABLEAU_TOKEN_SECRET) and a connected app (TABLEAU_CONNECTED_APP_* / TABLEAU_USERNAME) are set; set one',
      { field: 'connectedApp', hint: 'unset the settings of the one you do not use' },
    );
  }
  const missing: string[] = [];
  if (t.serverUrl === undefined)
    missing.push('the server URL (--server-url or TABLEAU_SERVER_URL)');
  if (t.siteName === undefined)
    missing.push('the site name (--site-name or TABLEAU_SITE_NAME; "" for the default site)');
  if (usesApp) {
    if (app.clientId === undefined)
      missing.push('the connected app client ID (TABLEAU_CONNECTED_APP_CLIENT_ID)');
    if (app.secretId === undefined)
      missing.push('the connected app secret ID (TABLEAU_CONNECTED_APP_SECRET_ID)');
    if (app.secretValue === undefined)
      missing.push('the connected app secret value (TABLEAU_CONNECTED_APP_SECRET_VALUE)');
    if (app.username === undefined) missing.push('the Tableau username (TABLEAU_USERNAME)');
  } else {
    if (t.tokenName === undefined)
      missing.push('the token name (--token-name or TABLEAU_TOKEN_NAME)');
    if (t.tokenSecret === undefined) missing.push('the token secret (TABLEAU_TOKEN_SECRET)');
  }
  if (missing.length > 0) {
    throw new ConfigError(
      'ERR_TABLEAU_CONFIG',
      `Tableau connection settings missing: ${missing.join('; ')}`,
      {
        field: missing.length === 1 ? missing[0] : undefined,
        hint: 'docs/getting-started.md shows where to find the four settings (docs/tableau.md for a connected app); or use --snapshot <file> to work offline',
      },
    );
  }
  const where = { serverUrl: t.serverUrl!, siteName: t.siteName! };
  if (usesApp) {
    return {
      ...where,
      connectedApp: {
        clientId: app.clientId!,
        secretId: app.secretId!,
        secretValue: app.secretValue!,
        username: app.username!,
      },
    };
  }
  return { ...where, tokenName: t.tokenName!, tokenSecret: t.tokenSecret! };
}

/** Where the client's messages go while one piece of work runs (progress, listing counts). */
interface ClientMessages {
  progress: Progress | null;
  /** The client's count of workbooks fetched before the filters, from its debug entry. */
  fetched: number | null;
}

export interface OpenedTableau {
  client: TableauClient;
  messages: ClientMessages;
}

export function openTableau(settings: CliSettings, io: CliIo, console: Console): OpenedTableau {
  const connection = requireTableau(settings);
  const t = settings.tableau;
  const messages: ClientMessages = { progress: null, fetched: null };
  const client = createTableauClient({
    ...connection,
    ...(t.apiVersion === undefined ? {} : { apiVersion: t.apiVersion }),
    ...(t.timeoutMs === undefined ? {} : { timeoutMs: t.timeoutMs }),
    ...(t.retries === undefined ? {} : { retries: t.retries }),
    ...(t.pageSize === undefined ? {} : { pageSize: t.pageSize }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    logger: {
      // A warning with a Tableau code is also a TableauWarning, which the summary reports;
      // others (the move to Tableau Cloud's pod, a page size lowered) are printed here.
      warn: (message, data) => {
        if (data?.code === undefined) console.warn(message, { ...data });
      },
      // Each request's debug line is not printed (the refresh report's debug entries hold the
      // evidence, in time order); a listing's count and a retry are used here.
      debug: (message, data) => {
        if (typeof data?.fetched === 'number') messages.fetched = data.fetched;
        // A retry is news to someone waiting: "retry in 2000 ms" goes to the progress line.
        if (/retry in \d+ ms/.test(message)) messages.progress?.update(`Tableau: ${message}`);
      },
    },
  });
  return { client, messages };
}

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
  /** Workbooks Tableau returned before the filters (projects, tags, names, personal spaces). */
  fetched: number | null;
}

/** List the workbooks of the settings' filter, with progress; the session is always signed out. */
export async function listFromTableau(
  settings: CliSettings,
  io: CliIo,
  console: Console,
): Promise<Listing> {
  const { client, messages } = openTableau(settings, io, console);
  const progress = console.progress();
  messages.progress = progress;
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
    return { workbooks, warnings, fetched: messages.fetched };
  } finally {
    progress.done();
    await client.signOut().catch(() => undefined);
  }
}
