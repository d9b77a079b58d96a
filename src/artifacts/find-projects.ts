/**
 * `findDbtProjects`: every dbt project (and its artifacts) under one or more roots, for monorepos
 * holding several projects.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { ArtifactError, abortedError } from '../errors.js';
import { compareStrings } from '../util/compare.js';
import { loadDbtProject } from './dbt-project.js';
import type { DbtProjectArtifacts } from './types.js';

/** Folders never searched: installed packages, VCS data, Python environments. */
export const SKIPPED_DIRECTORIES: readonly string[] = [
  'node_modules',
  'dbt_packages',
  'dbt_modules',
  '.git',
  'site-packages',
];

const IGNORE = SKIPPED_DIRECTORIES.map((dir) => `**/${dir}/**`);

/** Options of `findDbtProjects`. */
export interface FindDbtProjectsOptions {
  /** Checked between steps; the search then rejects with `ERR_ABORTED`. */
  signal?: AbortSignal | undefined;
}

/**
 * Find dbt projects under `root` (or each of `roots`). A project is a directory with a
 * `dbt_project.yml` (its artifacts are looked for in its `target-path`, default `target/`), or,
 * with no `dbt_project.yml`, the parent of a `target/` directory holding `manifest.json` or
 * `run_results.json`. Skips `SKIPPED_DIRECTORIES` and hidden directories. Paths are absolute;
 * the result is sorted by `projectDir` and has one entry per directory. A root that does not
 * exist is `ERR_ARTIFACT_NOT_FOUND`. A `dbt_project.yml` that cannot be read, or whose target path
 * holds Jinja, does not hide its project: its artifacts are looked for in `target/`.
 */
export async function findDbtProjects(
  root: string | readonly string[],
  opts: FindDbtProjectsOptions = {},
): Promise<DbtProjectArtifacts[]> {
  const { signal } = opts;
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortedError('Finding dbt projects', signal);
  };
  const roots = (typeof root === 'string' ? [root] : [...root]).map((r) => resolve(r));
  const projects = new Map<string, DbtProjectArtifacts>();
  for (const dir of roots) {
    throwIfAborted();
    await assertDirectory(dir);
    const found = await fg(
      ['**/dbt_project.yml', '**/target/manifest.json', '**/target/run_results.json'],
      {
        cwd: dir,
        absolute: true,
        ignore: IGNORE,
        onlyFiles: true,
        followSymbolicLinks: false,
        suppressErrors: true,
      },
    );
    const projectFiles = found.filter((f) => f.endsWith('/dbt_project.yml')).sort(compareStrings);
    for (const file of projectFiles) {
      throwIfAborted();
      const projectDir = resolve(dirname(file));
      if (projects.has(projectDir)) continue;
      const targetDir = resolve(projectDir, await targetPath(projectDir, signal));
      projects.set(projectDir, {
        projectDir,
        manifestPath: await fileOrNull(join(targetDir, 'manifest.json')),
        runResultsPath: await fileOrNull(join(targetDir, 'run_results.json')),
      });
    }
    const artifactFiles = found.filter((f) => !f.endsWith('/dbt_project.yml')).sort(compareStrings);
    for (const file of artifactFiles) {
      const projectDir = resolve(dirname(dirname(file)));
      if (projects.has(projectDir)) continue;
      const targetDir = join(projectDir, 'target');
      projects.set(projectDir, {
        projectDir,
        manifestPath: await fileOrNull(join(targetDir, 'manifest.json')),
        runResultsPath: await fileOrNull(join(targetDir, 'run_results.json')),
      });
    }
  }
  return [...projects.values()].sort((a, b) => compareStrings(a.projectDir, b.projectDir));
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ArtifactError(
      'ERR_ARTIFACT_NOT_FOUND',
      `${dir} is not a directory: pass the folder that holds your dbt project(s).`,
      {
        file: dir,
        expected: 'a directory',
        hint: 'pass the folder that holds your dbt project(s)',
      },
    );
  }
}

/** `target-path` from dbt_project.yml; dbt's default `target` when unset, templated or unreadable. */
async function targetPath(projectDir: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    const { targetPath } = await loadDbtProject(projectDir, { signal });
    return targetPath === null || targetPath.includes('{{') ? 'target' : targetPath;
  } catch (error) {
    if (error instanceof ArtifactError) return 'target';
    throw error;
  }
}

async function fileOrNull(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}
