/**
 * The echo matrix: every error shape of echo-table.ts on every route it applies to (50 cases),
 * each run through the client (every operation on its own) and `maybeRefresh`.
 * echo-secrets.slow.test.ts runs every case; echo-secrets.test.ts runs the covering subset
 * (`ECHO_FACETS`): every route, every shape, and the 401s on sign-out, whose answer is rightly
 * dropped.
 */
import type { Test } from 'tap';
import {
  createTableauClient,
  type ExposureLineage,
  maybeRefresh,
  parseRunResults,
  type TableauWarning,
} from '../../src/index.js';
import type { Facet } from '../helpers/covering.js';
import { renderAll, SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import {
  ECHO_CASES,
  ECHO_ROUTES,
  type EchoCase,
  type EchoRoute,
  MARKER,
  URL_PASSWORD,
} from './echo-table.js';
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

export interface EchoMatrixCase {
  route: EchoRoute;
  shape: EchoCase;
}

/** Every shape on every route it applies to, by route. */
export const ECHO_MATRIX: EchoMatrixCase[] = ECHO_ROUTES.flatMap((route) =>
  ECHO_CASES.filter((shape) => shape.routes.includes(route.id)).map((shape) => ({ route, shape })),
);

/** What `npm test` covers of the matrix (see the file comment). */
export const ECHO_FACETS: Facet<EchoMatrixCase>[] = [
  (c) => c.route.id,
  (c) => c.shape.name,
  (c) => (c.shape.unseenOn?.includes(c.route.id) ? `${c.shape.name} on ${c.route.id}` : undefined),
];

export function echoCaseName(c: EchoMatrixCase): string {
  return `${c.route.name}: ${c.shape.name}`;
}

/** Run one case: no secret anywhere, and the (redacted) echo did get through. */
export async function runEchoCase(t: Test, { route, shape }: EchoMatrixCase): Promise<void> {
  // A fresh mock per client: each is the mock's first sign-in (the job notes echo its token).
  const serve = async () => {
    const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0, ...shape.jobPlan } });
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: (request) =>
        route.matches(request) && shape.reply !== undefined ? shape.reply(request) : 'forward',
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
      ? [trigger, await client.waitForJob(trigger.jobId, { timeoutMs: 5000, pollIntervalMs: 5 })]
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

  t.ok(
    origin.requests.some((r) => route.matches(r)),
    'the echoing route was reached',
  );
  const text = renderAll([outcomes, log.lines, warnings, report, reportLog.lines]);
  for (const secret of NEVER) t.notOk(text.includes(secret), `no ${secret.slice(0, 14)}…`);
  if (!shape.unseenOn?.includes(route.id)) {
    t.ok(text.includes(MARKER), 'the echo reached what is checked (redacted)');
  }
}
