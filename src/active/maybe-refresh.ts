/**
 * `maybeRefresh`: after a dbt build, refresh the Tableau extracts whose upstream was rebuilt, no
 * more often than the cadence allows, never onto failed data, and report exactly what was done
 * and why. Decide (pure, ./decide.ts), then act through the `Refresher` (./act.ts), then report.
 * Semantics: docs/active-exposures.md.
 */

import { checkArtifactPairing } from '../artifacts/pairing.js';
import type { Manifest, RunResults } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import {
  abortedEntry,
  artifactMismatchEntry,
  disabledEntry,
  doneEntry,
  type EntryContext,
  headerEntry,
  inTimeOrder,
  mergeInTimeOrder,
  settingsEntry,
  upstreamEntry,
} from '../log/entries.js';
import type { LogEntry, Logger } from '../log/types.js';
import { describeValue } from '../util/zod-issue.js';
import { type ActContext, lookupLastRefreshTimes, refreshTargets } from './act.js';
import {
  collectTargets,
  composeResults,
  decideTargets,
  disabledResults,
  planExposures,
} from './decide.js';
import type { LastRefreshStore, Refresher } from './refresher.js';
import type { RefreshReport, RefreshResult } from './report.js';
import {
  DEFAULT_REFRESH_CONCURRENCY,
  ENV_ACTIVE_EXPOSURES,
  MAX_REFRESH_CONCURRENCY,
  resolveActiveExposureSettings,
} from './settings.js';

export interface MaybeRefreshOptions {
  /** The exposures and their refresh targets (what sync wrote). */
  lineage: ExposureLineage;
  /** The dbt run to react to. */
  runResults: RunResults;
  /**
   * The manifest of that run: gives the full upstream closure (ancestors via `parentMap`) and
   * the nodes each test checks. Without it only direct dependencies are considered and failing
   * tests cannot be attributed (so they do not block). Strongly recommended.
   */
  manifest?: Manifest | undefined;
  /** Where `DBT_ACTIVE_EXPOSURES*` are read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Decision time (cadence, timestamps). Default: the current time. */
  now?: Date | undefined;
  /**
   * Monotonic milliseconds, for elapsed times and entry timestamps (`now` + elapsed; a reading
   * below an earlier one does not move the timestamps back). Default `performance.now`.
   */
  clock?: (() => number) | undefined;
  /** Refreshes targets (the Tableau client, a fake in tests). */
  refresher: Refresher;
  /** Decide everything (may read last refresh times) but change nothing in Tableau. */
  dryRun?: boolean | undefined;
  /**
   * Wait for the refresh jobs (needs `refresher.waitForJob`). `timeoutMs` is ONE deadline for the
   * whole wait, counted from the first refresh call: jobs still running then are `job_timeout`.
   * Default: do not wait.
   */
  wait?: { timeoutMs: number } | undefined;
  /** Refresh calls (and job waits) in flight at once, 1 to 64. Default 2. */
  concurrency?: number | undefined;
  /** Refresh even when a test on an upstream node failed. Default false. */
  refreshOnTestFailure?: boolean | undefined;
  /** Last refresh times for refreshers that cannot report them (set after each trigger). */
  lastRefreshStore?: LastRefreshStore | undefined;
  /** Overrides `DBT_ACTIVE_EXPOSURES`. */
  enabled?: boolean | undefined;
  /** Overrides `DBT_ACTIVE_EXPOSURES_BUILD_AFTER`. */
  buildAfterMinutes?: number | undefined;
  /** Aborts cleanly: in-flight calls get it, targets not started are reported `aborted`. */
  signal?: AbortSignal | undefined;
  /** Receives every log and debug entry (message, data) once the run is complete. */
  logger?: Logger | undefined;
}

/**
 * Decide and perform the refreshes of one dbt run.
 *
 * Never throws for Tableau failures or aborts (they are reported per target).
 * @throws ConfigError before any I/O: `ERR_CONFIG` for a bad `DBT_ACTIVE_EXPOSURES*` value,
 *   `ERR_INVALID_OPTION` for a bad option.
 */
