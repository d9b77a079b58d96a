/**
 * The journal that makes a set of output files switch as one: every new file is first staged
 * (a temporary file next to its target, fsynced), then the list of steps (removals, then renames
 * of staged files over their targets) is committed as one file, then the steps are applied and
 * the journal removed. A crash before the commit leaves the previous files; after it, the next
 * writer completes the steps (every staged file is there, or already renamed). Docs:
 * docs/outputs.md, "Output sets".
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { LineageError } from '../errors.js';
import { stageFile } from '../util/atomic-write.js';
import { isProcessRunning } from './output-lock.js';

/** The journal's name, next to the lock in the directory of the generated YAML. */
export const JOURNAL_FILE = '.dbt-auto-exposures.journal.json';

const JOURNAL_KIND = 'dbt-auto-exposures/output-journal';

/** One step: remove a file, or rename a staged file over its target. */
export type JournalStep = { remove: string } | { rename: string; to: string; sha256: string };

interface Journal {
  kind: typeof JOURNAL_KIND;
  version: 1;
  pid: number;
  hostname: string;
  startedAt: string;
  /** Paths relative to the journal's directory, applied in order. */
  steps: JournalStep[];
}

/** What completing an interrupted journal did. */
export interface JournalRecovery {
  /** When the interrupted writer started, and its pid. */
  startedAt: string | null;
  pid: number | null;
  /** False when the journal itself could not be read (damaged): nothing could be completed. */
  readable: boolean;
  /** Files renamed into place and files removed now. */
  completed: number;
  /** Targets whose staged file was missing (the set may be mixed until the next full write). */
  missing: string[];
}

/** A file of the new set, staged next to its target. */
export interface StagedFile {
  path: string;
  temp: string;
  sha256: string;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stage `data` for `path` (see `stageFile`), remembering its digest for the journal. */
export async function stage(
  path: string,
  data: string,
  signal: AbortSignal | undefined,
): Promise<StagedFile> {
  // Encoded once, for the file and its digest (a lineage file is tens of megabytes).
  const bytes = Buffer.from(data, 'utf8');
  const temp = await stageFile(path, bytes, { signal });
  return { path, temp, sha256: sha256(bytes) };
}

/**
 * Commit: write the journal atomically (staged, renamed into place, directory fsynced). Before
 * this returns the previous set stands; after it the new set is decided.
 */
export async function commitJournal(
  dir: string,
  removals: readonly string[],
  staged: readonly StagedFile[],
  signal: AbortSignal | undefined,
): Promise<string> {
  const path = join(dir, JOURNAL_FILE);
  const journal: Journal = {
    kind: JOURNAL_KIND,
    version: 1,
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    steps: [
      ...removals.map((file) => ({ remove: relative(dir, file) })),
      ...staged.map((s) => ({
        rename: relative(dir, s.temp),
        to: relative(dir, s.path),
        sha256: s.sha256,
      })),
    ],
  };
  const temp = await stageFile(path, `${JSON.stringify(journal, null, 2)}\n`, { signal });
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new LineageError('ERR_OUTPUT_WRITE', `Could not write ${path}: ${describe(error)}`, {
      file: path,
      cause: error,
    });
  }
  await syncDirectory(dir);
  return path;
}

/** Apply the committed steps, make them durable, and remove the journal. */
export async function applyJournal(dir: string): Promise<JournalRecovery | null> {
  const path = join(dir, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot read the output journal ${path}`, {
      file: path,
      cause: error,
    });
  }
  const journal = parseJournal(text);
  const recovery: JournalRecovery = {
    startedAt: journal?.startedAt ?? null,
    pid: journal?.pid ?? null,
    readable: journal !== null,
    completed: 0,
    missing: [],
  };
  const touched = new Set<string>([dir]);
  const steps = journal?.steps ?? [];
  // A file removed first and then renamed into place (it lost a name to another file): once its
  // staged file is gone, the rename happened, and removing it again would delete the new file.
  const stagedFor = new Map<string, string>();
  for (const step of steps) {
    if ('rename' in step) stagedFor.set(resolve(dir, step.to), resolve(dir, step.rename));
  }
  for (const step of steps) {
    if ('remove' in step) {
      const file = resolve(dir, step.remove);
      const staged = stagedFor.get(file);
      if (staged !== undefined && !(await exists(staged))) continue;
      await fsStep('remove', file, () => rm(file, { force: true }));
      touched.add(dirname(file));
      recovery.completed += 1;
      continue;
    }
    const from = resolve(dir, step.rename);
    const to = resolve(dir, step.to);
    touched.add(dirname(to));
    if (await renameIfStaged(from, to)) recovery.completed += 1;
    else if (!(await hasDigest(to, step.sha256))) recovery.missing.push(to);
  }
  for (const touchedDir of touched) await syncDirectory(touchedDir);
  await fsStep('remove', path, () => rm(path, { force: true }));
  await syncDirectory(dir);
  return recovery;
}

/** Rename `from` over `to`; false when `from` is not there (already renamed, or lost). */
async function renameIfStaged(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new LineageError(
      'ERR_OUTPUT_WRITE',
      `Could not rename ${from} to ${to}: ${describe(error)}. The journal is kept: the next sync ` +
        'completes the switch.',
      { file: to, details: { step: 'rename' }, cause: error },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function hasDigest(path: string, digest: string): Promise<boolean> {
  try {
    return sha256(await readFile(path)) === digest;
  } catch {
    return false;
  }
}

function parseJournal(text: string): Journal | null {
  try {
    const value = JSON.parse(text) as Partial<Journal>;
    if (value.kind !== JOURNAL_KIND || value.version !== 1 || !Array.isArray(value.steps)) {
      return null;
    }
    const valid = value.steps.every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        (typeof (s as { remove?: unknown }).remove === 'string' ||
          (typeof (s as { rename?: unknown }).rename === 'string' &&
            typeof (s as { to?: unknown }).to === 'string' &&
            typeof (s as { sha256?: unknown }).sha256 === 'string')),
    );
    return valid ? (value as Journal) : null;
  } catch {
    return null;
  }
}

/**
 * Remove temporary files that earlier, killed writers left next to the outputs: names made by
 * `temporaryPathFor` for one of `names`, whose pid is not a running process. A live writer's
 * files (another command writing its report in the same folder) are left alone.
 */
export async function removeStaleTemporaryFiles(
  dir: string,
  isOurs: (name: string) => boolean,
): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry);
    if (match === null || !isOurs(match[1] as string)) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isProcessRunning(pid)) continue;
    await rm(join(dir, entry), { force: true });
    removed.push(join(dir, entry));
  }
  return removed;
}

/** fsync a directory so renames and removals in it survive a power loss (not possible everywhere). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory; the renames are still atomic there.
  }
}

async function fsStep(what: string, file: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new LineageError('ERR_OUTPUT_WRITE', `Could not ${what} ${file}: ${describe(error)}`, {
      file,
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
