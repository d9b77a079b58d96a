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
  type WriteSyncOutputsOptions,
  type WriteSyncOutputsResult,
} from './exposure-files.js';
import { renderLineage } from './lineage-file.js';
import {
  type OutputSetLayout,
  type OutputSetRecovery,
  recoverOutputSet,
  writeOutputSet,
} from './output-set.js';

/**
 * Write the lineage's exposures YAML into `dir`, and with it the lineage JSON
 * (`options.lineagePath`) and `options.extraFiles`, as one set. The one writer of the outputs:
 *
 * 1. Checks, before anything is written: an existing target file without the generated-file
 *    marker is hand-written (`ERR_OUTPUT_CONFLICT`); a name about to be written that a
 *    hand-written exposure uses, compared case-insensitively, is refused
 *    (`ERR_EXPOSURE_NAME_TAKEN`, see `handWrittenExposures`); two outputs at one path are refused
 *    (`ERR_INVALID_OPTION`).
 * 2. Under the lock of `dir`, an interrupted earlier write is completed first; then the changed
 *    files are staged, the planned renames and removals (generated files of this layout,
 *    `fileName` and `tableau__*.yml`, no longer produced) are committed in a journal in `dir`,
 *    and the files are switched: a crash at any instant leaves the previous set or the new one
 *    (docs/outputs.md, "Output sets"). Identical files are left alone; a hand-written file, or a
 *    generated file of another `fileName`, is never removed.
 *
 * With `dryRun`, step 1 runs and the result says what step 2 would do; nothing is written.
 *
 * @throws LineageError `ERR_LINEAGE_SCHEMA` (an exposure name dbt rejects), `ERR_OUTPUT_CONFLICT`,
 *   `ERR_EXPOSURE_NAME_TAKEN`, `ERR_OUTPUT_LOCKED`, `ERR_OUTPUT_WRITE` (nothing written, or the
 *   journal kept for the next call to complete); ConfigError `ERR_INVALID_OPTION`.
 */
export async function writeSyncOutputs(
  dir: string,
  lineage: ExposureLineage,
  options: WriteSyncOutputsOptions = {},
): Promise<WriteSyncOutputsResult> {
  const files = renderFiles(lineage, options);
  const others = [...(options.extraFiles ?? [])];
  if (options.lineagePath !== undefined) {
    others.push({ path: options.lineagePath, data: renderLineage(lineage) });
  }
  checkPaths(dir, files, others, options);
  const plan = async () => {
    const planned = await planExposuresYaml(dir, lineage, files, options);
    for (const file of others) {
      if ((await readIfExists(file.path)) === file.data) {
        planned.result.unchanged.push(file.path);
      } else {
        planned.plan.writes.push(file);
        planned.result.written.push(file.path);
      }
    }
    return planned;
  };
  if (options.dryRun === true) return (await plan()).result;
  return writeOutputSet(layoutOf(dir, options), options, plan);
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
  const extra = (options.extraFiles ?? []).map((f) => f.path);
  const otherFiles = options.lineagePath === undefined ? extra : [options.lineagePath, ...extra];
  return { dir, fileName: fileNameOf(options), otherFiles };
}

/** Two files of the set at one path would overwrite each other: refused before any I/O. */
function checkPaths(
  dir: string,
  yaml: ReadonlyMap<string, string>,
  others: ReadonlyArray<{ path: string }>,
  options: WriteSyncOutputsOptions,
): void {
  const seen = new Set([...yaml.keys()].map((name) => resolve(dir, name)));
  for (const [i, file] of others.entries()) {
    const valid = typeof file.path === 'string' && file.path !== '';
    if (!valid || seen.has(resolve(file.path))) {
      throw new ConfigError(
        'ERR_INVALID_OPTION',
        `${String(file.path)} is not a path of its own in the sync's outputs`,
        {
          field:
            i === others.length - 1 && options.lineagePath !== undefined
              ? 'lineagePath'
              : `extraFiles[${i}].path`,
          expected: 'a path no other output of the sync uses',
        },
      );
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
