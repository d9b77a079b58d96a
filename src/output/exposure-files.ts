/**
 * Writing the exposures YAML into a dbt project directory without ever touching a hand-written
 * file: a file is "managed" when its first line is the generated-file marker. Names already used
 * by hand-written exposures are refused before anything is written. The files are switched as one
 * set (./output-set.ts): new and changed files and the removal of stale generated files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, LineageError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';
import {
  checkExposureNames,
  type ExposureNameCheckOptions,
  isGeneratedFile,
  type UnscannedYamlFile,
} from './exposure-scan.js';
import type { OutputSetPlan } from './output-set.js';
import {
  DEFAULT_EXPOSURES_FILE,
  GENERATED_MARKER,
  PROJECT_FILE_PREFIX,
  type RenderExposuresYamlOptions,
  renderExposuresYaml,
} from './yaml.js';

/** Options of `writeSyncOutputs`: the YAML's rendering and layout, the set's other files, the checks. */
export interface WriteSyncOutputsOptions extends RenderExposuresYamlOptions {
  /** File name for `groupBy: 'none'`. Default `tableau_exposures.yml`. */
  fileName?: string | undefined;
  /**
   * Where the lineage JSON goes (anywhere; `refresh` reads it), written in the same set as the
   * YAML. Default: no lineage file.
   */
  lineagePath?: string | undefined;
  /**
   * Other files of the set, e.g. `injectExposures`' manifest as JSON. Written only when their
   * content changed, before the lineage JSON. Default: none.
   */
  extraFiles?: ReadonlyArray<{ path: string; data: string }> | undefined;
  /**
   * Make every check and report what would be written, removed or left unchanged, without
   * writing anything (no lock is taken, an interrupted earlier write is not completed).
   * Default `false`.
   */
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Hand-written exposures whose names must not be written again (dbt rejects duplicate names).
   * The YAML files under `dir` are always scanned; `paths` adds directories or files (the CLI
   * passes the dbt project's resource paths), `exposures` adds names known by other means.
   * `false` skips the check. Default: scan `dir` only.
   */
  handWrittenExposures?: false | ExposureNameCheckOptions | undefined;
  /**
   * Longest wait, in ms, for another writer of the same directory (another sync) before failing
   * with `ERR_OUTPUT_LOCKED`. Default 60,000; 0 fails at once.
   */
  lockTimeoutMs?: number | undefined;
}

/** What `writeSyncOutputs` did (or, with `dryRun`, would do); full paths, sorted. */
export interface WriteSyncOutputsResult {
  /** Files created or whose content changed. */
  written: string[];
  /** Generated files no longer produced (e.g. a Tableau project that is gone), removed. */
  removed: string[];
  /** Files whose content was already identical (left alone, mtime kept). */
  unchanged: string[];
  /**
   * YAML files the hand-written exposure check could not read or parse (not rejected: `dbt parse`
   * reports broken YAML itself), sorted by file. Empty when the check is off.
   */
  unscanned: UnscannedYamlFile[];
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LineageError(
      'ERR_OUTPUT_WRITE',
      `Cannot read ${path} to check it is a generated file`,
      {
        file: path,
        cause: error,
      },
    );
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot list ${dir}`, { file: dir, cause: error });
  }
}

/** The file name for `groupBy: 'none'`, checked to be a plain name. */
export function fileNameOf(options: WriteSyncOutputsOptions): string {
  const fileName = options.fileName ?? DEFAULT_EXPOSURES_FILE;
  if (fileName === '' || /[/\\]/.test(fileName) || fileName === '.' || fileName === '..') {
    throw new ConfigError(
      'ERR_INVALID_OPTION',
      `fileName ${JSON.stringify(fileName)} must be a plain file name`,
      {
        field: 'fileName',
        expected: 'a file name without a directory, e.g. tableau_exposures.yml',
      },
    );
  }
  return fileName;
}

/** The YAML files to write: file name → text. */
export function renderFiles(
  lineage: ExposureLineage,
  options: WriteSyncOutputsOptions,
): Map<string, string> {
  const fileName = fileNameOf(options);
  const rendered = renderExposuresYaml(lineage, { ...options, groupBy: options.groupBy ?? 'none' });
  return typeof rendered === 'string' ? new Map([[fileName, rendered]]) : rendered;
}

/**
 * Checks (hand-written files at target paths, hand-written exposure names) and the plan: files to
 * write, stale generated files to remove, and files to remove before the switch because one of
 * their names moves to another file (so no name is ever defined twice, even mid-switch).
 */
export async function planExposuresYaml(
  dir: string,
  lineage: ExposureLineage,
  files: ReadonlyMap<string, string>,
  options: WriteSyncOutputsOptions,
): Promise<{ plan: OutputSetPlan; result: WriteSyncOutputsResult }> {
  const fileName = fileNameOf(options);
  const existing = new Map<string, string | null>();
  for (const name of files.keys()) {
    const path = join(dir, name);
    const text = await readIfExists(path);
    if (text !== null && !isGeneratedFile(text)) {
      throw new LineageError(
        'ERR_OUTPUT_CONFLICT',
        `${path} exists and was not generated by dbt-auto-exposures (no marker on its first ` +
          'line). It is left untouched and nothing was written: move or rename it, or choose ' +
          'another output directory or file name.',
        {
          file: path,
          expected: `a file starting with "${GENERATED_MARKER}"`,
          hint: 'move or rename that file, or choose another output directory or file name',
        },
      );
    }
    existing.set(name, text);
  }

  const check = options.handWrittenExposures;
  const { unscanned } =
    check === false
      ? { unscanned: [] }
      : await checkExposureNames(lineage, {
          paths: [dir, ...(check?.paths ?? [])],
          exposures: check?.exposures,
          signal: options.signal,
        });

  const result: WriteSyncOutputsResult = { written: [], removed: [], unchanged: [], unscanned };
  const plan: OutputSetPlan = { removals: [], writes: [] };
  const names = new Set(lineage.exposures.map((e) => e.name.toLowerCase()));
  for (const [name, text] of files) {
    const path = join(dir, name);
    const before = existing.get(name) ?? null;
    if (before === text) {
      result.unchanged.push(path);
      continue;
    }
    if (before !== null && losesNameToAnotherFile(before, text, names)) plan.removals.push(path);
    plan.writes.push({ path, data: text });
    result.written.push(path);
  }

  for (const name of await listDir(dir)) {
    if (files.has(name)) continue;
    const ours =
      name === fileName || (name.startsWith(PROJECT_FILE_PREFIX) && name.endsWith('.yml'));
    if (!ours) continue;
    const path = join(dir, name);
    const text = await readIfExists(path).catch(() => null);
    if (text === null || !isGeneratedFile(text)) continue;
    plan.removals.push(path);
    result.removed.push(path);
  }

  for (const list of [result.written, result.removed, result.unchanged]) list.sort(compareStrings);
  return { plan, result };
}

/**
 * Whether a name of `before` is absent from `after` but still written (so in another file). Both
 * are files this library generated: every exposure starts with a `  - name: <name>` line there
 * (names are plain `[A-Za-z0-9_]+`), so the names are read from those lines, not by parsing YAML
 * (parsing hundreds of files costs seconds).
 */
function losesNameToAnotherFile(
  before: string,
  after: string,
  written: ReadonlySet<string>,
): boolean {
  const kept = new Set(generatedNames(after));
  return generatedNames(before).some((name) => !kept.has(name) && written.has(name));
}

/** The exposure names of a generated file, lower-cased. */
function generatedNames(text: string): string[] {
  return [...text.matchAll(/^ {2}- name: ([A-Za-z0-9_]+)\r?$/gm)].map((m) =>
    (m[1] as string).toLowerCase(),
  );
}
