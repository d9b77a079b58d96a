/**
 * A user's program, as written against the installed package: strict TypeScript (NodeNext,
 * exactOptionalPropertyTypes, skipLibCheck off), options read from the environment (so
 * `string | undefined` flows into optional options), both entry points. Run by
 * test/package/install.slow.test.ts against the mock server; prints what it listed.
 */
import {
  createTableauClient,
  DbtAutoExposuresError,
  type TableauClientOptions,
  type TableauWorkbook,
} from 'dbt-auto-exposures';
import { buildMockSite, createMockTableauServer } from 'dbt-auto-exposures/testing';

const server = await createMockTableauServer({
  siteModel: buildMockSite({ workbooks: 3 }),
  apiVersion: process.env.MOCK_TABLEAU_API_VERSION,
});
const options: TableauClientOptions = {
  serverUrl: server.url,
  siteName: server.siteName,
  tokenName: server.token.name,
  tokenSecret: server.token.secret,
  apiVersion: process.env.TABLEAU_API_VERSION,
  timeoutMs: process.env.TABLEAU_TIMEOUT_MS ? Number(process.env.TABLEAU_TIMEOUT_MS) : undefined,
};
const client = createTableauClient(options);
try {
  const workbooks: TableauWorkbook[] = await client.listWorkbooks({
    signal: AbortSignal.timeout(60_000),
    projects: process.env.TABLEAU_PROJECTS?.split(','),
    pageSize: process.env.TABLEAU_PAGE_SIZE ? Number(process.env.TABLEAU_PAGE_SIZE) : undefined,
  });
  console.log(`listed ${workbooks.length} workbooks: ${workbooks.map((w) => w.name).join(', ')}`);
} catch (error) {
  if (error instanceof DbtAutoExposuresError) console.error(`${error.code}: ${error.message}`);
  throw error;
} finally {
  await client.signOut();
  await server.close();
}
