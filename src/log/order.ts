/**
 * The order of log entries: the order things happened. Entries are sorted by their `ts`; entries
 * with the same `ts` keep the order they were made in (a stable sort), which is the deterministic
 * exposure-name, then target-key order. Pure: no clock, no I/O.
 */
import type { LogEntry } from './types.js';

/** Milliseconds of an entry's `ts`; an unparsable `ts` sorts first (it never happens for ours). */
function timeOf(entry: LogEntry): number {
  const ms = Date.parse(entry.info.ts);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** A copy of `entries` in time order; equal times keep their given order. */
export function inTimeOrder(entries: readonly LogEntry[]): LogEntry[] {
  return entries
    .map((entry, i) => ({ entry, i, ms: timeOf(entry) }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map(({ entry }) => entry);
}

/**
 * Log and debug entries as one stream in time order (what a single log file shows). On equal
 * times log lines come before debug entries, each list keeping its own order.
 */
export function mergeInTimeOrder(log: readonly LogEntry[], debug: readonly LogEntry[]): LogEntry[] {
  return inTimeOrder([...log, ...debug]);
}
