/**
 * Benchmark 3: listing a site of N workbooks from the mock server (own process) with 50 ms
 * injected latency on every request. Compared: requests made vs the minimum Tableau's limits
 * allow, and wall time vs that minimum × latency. The minimum is serverinfo + sign-in + for each
 * connection the listing needs (workbooks, published data sources, custom SQL) the larger of
 * ⌈objects answered / 20,000⌉ (the node limit; objects as the mock counts them for the default
 * listing) and ⌈items / 1,000⌉ (the largest page). One row per page size, plus one partitioned by
 * project (several listings in flight on one session).
 */
import type { BenchContext } from '../context.js';
import { formatMs, makeRow, stats } from '../harness.js';
import { createTableauClient, type TableauClient } from '../library.js';
import { type MockCountersView, MockSiteProcess } from './mock-process.js';

const LATENCY_MS = 50;
/** The mock's (and Tableau Cloud's observed) largest honoured `first`. */
const MAX_PAGE_SIZE = 1000;
/** Tableau's default node limit per Metadata API answer. */
const NODE_LIMIT = 20_000;

/** Requests the node limit and the largest page allow at least (see the module comment). */
function minimumRequests(counters: MockCountersView, items: Record<string, number>): number {
  let minimum = 2; // serverinfo + sign-in
  for (const [connection, count] of Object.entries(items)) {
    const nodes = counters.graphqlNodes[connection] ?? 0;
    minimum += Math.max(1, Math.ceil(nodes / NODE_LIMIT), Math.ceil(count / MAX_PAGE_SIZE));
  }
  return minimum;
}

function clientFor(mock: MockSiteProcess): TableauClient {
  return createTableauClient({
    serverUrl: mock.info.url,
    siteName: mock.info.siteName,
    tokenName: mock.info.tokenName,
    tokenSecret: mock.info.tokenSecret,
  });
}

function requestsOf(c: MockCountersView): number {
  return c.total - (c.requests.signout ?? 0);
}

export async function run(ctx: BenchContext): Promise<void> {
  const workbooks = ctx.quick ? 300 : 10_000;
  const runs = ctx.quick ? 1 : 2;
  ctx.note(`listing: starting mock site of ${workbooks} workbooks`);
  const mock = await MockSiteProcess.start(ctx.outDir, {
    seed: ctx.seed,
    workbooks,
    tables: 10,
    latencyMs: LATENCY_MS,
  });
  try {
    const items = {
      workbooksConnection: workbooks,
      publishedDatasourcesConnection: mock.info.publishedDatasources,
      customSQLTablesConnection: mock.info.customSqlTables,
    };
    // Set from the default listing (the first variant): the objects it needs, per connection.
    let minimum = 0;
    // The default page size means hundreds of sequential requests (over a minute at 20,000
    // workbooks): one run; its spread is small since latency dominates.
    const variants: {
      id: string;
      label: string;
      pageSize: number | undefined;
      partitions: number;
      runs: number;
    }[] = [
      { id: 'default', label: 'default page size', pageSize: undefined, partitions: 1, runs: 1 },
      { id: 'page1000', label: 'page size 1000', pageSize: 1000, partitions: 1, runs },
      {
        id: 'page1000-projects4',
        label: 'page size 1000, 4 project partitions in parallel',
        pageSize: 1000,
        partitions: 4,
        runs: 1,
      },
    ];
    for (const variant of variants) {
      ctx.note(`listing: ${variant.label}`);
      const times: number[] = [];
      let counters: MockCountersView | null = null;
      const clientCpu: number[] = [];
      const mockCpu: number[] = [];
      let listed = 0;
      for (let i = 0; i < variant.runs; i += 1) {
        await mock.reset();
        const serverCpu = (await mock.counters()).cpuMs;
        const client = clientFor(mock);
        const cpu = process.cpuUsage();
        const start = performance.now();
        if (variant.partitions === 1) {
          listed = (
            await client.listWorkbooks(
              variant.pageSize === undefined ? {} : { pageSize: variant.pageSize },
            )
          ).length;
        } else {
          const groups: string[][] = Array.from({ length: variant.partitions }, () => []);
          mock.info.projects.forEach((p, j) => {
            groups[j % variant.partitions]!.push(p);
          });
          const lists = await Promise.all(
            groups.map((projects) =>
              client.listWorkbooks({
                projects,
                ...(variant.pageSize === undefined ? {} : { pageSize: variant.pageSize }),
              }),
            ),
          );
          listed = new Set(lists.flat().map((w) => w.luid)).size;
        }
        times.push(performance.now() - start);
        const used = process.cpuUsage(cpu);
        clientCpu.push((used.user + used.system) / 1000);
        counters = await mock.counters();
        mockCpu.push(counters.cpuMs - serverCpu);
        await client.signOut();
      }
      if (minimum === 0) minimum = minimumRequests(counters!, items);
      const floorMs = minimum * LATENCY_MS;
      const made = requestsOf(counters!);
      ctx.report(
        makeRow({
          id: `listing/${workbooks}/${variant.id}`,
          case: `list workbooks, ${LATENCY_MS} ms latency, ${variant.label}`,
          input: `${workbooks} workbooks × 10 tables`,
          library: stats(times),
          floorLabel: `min ${minimum} requests × ${LATENCY_MS} ms`,
          floor: stats([floorMs]),
          extra: {
            requests: `${made} vs min ${minimum} (${(made / minimum).toFixed(2)}×)`,
            'GraphQL requests': JSON.stringify(counters!.graphql),
            'sign-ins': counters!.signIns,
            'client CPU': formatMs(stats(clientCpu).median),
            'mock server CPU': formatMs(stats(mockCpu).median),
            'requests × latency': `${formatMs(made * LATENCY_MS)} (wall ${(stats(times).median / (made * LATENCY_MS)).toFixed(2)}× that)`,
            listed,
          },
        }),
      );
    }
  } finally {
    await mock.close();
  }
}
