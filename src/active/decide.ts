/**
 * The refresh decisions, pure: run_results + lineage (+ manifest) → which exposures are
 * candidates (phase 1), then, given last refresh times, which targets to refresh (phase 2).
 * No I/O, no clock: `now` is passed in.
 */
import type { Manifest, RunResults } from '../artifacts/types.js';
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import { formatTimeLeft } from '../log/format.js';
import { type RefreshTarget, refreshTargetKey } from '../tableau/types.js';
import { compareStrings } from '../util/compare.js';
import type { RefreshReason } from './types.js';
import {
  analyzeUpstream,
  indexRunResults,
  isBuildCommand,
  type UpstreamAnalysis,
} from './upstream.js';

/** A refresh target of the lineage, with its key. */
export interface PlannedTarget extends RefreshTarget {
  key: string;
  hasExtracts: boolean;
}

/** Phase 1 for one exposure. */
export interface ExposurePlan {
  exposure: string;
  upstream: UpstreamAnalysis;
  /** Its refresh targets, sorted by key, each once. */
  targets: PlannedTarget[];
  /** Why the whole exposure is skipped, or null when it is a candidate. */
  skip: { reason: ExposureSkipReason; detail: string } | null;
}

/** Reasons that apply to a whole exposure. */
export type ExposureSkipReason = Extract<
  RefreshReason,
  'not_a_build' | 'upstream_failed' | 'no_upstream_rebuilt' | 'no_refresh_target'
>;

export interface PlanInput {
  lineage: ExposureLineage;
  runResults: RunResults;
  manifest?: Manifest | undefined;
  refreshOnTestFailure?: boolean | undefined;
}

/**
 * Phase 1: one plan per exposure, sorted by exposure name. Checks, in order: the command
 * (`not_a_build`), the upstream (`upstream_failed` naming the nodes, then
 * `no_upstream_rebuilt`), then whether it has anything to refresh (`no_refresh_target`).
 */
export function planExposures(input: PlanInput): ExposurePlan[] {
  const { runResults, manifest } = input;
  const index = indexRunResults(runResults, manifest);
  const isBuild = isBuildCommand(runResults.command);
  return sortedExposures(input.lineage).map((exposure) => {
    const upstream = analyzeUpstream(
      exposure.dependsOn.map((dependency) => dependency.uniqueId),
      index,
      { manifest, refreshOnTestFailure: input.refreshOnTestFailure === true },
    );
    const targets = plannedTargets(exposure);
    return {
      exposure: exposure.name,
      upstream,
      targets,
      skip: exposureSkip(isBuild, runResults, upstream, targets),
    };
  });
}

function exposureSkip(
  isBuild: boolean,
  runResults: RunResults,
  upstream: UpstreamAnalysis,
  targets: PlannedTarget[],
): ExposurePlan['skip'] {
  if (!isBuild) {
    const command =
      runResults.command === null
        ? 'an unknown command (no args.which)'
        : `dbt ${runResults.command}`;
    return { reason: 'not_a_build', detail: `not a build: run_results come from ${command}` };
  }
  if (upstream.failed.length > 0) {
    return {
      reason: 'upstream_failed',
      detail: `upstream failed: ${upstream.failedDetail.join(', ')}`,
    };
  }
  if (upstream.rebuilt.length === 0) {
    return { reason: 'no_upstream_rebuilt', detail: 'no upstream node rebuilt' };
  }
  if (targets.length === 0) {
    return { reason: 'no_refresh_target', detail: 'nothing to refresh in Tableau' };
  }
  return null;
}

/** The lineage's exposures sorted by name (then unique id): the order of results and log lines. */
export function sortedExposures(lineage: ExposureLineage): LineageExposure[] {
  return [...lineage.exposures].sort(byExposure);
}

