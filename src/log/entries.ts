/**
 * Making the active exposures log: one constructor per event, in dbt's structured log event
 * shape, and the order the entries are given in. Each event has a stable name and code
 * (documented in docs/active-exposures.md, "Log reference"): AE0xx are the console lines (`log`),
 * AE1xx the evidence (`debug`). The `msg` of console events is already laid out like dbt's
 * console (dots, `[STATUS]`), exactly as dbt does in its JSON logs.
 */
import {
  ACTIVE_EXPOSURE_EVENTS,
  ACTIVE_EXPOSURES_CATEGORY,
  type ActiveExposureEvent,
  type CodeOfEvent,
} from './events.js';
import type { LogEntry, LogEntryOf, LogEntryTarget, LogLevel } from './types.js';

/** When and for which dbt invocation an entry is made. */
export interface EntryContext {
  /** ISO timestamp. */
  ts: string;
  /** The dbt run's invocation id (from run_results), or null. */
  invocationId: string | null;
}

/** A refresh target as shown in log lines and entry data. */
export interface EntryTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
}

/** An entry of the catalog's `event` with the given level, message and data. */
export function createLogEntry<E extends ActiveExposureEvent>(
  context: EntryContext,
  event: E,
  level: LogLevel,
  msg: string,
  data: LogEntryOf<CodeOfEvent<E>>['data'],
): LogEntryOf<CodeOfEvent<E>> {
  const { code, name } = ACTIVE_EXPOSURE_EVENTS[event];
  // TypeScript cannot correlate the generic code with its data: the catalog and the parameter
  // types above make the pair consistent.
  return {
    info: {
      name,
      code,
      level,
      msg,
      ts: context.ts,
      invocation_id: context.invocationId,
      category: ACTIVE_EXPOSURES_CATEGORY,
      extra: {},
    },
    data,
  } as LogEntryOf<CodeOfEvent<E>>;
}

/** `workbook 'Sales Overview'` */
export function describeTarget(target: EntryTarget): string {
  return `${target.kind} '${target.name}'`;
}

function targetData(target: EntryTarget): LogEntryTarget;
function targetData(target: EntryTarget | null): LogEntryTarget | null;
function targetData(target: EntryTarget | null): LogEntryTarget | null {
  return target === null ? null : { kind: target.kind, luid: target.luid, name: target.name };
}

function progress(index: number, total: number): string {
  return `${index} of ${total} `;
}

/** AE001: the feature is off; nothing was asked of Tableau. */
export function disabledEntry(
  context: EntryContext,
  data: { because: string; exposures: number },
): LogEntry {
  return createLogEntry(
    context,
    'disabled',
    'info',
    `Active exposures disabled (${data.because}): no refresh for ${data.exposures} exposures`,
    { because: data.because, exposures: data.exposures },
  );
}

/** AE009: run_results and the manifest do not belong together (see `checkArtifactPairing`). */
export function artifactMismatchEntry(
  context: EntryContext,
  data: {
    code: string;
    message: string;
    runResults: { path: string | null; invocationId: string | null; generatedAt: string | null };
    manifest: { path: string | null; invocationId: string | null; generatedAt: string | null };
  },
): LogEntry {
  const facts = (a: typeof data.manifest) => ({
    path: a.path,
    invocation_id: a.invocationId,
    generated_at: a.generatedAt,
  });
  return createLogEntry(context, 'artifactMismatch', 'warn', `Warning: ${data.message}`, {
    code: data.code,
    run_results: facts(data.runResults),
    manifest: facts(data.manifest),
  });
}

/** AE002: the header line. */
export function headerEntry(
  context: EntryContext,
  data: { exposures: number; targets: number; buildAfterMinutes: number; dryRun: boolean },
): LogEntry {
  const dry = data.dryRun ? ', dry run' : '';
  return createLogEntry(
    context,
    'header',
    'info',
    `Running active exposures for ${data.exposures} exposures (build_after ${data.buildAfterMinutes} min${dry})`,
    {
      exposures: data.exposures,
      targets: data.targets,
      build_after_minutes: data.buildAfterMinutes,
      dry_run: data.dryRun,
    },
  );
}

/** AE003: `N of M START active exposure <name> .... [RUN]` */
export function startEntry(
  context: EntryContext,
  data: { index: number; total: number; exposure: string; targets: number },
): LogEntry {
  return createLogEntry(
    context,
    'start',
    'info',
    dbtLine(progress(data.index, data.total), `START active exposure ${data.exposure}`, 'RUN'),
    { index: data.index, total: data.total, exposure: data.exposure, targets: data.targets },
  );
}

