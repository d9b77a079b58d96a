/** Builders for active exposures tests: lineage literals and the committed dbt fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../src/artifacts/manifest.js';
import { parseRunResults } from '../../src/artifacts/run-results.js';
import type { Manifest, RunResult, RunResults } from '../../src/artifacts/types.js';
import type {
  ExposureLineage,
  LineageExposure,
  LineageRefreshTarget,
} from '../../src/lineage/types.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

/** A refresh target literal. */
export function target(
  kind: 'workbook' | 'datasource',
  luid: string,
  name: string,
  hasExtracts = true,
): LineageRefreshTarget {
  return { kind, luid, name, hasExtracts, lastRefreshAt: null };
}

/** An exposure literal depending on `dependsOn` (unique ids) with `targets`. */
export function exposure(
  name: string,
  dependsOn: string[],
  targets: LineageRefreshTarget[],
): LineageExposure {
  return {
    name,
    uniqueId: `exposure.tableau.${name}`,
    label: name,
    type: 'dashboard',
    maturity: 'medium',
    url: null,
    owner: { name: 'BI team' },
    description: '',
    tags: ['tableau'],
    meta: { tableau: { workbookLuid: `wb-${name}`, projectName: null, updatedAt: null } },
    dependsOn: dependsOn.map((uniqueId) => ({
      uniqueId,
      ref: {
        kind: 'ref' as const,
        package: uniqueId.split('.')[1] ?? '',
        name: uniqueId.split('.').at(-1) ?? '',
        version: null,
      },
      tables: [],
      match: 'exact' as const,
    })),
    refreshTargets: targets,
    unmatchedTables: [],
  };
}

/** A lineage literal holding `exposures`. */
export function lineage(exposures: LineageExposure[]): ExposureLineage {
  return {
    version: 2,
    source: { kind: 'tableau', serverUrl: null, siteName: null },
    dbt: {
      projectName: null,
      packageName: 'tableau',
      adapterType: null,
      manifestSchemaVersion: 12,
      dbtVersion: '1.9.0',
    },
    exposures,
    ambiguous: [],
    skippedWorkbooks: [],
    stats: { workbooks: exposures.length, tables: 0, matched: 0, unmatched: 0 },
  };
}

const manifests = new Map<string, Manifest>();
const runs = new Map<string, RunResults>();

/** The committed fixture's manifest (parsed once). */
export function fixtureManifest(folder: string): Manifest {
  const path = join(repoFixtures, 'dbt', folder, 'manifest.json');
  let manifest = manifests.get(path);
  if (manifest === undefined) {
    manifest = parseManifest(JSON.parse(readFileSync(path, 'utf8')), { path });
    manifests.set(path, manifest);
  }
  return manifest;
}

/** The committed fixture's run_results (parsed once; callers get a copy they may change). */
export function fixtureRun(folder: string): RunResults {
  const path = join(repoFixtures, 'dbt', folder, 'run_results.json');
  let run = runs.get(path);
  if (run === undefined) {
    run = parseRunResults(JSON.parse(readFileSync(path, 'utf8')), { path });
    runs.set(path, run);
  }
  return { ...run, results: run.results.map((result) => ({ ...result })) };
}

/** A copy of `run` with some statuses changed (hand-made variants of real files). */
export function withStatuses(run: RunResults, statuses: Record<string, string>): RunResults {
  const seen = new Set<string>();
  const results = run.results.map((result): RunResult => {
    const status = statuses[result.uniqueId];
    if (status === undefined) return result;
    seen.add(result.uniqueId);
    return { ...result, status };
  });
  for (const id of Object.keys(statuses)) {
    if (!seen.has(id)) throw new Error(`withStatuses: ${id} is not in the run results`);
  }
  return { ...run, results };
}

export const BQ = 'v12_bigquery_1.9.0';
export const V4 = 'v4_bigquery_1.0.0';
export const FUSION = 'v12_duckdb_fusion_2.0.0-beta.2_exposures';
export const DOCS = 'v12_duckdb_1.11.12_exposures';

/** The decision time used by most tests. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');
/** `NOW` minus `minutes`. */
export function minutesAgo(minutes: number): Date {
  return new Date(NOW.getTime() - minutes * 60_000);
}
/** A clock that never advances (deterministic timestamps and elapsed times). */
export const frozenClock = (): number => 0;