export async function maybeRefresh(options: MaybeRefreshOptions): Promise<RefreshReport> {
  validateOptions(options);
  const settings = resolveActiveExposureSettings(options.env ?? process.env, {
    enabled: options.enabled,
    buildAfterMinutes: options.buildAfterMinutes,
  });
  const now = options.now ?? new Date();
  const clock = options.clock ?? (() => performance.now());
  const startedAt = clock();
  const invocationId = options.runResults.invocationId;
  // Entry times never step back, even under an injected clock that does: each is at least the
  // previous one, so entries sorted by time keep the order in which they were made.
  let lastElapsedMs = 0;
  const entryContext = (): EntryContext => {
    lastElapsedMs = Math.max(lastElapsedMs, Math.round(clock() - startedAt));
    return { ts: new Date(now.getTime() + lastElapsedMs).toISOString(), invocationId };
  };
  const dryRun = options.dryRun === true;
  const concurrency = options.concurrency ?? DEFAULT_REFRESH_CONCURRENCY;
  const log: LogEntry[] = [];
  const debug: LogEntry[] = [
    settingsEntry(entryContext(), {
      enabled: settings.enabled,
      enabled_from: settings.sources.enabled,
      build_after_minutes: settings.buildAfterMinutes,
      build_after_from: settings.sources.buildAfterMinutes,
      dry_run: dryRun,
      concurrency,
      wait_timeout_ms: options.wait?.timeoutMs ?? null,
      refresh_on_test_failure: options.refreshOnTestFailure === true,
      last_refresh_from: lastRefreshFrom(options),
      manifest: options.manifest !== undefined,
      command: options.runResults.command,
      now: now.toISOString(),
    }),
  ];
  // Entries are made per exposure and per target; the report gives them in the order things
  // happened (docs/active-exposures.md, "Log reference").
  const report = (results: RefreshResult[]): RefreshReport => {
    const ordered = { log: inTimeOrder(log), debug: inTimeOrder(debug) };
    emit(options.logger, ordered.log, ordered.debug);
    return {
      enabled: settings.enabled,
      dryRun,
      buildAfterMinutes: settings.buildAfterMinutes,
      invocationId,
      results,
      ...ordered,
    };
  };

  if (!settings.enabled) {
    log.push(
      disabledEntry(entryContext(), {
        because: disabledBecause(settings),
        exposures: options.lineage.exposures.length,
      }),
    );
    return report(disabledResults(options.lineage));
  }

  // A run read against another invocation's graph (or project's) skews what counts as rebuilt.
  const { manifest, runResults } = options;
  for (const note of manifest === undefined ? [] : checkArtifactPairing(runResults, manifest)) {
    const facts = (a: Manifest | RunResults) => ({
      path: a.path,
      invocationId: a.invocationId,
      generatedAt: a.generatedAt,
    });
    log.push(
      artifactMismatchEntry(entryContext(), {
        code: note.code,
        message: note.message,
        runResults: facts(runResults),
        manifest: facts(manifest as Manifest),
      }),
    );
  }

  // Phase 1 (pure): which exposures are candidates, which targets they want.
  const plans = planExposures(options);
  const targetPlans = collectTargets(plans);
  log.push(
    headerEntry(entryContext(), {
      exposures: plans.length,
      targets: targetPlans.length,
      buildAfterMinutes: settings.buildAfterMinutes,
      dryRun,
    }),
  );
  const decidedAt = entryContext();
  for (const plan of plans) {
    debug.push(
      upstreamEntry(decidedAt, {
        exposure: plan.exposure,
        closure: plan.upstream.closure.length,
        fromManifest: plan.upstream.fromManifest,
        rebuilt: plan.upstream.rebuilt,
        failed: plan.upstream.failed,
        failedTests: plan.upstream.failedTests,
        ignoredTestFailures: plan.upstream.ignoredTestFailures,
        ignoredSkips: plan.upstream.ignoredSkips,
      }),
    );
  }

  // Phase 2: last refresh times (I/O), then the per-target decisions (pure).
  const act: ActContext = {
    refresher: options.refresher,
    store: options.lastRefreshStore,
    signal: options.signal,
    now,
    clock,
    entryContext,
    wait: options.wait,
  };
  const withExtracts = targetPlans.filter((plan) => plan.target.hasExtracts);
  const lookup = await lookupLastRefreshTimes(withExtracts, act);
  debug.push(...lookup.evidence);
  const decided = decideTargets(
    targetPlans,
    lookup,
    { now, buildAfterMinutes: settings.buildAfterMinutes, dryRun },
    entryContext(),
  );
  debug.push(...decided.evidence);
  const { outcomes } = decided;

  // Act: bounded parallel refresh calls; each outcome is data. One deadline for every job wait.
  const acted = await refreshTargets(decided.toRefresh, act, concurrency);
  let triggered = 0;
  decided.toRefresh.forEach((target, i) => {
    const outcome = acted[i] as (typeof acted)[number];
    outcomes.set(target.key, outcome);
    debug.push(...outcome.evidence);
    if (outcome.jobId !== undefined) triggered += 1;
  });

  const composed = composeResults(plans, outcomes, decidedAt);
  log.push(...composed.lines);
  const aborted = [...outcomes.values()].filter((outcome) => outcome.reason === 'aborted').length;
  if (aborted > 0) {
    const inFlight = acted.filter(
      (outcome) => outcome.called && outcome.reason === 'aborted',
    ).length;
    log.push(abortedEntry(entryContext(), { notStarted: aborted - inFlight, triggered }));
  }
  const count = (status: string): number =>
    composed.results.filter((r) => r.status === status).length;
  log.push(
    doneEntry(entryContext(), {
      refreshed: count('success'),
      skipped: count('skipped'),
      errors: count('error'),
      refreshCalls: acted.filter((outcome) => outcome.called).length,
    }),
  );
  return report(composed.results);
}

