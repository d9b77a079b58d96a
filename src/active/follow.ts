/**
 * `followDbtLog`: read dbt's structured JSON log while dbt writes it, and refresh an exposure's
 * targets as soon as its upstream is done, instead of at the end of the whole build. What is left
 * is decided when the invocation ends, from the run_results its log amounts to, by maybeRefresh's
 * own decisions (./decide.ts). Semantics: docs/active-exposures.md, "Following dbt's log".
 */

import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { RunResults } from '../artifacts/types.js';
import { ArtifactError, abortedError, ConfigError } from '../errors.js';
import { invocationEndedEntry, logLineSkippedEntry, readyEntry } from '../log/entries.js';
import { closure } from '../util/graph.js';
import {
  applyEvent,
  type DbtInvocation,
  invocationRunResults,
  isBuildInvocation,
  newInvocation,
  readDbtLogLine,
} from './dbt-log.js';
import { type ExposurePlan, planExposures } from './decide.js';
import { CAUGHT_UP, fileLines, streamLines } from './log-lines.js';
import type { RefreshReport } from './report.js';
import { openRefreshRun, type RefreshRunOptions } from './session.js';

/**
 * Options of `followDbtLog`: where dbt's JSON log comes from (`source` or `path`), how often a
 * file is polled, and every `RefreshRunOptions`.
 */
export interface FollowDbtLogOptions extends RefreshRunOptions {
  /**
   * dbt's JSON log as it is written: a readable stream (e.g. `process.stdin` under
   * `dbt build --log-format json | …`) or an (async) iterable of lines. Read to its end; the
   * invocation ends at its `CommandCompleted` event or at the end of the stream. Give `source`
   * or `path`.
   */
  source?: Readable | AsyncIterable<string> | Iterable<string> | undefined;
  /**
   * A log file dbt appends to (`--log-format-file json` writes `logs/dbt.log`). Read from its
   * start; invocations that completed before the follower caught up with the file are past runs
   * and are passed over. Followed until the invocation's `CommandCompleted`, or until its dbt
   * process (`info.pid`, when this machine sees it) is gone.
   */
  path?: string | undefined;
  /** How often a followed file is checked for new lines, in ms. Default 200. */
  pollIntervalMs?: number | undefined;
}

const DEFAULT_POLL_MS = 200;
/** Commands whose run includes tests (which can block an exposure). */
const COMMANDS_WITH_TESTS: ReadonlySet<string> = new Set(['build', 'retry']);
const TEST_TYPES: ReadonlySet<string> = new Set(['test', 'unit_test']);

/**
 * Follow one dbt invocation through its JSON log and refresh as its nodes finish.
 *
 * An exposure is refreshed while dbt still runs once its plan is a refresh (maybeRefresh's rules
 * over the nodes finished so far) and no node it depends on can still change: every selected node
 * of its upstream closure, and every test on them, has finished. Which nodes the invocation
 * selected is read from the log itself: a node is selected once it starts (NodeStart); a node
 * that has not started cannot start any more when every dependency of the exposure has finished
 * (dbt starts a node only after its selected ancestors, and in `build` after their tests) or when
 * as many nodes have started as dbt Core's `N of M` lines announce.
 *
 * Never throws for Tableau failures or aborts (reported per target); an abort ends the following
 * and decides the rest as aborted.
 * @throws ConfigError before any I/O: `ERR_CONFIG` for a bad `DBT_ACTIVE_EXPOSURES*` value,
 *   `ERR_INVALID_OPTION` for a bad option (e.g. both or neither of `source` and `path`).
 */
export async function followDbtLog(options: FollowDbtLogOptions): Promise<RefreshReport> {
  const { source, path } = options;
  if ((source === undefined) === (path === undefined)) {
    throw new ConfigError(
      'ERR_INVALID_OPTION',
      'Option source or path must be given (one of them)',
      {
        field: 'source',
        expected: 'a stream or iterable of log lines, or else path: a log file',
      },
    );
  }
  const run = openRefreshRun(options, {
    invocationId: null,
    command: null,
    source: path === undefined ? 'dbt log stream' : 'dbt log file',
  });
  if (!run.settings.enabled) {
    // Keep reading a pipe to its end: a writer whose reader left would fail (EPIPE).
    if (source !== undefined) for await (const _ of streamLines(source));
    return run.disabled();
  }
  run.header();
  const follower = new Follower(options, run);
  const lines =
    path === undefined
      ? streamLines(source as Readable | AsyncIterable<string> | Iterable<string>)
      : fileLines(path, {
          pollMs: options.pollIntervalMs ?? DEFAULT_POLL_MS,
          signal: options.signal,
        });
  let lineNumber = 0;
  for await (const line of lines) {
    if (line === CAUGHT_UP) {
      if (follower.caughtUp()) break;
      continue;
    }
    lineNumber += 1;
    // After the end, a stream is still read to its end (see above), a file is left.
    if (follower.ended !== undefined) continue;
    if (follower.read(line, lineNumber) && path !== undefined) break;
    if (options.signal?.aborted === true) break;
  }
  return follower.finish(path ?? null);
}

