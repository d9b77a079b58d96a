/**
 * Turns plans and per-target outcomes into the report's results and its dbt-like log lines.
 * Pure and deterministic: exposures in name order, targets in key order. Each line carries the
 * time its outcome was known; maybeRefresh puts the lines in time order (../log/order.ts).
 */
import {
  type EntryContext,
  errorEntry,
  type ResultEntryData,
  refreshedEntry,
  skippedEntry,
  startEntry,
} from '../log/entries.js';
import type { LogEntry } from '../log/types.js';
import type { ExposurePlan, PlannedTarget } from './decide.js';
import type { RefreshReason, RefreshResult, RefreshStatus } from './types.js';

/** The outcome of one target, however it was reached (decision, lookup, abort, call). */
export interface TargetResult {
  status: RefreshStatus;
  reason?: RefreshReason | undefined;
  detail?: string | undefined;
  jobId?: string | undefined;
  durationMs?: number | undefined;
  /** ISO time the outcome was known. */
  ts: string;
}

export interface Composed {
  results: RefreshResult[];
  /** START and result lines (no header, no summary), in exposure order, not yet in time order. */
  lines: LogEntry[];
}

/**
 * One result per exposure × refresh target (one with `target: null` for an exposure without
 * targets). A whole-exposure skip applies to each of its targets. `sharedWith` lists the other
 * exposures served by the same refresh decision.
 */
export function composeResults(
  plans: readonly ExposurePlan[],
  outcomes: ReadonlyMap<string, TargetResult>,
  decidedAt: EntryContext,
  invocationId: string | null,
): Composed {
  const results: RefreshResult[] = [];
  const lines: LogEntry[] = [];
  const total = plans.length;
  const sharers = shareMap(plans);
  plans.forEach((plan, position) => {
    const index = position + 1;
    lines.push(
      startEntry(decidedAt, {
        index,
        total,
        exposure: plan.exposure,
        targets: plan.targets.length,
      }),
    );
    const upstream = { rebuilt: plan.upstream.rebuilt, failed: plan.upstream.failed };
    const targets: Array<PlannedTarget | null> = plan.targets.length === 0 ? [null] : plan.targets;
    for (const target of targets) {
      const outcome: TargetResult =
        plan.skip !== null || target === null
          ? {
              status: 'skipped',
              reason: plan.skip?.reason ?? 'no_refresh_target',
              detail: plan.skip?.detail ?? 'nothing to refresh in Tableau',
              ts: decidedAt.ts,
            }
          : (outcomes.get(target.key) as TargetResult);
      const sharedWith =
        plan.skip === null && target !== null
          ? (sharers.get(target.key) ?? []).filter((name) => name !== plan.exposure)
          : [];
      const result: RefreshResult = {
        exposure: plan.exposure,
        target:
          target === null ? null : { kind: target.kind, luid: target.luid, name: target.name },
        status: outcome.status,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
        ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
        ...(outcome.jobId === undefined ? {} : { jobId: outcome.jobId }),
        ...(outcome.durationMs === undefined ? {} : { durationMs: outcome.durationMs }),
        ...(sharedWith.length === 0 ? {} : { sharedWith }),
        upstream: { rebuilt: [...upstream.rebuilt], failed: [...upstream.failed] },
      };
      results.push(result);
      lines.push(resultLine({ ts: outcome.ts, invocationId }, index, total, result));
    }
  });
  return { results, lines };
}

function resultLine(
  context: EntryContext,
  index: number,
  total: number,
  result: RefreshResult,
): LogEntry {
  const data: ResultEntryData = {
    index,
    total,
    exposure: result.exposure,
    target: result.target,
    reason: result.reason,
    detail: result.detail,
    jobId: result.jobId,
    durationMs: result.durationMs,
    sharedWith: result.sharedWith,
  };
  if (result.status === 'error') return errorEntry(context, data);
  if (result.status === 'success' && result.target !== null) {
    return refreshedEntry(context, { ...data, target: result.target });
  }
  return skippedEntry(context, data);
}

/** Candidate exposures per target key. */
function shareMap(plans: readonly ExposurePlan[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const plan of plans) {
    if (plan.skip !== null) continue;
    for (const target of plan.targets)
      map.set(target.key, [...(map.get(target.key) ?? []), plan.exposure]);
  }
  return map;
}
