/**
 * Opening a Tableau client from the CLI settings (the four connection settings are required here,
 * with an error naming the flag and variable of each missing one).
 */

import { ConfigError } from '../errors.js';
import type { TableauClient } from '../tableau/types.js';
import { POD_REDIRECT_EVENT } from '../tableau/types.js';
import type { CliIo } from './io.js';
import type { CliSettings } from './settings.js';

export async function openTableau(settings: CliSettings, io: CliIo): Promise<TableauClient> {
  const connection = requireTableau(settings);
  // Loaded on demand: a disabled refresh never loads the HTTP stack.
  const { createTableauClient } = await import('../tableau/client.js');
  const t = settings.tableau;
  return createTableauClient({
    ...connection,
    ...(t.apiVersion === undefined ? {} : { apiVersion: t.apiVersion }),
    ...(t.timeoutMs === undefined ? {} : { timeoutMs: t.timeoutMs }),
    ...(t.retries === undefined ? {} : { retries: t.retries }),
    ...(t.pageSize === undefined ? {} : { pageSize: t.pageSize }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    // Tableau Cloud's move to its pod is worth knowing (serverUrl can skip it); other client
    // warnings reach the user through the summary (GraphQL warnings) or not at all.
    logger: {
      warn: (message, data) => {
        if (data?.event === POD_REDIRECT_EVENT) io.stderr.write(`warning: ${message}\n`);
      },
    },
  });
}

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
      'Tableau credentials: both a personal access token (TABLEAU_TOKEN_NAME / --token-name / ' +
        'TABLEAU_TOKEN_SECRET) and a connected app (TABLEAU_CONNECTED_APP_* / TABLEAU_USERNAME) are set; set one',
      { code: 'ERR_TABLEAU_CONFIG', field: 'connectedApp' },
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
    throw new ConfigError(`Tableau connection settings missing: ${missing.join('; ')}`, {
      code: 'ERR_TABLEAU_CONFIG',
      field: missing.length === 1 ? missing[0] : undefined,
      details: {
        hint: 'docs/getting-started.md shows where to find the four settings (docs/tableau.md for a connected app); or use --snapshot <file> to work offline',
      },
    });
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
