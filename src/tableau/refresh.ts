/**
 * Extract refreshes: trigger (Update Workbook Now / Update Data Source Now), follow the job, and
 * read the current extract refresh times from the Metadata API in few calls.
 *
 * Decisions:
 * - 409093 (already queued or running) and 409090 (extract operation not allowed) are answers,
 *   not failures; every other failure throws. A trigger retried after a lost response may answer
 *   409093 for its own first attempt: still correct, the refresh is queued.
 * - `waitForJob` never cancels the job on timeout: the refresh keeps running in Tableau and the
 *   outcome says `timeout`. Its `timeoutMs` is one deadline for the whole wait: each poll, its
 *   retries and any `Retry-After` fit before it (a poll cut by it also means `timeout`).
 * - Tableau's job notes are redacted (they may echo anything).
 * - A workbook's refresh time is the OLDEST extract time (`extractLastUpdateTime`, else
 *   `extractLastRefreshTime`: see `lastExtractTime`) among its embedded data
 *   sources that have extracts (null if any of them was never refreshed, or none has extracts):
 *   "Update Workbook Now" refreshes them all, so the oldest one says when the workbook as a whole
 *   was last fresh, and a decision based on it never skips a refresh that one stale extract needs.
 *   Targets Tableau does not report (deleted, no permission) map to null.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { abortedError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { compareStrings } from '../util/compare.js';
import type { MetadataApi } from './metadata.js';
import { lastExtractTime } from './normalize.js';
import {
  chunkLuids,
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
  type RawPublishedDatasource,
  type RawWorkbook,
  type RefreshTimesQueryVariables,
  WORKBOOK_REFRESH_TIMES_QUERY,
} from './queries.js';
import type { Redactor } from './redact.js';
import type { Session } from './session.js';
import {
  type JobOutcome,
  type RefreshTarget,
  type RefreshTrigger,
  type RequestOptions,
  refreshTargetKey,
  type WaitForJobOptions,
} from './types.js';

/** `waitForJob` options, with the polling cadence (exposed mainly for tests). */
export interface JobPollOptions extends WaitForJobOptions {
  /** First delay between polls, ms. Default 500. */
  pollIntervalMs?: number | undefined;
  /** Growth of the delay per poll. Default 1.4. */
  pollFactor?: number | undefined;
  /** Longest delay between polls, ms. Default 30000. */
  maxPollIntervalMs?: number | undefined;
}

/** Defaults of `waitForJob`. */
const JOB_POLL_DEFAULTS = {
  timeoutMs: 3_600_000,
  pollIntervalMs: 500,
  pollFactor: 1.4,
  maxPollIntervalMs: 30_000,
} as const;

/** Refresh operations of one client. */
export interface RefreshApi {
  refresh(target: RefreshTarget, options?: RequestOptions): Promise<RefreshTrigger>;
  waitForJob(jobId: string, options?: JobPollOptions): Promise<JobOutcome>;
  getLastRefreshTimes(
    targets: RefreshTarget[],
    options?: RequestOptions,
  ): Promise<Map<string, Date | null>>;
}

/** Dependencies of the refresh operations. */
export interface RefreshDeps {
  session: Session;
  metadata: MetadataApi;
  redactor: Redactor;
  logger?: Logger | undefined;
  /** Client-wide abort signal. */
  signal?: AbortSignal | undefined;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : null;
}

/** The `job` of a REST answer (`{ "job": { … } }`). */
function jobOf(body: unknown): Record<string, unknown> | null {
  return record(record(body)?.job);
}

/** Tableau's failure notes: `job.extractRefreshJob.notes` (or any `…Job` child's, or the job's own). */
function notesOf(job: Record<string, unknown>): string | null {
  const direct = str(job.notes);
  if (direct !== null) return direct;
  for (const value of Object.values(job)) {
    const notes = str(record(value)?.notes);
    if (notes !== null) return notes;
  }
  return null;
}