type Run = ReturnType<typeof openRefreshRun>;

/** The state of one following: the invocation followed, what was decided early. */
class Follower {
  ended: 'command_completed' | 'end_of_log' | 'process_gone' | undefined;
  private current: DbtInvocation | undefined;
  /** The last invocation passed over (a command before the build): decided if no build follows. */
  private passed: DbtInvocation | undefined;
  /** Lines read before the first catch-up of a file are past: they decide nothing early. */
  private live: boolean;
  private pidSeenAlive = false;
  private readonly pending: Promise<void>[] = [];
  private readonly dependsOn: ReadonlyMap<string, readonly string[]>;
  private readonly testsOf: ReadonlyMap<string, readonly string[]>;
  /** The exposures whose upstream holds each node (their closure and the tests on it). */
  private readonly exposuresOf = new Map<string, string[]>();

  constructor(
    private readonly options: FollowDbtLogOptions,
    private readonly run: Run,
  ) {
    this.live = options.path === undefined;
    this.dependsOn = new Map(
      options.lineage.exposures.map((e) => [e.name, e.dependsOn.map((d) => d.uniqueId)]),
    );
    this.testsOf = testsByNode(options);
    const parents = options.manifest?.parentMap ?? new Map<string, readonly string[]>();
    for (const [name, dependencies] of this.dependsOn) {
      const upstream = closure(dependencies, parents);
      for (const id of [...upstream])
        for (const test of this.testsOf.get(id) ?? []) upstream.add(test);
      for (const id of upstream)
        this.exposuresOf.set(id, [...(this.exposuresOf.get(id) ?? []), name]);
    }
  }

  /** Read one line; true when the followed invocation ended with it. */
  read(line: string, lineNumber: number): boolean {
    const read = readDbtLogLine(line);
    if (read.kind === 'not_json') {
      this.run.debug(
        logLineSkippedEntry(this.run.entryContext(), {
          line: lineNumber,
          length: line.length,
          reason: 'not a JSON event',
        }),
      );
      return false;
    }
    if (read.kind === 'other') return false;
    if (this.current?.invocationId !== read.invocationId) {
      // Another invocation: a later one supersedes one that never completed (it was killed).
      this.current = newInvocation(read.invocationId);
      this.pidSeenAlive = false;
    }
    const current = this.current;
    const effect = applyEvent(current, read.event);
    if (effect === 'completed') {
      // A past run, or a command before the build (deps, debug…): not the one to follow.
      if (!this.live || (current.command !== null && !isBuildInvocation(current))) {
        if (this.live) this.passed = current;
        this.current = undefined;
        return false;
      }
      this.ended = 'command_completed';
      return true;
    }
    if (!this.live) return false;
    if (effect === 'node_finished') {
      // Only the exposures this node is upstream of can have become ready.
      this.decideEarly(this.exposuresOf.get(current.lastFinished ?? '') ?? []);
    } else if (effect === 'node_started' && current.started.size === current.total) {
      this.decideEarly(null);
    }
    return false;
  }

  /** A file source read all that is written so far; true when following should stop. */
  caughtUp(): boolean {
    if (!this.live) {
      this.live = true;
      this.decideEarly(null);
    }
    const pid = this.current?.pid ?? null;
    if (pid === null) return false;
    const alive = isProcessAlive(pid);
    // Only a process once seen alive can be seen gone (dbt may run on another machine).
    if (alive) this.pidSeenAlive = true;
    else if (this.pidSeenAlive) {
      this.ended = 'process_gone';
      return true;
    }
    return false;
  }

  /**
   * Refresh the exposures (of `names`; null: all) whose upstream is done, while dbt still runs.
   */
  private decideEarly(names: readonly string[] | null): void {
    const current = this.current;
    if (current === undefined || !isBuildInvocation(current)) return;
    const open = new Set(
      (names ?? [...this.dependsOn.keys()]).filter((name) => !this.run.isStarted(name)),
    );
    if (open.size === 0) return;
    const plans = this.plans(invocationRunResults(current, null), open);
    const ready = new Set<string>();
    for (const plan of plans) {
      if (this.run.isStarted(plan.exposure)) continue;
      const why = this.readiness(plan, current);
      if (why === null) continue;
      ready.add(plan.exposure);
      const tests = plan.upstream.closure.flatMap((id) => this.testsOf.get(id) ?? []);
      this.run.debug(
        readyEntry(this.run.entryContext(), {
          exposure: plan.exposure,
          finished: plan.upstream.closure.filter((id) => current.finished.has(id)),
          tests: [...new Set(tests)].filter((id) => current.finished.has(id)).sort(),
          why,
        }),
      );
    }
    if (ready.size > 0) this.pending.push(this.run.start(plans, (p) => ready.has(p.exposure)));
  }

