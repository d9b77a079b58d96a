/**
 * Text and JSON forms of structured log entries, and the dbt console line layout shared by the
 * entry constructors (`N of M MESSAGE ........ [STATUS]`).
 */
import { jsonLine, plainText } from '../util/terminal-text.js';
import type { LogEntry } from './types.js';

/** Output format of `formatLogEntry`. */
export type LogFormat = 'text' | 'json';

/** dbt's printer width: the progress + message part is padded with dots up to this column. */
export const DBT_LINE_WIDTH = 80;

/**
 * A dbt console line: `"<progress><message> "` padded with dots to {@link DBT_LINE_WIDTH}, then
 * `" [<status>]"` — the layout of dbt's `format_fancy_output_line`. Long messages are not cut.
 *
 * @param progress e.g. `"2 of 5 "` (with its trailing space) or `""`.
 */
export function dbtLine(progress: string, message: string, status: string): string {
  return `${`${progress}${message} `.padEnd(DBT_LINE_WIDTH, '.')} [${status}]`;
}

/**
 * One entry as a single line.
 * - `text`: `HH:MM:SS  <msg>` like dbt's console, the time taken (in UTC, so it is deterministic)
 *   from `info.ts`; a `ts` that is not a date prints `--:--:--`. Multi-line messages are joined
 *   with ` | ` so one entry is always one line; other control characters (ESC, BEL, NUL, C1) and
 *   bidi overrides a Tableau name may carry are removed, tabs become spaces.
 * - `json`: the entry as one line of JSON (dbt's `--log-format json` shape), appendable to dbt's
 *   own JSON logs; DEL, C1, bidi controls and U+2028/U+2029 are `\uXXXX`-escaped (same value).
 */
export function formatLogEntry(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') return jsonLine(entry);
  if (format !== 'text') {
    throw new TypeError(`formatLogEntry: format must be 'text' or 'json', got ${String(format)}`);
  }
  return `${clockTime(entry.info.ts)}  ${plainText(entry.info.msg.replace(/\r?\n/g, ' | '))}`;
}

function clockTime(ts: string): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return date.toISOString().slice(11, 19);
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
