/**
 * Following dbt's log (issue 17), two rows:
 * - `follow/latency`: from the moment the last upstream `NodeFinished` line of an exposure is
 *   written into the stream to the moment its refresh request reaches the mock Tableau server
 *   (through the real client: the last refresh lookup, then the refresh call). Target ≤ 1 s.
 * - `follow/<n>lines`: following a log of n lines (dbt Core's shape: mostly SQL and connection
 *   events, a node's start, start line and finish every 10 lines) with 200 exposures over a
 *   500-model chain graph, against reading the file and `JSON.parse` of every line. Target ≤ 2×.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { makeRow, stats } from '../harness.js';
import {
  createFakeRefresher,
  createMockTableauServer,
  createTableauClient,
  type ExposureLineage,
  followDbtLog,
  type LineageExposure,
  parseManifest,
} from '../library.js';

const INVOCATION = 'b3c4d5e6-0000-4000-8000-000000000017';

function event(name: string, ts: number, data: object): string {
  return JSON.stringify({
    data,
    info: {
      category: '',
      code: 'Q000',
      extra: {},
      invocation_id: INVOCATION,
      level: 'debug',
      msg: `${name} event`,
      name,
      pid: 1,
      thread: 'Thread-1 (worker)',
      ts: new Date(Date.UTC(2026, 0, 1) + ts).toISOString(),
    },
  });
}

const modelId = (i: number): string => `model.bench.m${i}`;

function nodeLines(i: number, total: number, ts: number): string[] {
  const info = (status: string) => ({
    materialized: 'table',
    node_name: `m${i}`,
    node_status: status,
    resource_type: 'model',
    unique_id: modelId(i),
  });
  return [
    event('NodeStart', ts, { node_info: info('started') }),
    event('LogStartLine', ts, { index: i + 1, total, node_info: info('started') }),
    event('NodeFinished', ts, {
      node_info: info('success'),
      run_result: { status: 'success', message: 'SELECT 1', execution_time: 0.1 },
    }),
  ];
}

/** A dbt Core build log of about `lines` lines: `lines / 10` models, noise between them. */
function buildLog(lines: number): string[] {
  const models = Math.floor(lines / 10);
  const out = [
    event('MainReportVersion', 0, { version: '=1.9.8', log_version: 3 }),
    event('MainReportArgs', 0, { args: { invocation_command: 'dbt build', which: 'build' } }),
  ];
  for (let i = 0; i < models; i += 1) {
    for (let k = 0; k < 7; k += 1) {
      out.push(
        event('SQLQuery', i, {
          conn_name: `model.bench.m${i}`,
          sql: `/* {"app": "dbt", "node_id": "${modelId(i)}"} */ create table m${i} as select * from m${i - 1}`,
          node_info: { unique_id: modelId(i), node_status: 'started', resource_type: 'model' },
        }),
      );
    }
    out.push(...nodeLines(i, models, i));
  }
  out.push(event('CommandCompleted', models, { success: true, elapsed: models, completed_at: '' }));
  return out;
}

/** 500 models in chains of 10; 200 exposures, each on one model, 20 shared data sources. */
function graph(models: number): {
  lineage: ExposureLineage;
  manifest: ReturnType<typeof parseManifest>;
} {
  const nodes: Record<string, object> = {};
  const parentMap: Record<string, string[]> = {};
  for (let i = 0; i < models; i += 1) {
    nodes[modelId(i)] = {
      resource_type: 'model',
      name: `m${i}`,
      package_name: 'bench',
      database: 'db',
      schema: 's',
      alias: `m${i}`,
      relation_name: `db.s.m${i}`,
      config: { materialized: 'table' },
    };
    parentMap[modelId(i)] = i % 10 === 0 ? [] : [modelId(i - 1)];
  }
  const manifest = parseManifest({
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' },
    nodes,
    parent_map: parentMap,
  });
  const exposures: LineageExposure[] = Array.from({ length: 200 }, (_, i) => ({
    name: `exposure_${String(i).padStart(3, '0')}`,
    uniqueId: `exposure.bench.exposure_${i}`,
    label: `Exposure ${i}`,
    type: 'dashboard',
    maturity: 'medium',
    url: null,
    owner: { name: 'BI' },
    description: '',
    tags: [],
    meta: { tableau: { workbookLuid: `wb-${i}`, projectName: null, updatedAt: null } },
    dependsOn: [
      {
        uniqueId: modelId((i * 7) % models),
        ref: { kind: 'ref', package: 'bench', name: `m${(i * 7) % models}`, version: null },
        tables: [],
        match: 'exact',
      },
    ],
    refreshTargets: [
      {
        kind: 'datasource',
        luid: `ds-${i % 20}`,
        name: `ds ${i % 20}`,
        hasExtracts: true,
        lastRefreshAt: null,
      },
    ],
    unmatchedTables: [],
  }));
  const lineage: ExposureLineage = {
    version: 2,
    source: { kind: 'tableau', serverUrl: null, siteName: 'bench' },
    dbt: {
      projectName: 'bench',
      packageName: 'bench',
      adapterType: 'snowflake',
      manifestSchemaVersion: 12,
      dbtVersion: '1.9.8',
    },
    exposures,
    ambiguous: [],
    skippedWorkbooks: [],
    stats: { workbooks: 200, tables: 200, matched: 200, unmatched: 0 },
  };
  return { lineage, manifest };
}

