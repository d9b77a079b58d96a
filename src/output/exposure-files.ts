/**
 * Writing the exposures YAML into a dbt project directory without ever touching a hand-written
 * file: a file is "managed" when its first line is the generated-file marker. Names already used
 * by hand-written exposures are refused before anything is written. Files are written atomically;
 * stale generated files are removed only after every new file was written.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LineageError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import { writeFileAtomic } from './atomic-write.js';
import {
  checkExposureNames,
  type ExposureNameCheckOptions,
  isGeneratedFile,
  type UnscannedYamlFile,
} from './exposure-scan.js';
import { compareStrings } from './lineage-canonical.js';
import {
  DEFAULT_EXPOSURES_FILE,
  GENERATED_MARKER,
  PROJECT_FILE_PREFIX,
  type RenderExposuresYamlOptions,
  renderExposuresYaml,
} from './yaml.js';

export interface WriteExposuresYamlOptions extends RenderExposuresYamlOptions {
  /** File name for `groupBy: 'none'`. Default `tableau_exposures.yml`. */
  fileName?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Hand-written exposures whose names must not be written again (dbt rejects duplicate names).
   * The YAML files under `dir` are always scanned; `paths` adds directories or files (the CLI
   * passes the dbt project's resource paths), `exposures` adds names known by other means.
   * `false` skips the check.
   */
  handWrittenExposures?: false | ExposureNameCheckOptions | undefined;
}

export { isGeneratedFile } from './exposure-scan.js';

/** What `writeExposuresYaml` did; full paths, sorted. */
export interface WriteExposuresYamlResult {
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

/**
 * Render the lineage (see `renderExposuresYaml`) into `dir` and keep that directory in sync:
 *
 * 1. Every target path is checked first: an existing file without the generated-file marker is a
 *    hand-written file, and the whole call fails with `ERR_OUTPUT_CONFLICT` before anything is
 *    written. Then the hand-written exposures (see `handWrittenExposures`) are read: a name about
 *    to be written that one of them uses, compared case-insensitively, fails the whole call with
 *    `ERR_EXPOSURE_NAME_TAKEN` before anything is written.
 * 2. Files whose content changed are written atomically; identical ones are left alone.
 * 3. Only then, generated files of this layout (`fileName` and `tableau__*.yml` carrying the
 *    marker) that are no longer produced are removed. A hand-written file is never removed, and
 *    neither is a generated file of another name (another site syncing into the same folder with
 *    its own `fileName`).
 *
 * A failure part-way leaves each file either as it was or fully written, and removes nothing.
 */
export async function writeExposuresYaml(
  dir: string,
  lineage: ExposureLineage,
  options: WriteExposuresYamlOptions = {},
): Promise<WriteExposuresYamlResult> {
  const fileName = options.fileName ?? DEFAULT_EXPOSURES_FILE;
  if (fileName === '' || /[/\\]/.test(fileName) || fileName === '.' || fileName === '..') {
    throw new LineageError(
      'ERR_INVALID_OPTION',
      `fileName ${JSON.stringify(fileName)} must be a plain file name`,
      {
        field: 'fileName',
        expected: 'a file name without a directory, e.g. tableau_exposures.yml',
      },
    );
  }
  const rendered = renderExposuresYaml(lineage, { ...options, groupBy: options.groupBy ?? 'none' });
  const files = typeof rendered === 'string' ? new Map([[fileName, rendered]]) : rendered;

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
        { file: path, expected: `a file starting with "${GENERATED_MARKER}"` },
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

  const result: WriteExposuresYamlResult = { written: [], removed: [], unchanged: [], unscanned };
  for (const [name, text] of files) {
    const path = join(dir, name);
    if (existing.get(name) === text) {
      result.unchanged.push(path);
      continue;
    }
    await writeFileAtomic(path, text, { signal: options.signal });
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
    options.signal?.throwIfAborted();
    await rm(path, { force: true });
    result.removed.push(path);
  }

  for (const list of [result.written, result.removed, result.unchanged]) list.sort(compareStrings);
  return result;
}
