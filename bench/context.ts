/** What every benchmark case receives from the runner. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './harness.js';

export interface BenchContext {
  quick: boolean;
  /** Seed of every generator (default 20260101). */
  seed: number;
  /** Where generated inputs are cached (git-ignored). */
  dataDir: string;
  /** The repository root. */
  root: string;
  /** The directory holding the compiled bench scripts (for child processes). */
  outDir: string;
  /** Print and record a row. */
  report(row: Row): void;
  /** Progress notes (stderr), never rows. */
  note(message: string): void;
}

/** Paths derived from where the compiled runner lives (`bench/out/bench/*.js`). */
export function benchPaths(): { root: string; outDir: string; dataDir: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..', '..', '..');
  const dataDir = join(root, 'bench', 'out', 'data');
  mkdirSync(dataDir, { recursive: true });
  return { root, outDir: here, dataDir };
}