export async function run(ctx: BenchContext): Promise<void> {
  await latency(ctx);
  await throughput(ctx);
}

/** Lines handed out one at a time by the bench, which notes when it hands out the decisive one. */
function feed() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(line: string) {
      queue.push(line);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const line = queue.shift();
        if (line !== undefined) yield line;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

async function latency(ctx: BenchContext): Promise<void> {
  const runs = ctx.quick ? 3 : 10;
  const models = 20;
  const { lineage, manifest } = graph(models);
  const log = buildLog(models * 10);
  // exposure_000 depends on m0 (a chain start): its refresh is due when m0's NodeFinished is read.
  const decisive = log.findIndex(
    (l) => l.includes('"NodeFinished"') && l.includes(`"${modelId(0)}"`),
  );
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const server = await createMockTableauServer({
      site: 'bench',
      workbooks: [
        {
          luid: 'wb-bench',
          name: 'bench',
          projectName: 'Bench',
          publishedDatasources: Array.from({ length: 20 }, (_, k) => ({
            luid: `ds-${k}`,
            name: `ds ${k}`,
            hasExtracts: true,
            extractLastRefreshTime: null,
            tables: ['DB.S.T'],
          })),
        },
      ],
    });
    const client = createTableauClient({
      serverUrl: server.url,
      siteName: server.siteName,
      tokenName: server.token.name,
      tokenSecret: server.token.secret,
    });
    const lines = feed();
    const following = followDbtLog({
      source: lines,
      lineage,
      manifest,
      env: { DBT_ACTIVE_EXPOSURES: '1' },
      refresher: client,
    });
    for (const line of log.slice(0, decisive)) lines.push(line);
    // Warm: the client signs in on its first call; the timed part is the decision and the calls.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = performance.now();
    lines.push(log[decisive]!);
    while ((server.counters.refreshCalls['datasource:ds-0'] ?? 0) === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    times.push(performance.now() - start);
    for (const line of log.slice(decisive + 1)) lines.push(line);
    lines.end();
    await following;
    await client.signOut();
    await server.close();
  }
  ctx.report(
    makeRow({
      id: 'follow/latency',
      case: 'followDbtLog: last upstream NodeFinished written → refresh request at the mock',
      input: `${models}-model build, real client, mock on 127.0.0.1`,
      library: stats(times),
      floorLabel: 'target 1 s',
      floor: stats([1000]),
      target: { max: 1 },
    }),
  );
}

async function throughput(ctx: BenchContext): Promise<void> {
  const lineCount = ctx.quick ? 10_000 : 100_000;
  const runs = ctx.quick ? 2 : 5;
  const log = buildLog(lineCount);
  const path = join(ctx.dataDir, `follow-${lineCount}.log`);
  writeFileSync(path, `${log.join('\n')}\n`);
  const { lineage, manifest } = graph(500);
  const library: number[] = [];
  const floor: number[] = [];
  let refreshCalls = 0;
  for (let i = 0; i < runs; i += 1) {
    let start = performance.now();
    const text = await readFile(path, 'utf8');
    let parsed = 0;
    for (const line of text.split('\n')) if (line !== '') parsed += JSON.parse(line) ? 1 : 0;
    floor.push(performance.now() - start);
    start = performance.now();
    const refresher = createFakeRefresher();
    await followDbtLog({
      source: createReadStream(path),
      lineage,
      manifest,
      env: { DBT_ACTIVE_EXPOSURES: '1' },
      refresher,
    });
    library.push(performance.now() - start);
    refreshCalls = refresher.refreshedTargets().length;
    if (parsed !== log.length) throw new Error('follow bench: lines lost');
  }
  ctx.report(
    makeRow({
      id: `follow/${lineCount / 1000}k-lines`,
      case: 'followDbtLog over a log file (stream), 200 exposures, 500-model graph',
      input: `${lineCount.toLocaleString('en-US')} lines, ${(log.join('\n').length / 1e6).toFixed(1)} MB`,
      library: stats(library),
      floorLabel: 'readFile + JSON.parse per line',
      floor: stats(floor),
      target: { max: 2 },
      extra: { 'refresh calls': `${refreshCalls} (20 shared data sources)` },
    }),
  );
}
