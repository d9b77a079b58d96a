/**
 * A server that echoes secrets back: the token secret, the session token and a URL with a
 * password (`https://svc:<password>@…`), in every field of every error shape Tableau has (REST
 * JSON and XML `code`/`summary`/`detail` at each status, GraphQL `errors` message and
 * `extensions.code` with and without partial data, GraphQL warnings, job notes), on every route.
 * None of them may reach an error (message, stack, cause, JSON, inspect), a log or debug line, a
 * warning, a result, or a maybeRefresh report, through the public API. The CLI side is in
 * echo-secrets-cli.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  createTableauClient,
  type ExposureLineage,
  maybeRefresh,
  parseRunResults,
  type TableauWarning,
} from '../../src/index.js';
import { renderAll, SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { ECHO_CASES, ECHO_ROUTES, MARKER, URL_PASSWORD } from './echo-table.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import { startHostile } from './hostile.js';

const CUSTOMER_HEALTH = {
  kind: 'workbook' as const,
  luid: '1a2b3c4d-0000-4000-8000-00000000e003',
  name: 'Customer Health',
};

const NEVER = [SENTINEL_SECRET, SENTINEL_SESSION_TOKEN, URL_PASSWORD];

const LINEAGE = {
  version: 2,
  source: { kind: 'tableau', serverUrl: null, siteName: null },
  dbt: {
    projectName: 'shop',
    packageName: 'shop',
    adapterType: null,
    manifestSchemaVersion: 12,
    dbtVersion: '1.9.0',
  },
  exposures: [
    {
      name: 'customer_health',
      uniqueId: 'exposure.shop.customer_health',
      label: 'Customer Health',
      type: 'dashboard',
      maturity: 'medium',
      url: null,
      owner: { name: 'BI' },
      description: '',
      tags: [],
      meta: { tableau: { workbookLuid: CUSTOMER_HEALTH.luid, projectName: null, updatedAt: null } },
      dependsOn: [
        {
          uniqueId: 'model.shop.orders',
          ref: { kind: 'ref', package: 'shop', name: 'orders', version: null },
          tables: [],
          match: 'exact',
        },
      ],
      refreshTargets: [{ ...CUSTOMER_HEALTH, hasExtracts: true, lastRefreshAt: null }],
      unmatchedTables: [],
    },
  ],
  ambiguous: [],
  skippedWorkbooks: [],
  stats: { workbooks: 1, tables: 0, matched: 1, unmatched: 0 },
} as unknown as ExposureLineage;

const RUN = parseRunResults({
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.9.0',
    invocation_id: 'inv-1',
  },
  results: [{ unique_id: 'model.shop.orders', status: 'success', execution_time: 1, timing: [] }],
  elapsed_time: 1,
  args: { which: 'build' },
});

let tried = 0;

for (const route of ECHO_ROUTES) {
  t.test(route.name, async (t) => {
    for (const shape of ECHO_CASES.filter((c) => c.routes.includes(route.id))) {
      t.test(shape.name, async (t) => {
        // A fresh mock per client: each is the mock's first sign-in (the job notes echo its token).
        const serve = async () => {
          const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0, ...shape.jobPlan } });
          const origin = await startHostile(t, {
            upstream: mock.url,
            rule: (request) =>
              route.matches(request) && shape.reply !== undefined
                ? shape.reply(request)
                : 'forward',
          });
          return { origin, site: { url: origin.url, siteName: mock.siteName } };
        };

        // The client, each operation on its own.
        const first = await serve();
        const log = captureLogger();
        const warnings: TableauWarning[] = [];
        const client = createTableauClient(clientOptions(first.site, { logger: log.logger }));
        const outcomes: unknown[] = [];
        const attempt = async (action: () => Promise<unknown>): Promise<void> => {
          try {
            outcomes.push(await action());
          } catch (error) {
            outcomes.push(error);
          }
        };
        await attempt(() => client.listWorkbooks({ onWarning: (w) => warnings.push(w) }));
        await attempt(() => client.getLastRefreshTimes([CUSTOMER_HEALTH]));
        await attempt(async () => {
          const trigger = await client.refresh(CUSTOMER_HEALTH);
          return trigger.status === 'queued'
            ? [
                trigger,
                await client.waitForJob(trigger.jobId, { timeoutMs: 5000, pollIntervalMs: 5 }),
              ]
            : trigger;
        });
        await attempt(() => client.signOut());

        // maybeRefresh, waiting for the job.
        const second = await serve();
        const reportLog = captureLogger();
        const report = await maybeRefresh({
          lineage: LINEAGE,
          runResults: RUN,
          enabled: true,
          refresher: createTableauClient(clientOptions(second.site)),
          wait: { timeoutMs: 5000 },
          logger: reportLog.logger,
        });
        const origin = first.origin;

        tried++;
        t.ok(
          origin.requests.some((r) => route.matches(r)),
          'the echoing route was reached',
        );
        const text = renderAll([outcomes, log.lines, warnings, report, reportLog.lines]);
        for (const secret of NEVER) t.notOk(text.includes(secret), `no ${secret.slice(0, 14)}…`);
        if (!shape.unseenOn?.includes(route.id)) {
          t.ok(text.includes(MARKER), 'the echo reached what is checked (redacted)');
        }
      });
    }
  });
}

t.test('cases tried, as docs/reliability.md states', async (t) => {
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(Number(/Echo cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), tried);
});
