/**
 * Everything a sync writes, as one set: the exposures YAML, the lineage JSON and any other file
 * derived from the same lineage (a manifest with the exposures injected). A crash at any instant
 * leaves the previous set or the new one, never YAML of one sync with the lineage of another.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, LineageError } from '../errors.js';
import type { ExposureLineage } from '../lineage/types.js';
import {
  fileNameOf,
  planExposuresYaml,
  renderFiles,
  type WriteExposuresYamlOptions,
  type WriteExposuresYamlResult,
} from './exposure-files.js';
import { renderLineage } from './lineage-file.js';
import {
  type OutputSetLayout,
  type OutputSetRecovery,
  recoverOutputSet,
  writeOutputSet,
} from './output-set.js';

/**
 * Options of `writeSyncOutputs`: `writeExposuresYaml`'s options plus the lineage path and extra
 * files of the set.
 */
export interface WriteSyncOutputsOptions extends WriteExposuresYamlOptions {
  /** Where the lineage JSON goes (anywhere; `refresh` reads it). */
  lineagePath: string;
  /**
   * Other files of the set, e.g. `injectExposures`' manifest as JSON. Written only when their
   * content changed, before the lineage JSON.
   */
  extraFiles?: ReadonlyArray<{ path: string; data: string }> | undefined;
}

/**
 * Write the exposures YAML into `dir` (exactly as `writeExposuresYaml`: same checks, same files,
 * same removals), the lineage JSON at `options.lineagePath` and `options.extraFiles`, all as one
 * set: under the lock of `dir`, an interrupted earlier write is completed first, then every
 * changed file is staged, the planned renames and removals are committed in a journal in `dir`,
 * and the files are switched. Result as `writeExposuresYaml`, with the lineage and extra files in
 * `written` or `unchanged`.
 *
 * @throws LineageError `ERR_LINEAGE_SCHEMA` (an exposure name dbt rejects), `ERR_OUTPUT_CONFLICT`,
 *   `ERR_EXPOSURE_NAME_TAKEN`, `ERR_OUTPUT_LOCKED`, `ERR_OUTPUT_WRITE` (nothing written, or the
 *   journal kept for the next call to complete); ConfigError `ERR_INVALID_OPTION`.
 */
export async function writeSyncOutputs(
  dir: string,
  lineage: ExposureLineage,
  options: WriteSyncOutputsOptions,
): Promise<WriteExposuresYamlResult> {
  const lineageText = renderLineage(lineage);
  const files = renderFiles(lineage, options);
  const others = [...(options.extraFiles ?? []), { path: options.lineagePath, data: lineageText }];
  checkPaths(dir, files, others);
  return writeOutputSet(layoutOf(dir, options), options, async () => {
    const { plan, result } = await planExposuresYaml(dir, lineage, files, options);
    for (const file of others) {
      if ((await readIfExists(file.path)) === file.data) {
        result.unchanged.push(file.path);
      } else {
        plan.writes.push(file);
        result.written.push(file.path);
      }
    }
    return { plan, result };
  });
}

/**
 * Complete a sync's interrupted write and remove temporary files of killed ones, under the lock
 * (what `writeSyncOutputs` does first). The CLI calls it before listing, so a sync that fails
 * later still leaves one complete set. `otherFiles`: the lineage JSON and extra files' paths.
 */
export function recoverSyncOutputs(
  dir: string,
  options: { otherFiles: readonly string[] } & Pick<
    WriteSyncOutputsOptions,
    'fileName' | 'lockTimeoutMs' | 'signal'
  >,
): Promise<OutputSetRecovery> {
  return recoverOutputSet(
    { dir, fileName: fileNameOf(options), otherFiles: options.otherFiles },
    options,
  );
}

function layoutOf(dir: string, options: WriteSyncOutputsOptions): OutputSetLayout {
  return {
    dir,
    fileName: fileNameOf(options),
    otherFiles: [options.lineagePath, ...(options.extraFiles ?? []).map((f) => f.path)],
  };
}

/** Two files of the set at one path would overwrite each other: refused before any I/O. */
function checkPaths(
  dir: string,
  yaml: ReadonlyMap<string, string>,
  others: ReadonlyArray<{ path: string }>,
): void {
  const seen = new Set([...yaml.keys()].map((name) => resolve(dir, name)));
  for (const [i, file] of others.entries()) {
    const valid = typeof file.path === 'string' && file.path !== '';
    if (!valid || seen.has(resolve(file.path))) {
      throw new ConfigError(`${String(file.path)} is not a path of its own in the sync's outputs`, {
        code: 'ERR_INVALID_OPTION',
        field: i === others.length - 1 ? 'lineagePath' : `extraFiles[${i}].path`,
        expected: 'a path no other output of the sync uses',
      });
    }
    seen.add(resolve(file.path));
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // ENOTDIR: a parent is a file; the write reports that.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot read ${path}`, { file: path, cause: error });
  }
}
