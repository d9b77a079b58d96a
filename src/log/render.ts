/**
 * A structured log entry as one line of text or JSON, for a terminal or a log file.
 */
import { jsonLine, plainText } from '../util/terminal-text.js';
import type { LogEntry } from './types.js';

/** Output format of `renderLogEntry`. */
export type LogFormat = 'text' | 'json';

/**
 * One entry as a single line.
 * - `text`: `HH:MM:SS  <msg>` like dbt's console, the time taken (in UTC, so it is deterministic)
 *   from `info.ts`; a `ts` that is not a date prints `--:--:--`. Multi-line messages are joined
 *   with ` | ` so one entry is always one line; other control characters (ESC, BEL, NUL, C1) and
 *   bidi overrides a Tableau name may carry are removed, tabs become spaces.
 * - `json`: the entry as one line of JSON (dbt's `--log-format json` shape), appendable to dbt's
 *   own JSON logs; DEL, C1, bidi controls and U+2028/U+2029 are `\uXXXX`-escaped (same value).
 *
 * @throws TypeError for another `format`.
 */
export function renderLogEntry(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') return jsonLine(entry);
  if (format !== 'text') {
    throw new TypeError(`renderLogEntry: format must be 'text' or 'json', got ${String(format)}`);
  }
  return `${clockTime(entry.info.ts)}  ${plainText(entry.info.msg.replace(/\r?\n/g, ' | '))}`;
}

function clockTime(ts: string): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return date.toISOString().slice(11, 19);
}
