/**
 * Issue 16: the client against every Tableau release the mock simulates (Server 2021.4, 2022.1,
 * 2023.3 and Cloud). The release matrix is in release-matrix.ts: its covering subset runs here,
 * every case in server-versions.slow.test.ts. Also: tables hidden by permissions, RATE_EXCEEDED
 * and page sizing. Through the public API only.
 */
import t from 'tap';
import {
  buildExposureLineage,
  createTableauClient,
  type TableauApiError,
} from '../../src/index.js';
import { covering } from '../helpers/covering.js';
import { manifest, node } from '../lineage/helpers/builders.js';
import { clientOptions, rejection, startMock } from './harness.js';
import {
  RELEASE_CASES,
  RELEASE_FACETS,
  releaseCaseName,
  runReleaseCase,
  siteModel,
} from './release-matrix.js';

for (const c of covering(RELEASE_CASES, RELEASE_FACETS)) {
  t.test(releaseCaseName(c), (t) => runReleaseCase(t, c));
}

t.test('tables hidden by permissions are reported as such in the lineage', async (t) => {
  const mock = await startMock(t, { siteModel });
  const client = createTableauClient(clientOptions(mock));
  const workbooks = await client.listWorkbooks();
  const lineage = buildExposureLineage({
    manifest: manifest([
      node({
        uniqueId: 'model.shop.customers',
        name: 'customers',
        schema: 'marts',
        identifier: 'customers',
      }),
    ]),
    workbooks,
  });
  const sales = lineage.exposures.find((e) => e.label === 'Sales');
  t.same(
    sales?.unmatchedTables.filter((u) => u.reason === 'hidden_by_permissions').map((u) => u.table),
    ['(hidden by permissions)'],
  );
});

t.test('RATE_EXCEEDED is retried with backoff, within the bounds', async (t) => {
  const mock = await startMock(t, {
    siteModel,
    faults: { graphql: { fault: { kind: 'rate-exceeded' }, times: 2 } },
  });
  const client = createTableauClient(clientOptions(mock));
  t.equal((await client.listWorkbooks()).length, 2, 'listed after two throttled answers');
  t.equal(mock.counters.faults, 2);

  const throttled = await startMock(t, {
    siteModel,
    faults: { graphql: { fault: { kind: 'rate-exceeded' }, times: Number.POSITIVE_INFINITY } },
  });
  const bounded = createTableauClient(clientOptions(throttled, { retries: 2 }));
  const error = (await rejection(bounded.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_GRAPHQL');
  t.equal(error.tableauCode, 'RATE_EXCEEDED');
  t.ok(throttled.counters.requests.graphql <= 9, 'at most 3 attempts per listing');
});

t.test('pages are sized from the node budget measured on the first page', async (t) => {
  const workbooks = Array.from({ length: 2100 }, (_, i) => ({
    luid: `wb-${String(i).padStart(5, '0')}`,
    name: `Workbook ${i}`,
    projectName: 'Sales',
    embeddedDatasources: [{ name: 'Live', tables: ['ANALYTICS.MARTS.ORDERS'] }],
  }));
  const mock = await startMock(t, { workbooks });
  const client = createTableauClient(clientOptions(mock));
  t.equal((await client.listWorkbooks()).length, 2100);
  // 100 on the first page, then 1,000 (Tableau's largest page) since these fit the budget.
  t.equal(mock.counters.graphql.workbooksConnection, 3);
  t.ok(Object.values(mock.counters.graphqlNodes).every((n) => n > 0));

  // A server with a lower node limit: a page that hits it is halved, and stays that size.
  const strict = await startMock(t, { workbooks, nodeLimit: 5000 });
  const small = createTableauClient(clientOptions(strict));
  t.equal((await small.listWorkbooks()).length, 2100);
  t.ok(
    (strict.counters.graphql.workbooksConnection ?? 0) < 21,
    'still far fewer pages than 100 per page',
  );
});
