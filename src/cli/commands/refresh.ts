/**
 * `dbt-auto-exposures refresh`: after `dbt build` (or while it runs, with --follow), run the
 * active exposures over the lineage JSON and the build's run_results (or its JSON log), print
 * each line of the dbt-like log the moment it is made (text, or JSON lines with --json), write
 * the report. Exit 1 when a refresh failed.
 */
import { resolve } from 'node:path';
// The modules this command uses, not `../../index.js`: start-up time is module loading (yaml,
// picomatch, fast-glob, node-fetch…), and the Tableau client loads only when enabled (`openTableau`).
import { followDbtLog, loadRunResultsFromLog } from '../../active/follow.js';
import { maybeRefresh } from '../../active/maybe-refresh.js';
import type { Refresher } from '../../active/refresher.js';
import { type RefreshReport, writeRefreshReport } from '../../active/report.js';
import type { EntryStream, RefreshRunOptions } from '../../active/session.js';
import { resolveActiveExposureSettings } from '../../active/settings.js';
import { loadManifest } from '../../artifacts/manifest.js';
import { loadRunResults } from '../../artifacts/run-results.js';
import type { RunResults } from '../../artifacts/types.js';
import { mergeInTimeOrder } from '../../log/entries.js';
import { renderLogEntry } from '../../log/render.js';
import type { LogEntry } from '../../log/types.js';
import { loadLineage } from '../../output/lineage-file.js';
import { warnAboutArtifacts } from '../artifact-warnings.js';
import type { TextSink } from '../io.js';
import { maskData, secretsOf } from '../mask.js';
import { createProgress } from '../progress.js';
import { EXIT } from '../report-error.js';
import type { CommandContext } from '../run.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { openTableau } from '../tableau.js';
import { usageError } from '../usage-error.js';

/** A refresher for disabled runs: no call is made then, so reaching it is a bug. */
const unreachable: Refresher = {
  refresh() {
    throw new Error('no Tableau call is made when active exposures are disabled');
  },
};

/** Log and (with --debug) debug entries in time order; on equal times log lines come first. */
export function entriesToPrint(report: RefreshReport, debug: boolean): LogEntry[] {
  return debug ? mergeInTimeOrder(report.log, report.debug) : report.log;
}

/** How often, outside a terminal, a line says the run still waits for jobs (ms). */
const WAITING_LINE_EVERY_MS = 30_000;
/** Internal: a shorter interval for tests of the binary. */
const WAITING_LINE_ENV = 'DBT_AUTO_EXPOSURES_PROGRESS_INTERVAL_MS';

export async function runRefresh(context: CommandContext): Promise<number> {
  const { io, flags } = context;
  try {
    return await refresh(context);
  } catch (error) {
    // dbt writing into `| refresh --follow -` must never see its reader gone (EPIPE would fail
    // the build): read its log to the end, then report the error.
    if (flags.follow === '-' && io.stdin !== undefined) for await (const _ of io.stdin);
    throw error;
  }
}

async function refresh({ io, flags }: CommandContext): Promise<number> {
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
  const settings = await resolveSettings(flags, io);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const env = settings.activeExposures.env;
  // Validates DBT_ACTIVE_EXPOSURES* before any I/O, and tells whether Tableau is needed at all.
  const gate = resolveActiveExposureSettings(env);
  const signal = io.signal;
  const lineage = await loadLineage(settings.lineagePath, { signal });
  const manifest = await loadManifest(settings.manifestPath, { signal });
  const runResults =
    follow !== undefined
      ? undefined
      : fromLog !== undefined
        ? await loadRunResultsFromLog(resolve(io.cwd, fromLog), { signal })
        : await loadRunResults(settings.runResultsPath, { signal });
  // A run_results that does not belong with the manifest is a warning in the log (AE009).
  warnAboutArtifacts(io, runResults === undefined ? [manifest] : [manifest, runResults]);

  const tableau = gate.enabled ? await openTableau(settings, io) : null;
  const format = flags.json === true ? 'json' : 'text';
  const waiting = waitingJobs(io.stderr, {
    enabled: flags.wait === true && format === 'text',
    everyMs: Number(io.env[WAITING_LINE_ENV] ?? WAITING_LINE_EVERY_MS),
  });
  // Each line printed the moment it is made (the progress line, if any, cleared first).
  const print = (entry: LogEntry, stream: EntryStream): void => {
    waiting.see(entry);
    if (stream === 'debug' && flags.debug !== true) return;
    waiting.clear();
    io.stdout.write(`${renderLogEntry(entry, format)}\n`);
    waiting.show();
  };
  let report: RefreshReport;
  try {
    const options: RefreshRunOptions = {
      lineage,
      manifest,
      env,
      refresher: tableau ?? unreachable,
      dryRun: flags['dry-run'] === true,
      wait: flags.wait === true ? { timeoutMs: settings.activeExposures.waitTimeoutMs } : undefined,
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
    await tableau?.signOut().catch(() => undefined);
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

/**
 * The jobs being waited on (with --wait), from the entries: a queued refresh starts a wait, its
 * result line ends it. In a terminal, one line on stderr says how many and for how long; outside
 * one, a line every `everyMs` while jobs are waited on.
 */
function waitingJobs(sink: TextSink, options: { enabled: boolean; everyMs: number }) {
  const jobs = new Set<string>();
  const progress = createProgress(sink, options.enabled);
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
      const target = entry.data.target as { kind?: string; luid?: string } | null | undefined;
      const key = target == null ? null : `${target.kind}:${target.luid}`;
      if (key === null) return;
      if (entry.info.code === 'AE103' && entry.data.outcome === 'queued') {
        jobs.add(key);
        since ??= Date.now();
        timer ??= setInterval(tick, tty ? 1000 : options.everyMs);
        timer.unref();
      } else if (['AE004', 'AE006', 'AE104', 'AE105'].includes(entry.info.code)) {
        jobs.delete(key);
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
