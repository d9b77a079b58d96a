/**
 * Structured log entries in dbt's JSON log event shape (`{ info: {...}, data: {...} }`), so they
 * can be appended to dbt's own JSON logs and read by dbt log tooling.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntryInfo {
  /** Event name, e.g. `ActiveExposureResult`. */
  name: string;
  /** Stable event code, e.g. `AE003`. */
  code: string;
  level: LogLevel;
  msg: string;
  /** ISO timestamp (from the injected clock). */
  ts: string;
  /** The dbt run's invocation id, when known. */
  invocation_id: string | null;
  category: string;
  extra: Record<string, unknown>;
}

export interface LogEntry {
  info: LogEntryInfo;
  data: Record<string, unknown>;
}

/** A quiet, injectable logger (all methods optional; the default does nothing). */
export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}
