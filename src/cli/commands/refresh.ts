/**
 * `dbt-auto-exposures refresh`: after `dbt build` (or while it runs, with --follow), run the
 * active exposures over the lineage JSON and the build's run_results (or its JSON log), print
 * each line of the dbt-like log the moment it is made (text, JSON events or dbt's debug format),
 * write the report. Exit 1 when a refresh failed.
 */
import { resolve } from 'node:path';
import {
  type EntryStream,
  type ExposureLineage,
  followDbtLog,
  isLogEntry,
  type LogEntry,
  type LogEntryOf,
  loadLineage,
  loadManifest,
  loadRunResults,
  loadRunResultsFromLog,
  type Manifest,
  maybeRefresh,
  type Refresher,
  type RefreshReport,
  type RefreshRunOptions,
  type RunResults,
  type TableauClient,
  writeRefreshReport,
} from '../../index.js';
import { usageError } from '../args.js';
import { type CommandContext, runCommand, warnAboutArtifacts } from '../command.js';
import { createProgress } from '../console.js';
import type { CliIo, TextSink } from '../io.js';
import { maskData, secretsOf } from '../mask.js';
import {
  hasSelection,
  isExposureSelected,
  resolveSelection,
  selectionGraph,
} from '../selection.js';
import { type CliSettings, describeSettings, resolveSettings } from '../settings.js';
import { findCommand } from '../specs.js';
import { openTableau } from '../tableau.js';

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
  const follow = typeof flags.follow === 'string' ? flags.follow : undefined;
  const fromLog = typeof flags['from-log'] === 'string' ? flags['from-log'] : undefined;
  if (follow !== undefined && (fromLog !== undefined || flags['run-results'] !== undefined)) {
    throw usageError(
      "--follow reads the run from dbt's log: it cannot be combined with --from-log or --run-results",
      'use one of --follow, --from-log, --run-results',
      'follow',
    );
  }
  if (fromLog !== undefined && flags['run-results'] !== undefined) {
    throw usageError(
      '--from-log and --run-results both name the run to decide',
      'use one of them',
      'from-log',
    );
  }
  const settings = await resolveSettings(flags, io, origins);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  console.debug('settings in force', { sources: settings.sources });
  const signal = io.signal;
  const fullLineage = await loadLineage(settings.lineagePath, { signal });
  const runResults: RunResults | undefined =
    follow !== undefined
      ? undefined
      : fromLog !== undefined
        ? await loadRunResultsFromLog(resolve(io.cwd, fromLog), { signal })
        : await loadRunResults(settings.runResultsPath, { signal });
  if (runResults !== undefined) console.joinInvocation(runResults.invocationId);
  const manifest = await loadManifest(settings.manifestPath, { signal });
  // A run_results that does not belong with the manifest is a warning (AE009 in the log).
  warnAboutArtifacts(console, runResults === undefined ? [manifest] : [manifest, runResults]);
  const lineage = selectedLineage(context, fullLineage, manifest);

  const tableau = lazyTableau(settings, context);
  const wait = flags.wait === true;
  const waiting = waitingJobs(io.stderr, {
    enabled: wait && console.shows('info'),
    everyMs: console.options.progressIntervalMs,
  });
  // Each line printed the moment it is made (the progress line, if any, cleared first).
  const print = (entry: LogEntry, _stream: EntryStream): void => {
    waiting.see(entry);
    waiting.clear();
    console.entry(entry);
    waiting.show();
  };
  let report: RefreshReport;
  try {
    const options: RefreshRunOptions = {
      lineage,
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
      onEntry: print,
    };
    if (follow === undefined) {
      report = await maybeRefresh({ ...options, runResults: runResults as RunResults });
    } else if (follow === '-') {
      if (io.stdin === undefined) {
        throw usageError('--follow - reads stdin, and there is none', 'pipe dbt into it', 'follow');
      }
      report = await followDbtLog({ ...options, source: io.stdin });
    } else {
      report = await followDbtLog({ ...options, path: resolve(io.cwd, follow) });
    }
  } finally {
    waiting.stop();
    await tableau.signOut();
  }
  // A client that could not be opened (settings missing or invalid) is a configuration error:
  // reported as such, before the report is written.
  const openError = tableau.openError();
  if (openError !== null) throw openError;

  // The same masking as the screen (the run's sinks), for the file.
  const secrets = secretsOf(io.env);
  await writeRefreshReport(settings.activeExposures.reportPath, maskData(report, secrets), {
    signal,
  });
  console.status(`report written to ${settings.activeExposures.reportPath}`, {
    path: settings.activeExposures.reportPath,
  });
  return report.results.some((r) => r.status === 'error') ? 1 : 0;
}

export function runRefresh(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('refresh')!, argv, io, async (context) => {
    try {
      return await refresh(context);
    } catch (error) {
      // dbt writing into `| refresh --follow -` must never see its reader gone (EPIPE would fail
      // the build): read its log to the end, then report the error.
      if (context.flags.follow === '-' && io.stdin !== undefined) for await (const _ of io.stdin);
      throw error;
    }
  });
}

/**
 * The jobs being waited on (with --wait), from the entries: a queued refresh starts a wait, its
 * result line ends it. In a terminal, one line on stderr says how many and for how long; outside
 * one, a line every `everyMs` while jobs are waited on.
 */
function waitingJobs(sink: TextSink, options: { enabled: boolean; everyMs: number }) {
  const jobs = new Set<string>();
  const progress = createProgress(sink, 0, options.enabled);
  let since: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const text = (): string => {
    const seconds = Math.round((Date.now() - (since ?? Date.now())) / 1000);
    return `waiting for ${jobs.size} refresh job${jobs.size === 1 ? '' : 's'} (${formatElapsed(seconds)})`;
  };
  const tty = sink.isTTY === true;
  const tick = (): void => {
    if (jobs.size === 0) return;
    if (tty) progress.update(text());
    else sink.write(`${text()}\n`);
  };
  return {
    see(entry: LogEntry): void {
      if (!options.enabled) return;
      const key = (target: LogEntryOf<'AE103'>['data']['target']): string =>
        `${target.kind}:${target.luid}`;
      if (isLogEntry(entry, 'AE103')) {
        if (entry.data.outcome !== 'queued') return;
        jobs.add(key(entry.data.target));
        since ??= Date.now();
        timer ??= setInterval(tick, tty ? 1000 : options.everyMs);
        timer.unref();
      } else if (
        isLogEntry(entry, 'AE004') ||
        isLogEntry(entry, 'AE006') ||
        isLogEntry(entry, 'AE104') ||
        isLogEntry(entry, 'AE105')
      ) {
        if (entry.data.target !== null) jobs.delete(key(entry.data.target));
      }
    },
    clear: (): void => progress.done(),
    show: (): void => {
      if (tty && jobs.size > 0) progress.update(text());
    },
    stop(): void {
      if (timer !== undefined) clearInterval(timer);
      progress.done();
    },
  };
}

function formatElapsed(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds}s` : `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
}
