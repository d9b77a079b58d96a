/**
 * `createTableauClient`: the library's way into Tableau. Validates the settings up front (no
 * network), then signs in lazily on the first call and keeps ONE session for the client's life
 * (see `session.ts`). Every default is documented on `TableauClientOptions` and in docs/tableau.md.
 */
import { createHttpClient } from './http.js';
import { createMetadataApi } from './metadata.js';
import { Redactor } from './redact.js';
import { createRefreshApi, type JobPollOptions } from './refresh.js';
import { createSession } from './session.js';
import { resolveTableauSettings, type TableauClientOptions } from './settings.js';
import type { TableauClient } from './types.js';
import { listWorkbooks } from './workbooks.js';

export type { JobPollOptions } from './refresh.js';
export type { ConnectedAppOptions, TableauClientOptions } from './settings.js';

/** A `TableauClient` whose `waitForJob` also takes the polling cadence. */
export interface TableauHttpClient extends TableauClient {
  waitForJob(jobId: string, options?: JobPollOptions): ReturnType<TableauClient['waitForJob']>;
}

/**
 * Create a client for one Tableau site. Throws `ConfigError` (`ERR_TABLEAU_CONFIG`) on invalid
 * settings; sends nothing until the first call.
 */
export function createTableauClient(options: TableauClientOptions): TableauHttpClient {
  const settings = resolveTableauSettings(options);
  const auth = settings.auth;
  const redactor = new Redactor([
    auth.kind === 'personal-access-token' ? auth.tokenSecret : auth.secretValue,
  ]);
  const { logger, signal } = options;
  const http = createHttpClient({ ...settings, fetch: options.fetch, signal, logger, redactor });
  const session = createSession({ http, settings, redactor, logger });
  const metadata = createMetadataApi({
    session,
    redactor,
    logger,
    limits: settings,
    retry: settings,
  });
  const refreshes = createRefreshApi({ session, metadata, redactor, logger, signal });
  return {
    listWorkbooks: (listOptions) =>
      listWorkbooks({ session, metadata, settings, logger }, listOptions),
    getLastRefreshTimes: (targets, requestOptions) =>
      refreshes.getLastRefreshTimes(targets, requestOptions),
    refresh: (target, requestOptions) => refreshes.refresh(target, requestOptions),
    waitForJob: (jobId, pollOptions) => refreshes.waitForJob(jobId, pollOptions),
    signOut: async (requestOptions = {}) => session.signOut(requestOptions.signal),
  };
}