  /** Why nothing upstream of `plan` can change any more in this invocation, or null. */
  private readiness(plan: ExposurePlan, current: DbtInvocation): string | null {
    if (plan.skip !== null) return null;
    const running = (id: string): boolean => current.started.has(id) && !current.finished.has(id);
    const tests = plan.upstream.closure.flatMap((id) => this.testsOf.get(id) ?? []);
    if (plan.upstream.closure.some(running) || tests.some(running)) return null;
    if (current.total !== null && current.started.size >= current.total) {
      return 'every selected node has started';
    }
    const dependencies = this.dependsOn.get(plan.exposure) ?? [];
    if (!dependencies.every((id) => current.finished.has(id))) return null;
    if (!COMMANDS_WITH_TESTS.has(current.command ?? '')) {
      return 'its dependencies finished';
    }
    return tests.every((id) => current.finished.has(id))
      ? 'its dependencies and their tests finished'
      : null;
  }

  /** maybeRefresh's plans over `runResults`, for the exposures named in `only` (default all). */
  private plans(runResults: RunResults, only?: ReadonlySet<string>): ExposurePlan[] {
    const { lineage } = this.options;
    return planExposures({
      lineage:
        only === undefined
          ? lineage
          : { ...lineage, exposures: lineage.exposures.filter((e) => only.has(e.name)) },
      runResults,
      manifest: this.options.manifest,
      refreshOnTestFailure: this.options.refreshOnTestFailure,
    });
  }

  /** Decide the rest as maybeRefresh would from this invocation's run_results. */
  async finish(path: string | null): Promise<RefreshReport> {
    this.ended ??= 'end_of_log';
    const current = this.current ?? this.passed ?? newInvocation('');
    const runResults = invocationRunResults(current, path);
    if (current.invocationId === '') runResults.invocationId = null;
    this.run.setInvocation(runResults.invocationId);
    this.run.log(
      invocationEndedEntry(this.run.entryContext(), {
        how: this.ended,
        command: current.command,
        finished: current.finished.size,
        success: current.completed?.success ?? null,
      }),
    );
    const plans = this.plans(runResults);
    await Promise.all(this.pending);
    await this.run.start(plans, () => true);
    return this.run.finish(plans);
  }
}

/** The tests (data and unit) on each node, from the manifest's parent map. */
function testsByNode(options: FollowDbtLogOptions): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  const manifest = options.manifest;
  if (manifest === undefined) return byNode;
  for (const [id, type] of manifest.resourceTypes) {
    if (!TEST_TYPES.has(type)) continue;
    for (const parent of manifest.parentMap.get(id) ?? []) {
      byNode.set(parent, [...(byNode.get(parent) ?? []), id]);
    }
  }
  return byNode;
}

/** Whether a process with this id exists on this machine (EPERM: it exists, not ours). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The run_results a dbt invocation amounts to, from its JSON log (for a run killed before it
 * wrote run_results.json): its finished nodes with their statuses. The invocation is the last one
 * in the file that ran a build command, else the last one.
 *
 * @throws ArtifactError `ERR_ARTIFACT_NOT_FOUND` / `ERR_ARTIFACT_READ` when the file cannot be
 *   read, `ERR_ARTIFACT_KIND` when it holds no dbt JSON log event; `ERR_ABORTED` when `signal`
 *   aborts.
 */
export async function loadRunResultsFromLog(
  path: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted === true) throw abortedError(`Reading ${path}`, options.signal);
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ArtifactError(
      missing ? 'ERR_ARTIFACT_NOT_FOUND' : 'ERR_ARTIFACT_READ',
      `Cannot read dbt's log ${path}: ${missing ? 'no such file' : (error as Error).message}`,
      {
        file: path,
        hint: missing
          ? 'pass the log file dbt writes (logs/dbt.log, or the file of --log-path)'
          : 'check the file and its permissions',
      },
    );
  }
  const invocations = new Map<string, DbtInvocation>();
  for (const line of text.split('\n')) {
    const read = readDbtLogLine(line);
    if (read.kind !== 'event') continue;
    const invocation = invocations.get(read.invocationId) ?? newInvocation(read.invocationId);
    // Re-inserted so the map's order is the order invocations were last written.
    invocations.delete(read.invocationId);
    invocations.set(read.invocationId, invocation);
    applyEvent(invocation, read.event);
  }
  const all = [...invocations.values()];
  const chosen = all.filter(isBuildInvocation).at(-1) ?? all.at(-1);
  if (chosen === undefined) {
    throw new ArtifactError(
      'ERR_ARTIFACT_KIND',
      `${path} holds no dbt JSON log event (write it with --log-format json or --log-format-file json)`,
      {
        file: path,
        expected: "dbt's JSON log",
        hint: 'run dbt with --log-format json (or --log-format-file json) so its log holds JSON events',
      },
    );
  }
  return invocationRunResults(chosen, path);
}