/** The refresh-times query of each target kind, workbooks first. */
const REFRESH_TIME_QUERIES = [
  {
    kind: 'workbook',
    document: WORKBOOK_REFRESH_TIMES_QUERY,
    connection: 'workbooksConnection',
    noun: 'workbooks',
  },
  {
    kind: 'datasource',
    document: PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
    connection: 'publishedDatasourcesConnection',
    noun: 'published data sources',
  },
] as const;

function dateOrNull(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A workbook's refresh time: the oldest of its extracts (see the module comment). */
function workbookRefreshTime(workbook: RawWorkbook): Date | null {
  // A list of the wrong shape reads as no extract: the time is then unknown, never too recent.
  const embedded = Array.isArray(workbook.embeddedDatasources) ? workbook.embeddedDatasources : [];
  const extracts = embedded.filter(
    (d) => d !== null && typeof d === 'object' && d.hasExtracts === true,
  );
  if (extracts.length === 0) return null;
  let oldest: Date | null = null;
  for (const ds of extracts) {
    const time = dateOrNull(ds === null ? null : lastExtractTime(ds));
    if (time === null) return null;
    if (oldest === null || time < oldest) oldest = time;
  }
  return oldest;
}

/** A published data source's refresh time (null when it has no extract). */
function datasourceRefreshTime(datasource: RawPublishedDatasource): Date | null {
  return datasource.hasExtracts === true ? dateOrNull(lastExtractTime(datasource)) : null;
}

/** Create the refresh operations. */
export function createRefreshApi(deps: RefreshDeps): RefreshApi {
  const { session, metadata, redactor, logger } = deps;
  const now = deps.now ?? (() => performance.now());

  async function refresh(
    target: RefreshTarget,
    options: RequestOptions = {},
  ): Promise<RefreshTrigger> {
    const collection = target.kind === 'workbook' ? 'workbooks' : 'datasources';
    const operation = `refresh ${target.kind} ${JSON.stringify(target.name)} (${target.luid})`;
    try {
      const response = await session.request({
        method: 'POST',
        path: (s) =>
          `/api/${s.apiVersion}/sites/${s.siteLuid}/${collection}/${encodeURIComponent(target.luid)}/refresh`,
        body: {},
        signal: options.signal,
        operation,
      });
      const jobId = str(jobOf(response.body)?.id);
      if (jobId === null || jobId === '') {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${operation}: the answer has no job id`,
          {
            method: 'POST',
            status: response.status,
          },
        );
      }
      logger?.debug?.(`${operation}: queued job ${jobId}`, {
        jobId,
        target: refreshTargetKey(target),
      });
      return { status: 'queued', jobId };
    } catch (error) {
      if (error instanceof TableauApiError && error.code === 'ERR_TABLEAU_API') {
        const detail = error.detail ?? error.summary;
        if (error.tableauCode === '409093') {
          return { status: 'already_queued', ...(detail ? { detail } : {}) };
        }
        if (error.tableauCode === '409090') {
          return { status: 'not_refreshable', ...(detail ? { detail } : {}) };
        }
      }
      throw error;
    }
  }

  const redactNotes = (notes: string | null): string | null =>
    notes === null ? null : redactor.redactString(notes);

  async function waitForJob(jobId: string, options: JobPollOptions = {}): Promise<JobOutcome> {
    const timeoutMs = options.timeoutMs ?? JOB_POLL_DEFAULTS.timeoutMs;
    const factor = options.pollFactor ?? JOB_POLL_DEFAULTS.pollFactor;
    const maxInterval = options.maxPollIntervalMs ?? JOB_POLL_DEFAULTS.maxPollIntervalMs;
    let interval = options.pollIntervalMs ?? JOB_POLL_DEFAULTS.pollIntervalMs;
    const operation = `wait for job ${jobId}`;
    const started = now();
    const elapsed = (): number => Math.round(now() - started);
    let polls = 0;
    let startedAt: string | null = null;
    const timedOut = (): JobOutcome => ({
      jobId,
      status: 'timeout',
      finishCode: null,
      notes: null,
      startedAt,
      completedAt: null,
      durationMs: elapsed(),
      polls,
    });
    for (;;) {
      let response: Awaited<ReturnType<Session['request']>>;
      try {
        response = await session.request({
          method: 'GET',
          path: (s) => `/api/${s.apiVersion}/sites/${s.siteLuid}/jobs/${encodeURIComponent(jobId)}`,
          signal: options.signal,
          operation,
          // Rounded up: the poll may run to the wait's deadline, never stop short of it.
          budgetMs: Math.max(1, Math.ceil(timeoutMs - (now() - started))),
        });
      } catch (error) {
        // A poll cut short by the wait's deadline: the job is still running as far as anyone
        // knows. Node's timers count whole milliseconds of loop time, so the cut can come up to
        // 1 ms before `now()` reaches the deadline.
        const cut = error instanceof TableauApiError && error.code === 'ERR_TABLEAU_TIMEOUT';
        if (cut && now() - started >= timeoutMs - 1) return timedOut();
        throw error;
      }
      polls++;
      const job = jobOf(response.body);
      if (job === null) {
        throw new TableauApiError('ERR_TABLEAU_RESPONSE', `${operation}: the answer has no job`, {
          method: 'GET',
          status: response.status,
        });
      }
      startedAt = str(job.startedAt);
      const completedAt = str(job.completedAt);
      const finishCodeText = str(job.finishCode);
      const finishCode = finishCodeText === null ? null : Number(finishCodeText);
      const finished = completedAt !== null || (finishCode !== null && finishCode >= 0);
      logger?.debug?.(`${operation}: poll ${polls}`, {
        jobId,
        progress: str(job.progress),
        finishCode,
        ms: elapsed(),
      });
      if (finished) {
        const status =
          finishCode === 0 || finishCode === 3
            ? 'success'
            : finishCode === 2
              ? 'cancelled'
              : 'failed';
        return {
          jobId,
          status,
          finishCode: finishCode !== null && Number.isFinite(finishCode) ? finishCode : null,
          notes: status === 'success' ? null : redactNotes(notesOf(job)),
          startedAt,
          completedAt,
          durationMs: elapsed(),
          polls,
        };
      }
      const remaining = timeoutMs - (now() - started);
      if (remaining <= 0) return timedOut();
      const signals = [options.signal, deps.signal].filter(
        (s): s is AbortSignal => s !== undefined,
      );
      try {
        await delay(Math.min(interval, remaining), undefined, {
          signal: AbortSignal.any(signals),
        });
      } catch {
        throw abortedError(
          operation,
          signals.find((s) => s.aborted),
        );
      }
      interval = Math.min(interval * factor, maxInterval);
    }
  }

  async function getLastRefreshTimes(
    targets: RefreshTarget[],
    options: RequestOptions = {},
  ): Promise<Map<string, Date | null>> {
    const found = new Map<string, Date | null>();
    const byKind = (kind: RefreshTarget['kind']): string[] =>
      targets.filter((t) => t.kind === kind).map((t) => t.luid);
    for (const { kind, document, connection, noun } of REFRESH_TIME_QUERIES) {
      for (const luids of chunkLuids(byKind(kind))) {
        for await (const page of metadata.paginate<RawWorkbook | RawPublishedDatasource>({
          document,
          connection,
          variables: (page): RefreshTimesQueryVariables => ({ luids, ...page }),
          pageSize: luids.length,
          signal: options.signal,
          operation: `read refresh times of ${luids.length} ${noun}`,
        })) {
          for (const node of page.nodes) {
            if (typeof node.luid !== 'string') continue;
            const time =
              kind === 'workbook'
                ? workbookRefreshTime(node as RawWorkbook)
                : datasourceRefreshTime(node as RawPublishedDatasource);
            found.set(refreshTargetKey({ kind, luid: node.luid }), time);
          }
        }
      }
    }
    const result = new Map<string, Date | null>();
    const keys = [...new Set(targets.map(refreshTargetKey))].sort(compareStrings);
    for (const key of keys) {
      if (!found.has(key)) {
        logger?.debug?.(`refresh time of ${key}: not found in the Metadata API`, { target: key });
      }
      result.set(key, found.get(key) ?? null);
    }
    return result;
  }

  return { refresh, waitForJob, getLastRefreshTimes };
}
