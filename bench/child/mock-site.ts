/**
 * Child process serving a generated Tableau site from the mock server, so the server's CPU work
 * (answering GraphQL over thousands of workbooks) runs beside the client, not on its event loop,
 * as a real Tableau would. `node mock-site.js <seed> <workbooks> <tablesPerWorkbook> <latencyMs>`
 * prints `{url, siteName, tokenName, tokenSecret, projects}` and then answers stdin lines:
 * `counters` (prints the counters as JSON) and `reset`. Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { MATCHABLE_PER_MODEL, planProject } from '../generate/project.js';
import { generateSite } from '../generate/site.js';
import { createMockTableauServer } from '../library.js';

const [seed, workbooks, tables, latency] = process.argv.slice(2).map(Number);
const plan = planProject({ seed: seed!, models: Math.round(5000 / MATCHABLE_PER_MODEL) });
const site = generateSite(plan, { seed: seed!, workbooks: workbooks!, tablesPerWorkbook: tables! });
const server = await createMockTableauServer({
  site: 'bench',
  workbooks: site.workbooks,
  ...(latency! > 0
    ? {
        faults: {
          '*': { fault: { kind: 'latency', ms: latency! }, times: Number.POSITIVE_INFINITY },
        },
      }
    : {}),
});
process.stdout.write(
  `${JSON.stringify({
    url: server.url,
    siteName: server.siteName,
    tokenName: server.token.name,
    tokenSecret: server.token.secret,
    projects: site.projects.map((p) => p.name),
    customSqlTables: server.site.workbooks.reduce(
      (n, w) => n + w.embeddedDatasources.reduce((m, d) => m + d.customSql.length, 0),
      server.site.publishedDatasources.reduce((n, d) => n + d.customSql.length, 0),
    ),
    publishedDatasources: server.site.publishedDatasources.length,
  })}\n`,
);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'counters') {
    const cpu = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ ...server.counters, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
    );
  } else if (line === 'reset') {
    server.resetCounters();
    process.stdout.write('{}\n');
  }
});
lines.on('close', () => {
  void server.close().then(() => process.exit(0));
});
