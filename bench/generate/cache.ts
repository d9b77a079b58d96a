/**
 * Generated inputs cached on disk under `bench/out/data/`, keyed by kind, size, seed and generator
 * version, so a second run skips generation. A bump of GENERATOR_VERSION invalidates every file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTableauSnapshot } from '../library.js';
import { type ManifestStats, modelsForBytes, writeManifestFile } from './manifest.js';
import { MATCHABLE_PER_MODEL, type ProjectPlan, planProject } from './project.js';
import { generateSite } from './site.js';

/** Bump when any generator's output changes. */
export const GENERATOR_VERSION = 1;

export interface CachedManifest {
  path: string;
  stats: ManifestStats;
}

/** A bulk manifest of about `targetBytes`, generated once per seed and version. */
export function cachedManifest(dataDir: string, seed: number, targetBytes: number): CachedManifest {
  const label = `${Math.round(targetBytes / 1e6)}MB`;
  const path = join(dataDir, `manifest-${label}-s${seed}-g${GENERATOR_VERSION}.json`);
  const statsPath = `${path}.stats.json`;
  if (existsSync(path) && existsSync(statsPath)) {
    return { path, stats: JSON.parse(readFileSync(statsPath, 'utf8')) as ManifestStats };
  }
  const models = modelsForBytes(seed, targetBytes);
  const stats = writeManifestFile(path, planProject({ seed, models }));
  writeFileSync(statsPath, JSON.stringify(stats));
  return { path, stats };
}

/**
 * Share of the realistic bulk in a project's manifest: 50,000 matchable nodes at full bulk
 * (≈ 17 kB each) would be ≈ 860 MB, past what `JSON.parse` can take as one string (≈ 512 MB);
 * 0.3 keeps every node, fewer columns and tests, shorter code (≈ 6.2 kB a node, ≈ 310 MB).
 */
export const PROJECT_BULK = 0.3;

/** A dbt project directory (`dbt_project.yml`, `target/manifest.json`) and the plan behind it. */
export interface CachedProject {
  dir: string;
  manifestPath: string;
  stats: ManifestStats;
  plan: ProjectPlan;
}

/** A project of about `nodes` matchable nodes (manifest bulk PROJECT_BULK), generated once. */
export function cachedProject(dataDir: string, seed: number, nodes: number): CachedProject {
  const plan = planProject({ seed, models: Math.round(nodes / MATCHABLE_PER_MODEL) });
  const dir = join(dataDir, `project-n${nodes}-s${seed}-g${GENERATOR_VERSION}`);
  const manifestPath = join(dir, 'target', 'manifest.json');
  const statsPath = join(dir, 'manifest-stats.json');
  if (existsSync(manifestPath) && existsSync(statsPath)) {
    const stats = JSON.parse(readFileSync(statsPath, 'utf8')) as ManifestStats;
    return { dir, manifestPath, stats, plan };
  }
  mkdirSync(join(dir, 'target'), { recursive: true });
  writeFileSync(
    join(dir, 'dbt_project.yml'),
    `name: ${plan.projectName}\nversion: '1.0.0'\nprofile: acme\n`,
  );
  const stats = writeManifestFile(manifestPath, plan, { bulk: PROJECT_BULK });
  writeFileSync(statsPath, JSON.stringify(stats));
  return { dir, manifestPath, stats, plan };
}

/**
 * A Tableau snapshot file (the format `sync --snapshot` reads) of `workbooks` × `tablesPerWorkbook`
 * drawn from the project's plan, written once with the library's `writeTableauSnapshot`.
 */
export async function cachedSnapshot(
  project: CachedProject,
  seed: number,
  workbooks: number,
  tablesPerWorkbook = 20,
): Promise<string> {
  const path = join(project.dir, `tableau-snapshot-w${workbooks}x${tablesPerWorkbook}.json`);
  if (existsSync(path)) return path;
  const site = generateSite(project.plan, { seed, workbooks, tablesPerWorkbook });
  await writeTableauSnapshot(path, site.workbooks);
  return path;
}
