/**
 * `findDbtProjects`: every dbt project (and its artifacts) under one or more roots, for monorepos
 * holding several projects.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { ArtifactError } from '../errors.js';
import { readTopLevelKeys } from './dbt-project-yaml.js';
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
  /** Checked between steps; the search then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Find dbt projects under `root` (or each of `roots`). A project is a directory with a
 * `dbt_project.yml` (its artifacts are looked for in its `target-path`, default `target/`), or,
 * with no `dbt_project.yml`, the parent of a `target/` directory holding `manifest.json` or
 * `run_results.json`. Skips `SKIPPED_DIRECTORIES` and hidden directories. Paths are absolute;
 * the result is sorted by `projectDir` and has one entry per directory. A root that does not
 * exist is `ERR_ARTIFACT_NOT_FOUND`.
 */
export async function findDbtProjects(
  root: string | readonly string[],
  opts: FindDbtProjectsOptions = {},
): Promise<DbtProjectArtifacts[]> {
  const roots = (typeof root === 'string' ? [root] : [...root]).map((r) => resolve(r));
  const projects = new Map<string, DbtProjectArtifacts>();
  for (const dir of roots) {
    opts.signal?.throwIfAborted();
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
    const projectFiles = found.filter((f) => f.endsWith('/dbt_project.yml')).sort();
    for (const file of projectFiles) {
      opts.signal?.throwIfAborted();
      const projectDir = resolve(dirname(file));
      if (projects.has(projectDir)) continue;
      const targetDir = resolve(projectDir, await targetPath(file));
      projects.set(projectDir, {
        projectDir,
        manifestPath: await fileOrNull(join(targetDir, 'manifest.json')),
        runResultsPath: await fileOrNull(join(targetDir, 'run_results.json')),
      });
    }
    for (const file of found.filter((f) => !f.endsWith('/dbt_project.yml')).sort()) {
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
  return [...projects.values()].sort((a, b) =>
    a.projectDir < b.projectDir ? -1 : a.projectDir > b.projectDir ? 1 : 0,
  );
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ArtifactError(
      'ERR_ARTIFACT_NOT_FOUND',
      `${dir} is not a directory: pass the folder that holds your dbt project(s).`,
      { file: dir, expected: 'a directory' },
    );
  }
}

/** `target-path` from dbt_project.yml; `target` when absent or unreadable (dbt's default). */
async function targetPath(projectFile: string): Promise<string> {
  try {
    const text = await readFile(projectFile, 'utf8');
    // yaml loads only for a file outside the plain subset dbt_project.yml files are written in.
    const config: unknown =
      readTopLevelKeys(text, ['target-path']) ?? (await import('yaml')).parse(text);
    const value = (config as Record<string, unknown> | null)?.['target-path'];
    return typeof value === 'string' && value.trim() !== '' && !value.includes('{{')
      ? value
      : 'target';
  } catch {
    return 'target';
  }
}

async function fileOrNull(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}
