/**
 * `dbt-auto-exposures refresh`: after `dbt build`, run `maybeRefresh` over the lineage JSON and the
 * build's run_results, print the dbt-like log (text, or JSON lines with --json), write the report.
 * Exit 1 when a refresh failed.
 */
// The modules this command uses, not `../../index.js`: start-up time is module loading (yaml,
// picomatch, fast-glob, node-fetch…), and the Tableau client loads only when enabled (`openTableau`).
import { maybeRefresh } from '../../active/maybe-refresh.js';
import type { Refresher } from '../../active/refresher.js';
import { type RefreshReport, writeRefreshReport } from '../../active/report.js';
import { resolveActiveExposureSettings } from '../../active/settings.js';
import { loadManifest } from '../../artifacts/manifest.js';
import { loadRunResults } from '../../artifacts/run-results.js';
import { mergeInTimeOrder } from '../../log/entries.js';
import { renderLogEntry } from '../../log/render.js';
import type { LogEntry } from '../../log/types.js';
import { loadLineage } from '../../output/lineage-file.js';
import { warnAboutArtifacts } from '../artifact-warnings.js';
import { maskData, secretsOf } from '../mask.js';
import { createProgress } from '../progress.js';
import { EXIT } from '../report-error.js';
import type { CommandContext } from '../run.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { openTableau } from '../tableau.js';

/** A refresher for disabled runs: maybeRefresh makes no call then, so reaching it is a bug. */
const unreachable: Refresher = {
  refresh() {
    throw new Error('no Tableau call is made when active exposures are disabled');
  },
};

/** Log and (with --debug) debug entries in time order; on equal times log lines come first. */
export function entriesToPrint(report: RefreshReport, debug: boolean): LogEntry[] {
  return debug ? mergeInTimeOrder(report.log, report.debug) : report.log;
}

export async function runRefresh({ io, flags }: CommandContext): Promise<number> {
  const settings = await resolveSettings(flags, io);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const env = settings.activeExposures.env;
  // Validates DBT_ACTIVE_EXPOSURES* before any I/O, and tells whether Tableau is needed at all.
  const gate = resolveActiveExposureSettings(env);
  const signal = io.signal;
  const lineage = await loadLineage(settings.lineagePath, { signal });
  const runResults = await loadRunResults(settings.runResultsPath, { signal });
  const manifest = await loadManifest(settings.manifestPath, { signal });
  // A run_results that does not belong with the manifest is a warning in the log (AE009).
  warnAboutArtifacts(io, [manifest, runResults]);

  const tableau = gate.enabled ? await openTableau(settings, io) : null;
  const progress = createProgress(io.stderr, flags.json !== true);
  let report: RefreshReport;
  try {
    if (tableau !== null) {
      progress.update(
        flags.wait === true
          ? 'refreshing Tableau extracts and waiting for the jobs…'
          : 'refreshing Tableau extracts…',
      );
    }
    report = await maybeRefresh({
      lineage,
      runResults,
      manifest,
      env,
      refresher: tableau ?? unreachable,
      dryRun: flags['dry-run'] === true,
      wait: flags.wait === true ? { timeoutMs: settings.activeExposures.waitTimeoutMs } : undefined,
      concurrency: settings.activeExposures.concurrency,
      signal,
      now: io.now?.(),
    });
  } finally {
    progress.done();
    await tableau?.signOut().catch(() => undefined);
  }

  const format = flags.json === true ? 'json' : 'text';
  for (const entry of entriesToPrint(report, flags.debug === true)) {
    io.stdout.write(`${renderLogEntry(entry, format)}\n`);
  }
  // The same masking as the screen (the run's sinks), for the file.
  const secrets = secretsOf(io.env);
  await writeRefreshReport(settings.activeExposures.reportPath, maskData(report, secrets), {
    signal,
  });
  if (format === 'text')
    io.stderr.write(`report written to ${settings.activeExposures.reportPath}\n`);
  return report.results.some((r) => r.status === 'error') ? EXIT.failed : EXIT.ok;
}
