/**
 * Whether a run_results.json belongs with a manifest.json (pure). `dbt build` (and every command
 * that writes run_results) writes both with one `metadata.invocation_id`; a later `dbt parse`,
 * `compile`, `ls` or `docs generate` rewrites the manifest under a new one. Pairing a run with
 * another invocation's graph, or another project's, silently skews which exposures count as
 * rebuilt, so each mismatch is a warning note:
 *
 * - `RUN_RESULTS_OLDER_THAN_MANIFEST`: other invocation, and run_results written before the
 *   manifest (a later dbt command rewrote the manifest: the project may have changed since).
 * - `RUN_RESULTS_OTHER_INVOCATION`: other invocation, and run_results not older (the manifest is
 *   not the one that run wrote: another target path, another checkout).
 * - `RUN_RESULTS_UNKNOWN_NODES`: most of the run's nodes (hooks aside) are not in the manifest
 *   (another project).
 *
 * Same invocation id: they belong together, nothing is said. Docs: docs/artifacts.md.
 */
import type { ArtifactNote, Manifest, RunResults } from './types.js';

/** Warnings about pairing `runResults` with `manifest`; empty when they belong together. */
export function checkArtifactPairing(runResults: RunResults, manifest: Manifest): ArtifactNote[] {
  const notes: ArtifactNote[] = [];
  const run = describe(
    runResults.path ?? 'run_results.json',
    runResults.invocationId,
    runResults.generatedAt,
  );
  const graph = describe(
    manifest.path ?? 'manifest.json',
    manifest.invocationId,
    manifest.generatedAt,
  );
  const sameInvocation =
    runResults.invocationId !== null && runResults.invocationId === manifest.invocationId;
  if (!sameInvocation) {
    const runAt = Date.parse(runResults.generatedAt ?? '');
    const graphAt = Date.parse(manifest.generatedAt ?? '');
    const older = runAt < graphAt;
    if (older) {
      notes.push({
        level: 'warn',
        code: 'RUN_RESULTS_OLDER_THAN_MANIFEST',
        message:
          `${run} is older than ${graph}: a later dbt command rewrote the manifest, so the run ` +
          'is read against a graph that may have changed since. Use the manifest of the same run.',
      });
    } else if (runResults.invocationId !== null && manifest.invocationId !== null) {
      notes.push({
        level: 'warn',
        code: 'RUN_RESULTS_OTHER_INVOCATION',
        message:
          `${run} and ${graph} come from different dbt invocations: the manifest is not the one ` +
          'that run wrote. Use the manifest of the same run.',
      });
    }
  }
  const nodes = runResults.results.filter((r) => !r.uniqueId.startsWith('operation.'));
  const unknown = nodes.filter((r) => !manifest.resourceTypes.has(r.uniqueId));
  if (unknown.length * 2 > nodes.length) {
    const project = manifest.projectName === null ? '' : ` (project ${manifest.projectName})`;
    const sample = unknown
      .slice(0, 3)
      .map((r) => r.uniqueId)
      .join(', ');
    notes.push({
      level: 'warn',
      code: 'RUN_RESULTS_UNKNOWN_NODES',
      message:
        `${unknown.length} of the ${nodes.length} nodes in ${runResults.path ?? 'run_results.json'} ` +
        `are not in ${manifest.path ?? 'manifest.json'}${project} (${sample}` +
        `${unknown.length > 3 ? ', …' : ''}): the run comes from another project. Use the ` +
        'manifest of the same run.',
    });
  }
  return notes;
}

function describe(file: string, invocationId: string | null, generatedAt: string | null): string {
  const facts = [
    invocationId === null ? null : `invocation ${invocationId}`,
    generatedAt === null ? null : `written ${generatedAt}`,
  ].filter((f) => f !== null);
  return facts.length === 0 ? file : `${file} (${facts.join(', ')})`;
}
