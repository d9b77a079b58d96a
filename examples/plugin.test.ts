/**
 * Example: unit-testing your own code against the mock Tableau server of
 * `dbt-auto-exposures/testing` — real HTTP on 127.0.0.1, no Tableau account.
 *
 * The "plugin" under test: a function that lists the certified dashboards whose extracts are
 * older than a day (say, for a morning report). Run with tap (`npx tap examples/plugin.test.ts`);
 * the suite runs it through test/examples/plugin.test.ts.
 *
 * In your project, import from 'dbt-auto-exposures' and 'dbt-auto-exposures/testing' instead.
 */
import t from 'tap';
import { createTableauClient, type TableauClient } from '../src/index.js';
import { createMockTableauServer } from '../src/testing/index.js';

/** The plugin: certified workbooks whose newest extract refresh is older than `maxAgeMs`. */
export async function staleCertifiedDashboards(
  client: TableauClient,
  now: Date,
  maxAgeMs = 24 * 3_600_000,
): Promise<string[]> {
  const workbooks = await client.listWorkbooks({ tags: ['certified'] });
  return workbooks
    .filter((wb) => {
      const times = [
        ...wb.embeddedDatasources.map((d) => d.extractLastRefreshTime),
        ...wb.publishedDatasources.map((d) => d.extractLastRefreshTime),
      ].filter((x): x is string => x !== null);
      const newest = Math.max(0, ...times.map((x) => Date.parse(x)));
      return times.length > 0 && now.getTime() - newest > maxAgeMs;
    })
    .map((wb) => wb.name)
    .sort();
}

t.test('staleCertifiedDashboards over a mock site', async (t) => {
  const server = await createMockTableauServer({
    tokens: [{ name: 'test-token', secret: 'test-secret' }],
    workbooks: [
      {
        luid: 'wb-old',
        name: 'Old Sales',
        projectName: 'Sales',
        tags: ['certified'],
        embeddedDatasources: [
          {
            name: 'e',
            hasExtracts: true,
            extractLastRefreshTime: '2026-03-01T00:00:00Z',
            tables: ['DB.S.ORDERS'],
          },
        ],
      },
      {
        luid: 'wb-fresh',
        name: 'Fresh Sales',
        projectName: 'Sales',
        tags: ['certified'],
        embeddedDatasources: [
          {
            name: 'e',
            hasExtracts: true,
            extractLastRefreshTime: '2026-03-02T06:00:00Z',
            tables: ['DB.S.ORDERS'],
          },
        ],
      },
      {
        luid: 'wb-draft',
        name: 'Draft',
        projectName: 'Sales',
        tags: [],
        embeddedDatasources: [
          {
            name: 'e',
            hasExtracts: true,
            extractLastRefreshTime: '2020-01-01T00:00:00Z',
            tables: ['DB.S.ORDERS'],
          },
        ],
      },
    ],
  });
  t.teardown(() => server.close());
  const client = createTableauClient({
    serverUrl: server.url,
    siteName: server.siteName,
    tokenName: 'test-token',
    tokenSecret: 'test-secret',
  });
  t.teardown(() => client.signOut());

  const stale = await staleCertifiedDashboards(client, new Date('2026-03-02T08:00:00Z'));
  t.same(stale, ['Old Sales'], 'older than a day and certified');
  t.equal(server.counters.signIns, 1, 'the client signed in once');
});