function validateOptions(options: MaybeRefreshOptions): void {
  const invalid = (field: string, expected: string, value: unknown): ConfigError =>
    new ConfigError(`Option ${field} must be ${expected}, got ${describeValue(value)}`, {
      code: 'ERR_INVALID_OPTION',
      field,
      expected,
    });
  const { refresher, concurrency, wait, now } = options;
  if (
    refresher === null ||
    typeof refresher !== 'object' ||
    typeof refresher.refresh !== 'function'
  ) {
    throw invalid('refresher', 'an object with a refresh(target) method', refresher);
  }
  if (
    concurrency !== undefined &&
    !(
      Number.isSafeInteger(concurrency) &&
      concurrency >= 1 &&
      concurrency <= MAX_REFRESH_CONCURRENCY
    )
  ) {
    throw invalid('concurrency', `an integer from 1 to ${MAX_REFRESH_CONCURRENCY}`, concurrency);
  }
  if (wait !== undefined) {
    if (
      !(typeof wait.timeoutMs === 'number' && Number.isFinite(wait.timeoutMs) && wait.timeoutMs > 0)
    ) {
      throw invalid('wait.timeoutMs', 'a number of milliseconds > 0', wait.timeoutMs);
    }
    if (typeof refresher.waitForJob !== 'function') {
      throw invalid(
        'wait',
        'used only with a refresher that has waitForJob(jobId)',
        'a refresher without waitForJob',
      );
    }
  }
  if (now !== undefined && !(now instanceof Date && !Number.isNaN(now.getTime()))) {
    throw invalid('now', 'a valid Date', now);
  }
}

function lastRefreshFrom(options: MaybeRefreshOptions): string {
  const fromRefresher = typeof options.refresher.getLastRefreshTimes === 'function';
  const fromStore = options.lastRefreshStore !== undefined;
  if (fromRefresher) return fromStore ? 'refresher, then store' : 'refresher';
  return fromStore ? 'store' : 'unknown (always refresh)';
}

function disabledBecause(settings: ReturnType<typeof resolveActiveExposureSettings>): string {
  if (settings.sources.enabled === 'option') return 'option enabled: false';
  if (settings.enabledRaw === null) return `${ENV_ACTIVE_EXPOSURES} is not set`;
  return `${ENV_ACTIVE_EXPOSURES}=${JSON.stringify(settings.enabledRaw)}`;
}

/**
 * Hand every entry to the logger in time order (log and debug merged, as one log file shows
 * them): log lines at their level, debug entries as debug.
 */
function emit(
  logger: Logger | undefined,
  log: readonly LogEntry[],
  debug: readonly LogEntry[],
): void {
  if (logger === undefined) return;
  const isDebug = new Set(debug);
  for (const entry of mergeInTimeOrder(log, debug)) {
    if (isDebug.has(entry)) logger.debug?.(entry.info.msg, entry.data);
    else logger[entry.info.level]?.(entry.info.msg, entry.data);
  }
}
