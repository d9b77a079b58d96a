/**
 * `dbt-auto-exposures refresh`: after `dbt build`, run `maybeRefresh` over the lineage JSON and the
 * build's run_results, print the dbt-like log (text, JSON events or dbt's debug format), write
 * the report. Exit 1 when a refresh failed.
 */
import {
  type ExposureLineage,
  type LogEntry,
  loadLineage,
  loadManifest,
  loadRunResults,
  type Manifest,
  maybeRefresh,
  type Refresher,
  type RefreshReport,
  type TableauClient,
  writeRefreshReport,
} from '../../index.js';
import { compareStrings } from '../../util/compare.js';
import { type CommandContext, runCommand, warnAboutArtifacts } from '../command.js';
import type { CliIo } from '../io.js';
import { maskData } from '../mask.js';
import {
  hasSelection,
  isExposureSelected,
  resolveSelection,
  selectionGraph,
} from '../selection.js';
import { type CliSettings, describeSettings, resolveSettings } from '../settings.js';
import { findCommand } from '../specs.js';
import { openTableau } from '../tableau.js';

/** Log and debug entries in time order; on equal times log lines come first (a stable sort). */
export function entriesToPrint(report: RefreshReport): LogEntry[] {
  return [...report.log, ...report.debug].sort((a, b) => compareStrings(a.info.ts, b.info.ts));
}

/**
 * The Tableau client as a refresher, opened on its first call: a disabled run (or one with
 * nothing to refresh) never needs the connection settings. A failure to open is kept, so the
 * command reports it as the configuration error it is.
 */
function lazyTableau(settings: CliSettings, context: CommandContext) {
  let opened: TableauClient | null = null;
  let openError: unknown = null;
  const client = (): TableauClient => {
    if (opened !== null) return opened;
    try {
      opened = openTableau(settings, context.io, context.console).client;
      return opened;
    } catch (error) {
      openError ??= error;
      throw error;
    }
  };
  const refresher: Refresher = {
    getLastRefreshTimes: (targets, options) => client().getLastRefreshTimes(targets, options),
    refresh: (target, options) => client().refresh(target, options),
    waitForJob: (jobId, options) => client().waitForJob(jobId, options),
  };
  return {
    refresher,
    openError: () => openError,
    signOut: async () => {
      await opened?.signOut().catch(() => undefined);
    },
  };
}

/** The lineage restricted to the exposures --select/--exclude pick (dbt's meaning: `orders+`). */
function selectedLineage(
  context: CommandContext,
  lineage: ExposureLineage,
  manifest: Manifest,
): ExposureLineage {
  const { flags, console } = context;
  const selectors = flags.select as string[] | undefined;
  const excludes = flags.exclude as string[] | undefined;
  if (!hasSelection(selectors, excludes)) return lineage;
  const selection = resolveSelection(selectionGraph(manifest, [lineage]), selectors, excludes);
  const exposures = lineage.exposures.filter((e) => isExposureSelected(selection, e.uniqueId));
  if (exposures.length === 0) {
    console.warn(
      'the selection holds no exposure: nothing to refresh (as in dbt, `orders` selects the model only; `orders+` adds the exposures downstream)',
    );
  }
  return { ...lineage, exposures };
}

async function refresh(context: CommandContext): Promise<number> {
  const { io, flags, origins, console } = context;
  const settings = await resolveSettings(flags, io, origins);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  console.debug('settings in force', { sources: settings.sources });
  const signal = io.signal;
  const fullLineage = await loadLineage(settings.lineagePath, { signal });
  const runResults = await loadRunResults(settings.runResultsPath, { signal });
  console.joinInvocation(runResults.invocationId);
  const manifest = await loadManifest(settings.manifestPath, { signal });
  warnAboutArtifacts(console, [manifest, runResults]);
  const lineage = selectedLineage(context, fullLineage, manifest);

  const tableau = lazyTableau(settings, context);
  const progress = console.progress();
  const wait = flags.wait === true;
  progress.update(
    wait ? 'refreshing Tableau extracts and waiting for the jobs…' : 'deciding and refreshing…',
  );
  let report: RefreshReport;
  try {
    report = await maybeRefresh({
      lineage,
      runResults,
      manifest,
      env: settings.activeExposures.env,
      enabled: settings.activeExposures.enabled,
      buildAfterMinutes: settings.activeExposures.buildAfterMinutes,
      refresher: tableau.refresher,
      dryRun: flags['dry-run'] === true,
      wait: wait ? { timeoutMs: settings.activeExposures.waitTimeoutMs } : undefined,
      concurrency: settings.activeExposures.concurrency,
      signal,
      now: io.now?.(),
    });
  } finally {
    progress.done();
    await tableau.signOut();
  }
  // A client that could not be opened (settings missing or invalid) is a configuration error:
  // reported as such, before anything is printed or written.
  const openError = tableau.openError();
  if (openError !== null) throw openError;

  for (const entry of entriesToPrint(report)) console.entry(entry);
  // The same masking as the screen (the run's sinks), for the file.
  const secrets = settings.tableau.tokenSecret === undefined ? [] : [settings.tableau.tokenSecret];
  await writeRefreshReport(settings.activeExposures.reportPath, maskData(report, secrets), {
    signal,
  });
  console.status(`report written to ${settings.activeExposures.reportPath}`, {
    path: settings.activeExposures.reportPath,
  });
  return report.results.some((r) => r.status === 'error') ? 1 : 0;
}

export function runRefresh(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('refresh')!, argv, io, refresh);
}
