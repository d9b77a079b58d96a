/**
 * Writing a set of output files (the exposures YAML, the lineage JSON, an injected manifest) so
 * that a crash at any instant leaves the previous set or the new one: under the lock of the YAML
 * directory, an interrupted earlier write is completed first, then every new file is staged, the
 * journal committed, and the files switched (./output-journal.ts). Docs: docs/outputs.md,
 * "Output sets".
 */
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { abortedError } from '../errors.js';
import {
  applyJournal,
  commitJournal,
  JOURNAL_FILE,
  type JournalRecovery,
  removeStaleTemporaryFiles,
  type StagedFile,
  stage,
} from './output-journal.js';
import { acquireOutputLock, DEFAULT_LOCK_TIMEOUT_MS, LOCK_FILE } from './output-lock.js';
import { PROJECT_FILE_PREFIX } from './yaml.js';

/** The files one output set is made of, to recognise what earlier writers left. */
export interface OutputSetLayout {
  /** The directory of the generated YAML: it holds the lock and the journal. */
  dir: string;
  /** The one-file YAML name (`tableau__*.yml` files are always part of the set). */
  fileName: string;
  /** The set's other files (lineage JSON, injected manifest), anywhere. */
  otherFiles: readonly string[];
}

/** What the set will change: removals first (so no name is ever defined twice), then writes. */
export interface OutputSetPlan {
  removals: string[];
  /** New contents, switched in this order. */
  writes: Array<{ path: string; data: string }>;
}

export interface OutputSetOptions {
  /** Longest wait for another writer of the same directory. Default 60 s. */
  lockTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What recovering a directory found. */
export interface OutputSetRecovery {
  /** The interrupted write completed, or null when there was none. */
  journal: JournalRecovery | null;
  /** Temporary files of killed writers, removed. */
  removedTemporaryFiles: string[];
}

/**
 * Under the lock: complete an interrupted write, then `prepare` (reads and checks; it runs with
 * the outputs stable), then stage, commit and switch its plan. A failure before the commit
 * removes the staged files and leaves every previous file as it was.
 */
export async function writeOutputSet<T>(
  layout: OutputSetLayout,
  options: OutputSetOptions,
  prepare: () => Promise<{ plan: OutputSetPlan; result: T }>,
): Promise<T> {
  return withOutputLock(layout.dir, options, async () => {
    await recoverUnlocked(layout);
    const { plan, result } = await prepare();
    if (plan.removals.length === 0 && plan.writes.length === 0) return result;
    const staged: StagedFile[] = [];
    try {
      for (const write of plan.writes)
        staged.push(await stage(write.path, write.data, options.signal));
      if (options.signal?.aborted)
        throw abortedError(`Writing the outputs in ${layout.dir}`, options.signal);
      await commitJournal(layout.dir, plan.removals, staged, options.signal);
    } catch (error) {
      await Promise.all(staged.map((s) => removeQuietly(s.temp)));
      throw error;
    }
    await applyJournal(layout.dir);
    return result;
  });
}

/**
 * Take the lock, complete an interrupted write and remove stale temporary files; nothing else.
 * A directory that does not exist has nothing to recover (and is not created).
 */
export async function recoverOutputSet(
  layout: OutputSetLayout,
  options: OutputSetOptions = {},
): Promise<OutputSetRecovery> {
  const exists = await stat(layout.dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return { journal: null, removedTemporaryFiles: [] };
  return withOutputLock(layout.dir, options, () => recoverUnlocked(layout));
}

async function withOutputLock<T>(
  dir: string,
  options: OutputSetOptions,
  body: () => Promise<T>,
): Promise<T> {
  const lock = await acquireOutputLock(dir, {
    timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    signal: options.signal,
  });
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

async function recoverUnlocked(layout: OutputSetLayout): Promise<OutputSetRecovery> {
  const journal = await applyJournal(layout.dir);
  const home = resolve(layout.dir);
  const byDir = new Map<string, Set<string>>([[home, new Set([JOURNAL_FILE, LOCK_FILE])]]);
  for (const file of layout.otherFiles) {
    const dir = dirname(resolve(file));
    byDir.set(dir, (byDir.get(dir) ?? new Set<string>()).add(basename(file)));
  }
  const removedTemporaryFiles: string[] = [];
  for (const [dir, names] of byDir) {
    const isOurs = (name: string) =>
      names.has(name) ||
      (dir === home &&
        (name === layout.fileName ||
          (name.startsWith(PROJECT_FILE_PREFIX) && name.endsWith('.yml'))));
    removedTemporaryFiles.push(...(await removeStaleTemporaryFiles(dir, isOurs)));
  }
  return { journal, removedTemporaryFiles };
}

async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}
