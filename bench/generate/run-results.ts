/**
 * run_results.json (v6) of a full `dbt build` over a plan: every enabled node that builds, in
 * order, mostly `success`, with a few errors and the skips they cause downstream.
 */
import type { ProjectPlan } from './project.js';
import { relationName } from './project.js';
import { Rng } from './rng.js';

export interface RunResultsOptions {
  seed: number;
  /** Share of nodes that error (default 0.002). Their direct children are skipped. */
  errorRate?: number;
}

/** The run_results JSON object (plain data; serialise with JSON.stringify). */
export function buildRunResults(
  plan: ProjectPlan,
  options: RunResultsOptions,
): Record<string, unknown> {
  const rng = new Rng(options.seed ^ 0x4e5);
  const errorRate = options.errorRate ?? 0.002;
  const failed = new Set<string>();
  const results: Record<string, unknown>[] = [];
  for (const node of plan.nodes) {
    if (!node.enabled || node.resourceType === 'source') continue;
    const upstreamFailed = node.dependsOn.some((p) => failed.has(p));
    const status = upstreamFailed ? 'skipped' : rng.chance(errorRate) ? 'error' : 'success';
    if (status !== 'success') failed.add(node.uniqueId);
    const started = `2026-01-01T01:${String(rng.int(0, 59)).padStart(2, '0')}:00.000000Z`;
    results.push({
      status,
      timing:
        status === 'skipped'
          ? []
          : [
              { name: 'compile', started_at: started, completed_at: started },
              { name: 'execute', started_at: started, completed_at: started },
            ],
      thread_id: `Thread-${rng.int(1, 8)} (worker)`,
      execution_time:
        status === 'skipped' ? 0 : Math.round(rng.logNormal(3000, 1, 10, 600_000)) / 1000,
      adapter_response:
        status === 'success'
          ? { _message: 'SUCCESS 1', code: 'SUCCESS', rows_affected: rng.int(0, 1e6) }
          : {},
      message:
        status === 'error'
          ? 'Database Error: SQL compilation error: invalid identifier'
          : status === 'success'
            ? 'SUCCESS 1'
            : null,
      failures: null,
      unique_id: node.uniqueId,
      compiled: status !== 'skipped',
      compiled_code: null,
      relation_name: node.materialized === 'ephemeral' ? null : relationName(node),
      batch_results: null,
    });
  }
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      dbt_version: '1.10.6',
      generated_at: '2026-01-01T02:00:00.000000Z',
      invocation_id: '00000000-0000-4000-8000-000000000000',
      invocation_started_at: '2026-01-01T01:00:00.000000Z',
      env: {},
    },
    results,
    elapsed_time: 3600.5,
    args: { which: 'build', select: [], exclude: [] },
  };
}
