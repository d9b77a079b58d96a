/**
 * Current extract refresh times from the answers to `WORKBOOK_REFRESH_TIMES_QUERY` and
 * `PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY` (or any workbook / published data source pages).
 *
 * A workbook's time is the OLDEST `extractLastRefreshTime` among its embedded data sources that
 * have extracts (null if any of them was never refreshed, or none has extracts): "Update Workbook
 * Now" refreshes them all, so the oldest one says when the workbook as a whole was last fresh, and a
 * decision based on it never skips a refresh that one stale extract needs.
 */
import { collectMetadataPages, graphQLErrorsToError } from './metadata-pages.js';
import { refreshTargetKey } from './types.js';

/** Options of `extractRefreshTimes`. */
export interface ExtractRefreshTimesOptions {
  file?: string;
  /** Accept pages carrying GraphQL errors. Default false (throw ERR_TABLEAU_GRAPHQL). */
  allowErrors?: boolean;
}

/**
 * Extract refresh times by `refreshTargetKey` (`workbook:<luid>`, `datasource:<luid>`), as ISO
 * strings or null. Targets absent from the pages are absent from the map. Pure.
 */
export function extractRefreshTimes(
  input: unknown,
  options: ExtractRefreshTimesOptions = {},
): Map<string, string | null> {
  const pages = collectMetadataPages(
    input,
    options.file === undefined ? {} : { file: options.file },
  );
  if (pages.errors.length > 0 && options.allowErrors !== true) {
    throw graphQLErrorsToError(pages.errors, options.file);
  }
  const times = new Map<string, string | null>();
  for (const wb of pages.workbooks) {
    // A list of the wrong shape reads as no extract: the time is then unknown, never too recent.
    const embedded = Array.isArray(wb.embeddedDatasources) ? wb.embeddedDatasources : [];
    const extracts = embedded.filter(
      (d) => d !== null && typeof d === 'object' && d.hasExtracts === true,
    );
    let oldest: string | null = null;
    let never = extracts.length === 0;
    for (const ds of extracts) {
      const time =
        typeof ds?.extractLastRefreshTime === 'string' ? ds.extractLastRefreshTime : null;
      if (time === null) never = true;
      else if (oldest === null || Date.parse(time) < Date.parse(oldest)) oldest = time;
    }
    times.set(
      refreshTargetKey({ kind: 'workbook', luid: wb.luid as string }),
      never ? null : oldest,
    );
  }
  for (const ds of pages.publishedDatasources) {
    if (typeof ds.luid !== 'string') continue;
    const time = typeof ds.extractLastRefreshTime === 'string' ? ds.extractLastRefreshTime : null;
    times.set(
      refreshTargetKey({ kind: 'datasource', luid: ds.luid }),
      ds.hasExtracts === true ? time : null,
    );
  }
  return times;
}
