/**
 * One active exposures run, shared by `maybeRefresh` (run_results) and `followDbtLog` (dbt's log
 * as it is written): the settings, the entries (each handed to the logger the moment it is made),
 * the exposures started so far, each target's one outcome, and the final report. The decisions
 * are ./decide.ts's; the calls are ./act.ts's.
 */
import type { Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import {
  abortedEntry,
  disabledEntry,
  doneEntry,
  type EntryContext,
  headerEntry,
  inTimeOrder,
  settingsEntry,
  startEntry,
  upstreamEntry,
} from '../log/entries.js';
import type { LogEntry, LogEntryOf, Logger } from '../log/types.js';
import { describeValue } from '../util/zod-issue.js';
import {
  type ActContext,
  createLimiter,
  lookupLastRefreshTimes,
  refreshTargets,
  type TargetOutcome,
} from './act.js';
import {
  composeResults,
  decideTargets,
  disabledResults,
  type ExposurePlan,
  type PlannedTarget,
  planResult,
  resultLine,
  sortedExposures,
  summarize,
  type TargetPlan,
  type TargetResult,
} from './decide.js';
import type { LastRefreshStore, Refresher } from './refresher.js';
import { REFRESH_REPORT_VERSION, type RefreshReport, type RefreshResult } from './report.js';
import {
  type ActiveExposureSettings,
  DEFAULT_REFRESH_CONCURRENCY,
  ENV_ACTIVE_EXPOSURES,
  MAX_REFRESH_CONCURRENCY,
  resolveActiveExposureSettings,
} from './settings.js';

/** Which stream an entry belongs to: the console lines (`log`) or the evidence (`debug`). */
export type EntryStream = 'log' | 'debug';

/** The options every active exposures run takes (maybeRefresh's and followDbtLog's). */
export interface RefreshRunOptions {
  /** The exposures and their refresh targets (what sync wrote). */
  lineage: ExposureLineage;
  /**
   * The manifest of the run: gives the full upstream closure (ancestors via `parentMap`) and
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
   * whole wait, counted from the run's first refresh call: jobs still running then are
   * `job_timeout`. Default: do not wait (queued refreshes are `triggered`).
   */
  wait?: { timeoutMs: number } | undefined;
  /** Refresh calls (and job waits) in flight at once across the run, 1 to 64. Default 2. */
  concurrency?: number | undefined;
  /** Refresh even when a test on an upstream node failed. Default false. */
  refreshOnTestFailure?: boolean | undefined;
  /** Last refresh times for refreshers that cannot report them (set after each trigger). */
  lastRefreshStore?: LastRefreshStore | undefined;
  /** Whether to refresh at all; overrides `DBT_ACTIVE_EXPOSURES`. Default: `DBT_ACTIVE_EXPOSURES` (`1`/`true` enables; unset disables). */
  enabled?: boolean | undefined;
  /**
   * Minutes a target's last refresh must be old before it is refreshed again; overrides
   * `DBT_ACTIVE_EXPOSURES_BUILD_AFTER`. Default: `DBT_ACTIVE_EXPOSURES_BUILD_AFTER`, else 1440.
   */
  buildAfterMinutes?: number | undefined;
  /**
   * Aborts cleanly: in-flight calls get it, targets not started are reported `aborted`. Default:
   * none (the run is not abortable).
   */
  signal?: AbortSignal | undefined;
  /**
   * Receives every log and debug entry (message, data) the moment it is made: log lines at their
   * level, debug entries as `debug`. Default: none (the entries are in the report).
   */
  logger?: Logger | undefined;
  /** Receives every entry the moment it is made, with the stream it belongs to. Default: none. */
  onEntry?: ((entry: LogEntry, stream: EntryStream) => void) | undefined;
}

/** An open run. */
export interface RefreshRun {
  readonly settings: ActiveExposureSettings;
  /** The entry context for now. */
  entryContext(): EntryContext;
  /** Set the dbt invocation the entries belong to (known once the log names it). */
  setInvocation(invocationId: string | null): void;
  log(entry: LogEntry): void;
  debug(entry: LogEntry): void;
  /** The header line (`Running active exposures for N exposures`). */
  header(): void;
  /** Exposures whose decision has been made (their START line printed). */
  isStarted(exposure: string): boolean;
  /**
   * Decide the exposures of `plans` (in name order) that `pick` accepts and that were not
   * decided yet: their START and skip lines now; their targets not yet handled are
   * refreshed (shared targets once per run). Resolves when those targets' outcomes are known.
   */
  start(plans: readonly ExposurePlan[], pick: (plan: ExposurePlan) => boolean): Promise<void>;
  /** The report over the final `plans` (each exposure started before). */
  finish(plans: readonly ExposurePlan[]): RefreshReport;
  /** The report of a disabled run (no call made). */
  disabled(): RefreshReport;
}

/**
 * Open a run: validate the options, resolve the settings (both before any I/O), and print the
 * settings (debug).
 *
 * @throws ConfigError `ERR_CONFIG` for a bad `DBT_ACTIVE_EXPOSURES*` value, `ERR_INVALID_OPTION`
 *   for a bad option.
 */
export function openRefreshRun(
  options: RefreshRunOptions,
  facts: {
    invocationId: string | null;
    command: string | null;
    source: LogEntryOf<'AE100'>['data']['source'];
  },
): RefreshRun {
  validateOptions(options);
  const settings = resolveActiveExposureSettings(options.env ?? process.env, {
    enabled: options.enabled,
    buildAfterMinutes: options.buildAfterMinutes,
  });
  const now = options.now ?? new Date();
  const clock = options.clock ?? (() => performance.now());
  const startedAt = clock();
  let invocationId = facts.invocationId;
  // Entry times never step back, even under an injected clock that does: each is at least the
  // previous one, so the entries are in time order as they are made.
  let lastElapsedMs = 0;
  const entryContext = (): EntryContext => {
    lastElapsedMs = Math.max(lastElapsedMs, Math.round(clock() - startedAt));
    return { ts: new Date(now.getTime() + lastElapsedMs).toISOString(), invocationId };
  };
  const dryRun = options.dryRun === true;
  const concurrency = options.concurrency ?? DEFAULT_REFRESH_CONCURRENCY;
  const logEntries: LogEntry[] = [];
  const debugEntries: LogEntry[] = [];
  const emit = (entry: LogEntry, stream: EntryStream): void => {
    (stream === 'log' ? logEntries : debugEntries).push(entry);
    const { logger, onEntry } = options;
    if (stream === 'debug') logger?.debug?.(entry.info.msg, entry.data);
    else logger?.[entry.info.level]?.(entry.info.msg, entry.data);
    onEntry?.(entry, stream);
  };
  const log = (entry: LogEntry): void => emit(entry, 'log');
  const debug = (entry: LogEntry): void => emit(entry, 'debug');

  debug(
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
      source: facts.source,
      command: facts.command,
      now: now.toISOString(),
    }),
  );

  const act: ActContext = {
    refresher: options.refresher,
    store: options.lastRefreshStore,
    signal: options.signal,
    now,
    clock,
    entryContext,
    record: debug,
    wait: options.wait,
    limiter: createLimiter(concurrency),
    deadline: undefined,
  };
  /** The one outcome of each handled target, by key. */
  const outcomes = new Map<string, TargetResult>();
  /** Targets whose refresh decision is made or under way. */
  const handled = new Set<string>();
  /** The started exposures that want each target, with their position (`N of M`). */
  const wantedBy = new Map<string, Array<{ plan: ExposurePlan; index: number }>>();
  const started = new Set<string>();
  let refreshCalls = 0;
  let triggered = 0;
  let inFlightAborts = 0;

  const report = (results: RefreshResult[], summary: RefreshReport['summary']): RefreshReport => ({
    version: REFRESH_REPORT_VERSION,
    enabled: settings.enabled,
    dryRun,
    buildAfterMinutes: settings.buildAfterMinutes,
    invocationId,
    results,
    summary,
    log: inTimeOrder(logEntries),
    debug: inTimeOrder(debugEntries),
  });

  /** Record a target's outcome and print the result line of every exposure waiting for it. */
  const settle = (target: PlannedTarget, outcome: TargetResult): void => {
    outcomes.set(target.key, outcome);
    const wanting = wantedBy.get(target.key) ?? [];
    const names = wanting.map((w) => w.plan.exposure);
    const context = { ts: outcome.ts, invocationId };
    for (const { plan, index } of wanting) {
      log(resultLine(context, index, total(), planResult(plan, target, outcome, names)));
    }
  };
  // `N of M`: each exposure's place among all of them, in the order of the results (by name).
  const positions = new Map(sortedExposures(options.lineage).map((e, i) => [e.name, i + 1]));
  const total = (): number => positions.size;

  const actOn = async (targets: readonly TargetPlan[]): Promise<void> => {
    if (targets.length === 0) return;
    const withExtracts = targets.filter((plan) => plan.target.hasExtracts);
    const lookup = await lookupLastRefreshTimes(withExtracts, act);
    const decided = decideTargets(
      targets,
      lookup,
      { now, buildAfterMinutes: settings.buildAfterMinutes, dryRun },
      entryContext(),
    );
    for (const entry of decided.evidence) debug(entry);
    for (const { target } of targets) {
      const known = decided.outcomes.get(target.key);
      if (known !== undefined) settle(target, known);
    }
    await refreshTargets(decided.toRefresh, act, (target, outcome: TargetOutcome) => {
      if (outcome.called) refreshCalls += 1;
      if (outcome.jobId !== undefined) triggered += 1;
      if (outcome.called && outcome.reason === 'aborted') inFlightAborts += 1;
      settle(target, outcome);
    });
  };

  return {
    settings,
    entryContext,
    setInvocation(id) {
      invocationId = id;
    },
    log,
    debug,
    header() {
      const keys = new Set(
        options.lineage.exposures.flatMap((e) =>
          e.refreshTargets.map((t) => `${t.kind}:${t.luid}`),
        ),
      );
      log(
        headerEntry(entryContext(), {
          exposures: options.lineage.exposures.length,
          targets: keys.size,
          buildAfterMinutes: settings.buildAfterMinutes,
          dryRun,
        }),
      );
    },
    isStarted: (exposure) => started.has(exposure),
    async start(plans, pick) {
      const fresh: TargetPlan[] = [];
      // One decision time for the exposures decided together.
      const context = entryContext();
      for (const plan of plans) {
        if (started.has(plan.exposure) || !pick(plan)) continue;
        started.add(plan.exposure);
        const index = positions.get(plan.exposure) ?? 0;
        debug(
          upstreamEntry(context, {
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
        log(
          startEntry(context, {
            index,
            total: total(),
            exposure: plan.exposure,
            targets: plan.targets.length,
          }),
        );
        if (plan.skip !== null || plan.targets.length === 0) {
          const targets = plan.targets.length === 0 ? [null] : plan.targets;
          for (const target of targets) {
            log(resultLine(context, index, total(), planResult(plan, target, undefined, [])));
          }
          continue;
        }
        for (const target of plan.targets) {
          const wanting = wantedBy.get(target.key) ?? [];
          wanting.push({ plan, index });
          wantedBy.set(target.key, wanting);
          const known = outcomes.get(target.key);
          if (known !== undefined) {
            const names = wanting.map((w) => w.plan.exposure);
            const result = planResult(plan, target, known, names);
            log(resultLine(context, index, total(), result));
          } else if (!handled.has(target.key)) {
            handled.add(target.key);
            fresh.push({ target, exposures: [plan.exposure] });
          }
        }
      }
      await actOn(fresh);
    },
    finish(plans) {
      const results = composeResults(plans, outcomes);
      const aborted = [...outcomes.values()].filter((o) => o.reason === 'aborted').length;
      if (aborted > 0) {
        log(abortedEntry(entryContext(), { notStarted: aborted - inFlightAborts, triggered }));
      }
      const summary = summarize(plans, results, refreshCalls);
      log(doneEntry(entryContext(), summary));
      return report(results, summary);
    },
    disabled() {
      const because = disabledBecause(settings);
      const exposures = options.lineage.exposures.length;
      log(disabledEntry(entryContext(), { because, exposures }));
      const results = disabledResults(options.lineage);
      const targets = new Set(
        results.flatMap((r) => (r.target === null ? [] : [`${r.target.kind}:${r.target.luid}`])),
      );
      const summary = {
        exposures,
        targets: targets.size,
        triggered: 0,
        refreshed: 0,
        skipped: targets.size,
        errors: 0,
        refreshCalls: 0,
      };
      return report(results, summary);
    },
  };
}

function validateOptions(options: RefreshRunOptions): void {
  const invalid = (field: string, expected: string, value: unknown): ConfigError =>
    new ConfigError(
      'ERR_INVALID_OPTION',
      `Option ${field} must be ${expected}, got ${describeValue(value)}`,
      {
        field,
        expected,
      },
    );
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

function lastRefreshFrom(options: RefreshRunOptions): string {
  const fromRefresher = typeof options.refresher.getLastRefreshTimes === 'function';
  const fromStore = options.lastRefreshStore !== undefined;
  if (fromRefresher) return fromStore ? 'refresher, then store' : 'refresher';
  return fromStore ? 'store' : 'unknown (always refresh)';
}

function disabledBecause(settings: ActiveExposureSettings): string {
  if (settings.sources.enabled === 'option') return 'option enabled: false';
  if (settings.enabledRaw === null) return `${ENV_ACTIVE_EXPOSURES} is not set`;
  return `${ENV_ACTIVE_EXPOSURES}=${JSON.stringify(settings.enabledRaw)}`;
}