/** Fields shared by the three result events. */
export interface ResultEntryData {
  index: number;
  total: number;
  exposure: string;
  target: EntryTarget | null;
  reason?: string | undefined;
  detail?: string | undefined;
  jobId?: string | undefined;
  durationMs?: number | undefined;
  sharedWith?: string[] | undefined;
}

function resultData<S extends 'success' | 'triggered' | 'skipped' | 'error'>(
  status: S,
  data: ResultEntryData,
) {
  return {
    index: data.index,
    total: data.total,
    exposure: data.exposure,
    target: targetData(data.target),
    status,
    reason: data.reason ?? null,
    detail: data.detail ?? null,
    job_id: data.jobId ?? null,
    duration_ms: data.durationMs ?? null,
    shared_with: data.sharedWith ?? [],
  };
}

/** AE004: `N of M OK refreshed <target> for <name> .... [OK in 3.2s]`: the job was waited on and succeeded. */
export function refreshedEntry(
  context: EntryContext,
  data: ResultEntryData & { target: EntryTarget },
): LogEntry {
  const msg = dbtLine(
    progress(data.index, data.total),
    `OK refreshed ${describeTarget(data.target)} for ${data.exposure}`,
    `OK in ${formatSeconds(data.durationMs ?? 0)}`,
  );
  return createLogEntry(context, 'refreshed', 'info', msg, {
    ...resultData('success', data),
    target: targetData(data.target),
  });
}

/**
 * AE010: `N of M TRIGGERED refresh of <target> for <name> .... [TRIGGERED job <id>]`: queued
 * and not waited on, so whether it succeeds is not known.
 */
export function triggeredEntry(
  context: EntryContext,
  data: ResultEntryData & { target: EntryTarget },
): LogEntry {
  const msg = dbtLine(
    progress(data.index, data.total),
    `TRIGGERED refresh of ${describeTarget(data.target)} for ${data.exposure}`,
    `TRIGGERED job ${data.jobId ?? '?'}`,
  );
  return createLogEntry(context, 'triggered', 'info', msg, {
    ...resultData('triggered', data),
    target: targetData(data.target),
  });
}

/** AE005: `N of M SKIP active exposure <name> (<target>) .... [<why>]` */
export function skippedEntry(context: EntryContext, data: ResultEntryData): LogEntry {
  const on = data.target === null ? '' : ` (${describeTarget(data.target)})`;
  const why = data.detail ?? data.reason ?? 'skipped';
  const level: LogLevel =
    data.reason === 'upstream_failed' || data.reason === 'aborted' ? 'warn' : 'info';
  return createLogEntry(
    context,
    'skipped',
    level,
    dbtLine(progress(data.index, data.total), `SKIP active exposure ${data.exposure}${on}`, why),
    resultData('skipped', data),
  );
}

/** AE006: `N of M ERROR refreshing <target> for <name> .... [ERROR: <Tableau's message>]` */
export function errorEntry(context: EntryContext, data: ResultEntryData): LogEntry {
  const what =
    data.target === null
      ? `ERROR active exposure ${data.exposure}`
      : `ERROR refreshing ${describeTarget(data.target)} for ${data.exposure}`;
  const why = data.detail === undefined ? 'ERROR' : `ERROR: ${data.detail}`;
  return createLogEntry(
    context,
    'error',
    'error',
    dbtLine(progress(data.index, data.total), what, why),
    resultData('error', data),
  );
}

/**
 * AE007: `Done. 8 exposures, 5 refresh targets: TRIGGERED=5 REFRESHED=0 SKIP=0 ERROR=0`. Targets
 * are counted once each (a shared data source is one), by the outcome of its refresh decision.
 */
