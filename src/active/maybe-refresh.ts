/**
 * `maybeRefresh`: after a dbt build, refresh the Tableau extracts whose upstream was rebuilt, no
 * more often than the cadence allows, never onto failed data, and report exactly what was done
 * and why. Decide (pure, ./decide.ts), then act through the `Refresher` (./act.ts), then report;
 * every entry reaches the logger the moment it is made (./session.ts).
 * Semantics: docs/active-exposures.md.
 */

import { checkArtifactPairing } from '../artifacts/pairing.js';
import type { Manifest, RunResults } from '../artifacts/types.js';
import { artifactMismatchEntry } from '../log/entries.js';
import { planExposures } from './decide.js';
import type { RefreshReport } from './report.js';
import { openRefreshRun, type RefreshRunOptions } from './session.js';

/** Options of `maybeRefresh`: the dbt run's `runResults` and every `RefreshRunOptions`. */
export interface MaybeRefreshOptions extends RefreshRunOptions {
  /** The dbt run to react to. */
  runResults: RunResults;
}

/**
 * Decide and perform the refreshes of one dbt run.
 *
 * Never throws for Tableau failures or aborts (they are reported per target).
 * @throws ConfigError before any I/O: `ERR_CONFIG` for a bad `DBT_ACTIVE_EXPOSURES*` value,
 *   `ERR_INVALID_OPTION` for a bad option.
 */
export async function maybeRefresh(options: MaybeRefreshOptions): Promise<RefreshReport> {
  const { manifest, runResults } = options;
  const run = openRefreshRun(options, {
    invocationId: runResults.invocationId,
    command: runResults.command,
    source: 'run_results',
  });
  if (!run.settings.enabled) return run.disabled();

  // A run read against another invocation's graph (or project's) skews what counts as rebuilt.
  for (const note of manifest === undefined ? [] : checkArtifactPairing(runResults, manifest)) {
    const facts = (a: Manifest | RunResults) => ({
      path: a.path,
      invocationId: a.invocationId,
      generatedAt: a.generatedAt,
    });
    run.log(
      artifactMismatchEntry(run.entryContext(), {
        code: note.code,
        message: note.message,
        runResults: facts(runResults),
        manifest: facts(manifest as Manifest),
      }),
    );
  }

  run.header();
  const plans = planExposures(options);
  await run.start(plans, () => true);
  return run.finish(plans);
}
