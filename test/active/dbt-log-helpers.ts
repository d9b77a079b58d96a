/**
 * dbt JSON logs written by the tests, in the shapes real logs have (test/fixtures/dbt-logs and
 * ../shared/fixtures/dbt-logs): dbt Core's (spaced JSON, `N of M` start lines) and dbt Fusion's
 * (compact JSON, no `N of M`, text separator lines). With each log, the run_results.json the same
 * invocation writes, so followDbtLog can be compared with maybeRefresh.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, parseManifest, parseRunResults, type RunResults } from '../../src/index.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

export const INVOCATION = '5d1a7e2c-0000-4000-8000-00000000abcd';

/** The committed real log (dbt 1.8.2 build, a failing test on customers). */
export const REAL_LOG = join(repoFixtures, 'dbt-logs', 'ol-pg-build-1.8.2-testfail.jsonl');
export const REAL_MANIFEST_PATH = join(
  repoFixtures,
  'dbt-logs',
  'ol-pg-build-1.8.2-testfail',
  'manifest.json',
);

let manifest: Manifest | undefined;
/** The jaffle_shop manifest of the real log (its node ids are the ones the written logs use). */
export function jaffleManifest(): Manifest {
  manifest ??= parseManifest(JSON.parse(readFileSync(REAL_MANIFEST_PATH, 'utf8')), {
    path: REAL_MANIFEST_PATH,
  });
  return manifest;
}

export function realLogLines(): string[] {
  return readFileSync(REAL_LOG, 'utf8').split('\n');
}

export interface NodeRun {
  id: string;
  status: string;
  message?: string;
}

export type Flavour = 'core' | 'fusion';

/** One dbt run written as a log, with the run_results it writes. */
export interface WrittenRun {
  lines: string[];
  /** Index in `lines` of each node's NodeFinished line. */
  finishedAt: Map<string, number>;
  runResults: RunResults;
}

/**
 * The log of `dbt <command>` running `nodes` in order (each: NodeStart, LogStartLine, NodeFinished),
 * then CommandCompleted; Fusion's also has its `==== <id> ====` separator line (not JSON).
 */
export function writeRun(
  flavour: Flavour,
  command: string,
  nodes: NodeRun[],
  options: { invocationId?: string; pid?: number; complete?: boolean } = {},
): WrittenRun {
  const invocationId = options.invocationId ?? INVOCATION;
  const pid = options.pid ?? 4242;
  let second = 0;
  const ts = (): string => new Date(Date.UTC(2026, 2, 1, 12, 0, second++)).toISOString();
  const event = (name: string, code: string, level: string, msg: string, data: object) => {
    const line = {
      data,
      info: {
        category: '',
        code,
        extra: {},
        invocation_id: invocationId,
        level,
        msg,
        name,
        pid,
        thread: flavour === 'core' ? 'MainThread' : 'tokio-runtime-worker',
        ts: ts(),
      },
    };
    return flavour === 'core'
      ? JSON.stringify(line, null, 0).replace(/":/g, '": ')
      : JSON.stringify(line);
  };
  const lines: string[] = [];
  if (flavour === 'fusion') lines.push(`${'='.repeat(30)} ${invocationId} ${'='.repeat(30)}`);
  lines.push(
    event(
      'MainReportVersion',
      'A001',
      'info',
      flavour === 'core' ? 'Running with dbt=1.9.8' : 'Running with dbt-fusion=2.0.0-preview.154',
      flavour === 'core' ? { log_version: 3, version: '=1.9.8' } : {},
    ),
  );
  lines.push(
    event('MainReportArgs', 'A002', 'debug', 'running dbt with arguments', {
      args: { invocation_command: `dbt ${command} --log-format json`, log_format: 'json' },
    }),
  );
  const finishedAt = new Map<string, number>();
  nodes.forEach((node, i) => {
    const resourceType = node.id.split('.')[0] ?? 'model';
    const nodeInfo = (status: string) => ({
      materialized: 'table',
      node_name: node.id.split('.').at(-1),
      node_status: status,
      resource_type: resourceType,
      unique_id: node.id,
    });
    lines.push(
      event('NodeStart', 'Q024', 'debug', `Began running node ${node.id}`, {
        node_info: nodeInfo('started'),
      }),
    );
    lines.push(
      event(
        'LogStartLine',
        'Q011',
        'info',
        `${i + 1} of ${nodes.length} START ${node.id}`,
        flavour === 'core'
          ? {
              description: node.id,
              index: i + 1,
              node_info: nodeInfo('started'),
              total: nodes.length,
            }
          : { node_info: nodeInfo('started') },
      ),
    );
    lines.push(
      event('NodeFinished', 'Q025', 'debug', `Finished running node ${node.id}`, {
        node_info: nodeInfo(node.status),
        run_result: {
          execution_time: 0.5,
          message: node.message ?? node.status.toUpperCase(),
          status: node.status,
          ...(flavour === 'core' ? { num_failures: 0, thread: 'Thread-1', timing_info: [] } : {}),
        },
      }),
    );
    finishedAt.set(node.id, lines.length - 1);
  });
  const success = nodes.every((n) => ['success', 'pass', 'warn'].includes(n.status));
  if (options.complete !== false) {
    lines.push(
      event('CommandCompleted', 'Q039', flavour === 'core' ? 'debug' : 'info', 'done', {
        completed_at: ts(),
        elapsed: nodes.length * 0.5,
        success,
        ...(flavour === 'core' ? { command: `dbt ${command}` } : {}),
      }),
    );
  }
  const runResults = parseRunResults(
    {
      metadata: {
        dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
        dbt_version: flavour === 'core' ? '1.9.8' : '2.0.0-preview.154',
        generated_at: '2026-03-01T12:01:00.000000Z',
        invocation_id: invocationId,
        env: {},
      },
      results: nodes.map((node) => ({
        status: node.status,
        timing: [],
        thread_id: 'Thread-1',
        execution_time: 0.5,
        adapter_response: {},
        message: node.message ?? node.status.toUpperCase(),
        failures: null,
        unique_id: node.id,
        compiled: true,
        compiled_code: '',
        relation_name: null,
      })),
      elapsed_time: nodes.length * 0.5,
      args: { which: command },
    },
    { path: 'run_results.json' },
  );
  return { lines, finishedAt, runResults };
}

/** Lines a test hands out at its own pace: the follower waits while they are held back. */
export interface LineFeed extends AsyncIterable<string> {
  push(...lines: string[]): void;
  end(): void;
  /** Whether the follower asked for a line after the last one pushed (it is waiting). */
  readonly ended: boolean;
}

export function lineFeed(): LineFeed {
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  return {
    push(...lines) {
      queue.push(...lines);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    get ended() {
      return ended;
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const line = queue.shift();
        if (line !== undefined) {
          yield line;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/** Resolves when `check` holds (looked at every 5 ms), rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
