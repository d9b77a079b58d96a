/**
 * Benchmark 4: `maybeRefresh` over 500 exposures sharing 120 refresh targets (40 workbooks with
 * embedded extracts, 80 published data sources), every upstream rebuilt and every extract older
 * than the cadence, through the real client against the mock server with 50 ms latency. Refresh
 * calls must equal distinct targets (a shared data source is refreshed once); wall time is
 * compared with calls × latency / concurrency. A fresh mock per run, so no job is still queued.
 */
import type { BenchContext } from '../context.js';
import { makeRow, stats } from '../harness.js';
import {
  createMockTableauServer,
  createTableauClient,
  type ExposureLineage,
  type LineageExposure,
  type LineageRefreshTarget,
  type MockWorkbookInput,
  maybeRefresh,
  parseRunResults,
} from '../library.js';

const LATENCY_MS = 50;

function luid(kind: string, i: number): string {
  return `${kind === 'workbook' ? 'aaaaaaaa' : 'dddddddd'}-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

interface Scenario {
  lineage: ExposureLineage;
  workbooks: MockWorkbookInput[];
  runResults: unknown;
  targets: number;
}

/** 500 exposures over 40 workbook + 80 data source targets; extracts last refreshed 2 days ago. */
export function scenario(
  exposureCount: number,
  workbookTargets: number,
  datasourceTargets: number,
  now: Date,
): Scenario {
  const old = new Date(now.getTime() - 2 * 24 * 3600_000).toISOString();
  const ds: LineageRefreshTarget[] = Array.from({ length: datasourceTargets }, (_, i) => ({
    kind: 'datasource',
    luid: luid('datasource', i),
    name: `certified source ${i}`,
    hasExtracts: true,
    lastRefreshAt: old,
  }));
  const wb: LineageRefreshTarget[] = Array.from({ length: workbookTargets }, (_, i) => ({
    kind: 'workbook',
    luid: luid('workbook', i),
    name: `dashboard ${i}`,
    hasExtracts: true,
    lastRefreshAt: old,
  }));
  const models = 200;
  const exposures: LineageExposure[] = Array.from({ length: exposureCount }, (_, i) => {
    const targets = [ds[i % datasourceTargets]!];
    // Multiples of 3 walk every workbook residue (gcd(3, 40) = 1), so all workbooks are covered.
    if (i % 3 === 0) targets.unshift(wb[(i / 3) % workbookTargets]!);
    const model = `model.acme_analytics.fct_model_${i % models}`;
    return {
      name: `exposure_${String(i).padStart(4, '0')}`,
      uniqueId: `exposure.acme_analytics.exposure_${String(i).padStart(4, '0')}`,
      label: `Exposure ${i}`,
      type: 'dashboard',
      maturity: 'medium',
      url: null,
      owner: { name: 'BI team' },
      description: '',
      tags: ['tableau'],
      meta: {
        tableau: { workbookLuid: luid('workbook', i), projectName: 'Bench', updatedAt: null },
      },
      dependsOn: [
        {
          uniqueId: model,
          ref: {
            kind: 'ref',
            package: 'acme_analytics',
            name: `fct_model_${i % models}`,
            version: null,
          },
          tables: [],
          match: 'exact',
        },
      ],
      refreshTargets: targets,
      unmatchedTables: [],
    };
  });
  const lineage: ExposureLineage = {
    version: 2,
    source: { kind: 'tableau', serverUrl: null, siteName: 'bench' },
    dbt: {
      projectName: 'acme_analytics',
      packageName: 'acme_analytics',
      adapterType: 'snowflake',
      manifestSchemaVersion: 12,
      dbtVersion: '1.10.6',
    },
    exposures,
    ambiguous: [],
    skippedWorkbooks: [],
    stats: {
      workbooks: exposureCount,
      tables: exposureCount,
      matched: exposureCount,
      unmatched: 0,
    },
  };
  // Mock site: each workbook target has an embedded extract and uses two published sources.
  const workbooks: MockWorkbookInput[] = wb.map((w, i) => ({
    luid: w.luid,
    name: w.name,
    projectName: 'Bench',
    embeddedDatasources: [
      {
        name: 'extract',
        hasExtracts: true,
        extractLastRefreshTime: old,
        tables: ['ANALYTICS.MARTS.T'],
      },
    ],
    publishedDatasources: [0, 1]
      .map((k) => ds[(i * 2 + k) % datasourceTargets]!)
      .map((d) => ({
        luid: d.luid,
        name: d.name,
        hasExtracts: true,
        extractLastRefreshTime: old,
        tables: ['ANALYTICS.MARTS.T'],
      })),
  }));
  const runResults = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      dbt_version: '1.10.6',
      generated_at: now.toISOString(),
      invocation_id: 'bench',
    },
    results: Array.from({ length: models }, (_, i) => ({
      status: 'success',
      timing: [],
      thread_id: 'Thread-1',
      execution_time: 1,
      adapter_response: {},
      message: null,
      failures: null,
      unique_id: `model.acme_analytics.fct_model_${i}`,
    })),
    elapsed_time: 10,
    args: { which: 'build' },
  };
  return { lineage, workbooks, runResults, targets: workbookTargets + datasourceTargets };
}

export async function run(ctx: BenchContext): Promise<void> {
  const now = new Date();
  const shape = ctx.quick
    ? { exposures: 50, workbooks: 4, datasources: 8 }
    : { exposures: 500, workbooks: 40, datasources: 80 };
  const s = scenario(shape.exposures, shape.workbooks, shape.datasources, now);
  const runResults = parseRunResults(s.runResults);
  const runs = ctx.quick ? 1 : 3;
  for (const concurrency of [2, 8]) {
    ctx.note(`refresh: concurrency ${concurrency}`);
    const times: number[] = [];
    let calls = 0;
    let requests = 0;
    let refreshed = 0;
    for (let i = 0; i < runs; i += 1) {
      const server = await createMockTableauServer({
        site: 'bench',
        workbooks: s.workbooks,
        faults: {
          '*': { fault: { kind: 'latency', ms: LATENCY_MS }, times: Number.POSITIVE_INFINITY },
        },
      });
      const client = createTableauClient({
        serverUrl: server.url,
        siteName: server.siteName,
        tokenName: server.token.name,
        tokenSecret: server.token.secret,
      });
      try {
        const start = performance.now();
        const report = await maybeRefresh({
          lineage: s.lineage,
          runResults,
          env: { DBT_ACTIVE_EXPOSURES: '1' },
          now,
          refresher: client,
          concurrency,
        });
        times.push(performance.now() - start);
        calls = Object.values(server.counters.refreshCalls as Record<string, number>).reduce(
          (a, b) => a + b,
          0,
        );
        requests = server.counters.total;
        refreshed = new Set(
          report.results
            .filter((r) => r.status === 'success' && r.target)
            .map((r) => `${r.target!.kind}:${r.target!.luid}`),
        ).size;
        await client.signOut();
      } finally {
        await server.close();
      }
    }
    const floorMs = (calls * LATENCY_MS) / concurrency;
    ctx.report(
      makeRow({
        id: `refresh/${shape.exposures}x${s.targets}/c${concurrency}`,
        case: `maybeRefresh, ${LATENCY_MS} ms latency, concurrency ${concurrency}`,
        input: `${shape.exposures} exposures on ${s.targets} targets`,
        library: stats(times),
        floorLabel: `${calls} calls × ${LATENCY_MS} ms / ${concurrency}`,
        floor: stats([floorMs]),
        extra: {
          'refresh calls': `${calls} vs ${s.targets} distinct targets ${calls === s.targets ? 'EQUAL' : 'NOT EQUAL'}`,
          'targets refreshed': refreshed,
          'all requests': requests,
        },
      }),
    );
  }
}
