/**
 * dbt's structured JSON log (`--log-format json`, `--log-format-file json`; dbt Core 1.5+ and dbt
 * Fusion's compatible JSON log): one event per line, `{ info: { name, invocation_id, pid, ts, … },
 * data: { … } }`. Only the fields read are validated; other events and fields pass. The events of
 * one invocation accumulate into the run_results the same invocation writes, so decisions over a
 * log are maybeRefresh's own (./decide.ts).
 */
import { z } from 'zod';
import { isFusionVersion } from '../artifacts/artifact.js';
import type { RunResult, RunResults } from '../artifacts/types.js';
import { isBuildCommand } from './decide.js';

const nodeInfo = z
  .object({
    unique_id: z.string(),
    resource_type: z.string().nullish(),
    node_status: z.string().nullish(),
    materialized: z.string().nullish(),
    node_relation: z.object({ relation_name: z.string().nullish() }).loose().nullish(),
  })
  .loose();

/** The fields of a dbt log event that the follower reads. */
const eventSchema = z
  .object({
    info: z
      .object({
        name: z.string(),
        invocation_id: z.string().nullish(),
        pid: z.number().nullish(),
        ts: z.string().nullish(),
        msg: z.string().nullish(),
      })
      .loose(),
    data: z
      .object({
        node_info: nodeInfo.nullish(),
        run_result: z
          .object({
            status: z.string().nullish(),
            message: z.string().nullish(),
            execution_time: z.number().nullish(),
            num_failures: z.number().nullish(),
          })
          .loose()
          .nullish(),
        // MainReportVersion
        version: z.string().nullish(),
        // MainReportArgs
        args: z
          .object({ which: z.string().nullish(), invocation_command: z.string().nullish() })
          .loose()
          .nullish(),
        // LogStartLine (dbt Core: "N of M")
        total: z.number().nullish(),
        // CommandCompleted
        success: z.boolean().nullish(),
        elapsed: z.number().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

type RawEvent = z.infer<typeof eventSchema>;

/** One line of dbt's log, read. */
export type DbtLogLine =
  | { kind: 'not_json' }
  /** JSON, but not a dbt event of an invocation (e.g. Fusion's info-only lines): ignored. */
  | { kind: 'other' }
  | { kind: 'event'; invocationId: string; event: RawEvent };

/** The events the follower reads; the others (SQL, connections, …) are only checked as JSON. */
const READ_EVENTS: ReadonlySet<string> = new Set([
  'MainReportVersion',
  'MainReportArgs',
  'LogStartLine',
  'NodeStart',
  'NodeFinished',
  'CommandCompleted',
]);

const nameSchema = z.object({ info: z.object({ name: z.string() }).loose() }).loose();

/** Read one line: a dbt event of an invocation, other JSON, or not JSON at all. */
export function readDbtLogLine(line: string): DbtLogLine {
  const text = line.trim();
  if (!text.startsWith('{')) return { kind: 'not_json' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'not_json' };
  }
  const named = nameSchema.safeParse(value);
  if (!named.success || !READ_EVENTS.has(named.data.info.name)) return { kind: 'other' };
  const parsed = eventSchema.safeParse(value);
  const invocationId = parsed.success ? parsed.data.info.invocation_id : null;
  if (!parsed.success || typeof invocationId !== 'string') return { kind: 'other' };
  return { kind: 'event', invocationId, event: parsed.data };
}

/** dbt's commands, to find the command in `invocation_command` (`dbt --log-format json run …`). */
const DBT_COMMANDS: ReadonlySet<string> = new Set([
  'build',
  'run',
  'seed',
  'snapshot',
  'retry',
  'test',
  'compile',
  'docs',
  'list',
  'ls',
  'parse',
  'show',
  'run-operation',
  'source',
  'clone',
  'debug',
  'deps',
  'clean',
  'init',
]);

function commandOf(invocationCommand: string): string | null {
  const words = invocationCommand.split(/\s+/).slice(1);
  return words.find((word) => DBT_COMMANDS.has(word)) ?? null;
}

/** What the log says about one dbt invocation so far. */
export interface DbtInvocation {
  invocationId: string;
  /** `args.which`, or the command in `invocation_command`; null until MainReportArgs. */
  command: string | null;
  dbtVersion: string | null;
  /** The dbt process (`info.pid`), when the log names it. */
  pid: number | null;
  /** Nodes that started (NodeStart), in order. */
  started: Set<string>;
  /** Nodes that finished (NodeFinished): their result as run_results would hold it. */
  finished: Map<string, RunResult>;
  /** The node of the latest NodeFinished. */
  lastFinished: string | null;
  /** Resource type of each node seen. */
  resourceTypes: Map<string, string>;
  /** How many nodes the invocation runs (dbt Core's `N of M`), when the log says. */
  total: number | null;
  /** CommandCompleted: whether dbt said it succeeded; undefined while running. */
  completed: { success: boolean | null; elapsed: number | null; ts: string | null } | undefined;
  /** `ts` of the latest event. */
  lastTs: string | null;
}

export function newInvocation(invocationId: string): DbtInvocation {
  return {
    invocationId,
    command: null,
    dbtVersion: null,
    pid: null,
    started: new Set(),
    finished: new Map(),
    lastFinished: null,
    resourceTypes: new Map(),
    total: null,
    completed: undefined,
    lastTs: null,
  };
}

/** What an event changed. */
export type EventEffect = 'node_started' | 'node_finished' | 'completed' | 'other';

/** Apply one event of `invocation` to it. */
export function applyEvent(invocation: DbtInvocation, event: RawEvent): EventEffect {
  const { info } = event;
  const data = event.data ?? {};
  if (typeof info.pid === 'number') invocation.pid = info.pid;
  if (typeof info.ts === 'string') invocation.lastTs = info.ts;
  switch (info.name) {
    case 'MainReportVersion': {
      // Core: data.version "=1.8.2"; Fusion: the message "Running with dbt-fusion=2.0.0-…".
      const raw = data.version ?? /=\s*(\S+)/.exec(info.msg ?? '')?.[1] ?? null;
      invocation.dbtVersion = raw === null ? null : raw.replace(/^=/, '');
      return 'other';
    }
    case 'MainReportArgs': {
      const which = data.args?.which ?? null;
      const command = data.args?.invocation_command ?? null;
      invocation.command = which ?? (command === null ? null : commandOf(command));
      return 'other';
    }
    case 'LogStartLine':
      if (typeof data.total === 'number') {
        invocation.total = Math.max(invocation.total ?? 0, data.total);
      }
      return 'other';
    case 'NodeStart': {
      const node = data.node_info;
      if (node == null || isEphemeral(node)) return 'other';
      invocation.started.add(node.unique_id);
      if (node.resource_type != null) {
        invocation.resourceTypes.set(node.unique_id, node.resource_type);
      }
      return 'node_started';
    }
    case 'NodeFinished': {
      const node = data.node_info;
      const status = data.run_result?.status ?? node?.node_status ?? null;
      if (node == null || status === null || isEphemeral(node)) return 'other';
      invocation.started.add(node.unique_id);
      if (node.resource_type != null) {
        invocation.resourceTypes.set(node.unique_id, node.resource_type);
      }
      invocation.lastFinished = node.unique_id;
      invocation.finished.set(node.unique_id, {
        uniqueId: node.unique_id,
        status,
        message: data.run_result?.message ?? null,
        executionTime: data.run_result?.execution_time ?? null,
        failures: data.run_result?.num_failures ?? null,
        timing: [],
        relationName: node.node_relation?.relation_name ?? null,
      });
      return 'node_finished';
    }
    case 'CommandCompleted':
      invocation.completed = {
        success: data.success ?? null,
        elapsed: data.elapsed ?? null,
        ts: info.ts ?? null,
      };
      return 'completed';
    default:
      return 'other';
  }
}

/**
 * dbt Core logs ephemeral models as nodes that start and finish (they are compiled into their
 * children), but neither counts them in `N of M` nor writes them to run_results.
 */
function isEphemeral(node: z.infer<typeof nodeInfo>): boolean {
  return node.materialized === 'ephemeral';
}

/**
 * The run_results the invocation writes (or would have written, had it not been killed): its
 * finished nodes, in the order they finished. `path` names the log.
 */
export function invocationRunResults(invocation: DbtInvocation, path: string | null): RunResults {
  const dbtVersion = invocation.dbtVersion ?? '';
  return {
    path,
    schemaVersion: 0,
    dbtVersion,
    isFusion: isFusionVersion(dbtVersion),
    invocationId: invocation.invocationId,
    generatedAt: invocation.completed?.ts ?? invocation.lastTs,
    command: invocation.command,
    elapsedTime: invocation.completed?.elapsed ?? null,
    results: [...invocation.finished.values()],
    notes: [],
  };
}

/** Whether the invocation rebuilds data (so refreshes may follow it). */
export function isBuildInvocation(invocation: DbtInvocation): boolean {
  return isBuildCommand(invocation.command);
}