/** An exposure's refresh targets, each once (by key), sorted by key. */
export function plannedTargets(exposure: LineageExposure): PlannedTarget[] {
  const byKey = new Map<string, PlannedTarget>();
  for (const target of exposure.refreshTargets) {
    const key = refreshTargetKey(target);
    const seen = byKey.get(key);
    // Listed twice: it has extracts if either listing says so.
    const hasExtracts = target.hasExtracts || seen?.hasExtracts === true;
    byKey.set(key, { kind: target.kind, luid: target.luid, name: target.name, key, hasExtracts });
  }
  return [...byKey.values()].sort((a, b) => compareStrings(a.key, b.key));
}

/** A target wanted by one or more candidate exposures. */
export interface TargetPlan {
  target: PlannedTarget;
  /** Candidate exposures that want it refreshed, sorted. */
  exposures: string[];
}

/** The targets of all candidate exposures, each once (a shared data source is refreshed once), sorted by key. */
export function collectTargets(plans: readonly ExposurePlan[]): TargetPlan[] {
  const byKey = new Map<string, TargetPlan>();
  for (const plan of plans) {
    if (plan.skip !== null) continue;
    for (const target of plan.targets) {
      const existing = byKey.get(target.key);
      if (existing === undefined) byKey.set(target.key, { target, exposures: [plan.exposure] });
      else {
        existing.exposures.push(plan.exposure);
        if (target.hasExtracts) existing.target = { ...existing.target, hasExtracts: true };
      }
    }
  }
  return [...byKey.values()].sort((a, b) => compareStrings(a.target.key, b.target.key));
}

/** Where a last refresh time came from. */
export type LastRefreshSource = 'refresher' | 'store' | 'unknown';

/** A last refresh time: null = never refreshed (source refresher/store) or unknown. */
export interface LastRefresh {
  at: Date | null;
  source: LastRefreshSource;
}

/** Phase 2 for one target. */
export interface TargetDecision {
  plan: TargetPlan;
  action: 'refresh' | 'skip';
  reason?: 'no_extract' | 'build_after_not_elapsed';
  detail?: string;
  lastRefresh: LastRefresh | null;
  /** When the cadence allows the next refresh (ISO), when a last refresh is known. */
  nextAllowedAt: string | null;
}

/**
 * Phase 2 for one target. Live only → `no_extract`. Else, with a known last refresh younger than
 * `buildAfterMinutes` → `build_after_not_elapsed` with the time left. Else (older, never, or
 * unknown: a refresher that cannot tell and no store) → refresh. A last refresh in the future
 * (clock skew) is "not elapsed" until it is `buildAfterMinutes` old. `buildAfterMinutes` 0
 * always refreshes.
 */
export function decideTarget(
  plan: TargetPlan,
  lastRefresh: LastRefresh | null,
  now: Date,
  buildAfterMinutes: number,
): TargetDecision {
  if (!plan.target.hasExtracts) {
    return {
      plan,
      action: 'skip',
      reason: 'no_extract',
      detail: 'live connection, no extract to refresh',
      lastRefresh: null,
      nextAllowedAt: null,
    };
  }
  const at = lastRefresh?.at ?? null;
  if (at === null) return { plan, action: 'refresh', lastRefresh, nextAllowedAt: null };
  const buildAfterMs = buildAfterMinutes * 60_000;
  const next = new Date(at.getTime() + buildAfterMs);
  const left = next.getTime() - now.getTime();
  if (buildAfterMs > 0 && left > 0) {
    return {
      plan,
      action: 'skip',
      reason: 'build_after_not_elapsed',
      detail: `build_after ${buildAfterMinutes} min not elapsed, next in ${formatTimeLeft(left)}`,
      lastRefresh,
      nextAllowedAt: next.toISOString(),
    };
  }
  return { plan, action: 'refresh', lastRefresh, nextAllowedAt: next.toISOString() };
}

function byExposure(a: LineageExposure, b: LineageExposure): number {
  return compareStrings(a.name, b.name) || compareStrings(a.uniqueId, b.uniqueId);
}
