/**
 * Pure evidence from run_results: which dbt command produced them, and for one exposure which
 * nodes of its upstream closure were rebuilt or failed, and which failing tests guard that data.
 */
import type { Manifest, RunResult, RunResults } from '../artifacts/types.js';
import { compareStrings } from '../util/compare.js';

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
export const REBUILT_STATUSES: ReadonlySet<string> = new Set(['success', 'partial success']);
/** Statuses of a non-test node that mean its data is missing or stale from this run. */
export const FAILED_NODE_STATUSES: ReadonlySet<string> = new Set([
  'error',
  'runtime error',
  'fail',
  'skipped',
]);
/** Statuses of a test that mean the data it checks is bad. (`warn` and `skipped` do not.) */
export const FAILED_TEST_STATUSES: ReadonlySet<string> = new Set([
  'fail',
  'error',
  'runtime error',
]);

const TEST_TYPES: ReadonlySet<string> = new Set(['test', 'unit_test']);
const NOT_REBUILDS: ReadonlySet<string> = new Set(['test', 'unit_test', 'exposure']);

/** Whether run_results produced by `command` (`args.which`) can trigger refreshes. */
export function isBuildCommand(command: string | null): boolean {
  return command !== null && BUILD_COMMANDS.has(command);
}

/** run_results indexed for repeated exposure lookups. */
export interface RunIndex {
  byId: ReadonlyMap<string, RunResult>;
  /** Tests (data and unit) whose status says the data is bad, with the nodes they test. */
  failingTests: ReadonlyArray<{ uniqueId: string; status: string; parents: readonly string[] }>;
  /** Whether test parents are known (they come from the manifest's parent map). */
  testParentsKnown: boolean;
}

/** Resource type of a unique id: the manifest's when known, else the id's first segment. */
export function resourceTypeOf(uniqueId: string, manifest?: Manifest): string {
  const known = manifest?.resourceTypes.get(uniqueId);
  if (known !== undefined) return known;
  const dot = uniqueId.indexOf('.');
  return dot === -1 ? uniqueId : uniqueId.slice(0, dot);
}

/** Index run_results (the last result wins if an id repeats, as in a `retry`-merged file). */
export function indexRunResults(runResults: RunResults, manifest?: Manifest): RunIndex {
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
  return { byId, failingTests, testParentsKnown: manifest !== undefined };
}

/**
 * The upstream closure: the given nodes and, with a manifest, all their ancestors through
 * `parentMap`. Without a manifest only the given nodes (the exposure's direct dependencies).
 * Sorted.
 */
export function upstreamClosure(dependsOn: readonly string[], manifest?: Manifest): string[] {
  const seen = new Set<string>(dependsOn);
  if (manifest !== undefined) {
    const queue = [...dependsOn];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      for (const parent of manifest.parentMap.get(id) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
  }
  return [...seen].sort(compareStrings);
}

/** What this run did to one exposure's upstream. Every list sorted. */
export interface UpstreamAnalysis {
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
export function analyzeUpstream(
  dependsOn: readonly string[],
  index: RunIndex,
  options: { manifest?: Manifest | undefined; refreshOnTestFailure: boolean },
): UpstreamAnalysis {
  const { manifest } = options;
  const closure = upstreamClosure(dependsOn, manifest);
  const inClosure = new Set(closure);
  const rebuilt: string[] = [];
  const failedNodes: string[] = [];
  const failedDetail: string[] = [];
  const ignoredSkips: string[] = [];
  for (const id of closure) {
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
  const blockingTests = options.refreshOnTestFailure ? [] : failedTests;
  return {
    closure,
    fromManifest: manifest !== undefined,
    rebuilt,
    failed: [...failedNodes, ...blockingTests],
    failedDetail: [...failedDetail, ...(options.refreshOnTestFailure ? [] : testDetail)],
    failedTests,
    ignoredTestFailures: options.refreshOnTestFailure ? failedTests : [],
    ignoredSkips,
  };
}

/** A model the manifest knows but that has no warehouse relation (ephemeral; disabled ones never run). */
function isEphemeralModel(id: string, type: string, manifest: Manifest | undefined): boolean {
  return manifest !== undefined && type === 'model' && !manifest.nodes.has(id);
}
