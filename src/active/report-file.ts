/**
 * The refresh report on disk: `active_exposures.json` next to run_results.json by default,
 * written atomically (a failed write never leaves a truncated report).
 */
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { RefreshReport } from './types.js';

/** File name of the report next to run_results.json. */
export const DEFAULT_REPORT_FILE = 'active_exposures.json';

/** `<dir of run_results.json>/active_exposures.json` */
export function defaultReportPath(runResultsPath: string): string {
  return join(dirname(runResultsPath), DEFAULT_REPORT_FILE);
}

/** The report as written: pretty JSON (2 spaces) with a final newline. */
export function serializeRefreshReport(report: RefreshReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Write `report` to `path` atomically (temporary file in the same directory, fsync, rename).
 *
 * @throws LineageError `ERR_OUTPUT_WRITE` naming the file when it cannot be written, or
 *   `ERR_ABORTED` when `signal` aborts; the previous file is then left unchanged.
 */
export async function writeRefreshReport(
  path: string,
  report: RefreshReport,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  await writeFileAtomic(path, serializeRefreshReport(report), { signal: options.signal });
}
