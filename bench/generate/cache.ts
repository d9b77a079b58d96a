/**
 * Generated inputs cached on disk under `bench/out/data/`, keyed by kind, size, seed and generator
 * version, so a second run skips generation. A bump of GENERATOR_VERSION invalidates every file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ManifestStats, modelsForBytes, writeManifestFile } from './manifest.js';
import { planProject } from './project.js';

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
