/**
 * Example: embedding the library in a Node service. A small HTTP endpoint that your orchestrator
 * (or dbt Cloud's / your CI's webhook) calls when a dbt build finished:
 *
 *   POST /dbt-build-finished   → runs maybeRefresh over that project's artifacts, answers the report
 *   GET  /exposures            → the exposures and the dbt nodes they read (from the lineage JSON)
 *
 * One Tableau client for the whole service: it signs in once and shares the session across
 * requests (Tableau allows one session per personal access token).
 *
 * In your project, import from 'dbt-auto-exposures' instead of '../src/index.js'.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  loadLineage,
  loadManifest,
  loadRunResults,
  maybeRefresh,
  type TableauClient,
} from '../src/index.js';

export interface ServiceOptions {
  projectDir: string;
  client: TableauClient;
  /** DBT_ACTIVE_EXPOSURES* (default process.env). */
  env?: Record<string, string | undefined>;
}

export function createRefreshService(options: ServiceOptions): Server {
  const lineagePath = join(options.projectDir, 'models', 'exposures', 'tableau_lineage.json');
  const target = join(options.projectDir, 'target');
  let running: Promise<unknown> = Promise.resolve();
  return createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handle = async () => {
      if (req.method === 'GET' && req.url === '/exposures') {
        const lineage = await loadLineage(lineagePath);
        return reply(
          200,
          lineage.exposures.map((e) => ({
            name: e.name,
            url: e.url,
            reads: e.dependsOn.map((d) => d.uniqueId),
          })),
        );
      }
      if (req.method === 'POST' && req.url === '/dbt-build-finished') {
        // One refresh run at a time: builds finishing together queue here.
        const run = running.then(async () =>
          maybeRefresh({
            lineage: await loadLineage(lineagePath),
            runResults: await loadRunResults(target),
            manifest: await loadManifest(target),
            env: options.env ?? process.env,
            refresher: options.client,
          }),
        );
        running = run.catch(() => undefined);
        const report = await run;
        return reply(200, { enabled: report.enabled, results: report.results });
      }
      reply(404, { error: 'not found' });
    };
    handle().catch((error: unknown) => {
      const e = error as { code?: string; message?: string };
      reply(500, { code: e.code ?? 'ERR_INTERNAL', message: e.message });
    });
  });
}
