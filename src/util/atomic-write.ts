/**
 * Atomic file writing: every file this library writes goes through here, so that a failed or
 * interrupted write never truncates or corrupts the previous version of the file.
 *
 * Method: write the data to a uniquely named temporary file in the SAME directory (so the final
 * rename never crosses a filesystem), fsync it, then rename it over the target. rename(2) is atomic
 * on POSIX, so readers see either the old file or the new one, never a partial one. On any failure
 * the temporary file is removed and the previous file is left as it was.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { abortedError, DbtAutoExposuresError, LineageError } from '../errors.js';

/** The filesystem operations used, injectable so tests can make any step fail. */
export interface AtomicWriteFs {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  open(path: string, flags: string, mode?: number): Promise<AtomicWriteHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
  stat(path: string): Promise<{ mode: number; isFile(): boolean }>;
}

/** The subset of `FileHandle` used. */
export interface AtomicWriteHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface WriteFileAtomicOptions {
  /** Aborts the write; the temporary file is removed and the target untouched. */
  signal?: AbortSignal | undefined;
  /**
   * File mode of the written file. Default: the mode of the file being replaced when there is one
   * (so a sync does not silently change permissions), else 0o666 minus the process umask.
   */
  mode?: number | undefined;
  /** Filesystem implementation (tests). Default: `node:fs/promises`. */
  fs?: AtomicWriteFs | undefined;
}

const defaultFs = nodeFs as unknown as AtomicWriteFs;

/** The temporary file name used next to `path`: hidden, unique per call, recognisable. */
export function temporaryPathFor(path: string): string {
  const suffix = `${process.pid}.${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/**
 * Write `data` to `path` atomically (temporary file in the same directory, fsync, rename).
 * Parent directories are created. Strings are written as UTF-8.
 *
 * @throws LineageError `ERR_OUTPUT_WRITE` (with `file` = `path` and the underlying error as `cause`)
 *   when any step fails; `ERR_ABORTED` when `signal` aborts. In both cases the previous file, if
 *   any, is unchanged and no temporary file is left behind.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const fs = options.fs ?? defaultFs;
  const temp = await stageFile(path, data, options);
  try {
    throwIfAborted(options.signal, path);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw writeError(error, path, 'rename');
  }
}

/**
 * The first half of an atomic write: `data` in a new temporary file next to `path` (see
 * `temporaryPathFor`), fsynced and closed, with the mode `path` has (or `options.mode`). Returns
 * the temporary path; renaming it over `path` is the caller's. On failure nothing is left behind.
 *
 * @throws LineageError `ERR_OUTPUT_WRITE`, or `ERR_ABORTED` (a plain `DbtAutoExposuresError`), as `writeFileAtomic`.
 */
export async function stageFile(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<string> {
  const fs = options.fs ?? defaultFs;
  const { signal } = options;
  throwIfAborted(signal, path);
  const temp = temporaryPathFor(path);
  let handle: AtomicWriteHandle | undefined;
  let step = 'mkdir';
  try {
    await fs.mkdir(dirname(path), { recursive: true });
    step = 'stat';
    const mode = options.mode ?? (await existingMode(fs, path));
    throwIfAborted(signal, path);
    step = 'open';
    // 'wx': the temporary name is fresh; never follow or reuse something already there.
    handle = await fs.open(temp, 'wx', mode);
    step = 'write';
    await handle.writeFile(data);
    step = 'fsync';
    await handle.sync();
    step = 'close';
    const closing = handle;
    handle = undefined;
    await closing.close();
    return temp;
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw writeError(error, path, step);
  }
}

/** `ERR_OUTPUT_WRITE` naming the file and the step; an abort stays `ERR_ABORTED`. */
function writeError(error: unknown, path: string, step: string): DbtAutoExposuresError {
  if (error instanceof DbtAutoExposuresError && error.code === 'ERR_ABORTED') return error;
  return new LineageError(
    'ERR_OUTPUT_WRITE',
    `Could not write ${path} (${step} failed): ${describe(error)}`,
    {
      file: path,
      details: { step },
      hint: 'check that the directory exists and is writable; the previous file is untouched',
      cause: error,
    },
  );
}

async function existingMode(fs: AtomicWriteFs, path: string): Promise<number | undefined> {
  try {
    const stats = await fs.stat(path);
    return stats.isFile() ? stats.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) {
    throw abortedError(`Writing ${path}`, signal);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
