import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { afterDbtBuild } from '../../examples/after-dbt-build.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import { copyExample, exampleProject, jaffleLineage } from '../cli/helpers.js';

t.test('the after-build script refreshes over the mock server and writes the report', async (t) => {
  const project = await copyExample(t);
  await cp(jaffleLineage, join(project, 'models', 'exposures', 'tableau_lineage.json'));
  const site = JSON.parse(
    await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
  ) as MockSiteInput;
  // The hand-written lineage fixture names targets wb-3 / ds-1: serve those luids.
  site.workbooks = [
    {
      luid: 'wb-3',
      name: 'Customer Health',
      embeddedDatasources: [
        { name: 'e', hasExtracts: true, extractLastRefreshTime: '2026-01-01T00:00:00Z' },
      ],
    },
    {
      luid: 'wb-5',
      name: 'Ops Live Monitor',
      embeddedDatasources: [{ name: 'e', hasExtracts: false }],
    },
    {
      luid: 'wb-1',
      name: 'Sales Overview',
      publishedDatasources: [
        {
          luid: 'ds-1',
          name: 'Orders (certified)',
          hasExtracts: true,
          extractLastRefreshTime: '2026-01-01T00:00:00Z',
        },
      ],
    },
  ];
  site.publishedDatasources = [];
  const server = await createMockTableauServer({
    siteModel: site,
    tokens: [{ name: 'n', secret: 's3cret-value' }],
  });
  t.teardown(() => server.close());
  const lines: string[] = [];
  const code = await afterDbtBuild({
    projectDir: project,
    env: {
      TABLEAU_SERVER_URL: server.url,
      TABLEAU_SITE_NAME: server.siteName,
      TABLEAU_TOKEN_NAME: 'n',
      TABLEAU_TOKEN_SECRET: 's3cret-value',
      DBT_ACTIVE_EXPOSURES: '1',
    },
    print: (l) => lines.push(l),
  });
  t.equal(code, 0, lines.join('\n'));
  // By hand: customer_health (wb-3) and sales_overview (ds-1) refresh; ops_live_monitor is live.
  t.same(server.jobs().length, 2);
  t.match(
    lines.join('\n'),
    /Done\. 3 exposures, 3 refresh targets: TRIGGERED=0 REFRESHED=2 SKIP=1 ERROR=0/,
  );
  const report = JSON.parse(
    await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
  );
  t.equal(report.enabled, true);
  t.equal(server.activeSessions, 0, 'signed out');
});
