/**
 * Example: active exposures for another BI tool, through the `Refresher` interface.
 *
 * `maybeRefresh` decides (rebuilt upstreams, failed upstreams, cadence) and calls a `Refresher`
 * to act. The Tableau client is one; here is one for a BI tool whose API can trigger a refresh
 * but cannot say when it last refreshed — so the last refresh times live in a small JSON file
 * (a `LastRefreshStore`), which keeps the cadence across runs.
 *
 * In your project, import from 'dbt-auto-exposures' instead of '../src/index.js'.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  type ExposureLineage,
  type LastRefreshStore,
  maybeRefresh,
  type Refresher,
  type RefreshReport,
  type RefreshTarget,
  type RunResults,
} from '../src/index.js';

/** The other tool's API, reduced to what a refresher needs (e.g. an HTTP client). */
export interface OtherBiApi {
  triggerRefresh(dashboardId: string): Promise<{ jobId: string } | { alreadyRunning: true }>;
}

/** A Refresher over that API: `queued` with the job id, or `already_queued`. */
export function otherBiRefresher(api: OtherBiApi): Refresher {
  return {
    async refresh(target: RefreshTarget) {
      const answer = await api.triggerRefresh(target.luid);
      return 'jobId' in answer
        ? { status: 'queued', jobId: answer.jobId }
        : { status: 'already_queued', detail: `${target.name} is already refreshing` };
    },
  };
}

/**
 * Last refresh times in a JSON file `{ "<target key>": "<ISO time>" }` (keys are `kind:luid`),
 * replaced by a rename so a crash never leaves it half-written.
 */
export function jsonFileStore(path: string): LastRefreshStore {
  const read = async (): Promise<Record<string, string>> => {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    async get(key) {
      const at = (await read())[key];
      return at === undefined ? null : new Date(at);
    },
    async set(key, at) {
      const all = await read();
      all[key] = at.toISOString();
      await writeFile(`${path}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
      await rename(`${path}.tmp`, path);
    },
  };
}

/** Refresh what the build rebuilt, through the other tool, with the cadence kept in `statePath`. */
export function refreshOtherBi(options: {
  lineage: ExposureLineage;
  runResults: RunResults;
  api: OtherBiApi;
  statePath: string;
  now?: Date;
}): Promise<RefreshReport> {
  return maybeRefresh({
    lineage: options.lineage,
    runResults: options.runResults,
    refresher: otherBiRefresher(options.api),
    lastRefreshStore: jsonFileStore(options.statePath),
    enabled: true,
    buildAfterMinutes: 60,
    now: options.now,
  });
}