export function doneEntry(
  context: EntryContext,
  data: {
    exposures: number;
    targets: number;
    triggered: number;
    refreshed: number;
    skipped: number;
    errors: number;
    refreshCalls: number;
  },
): LogEntry {
  return createLogEntry(
    context,
    'done',
    data.errors > 0 ? 'error' : 'info',
    `Done. ${plural(data.exposures, 'exposure')}, ${plural(data.targets, 'refresh target')}: TRIGGERED=${data.triggered} REFRESHED=${data.refreshed} SKIP=${data.skipped} ERROR=${data.errors}`,
    {
      exposures: data.exposures,
      targets: data.targets,
      triggered: data.triggered,
      refreshed: data.refreshed,
      skipped: data.skipped,
      errors: data.errors,
      refresh_calls: data.refreshCalls,
    },
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** AE011: the followed dbt invocation ended; what is left is decided now. */
export function invocationEndedEntry(
  context: EntryContext,
  data: {
    how: 'command_completed' | 'end_of_log' | 'process_gone';
    command: string | null;
    finished: number;
    success: boolean | null;
  },
): LogEntry {
  const how = {
    command_completed: 'completed',
    end_of_log: 'ended (end of the log)',
    process_gone: 'ended (its process is gone)',
  }[data.how];
  const what = data.command === null ? 'dbt' : `dbt ${data.command}`;
  return createLogEntry(
    context,
    'invocationEnded',
    'info',
    `${what} ${how}: ${plural(data.finished, 'node')} finished; deciding the rest`,
    { how: data.how, command: data.command, finished: data.finished, success: data.success },
  );
}

/** AE106: a line of dbt's log that is not one of its JSON events (skipped; its text is not kept). */
export function logLineSkippedEntry(
  context: EntryContext,
  data: { line: number; length: number; reason: string },
): LogEntry {
  return createLogEntry(
    context,
    'logLineSkipped',
    'debug',
    `dbt log line ${data.line} skipped: ${data.reason} (${data.length} characters)`,
    { line: data.line, length: data.length, reason: data.reason },
  );
}

/** AE107: every selected node of an exposure's upstream finished while dbt still runs. */
export function readyEntry(
  context: EntryContext,
  data: { exposure: string; finished: string[]; tests: string[]; why: string },
): LogEntry {
  return createLogEntry(
    context,
    'ready',
    'debug',
    `Upstream of ${data.exposure} is ready (${data.why}): ${data.finished.length} nodes and ${data.tests.length} tests finished`,
    { exposure: data.exposure, finished: data.finished, tests: data.tests, why: data.why },
  );
}

/** AE008: the run was aborted through its signal. */
export function abortedEntry(
  context: EntryContext,
  data: { notStarted: number; triggered: number },
): LogEntry {
  return createLogEntry(
    context,
    'aborted',
    'warn',
    `Active exposures aborted: ${data.notStarted} refresh(es) not started, ${data.triggered} triggered before the abort`,
    { not_started: data.notStarted, triggered: data.triggered },
  );
}

/** AE100: the settings in force and where each came from (never secrets). */
export function settingsEntry(context: EntryContext, data: LogEntryOf<'AE100'>['data']): LogEntry {
  const parts = Object.entries(data).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return createLogEntry(
    context,
    'settings',
    'debug',
    `Active exposures settings: ${parts.join(', ')}`,
    data,
  );
}

/** AE101: the upstream evidence of one exposure. */
export function upstreamEntry(
  context: EntryContext,
  data: {
    exposure: string;
    closure: number;
    fromManifest: boolean;
    rebuilt: string[];
    failed: string[];
    failedTests: string[];
    ignoredTestFailures: string[];
    ignoredSkips: string[];
  },
): LogEntry {
  const list = (ids: string[]): string => (ids.length === 0 ? 'none' : ids.join(', '));
  return createLogEntry(
    context,
    'upstream',
    'debug',
    `Upstream of ${data.exposure}: ${data.closure} nodes (${data.fromManifest ? 'manifest parent map' : 'direct dependencies only'}); rebuilt: ${list(data.rebuilt)}; failed: ${list(data.failed)}`,
    {
      exposure: data.exposure,
      closure_size: data.closure,
      from_manifest: data.fromManifest,
      rebuilt: data.rebuilt,
      failed: data.failed,
      failed_tests: data.failedTests,
      ignored_test_failures: data.ignoredTestFailures,
      ignored_skips: data.ignoredSkips,
    },
  );
}

/** AE102: the last refresh time of one target and what it means for the cadence. */
export function lastRefreshEntry(
  context: EntryContext,
  data: {
    target: EntryTarget;
    lastRefreshAt: string | null;
    source: LogEntryOf<'AE102'>['data']['source'];
    nextAllowedAt: string | null;
  },
): LogEntry {
  const at = data.lastRefreshAt ?? (data.source === 'unknown' ? 'unknown' : 'never');
  return createLogEntry(
    context,
    'lastRefresh',
    'debug',
    `Last refresh of ${describeTarget(data.target)}: ${at} (from ${data.source}); next allowed: ${data.nextAllowedAt ?? 'now'}`,
    {
      target: targetData(data.target),
      last_refresh_at: data.lastRefreshAt,
      source: data.source,
      next_allowed_at: data.nextAllowedAt,
    },
  );
}

/** AE103: what Tableau answered to a refresh call. */
export function refreshCallEntry(
  context: EntryContext,
  data: {
    target: EntryTarget;
    outcome: LogEntryOf<'AE103'>['data']['outcome'];
    jobId: string | null;
    elapsedMs: number;
  },
): LogEntry {
  const job = data.jobId === null ? '' : ` as job ${data.jobId}`;
  return createLogEntry(
    context,
    'refreshCall',
    'debug',
    `Refresh of ${describeTarget(data.target)}: ${data.outcome}${job} (${data.elapsedMs} ms)`,
    {
      target: targetData(data.target),
      outcome: data.outcome,
      job_id: data.jobId,
      elapsed_ms: data.elapsedMs,
    },
  );
}

/** AE104: how a waited-for job ended. */
export function jobOutcomeEntry(
  context: EntryContext,
  data: {
    target: EntryTarget;
    jobId: string;
    status: LogEntryOf<'AE104'>['data']['status'];
    finishCode: number | null;
    notes: string | null;
    durationMs: number;
    polls: number;
  },
): LogEntry {
  return createLogEntry(
    context,
    'jobOutcome',
    'debug',
    `Job ${data.jobId} (${describeTarget(data.target)}): ${data.status}, finishCode ${String(data.finishCode)}, ${data.polls} polls, ${data.durationMs} ms`,
    {
      target: targetData(data.target),
      job_id: data.jobId,
      status: data.status,
      finish_code: data.finishCode,
      notes: data.notes,
      duration_ms: data.durationMs,
      polls: data.polls,
    },
  );
}

/** AE105: a call to the refresher or the store failed (message as the refresher redacted it). */
export function callFailedEntry(
  context: EntryContext,
  data: {
    operation: string;
    target: EntryTarget | null;
    errorCode: string | null;
    message: string;
    elapsedMs: number;
  },
): LogEntry {
  const on = data.target === null ? '' : ` for ${describeTarget(data.target)}`;
  return createLogEntry(
    context,
    'callFailed',
    'debug',
    `${data.operation}${on} failed after ${data.elapsedMs} ms: ${data.message}`,
    {
      operation: data.operation,
      target: targetData(data.target),
      error_code: data.errorCode,
      message: data.message,
      elapsed_ms: data.elapsedMs,
    },
  );
}

// ---------------------------------------------------------------- the text inside messages

/** dbt's printer width: the progress + message part is padded with dots up to this column. */
const DBT_LINE_WIDTH = 80;

/**
 * A dbt console line: `"<progress><message> "` padded with dots to column 80, then
 * `" [<status>]"` — the layout of dbt's `format_fancy_output_line`. Long messages are not cut.
 *
 * @param progress e.g. `"2 of 5 "` (with its trailing space) or `""`.
 */
export function dbtLine(progress: string, message: string, status: string): string {
  return `${`${progress}${message} `.padEnd(DBT_LINE_WIDTH, '.')} [${status}]`;
}

/** `3.2s`, `0.0s`, `75.4s`: seconds with one decimal, as in the active exposures OK line. */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/**
 * A remaining time for humans: `2d 3h`, `5h 12m`, `12m`, `45s` (rounded down to the unit shown,
 * never negative).
 */
export function formatTimeLeft(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return `${minutes}m`;
  return `${totalSeconds}s`;
}

// ---------------------------------------------------------------- the order of entries

/**
 * A copy of `entries` in the order things happened: sorted by `ts` (as instants); equal times keep
 * the order they were made in (a stable sort), which is the deterministic exposure-name, then
 * target-key order. An unparsable `ts` sorts first (it never happens for ours).
 */
export function inTimeOrder(entries: readonly LogEntry[]): LogEntry[] {
  const timeOf = (entry: LogEntry): number => {
    const ms = Date.parse(entry.info.ts);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  };
  return (
    entries
      .map((entry) => ({ entry, ms: timeOf(entry) }))
      // Array sort is stable; equal instants (also two unparsable ones) compare as 0.
      .sort((a, b) => (a.ms === b.ms ? 0 : a.ms - b.ms))
      .map(({ entry }) => entry)
  );
}

/**
 * Log and debug entries as one stream in time order (what a single log file shows). On equal
 * times log lines come before debug entries, each list keeping its own order.
 */
export function mergeInTimeOrder(log: readonly LogEntry[], debug: readonly LogEntry[]): LogEntry[] {
  return inTimeOrder([...log, ...debug]);
}
