/**
 * The refresh decisions, pure: run_results + lineage (+ manifest) → which exposures are
 * candidates (phase 1), then, given last refresh times, which targets to refresh (phase 2), then
 * the report's results and their dbt-like log lines from the outcomes. No I/O, no clock: times are
 * passed in. Exposures in name order, targets in key order.
 */
import type { Manifest, RunResult, RunResults } from '../artifacts/types.js';
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import {
  type EntryContext,
  errorEntry,
  formatTimeLeft,
  lastRefreshEntry,
  type ResultEntryData,
  refreshedEntry,
  skippedEntry,
  triggeredEntry,
} from '../log/entries.js';
import type { LogEntry } from '../log/types.js';
import { compareStrings } from '../util/compare.js';
import { closure } from '../util/graph.js';
import { type RefreshTarget, refreshTargetKey } from './refresher.js';
import type { RefreshReason, RefreshResult, RefreshStatus, RefreshSummary } from './report.js';

// ---------------------------------------------------------------- the evidence in run_results

/**
 * `args.which` values that rebuild data. `retry` re-runs what a previous build left undone.
 * Everything else — `compile`, `generate` (docs), `test`, `list`/`ls`, `parse`, `show`,
 * `run-operation`, `freshness`, `clone`, … or a missing `args.which` — never triggers refreshes.
 */
export const BUILD_COMMANDS: ReadonlySet<string> = new Set([
  'build',
  'run',
  'seed',
  'snapshot',
  'retry',
]);

/** Statuses of a node that wrote new data. `partial success` = some microbatch batches landed. */
const REBUILT_STATUSES: ReadonlySet<string> = new Set(['success', 'partial success']);
/** Statuses of a non-test node that mean its data is missing or stale from this run. */
const FAILED_NODE_STATUSES: ReadonlySet<string> = new Set([
  'error',
  'runtime error',
  'fail',
  'skipped',
]);
/** Statuses of a test that mean the data it checks is bad. (`warn` and `skipped` do not.) */
const FAILED_TEST_STATUSES: ReadonlySet<string> = new Set(['fail', 'error', 'runtime error']);

const TEST_TYPES: ReadonlySet<string> = new Set(['test', 'unit_test']);
const NOT_REBUILDS: ReadonlySet<string> = new Set(['test', 'unit_test', 'exposure']);

/** Whether run_results produced by `command` (`args.which`) can trigger refreshes. */
export function isBuildCommand(command: string | null): boolean {
  return command !== null && BUILD_COMMANDS.has(command);
}

/** run_results indexed for repeated exposure lookups. */
interface RunIndex {
  byId: ReadonlyMap<string, RunResult>;
  /** Tests (data and unit) whose status says the data is bad, with the nodes they test. */
  failingTests: ReadonlyArray<{ uniqueId: string; status: string; parents: readonly string[] }>;
}

/** Resource type of a unique id: the manifest's when known, else the id's first segment. */
function resourceTypeOf(uniqueId: string, manifest?: Manifest): string {
  const known = manifest?.resourceTypes.get(uniqueId);
  if (known !== undefined) return known;
  const dot = uniqueId.indexOf('.');
  return dot === -1 ? uniqueId : uniqueId.slice(0, dot);
}

/** Index run_results (the last result wins if an id repeats, as in a `retry`-merged file). */
function indexRunResults(runResults: RunResults, manifest?: Manifest): RunIndex {
  const byId = new Map<string, RunResult>();
  for (const result of runResults.results) byId.set(result.uniqueId, result);
  const failingTests: Array<{ uniqueId: string; status: string; parents: readonly string[] }> = [];
  for (const result of byId.values()) {
    if (!TEST_TYPES.has(resourceTypeOf(result.uniqueId, manifest))) continue;
    if (!FAILED_TEST_STATUSES.has(result.status)) continue;
    failingTests.push({
      uniqueId: result.uniqueId,
      status: result.status,
      parents: manifest?.parentMap.get(result.uniqueId) ?? [],
    });
  }
  failingTests.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId));
  return { byId, failingTests };
}

