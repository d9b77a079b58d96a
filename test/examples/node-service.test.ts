import { cp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { createRefreshService } from '../../examples/node-service.js';
import { createFakeRefresher } from '../../src/testing/index.js';
import { copyExample, jaffleLineage } from '../cli/helpers.js';

t.test('the embedded service answers exposures and refreshes after a build', async (t) => {
  const project = await copyExample(t);
  await cp(jaffleLineage, join(project, 'models', 'exposures', 'tableau_lineage.json'));
  const refresher = createFakeRefresher({ lastRefreshTimes: {} });
  const service = createRefreshService({
    projectDir: project,
    client: refresher as never,
    env: { DBT_ACTIVE_EXPOSURES: '1' },
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => service.close(() => resolve())));
  const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

  const exposures = (await (await fetch(`${base}/exposures`)).json()) as unknown[];
  t.same(exposures[2], {
    name: 'sales_overview',
    url: 'https://tableau.example/#/site/jaffle/workbooks/101',
    reads: ['model.jaffle_tableau.customers.v2', 'model.jaffle_tableau.orders'],
  });

  const res = await fetch(`${base}/dbt-build-finished`, { method: 'POST' });
  t.equal(res.status, 200);
  const body = (await res.json()) as {
    enabled: boolean;
    results: { exposure: string; status: string }[];
  };
  t.equal(body.enabled, true);
  t.same(
    refresher
      .refreshedTargets()
      .map((x) => x.luid)
      .sort(),
    ['ds-1', 'wb-3'],
    'the two extracts over rebuilt nodes',
  );
  t.equal((await fetch(`${base}/nope`)).status, 404);
});
