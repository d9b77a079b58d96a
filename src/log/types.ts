/**
 * Structured log entries in dbt's JSON log event shape (`{ info: {...}, data: {...} }`), so they
 * can be appended to dbt's own JSON logs and read by dbt log tooling. `LogEntry` is a union over
 * the event codes, each with its `data` typed exactly; `isLogEntry` narrows it by code.
 */
import type { LogEntryCode, LogEntryName } from './events.js';

/** An entry's level, as dbt's: `debug`, `info`, `warn` or `error`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The `info` part of an entry: dbt's EventInfo fields, with the code and name of `C`. */
export interface LogEntryInfo<C extends LogEntryCode = LogEntryCode> {
  /** Event name, e.g. `ActiveExposureRefreshed` (one per code). */
  name: LogEntryName<C>;
  /** Stable event code, e.g. `AE004`. */
  code: C;
  level: LogLevel;
  msg: string;
  /** ISO timestamp (from the injected clock). */
  ts: string;
  /** The dbt run's invocation id, when known. */
  invocation_id: string | null;
  category: string;
  extra: Record<string, unknown>;
}

/** A refresh target as entry data shows it. */
export type LogEntryTarget = { kind: 'workbook' | 'datasource'; luid: string; name: string };

/** The data of a result line (AE004, AE005, AE006, AE010); `status` tells which. */
type ResultData<S extends string, T extends LogEntryTarget | null> = {
  index: number;
  total: number;
  exposure: string;
  target: T;
  status: S;
  /** A `RefreshReason` (`build_after_not_elapsed`, `job_failed`, …), or null. */
  reason: string | null;
  detail: string | null;
  job_id: string | null;
  duration_ms: number | null;
  /** Other exposures the same target was refreshed for. */
  shared_with: string[];
};

/** The artifact facts of AE009. */
type ArtifactFacts = {
  path: string | null;
  invocation_id: string | null;
  generated_at: string | null;
};

/**
 * The `data` of each event code (docs/active-exposures.md, "Log reference"). Read one with
 * `LogEntryOf<'AE004'>['data']`. Type aliases, not interfaces, so each is a
 * `Record<string, unknown>` too (what a `Logger` receives).
 */
export interface LogEntryDataByCode {
  AE001: { because: string; exposures: number };
  AE002: { exposures: number; targets: number; build_after_minutes: number; dry_run: boolean };
  AE003: { index: number; total: number; exposure: string; targets: number };
  AE004: ResultData<'success', LogEntryTarget>;
  AE005: ResultData<'skipped', LogEntryTarget | null>;
  AE006: ResultData<'error', LogEntryTarget | null>;
  AE007: {
    exposures: number;
    targets: number;
    triggered: number;
    refreshed: number;
    skipped: number;
    errors: number;
    refresh_calls: number;
  };
  AE008: { not_started: number; triggered: number };
  AE009: { code: string; run_results: ArtifactFacts; manifest: ArtifactFacts };
  AE010: ResultData<'triggered', LogEntryTarget>;
  AE011: {
    how: 'command_completed' | 'end_of_log' | 'process_gone';
    command: string | null;
    finished: number;
    success: boolean | null;
  };
  AE100: {
    enabled: boolean;
    enabled_from: 'option' | 'env' | 'default';
    build_after_minutes: number;
    build_after_from: 'option' | 'env' | 'default';
    dry_run: boolean;
    concurrency: number;
    wait_timeout_ms: number | null;
    refresh_on_test_failure: boolean;
    last_refresh_from: string;
    manifest: boolean;
    /** What the run reads: run_results, or dbt's JSON log (followDbtLog). */
    source: 'run_results' | 'dbt log stream' | 'dbt log file';
    command: string | null;
    now: string;
  };
  AE101: {
    exposure: string;
    closure_size: number;
    from_manifest: boolean;
    rebuilt: string[];
    failed: string[];
    failed_tests: string[];
    ignored_test_failures: string[];
    ignored_skips: string[];
  };
  AE102: {
    target: LogEntryTarget;
    last_refresh_at: string | null;
    source: 'refresher' | 'store' | 'unknown';
    next_allowed_at: string | null;
  };
  AE103: {
    target: LogEntryTarget;
    outcome: 'queued' | 'already_queued' | 'not_refreshable';
    job_id: string | null;
    elapsed_ms: number;
  };
  AE104: {
    target: LogEntryTarget;
    job_id: string;
    status: 'success' | 'failed' | 'cancelled' | 'timeout';
    finish_code: number | null;
    notes: string | null;
    duration_ms: number;
    polls: number;
  };
  AE105: {
    operation: string;
    target: LogEntryTarget | null;
    error_code: string | null;
    message: string;
    elapsed_ms: number;
  };
  AE106: { line: number; length: number; reason: string };
  AE107: { exposure: string; finished: string[]; tests: string[]; why: string };
}

/**
 * A log or debug entry of an active exposures run: a union over the event codes, each with its
 * `data` typed exactly. Narrow it with `isLogEntry(entry, 'AE004')`.
 */
export type LogEntry = {
  [C in LogEntryCode]: { info: LogEntryInfo<C>; data: LogEntryDataByCode[C] };
}[LogEntryCode];

/** The entry of one event code: `LogEntryOf<'AE004'>['data']` is the data of AE004. */
export type LogEntryOf<C extends LogEntryCode> = Extract<LogEntry, { info: { code: C } }>;

/**
 * Whether `entry` is an event of `code`, narrowing it so its `data` fields can be read without
 * casts. (TypeScript does not narrow `entry` by `entry.info.code === 'AE004'` alone: it narrows
 * only by a property of the union itself, not by a nested one.)
 */
export function isLogEntry<C extends LogEntryCode>(
  entry: LogEntry,
  code: C,
): entry is LogEntryOf<C> {
  return entry.info.code === code;
}

/** A quiet, injectable logger (all methods optional; the default does nothing). */
export interface Logger {
  debug?: ((message: string, data?: Record<string, unknown>) => void) | undefined;
  info?: ((message: string, data?: Record<string, unknown>) => void) | undefined;
  warn?: ((message: string, data?: Record<string, unknown>) => void) | undefined;
  error?: ((message: string, data?: Record<string, unknown>) => void) | undefined;
}