/** What this run did to one exposure's upstream. Every list sorted. */
export interface UpstreamAnalysis {
  /**
   * The exposure's dependencies and, with a manifest, all their ancestors through `parentMap`.
   * Without a manifest only the direct dependencies.
   */
  closure: string[];
  fromManifest: boolean;
  /** Closure nodes with status `success` or `partial success` (not tests, not exposures). */
  rebuilt: string[];
  /** Closure nodes that errored, failed or were skipped, then the failing tests that block. */
  failed: string[];
  /** `failed` entries with their status, for messages: `model.x.y (error)`. */
  failedDetail: string[];
  /** Failing tests on closure nodes (blocking unless refreshOnTestFailure). */
  failedTests: string[];
  /** Failing tests on closure nodes that were ignored because of refreshOnTestFailure. */
  ignoredTestFailures: string[];
  /**
   * Closure models reported `skipped` that have no relation in the manifest (ephemeral): dbt
   * Fusion reports every ephemeral model as `skipped`, which says nothing about the data (a real
   * upstream failure also skips the materialised models built on it). Needs the manifest.
   */
  ignoredSkips: string[];
}

/** Analyse one exposure's upstream in this run. */
function analyzeUpstream(
  dependsOn: readonly string[],
  index: RunIndex,
  options: { manifest?: Manifest | undefined; refreshOnTestFailure: boolean },
): UpstreamAnalysis {
  const { manifest } = options;
  const inClosure = closure(dependsOn, manifest?.parentMap ?? new Map());
  const ids = [...inClosure].sort(compareStrings);
  const rebuilt: string[] = [];
  const failedNodes: string[] = [];
  const failedDetail: string[] = [];
  const ignoredSkips: string[] = [];
  for (const id of ids) {
    const result = index.byId.get(id);
    if (result === undefined) continue;
    const type = resourceTypeOf(id, manifest);
    if (NOT_REBUILDS.has(type)) continue;
    if (REBUILT_STATUSES.has(result.status)) rebuilt.push(id);
    else if (result.status === 'skipped' && isEphemeralModel(id, type, manifest)) {
      ignoredSkips.push(id);
    } else if (FAILED_NODE_STATUSES.has(result.status)) {
      failedNodes.push(id);
      failedDetail.push(`${id} (${result.status})`);
    }
  }
  const failedTests: string[] = [];
  const testDetail: string[] = [];
  for (const test of index.failingTests) {
    if (!test.parents.some((parent) => inClosure.has(parent))) continue;
    failedTests.push(test.uniqueId);
    testDetail.push(`${test.uniqueId} (${test.status})`);
  }
  const ignoreTests = options.refreshOnTestFailure;
  return {
    closure: ids,
    fromManifest: manifest !== undefined,
    rebuilt,
    failed: [...failedNodes, ...(ignoreTests ? [] : failedTests)],
    failedDetail: [...failedDetail, ...(ignoreTests ? [] : testDetail)],
    failedTests,
    ignoredTestFailures: ignoreTests ? failedTests : [],
    ignoredSkips,
  };
}

/** A model the manifest knows but that has no warehouse relation (ephemeral; disabled ones never run). */
function isEphemeralModel(id: string, type: string, manifest: Manifest | undefined): boolean {
  return manifest !== undefined && type === 'model' && !manifest.nodes.has(id);
}

// ---------------------------------------------------------------- phase 1: candidate exposures

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
type ExposureSkipReason = Extract<
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

/** Every exposure × target skipped with reason `disabled` (pure, from the lineage only). */
export function disabledResults(lineage: ExposureLineage): RefreshResult[] {
  const results: RefreshResult[] = [];
  for (const exposure of sortedExposures(lineage)) {
    const planned = plannedTargets(exposure);
    const targets = planned.length === 0 ? [null] : planned;
    for (const target of targets) {
      results.push({
        exposure: exposure.name,
        target:
          target === null ? null : { kind: target.kind, luid: target.luid, name: target.name },
        status: 'skipped',
        reason: 'disabled',
        detail: 'active exposures are disabled',
        upstream: { rebuilt: [], failed: [] },
      });
    }
  }
  return results;
}

