/**
 * The Refresher contract is tool-neutral (src/active/refresher.ts) and the Tableau client
 * satisfies it structurally, without either importing the other. The assignments below are
 * checked by `npm run typecheck`: a client method drifting from the contract fails the build.
 */
import t from 'tap';
import { createTableauClient, type Refresher } from '../../src/index.js';
import { createFakeRefresher } from '../../src/testing/index.js';

type TableauClient = ReturnType<typeof createTableauClient>;

/** Compiles only while a Tableau client is a Refresher. */
const asRefresher = (client: TableauClient): Refresher => client;

t.test('the Tableau client is a Refresher, with every optional method', async (t) => {
  const client = createTableauClient({
    serverUrl: 'http://127.0.0.1:9',
    siteName: 'site',
    tokenName: 'name',
    tokenSecret: 'secret',
  });
  const refresher = asRefresher(client);
  t.type(refresher.refresh, 'function');
  t.type(refresher.getLastRefreshTimes, 'function');
  t.type(refresher.waitForJob, 'function');
});

t.test('the contract is checked: an object without refresh is not a Refresher', async (t) => {
  // @ts-expect-error refresh is required
  const missing: Refresher = { waitForJob: createFakeRefresher().waitForJob };
  t.type(missing.refresh, 'undefined');
});
