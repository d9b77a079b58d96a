/**
 * Opening a Tableau client from the CLI settings (the four connection settings are required here,
 * with an error naming the flag and variable of each missing one).
 */
import type { TableauClient } from '../tableau/types.js';
import type { CliIo } from './io.js';
import { type CliSettings, requireTableau } from './settings.js';

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
  });
}