/** The lineage's exposures sorted by name (then unique id): the order of results and log lines. */
export function sortedExposures(lineage: ExposureLineage): LineageExposure[] {
  return [...lineage.exposures].sort(
    (a, b) => compareStrings(a.name, b.name) || compareStrings(a.uniqueId, b.uniqueId),
  );
}

/** An exposure's refresh targets, each once (by key), sorted by key. */
function plannedTargets(exposure: LineageExposure): PlannedTarget[] {
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

// ---------------------------------------------------------------- phase 2: per-target decisions

/** Where a last refresh time came from. */
export type LastRefreshSource = 'refresher' | 'store' | 'unknown';

/** A last refresh time: null = never refreshed (source refresher/store) or unknown. */
export interface LastRefresh {
  at: Date | null;
  source: LastRefreshSource;
}

/** The last refresh times, as the lookup (act.ts) found them. */
export interface LastRefreshLookup {
  times: ReadonlyMap<string, LastRefresh>;
  /** Targets whose time could not be read (the refresher or store failed): message per key. */
  failed: ReadonlyMap<string, string>;
  /** The run was aborted before or during the lookup. */
  aborted: boolean;
}

/** Phase 2 for all targets. */
export interface TargetDecisions {
  /** Outcomes known without a refresh call, by target key. */
  outcomes: Map<string, TargetResult>;
  /** The targets to refresh, in key order. */
  toRefresh: PlannedTarget[];
  /** The last refresh time of each looked-up target (AE102). */
  evidence: LogEntry[];
}

/**
 * Phase 2, per target. Live only → `no_extract`. A lookup that was aborted → `aborted`, that
 * failed → `lookup_failed` (error). Else, with a known last refresh younger than
 * `buildAfterMinutes` → `build_after_not_elapsed` with the time left. Else (older, never, or
 * unknown: a refresher that cannot tell and no store) → refresh, or `dry_run`. A last refresh in
 * the future (clock skew) is "not elapsed" until it is `buildAfterMinutes` old.
 * `buildAfterMinutes` 0 always refreshes.
 */
export function decideTargets(
  plans: readonly TargetPlan[],
  lookup: LastRefreshLookup,
  run: { now: Date; buildAfterMinutes: number; dryRun: boolean },
  decidedAt: EntryContext,
): TargetDecisions {
  const outcomes = new Map<string, TargetResult>();
  const toRefresh: PlannedTarget[] = [];
  const evidence: LogEntry[] = [];
  const known = (
    target: PlannedTarget,
    status: RefreshStatus,
    reason: RefreshReason,
    detail: string,
  ) => outcomes.set(target.key, { status, reason, detail, ts: decidedAt.ts });
  for (const { target } of plans) {
    if (!target.hasExtracts) {
      known(target, 'skipped', 'no_extract', 'live connection, no extract to refresh');
      continue;
    }
    if (lookup.aborted) {
      known(target, 'skipped', 'aborted', 'aborted before the last refresh time was read');
      continue;
    }
    const failure = lookup.failed.get(target.key);
    if (failure !== undefined) {
      known(target, 'error', 'lookup_failed', `could not read the last refresh time: ${failure}`);
      continue;
    }
    const last = lookup.times.get(target.key);
    const at = last?.at ?? null;
    const next = at === null ? null : new Date(at.getTime() + run.buildAfterMinutes * 60_000);
    if (last !== undefined) {
      evidence.push(
        lastRefreshEntry(decidedAt, {
          target,
          lastRefreshAt: at?.toISOString() ?? null,
          source: last.source,
          nextAllowedAt: next?.toISOString() ?? null,
        }),
      );
    }
    const left = next === null ? 0 : next.getTime() - run.now.getTime();
    if (run.buildAfterMinutes > 0 && left > 0) {
      const detail = `build_after ${run.buildAfterMinutes} min not elapsed, next in ${formatTimeLeft(left)}`;
      known(target, 'skipped', 'build_after_not_elapsed', detail);
    } else if (run.dryRun) {
      known(target, 'skipped', 'dry_run', `dry run: would refresh ${target.kind} '${target.name}'`);
    } else {
      toRefresh.push(target);
    }
  }
  return { outcomes, toRefresh, evidence };
}

// ---------------------------------------------------------------- the results and their lines

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

/**
 * One result per exposure × refresh target (one with `target: null` for an exposure without
 * targets). A whole-exposure skip applies to each of its targets. `sharedWith` lists the other
 * exposures served by the same refresh decision. Exposure order, then target key order.
 */
export function composeResults(
  plans: readonly ExposurePlan[],
  outcomes: ReadonlyMap<string, TargetResult>,
): RefreshResult[] {
  const sharers = new Map(collectTargets(plans).map((plan) => [plan.target.key, plan.exposures]));
  return plans.flatMap((plan) => {
    const targets: Array<PlannedTarget | null> = plan.targets.length === 0 ? [null] : plan.targets;
    return targets.map((target) => {
      const outcome = plan.skip !== null || target === null ? undefined : outcomes.get(target.key);
      const sharedWith = outcome === undefined ? [] : (sharers.get(target?.key ?? '') ?? []);
      return planResult(plan, target, outcome, sharedWith);
    });
  });
}

/**
 * The result of one exposure × target: the target's outcome for a candidate exposure, else the
 * exposure's own skip. `wantedBy`: the exposures served by the same refresh decision.
 */
export function planResult(
  plan: ExposurePlan,
  target: PlannedTarget | null,
  outcome: TargetResult | undefined,
  wantedBy: readonly string[],
): RefreshResult {
  const known: TargetResult = outcome ?? {
    status: 'skipped',
    reason: plan.skip?.reason ?? 'no_refresh_target',
    detail: plan.skip?.detail ?? 'nothing to refresh in Tableau',
    ts: '',
  };
  const sharedWith = outcome === undefined ? [] : wantedBy.filter((name) => name !== plan.exposure);
  return {
    exposure: plan.exposure,
    target: target === null ? null : { kind: target.kind, luid: target.luid, name: target.name },
    status: known.status,
    ...(known.reason === undefined ? {} : { reason: known.reason }),
    ...(known.detail === undefined ? {} : { detail: known.detail }),
    ...(known.jobId === undefined ? {} : { jobId: known.jobId }),
    ...(known.durationMs === undefined ? {} : { durationMs: known.durationMs }),
    ...(sharedWith.length === 0 ? {} : { sharedWith }),
    upstream: { rebuilt: [...plan.upstream.rebuilt], failed: [...plan.upstream.failed] },
  };
}

/**
 * The `Done.` counts: exposures, and each distinct refresh target once, by the outcome of its one
 * refresh decision (a target some exposure wanted refreshed counts by that outcome, else skipped).
 */
export function summarize(
  plans: readonly ExposurePlan[],
  results: readonly RefreshResult[],
  refreshCalls: number,
): RefreshSummary {
  const byTarget = new Map<string, RefreshStatus>();
  for (const result of results) {
    if (result.target === null) continue;
    const key = refreshTargetKey(result.target);
    if (byTarget.get(key) === undefined || result.status !== 'skipped') {
      byTarget.set(key, result.status);
    }
  }
  const count = (status: RefreshStatus): number =>
    [...byTarget.values()].filter((s) => s === status).length;
  return {
    exposures: plans.length,
    targets: byTarget.size,
    triggered: count('triggered'),
    refreshed: count('success'),
    skipped: count('skipped'),
    errors: count('error'),
    refreshCalls,
  };
}

/** The dbt-like line of one result (`N of M` ties it to its exposure's START line). */
export function resultLine(
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
  if (result.status === 'skipped' || result.target === null) return skippedEntry(context, data);
  if (result.status === 'triggered')
    return triggeredEntry(context, { ...data, target: result.target });
  return refreshedEntry(context, { ...data, target: result.target });
}
