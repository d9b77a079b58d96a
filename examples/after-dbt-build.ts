/**
 * Example: an orchestration step to run right after `dbt build` (Airflow, Dagster, a CI job, a
 * cron script): refresh the Tableau extracts whose upstream dbt nodes were rebuilt, print the
 * dbt-like log, keep the report with the run's artifacts, and return an exit code.
 *
 * The same as `dbt-auto-exposures refresh`, written with the library so you can add your own
 * steps (notify a channel on errors, push the JSON log entries to your log pipeline, …).
 *
 *   node --import tsx examples/after-dbt-build.ts /path/to/dbt/project
 *
 * In your project, import from 'dbt-auto-exposures' instead of '../src/index.js'.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTableauClient,
  loadLineage,
  loadManifest,
  loadRunResults,
  maybeRefresh,
  renderLogEntry,
  writeRefreshReport,
} from '../src/index.js';

export interface AfterBuildOptions {
  projectDir: string;
  /** Where DBT_ACTIVE_EXPOSURES*, TABLEAU_* are read. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Receives each log line. Default: console.log. */
  print?: (line: string) => void;
  signal?: AbortSignal;
}

/** Returns 0 when nothing failed, 1 when a refresh failed. */
export async function afterDbtBuild(options: AfterBuildOptions): Promise<number> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const target = join(options.projectDir, 'target');
  const client = createTableauClient({
    serverUrl: env.TABLEAU_SERVER_URL ?? '',
    siteName: env.TABLEAU_SITE_NAME ?? '',
    tokenName: env.TABLEAU_TOKEN_NAME ?? '',
    tokenSecret: env.TABLEAU_TOKEN_SECRET ?? '',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    const report = await maybeRefresh({
      lineage: await loadLineage(
        join(options.projectDir, 'models', 'exposures', 'tableau_lineage.json'),
      ),
      runResults: await loadRunResults(target),
      manifest: await loadManifest(target),
      env,
      refresher: client,
      wait: { timeoutMs: 10 * 60_000 },
      signal: options.signal,
    });
    for (const entry of report.log) print(renderLogEntry(entry, 'text'));
    await writeRefreshReport(join(target, 'active_exposures.json'), report);
    const failed = report.results.filter((r) => r.status === 'error');
    for (const r of failed) print(`ALERT: ${r.exposure}: ${r.detail ?? r.reason}`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await client.signOut();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await afterDbtBuild({ projectDir: process.argv[2] ?? '.' });
}
