/**
 * The lock that keeps two writers of one output set apart: a file created exclusively in the
 * output directory, holding who took it (pid, host, start time, a random token). A second writer
 * waits for it up to a bound, then fails with `ERR_OUTPUT_LOCKED` naming the holder. A lock whose
 * process is gone (same host, pid not running) is stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortedError, LineageError } from '../errors.js';
import { temporaryPathFor } from '../util/atomic-write.js';

/** The lock file's name, in the directory of the generated YAML. */
export const LOCK_FILE = '.dbt-auto-exposures.lock';

/** How long a writer waits for another one by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** A lock file too young to judge when it cannot be read yet (its writer is filling it). */
const UNREADABLE_GRACE_MS = 10_000;

/** What the lock file holds. */
interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
}

/** Tokens of the locks this process holds: a lock with our pid and another token is stale. */
const heldTokens = new Set<string>();

export interface OutputLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** Longest wait for another writer, in ms; 0 fails at once. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Take the lock of `dir` (created if missing), waiting for another holder up to the bound. */
export async function acquireOutputLock(
  dir: string,
  options: AcquireLockOptions,
): Promise<OutputLock> {
  const path = join(dir, LOCK_FILE);
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot create ${dir}`, { file: dir, cause: error });
  });
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const started = Date.now();
  let delay = 20;
  for (;;) {
    if (options.signal?.aborted) throw abortedError(`Waiting for the lock ${path}`, options.signal);
    if (await tryCreate(path, owner)) {
      heldTokens.add(owner.token);
      return { path, release: () => release(path, owner.token) };
    }
    const holder = await readHolder(path);
    if (holder === 'gone') continue;
    if (holder === 'stale') {
      await breakStale(path);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw lockedError(path, holder, waited);
    await sleep(Math.min(delay, options.timeoutMs - waited), undefined, {
      signal: options.signal,
    }).catch(() => {
      throw abortedError(`Waiting for the lock ${path}`, options.signal);
    });
    delay = Math.min(delay * 2, 500);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot create the lock file ${path}`, {
      file: path,
      cause: error,
    });
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The holder of an existing lock, `stale` when it can be taken over, `gone` when released. */
async function readHolder(path: string): Promise<LockOwner | 'stale' | 'gone'> {
  let text: string;
  let ageMs: number;
  try {
    [text, ageMs] = await Promise.all([
      readFile(path, 'utf8'),
      stat(path).then((s) => Date.now() - s.mtimeMs),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot read the lock file ${path}`, {
      file: path,
      cause: error,
    });
  }
  const owner = parseOwner(text);
  if (owner === null) return ageMs > UNREADABLE_GRACE_MS ? 'stale' : unknownOwner(ageMs);
  return isStale(owner) ? 'stale' : owner;
}

function unknownOwner(ageMs: number): LockOwner {
  return {
    pid: 0,
    hostname: 'unknown',
    startedAt: new Date(Date.now() - ageMs).toISOString(),
    token: '',
  };
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Not JSON: a lock being written, or damaged.
  }
  return null;
}

/** Only a lock of this host can be judged: its process is gone, or it is an old one of our pid. */
function isStale(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return !heldTokens.has(owner.token);
  return !isProcessRunning(owner.pid);
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Move the stale lock aside (one atomic rename, so two processes cannot both remove it), check it
 * is still the stale one, and delete it; a fresh lock moved by mistake is put back.
 */
async function breakStale(path: string): Promise<void> {
  const aside = temporaryPathFor(path);
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new LineageError('ERR_OUTPUT_WRITE', `Cannot remove the stale lock ${path}`, {
      file: path,
      cause: error,
    });
  }
  const moved = parseOwner(await readFile(aside, 'utf8').catch(() => ''));
  if (moved !== null && !isStale(moved)) {
    await rename(aside, path).catch(() => undefined);
    return;
  }
  await rm(aside, { force: true });
}

async function release(path: string, token: string): Promise<void> {
  heldTokens.delete(token);
  const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
  if (owner?.token === token) await rm(path, { force: true });
}

function lockedError(path: string, holder: LockOwner, waitedMs: number): LineageError {
  const who =
    holder.pid === 0
      ? 'another writer'
      : `another sync (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt})`;
  return new LineageError(
    'ERR_OUTPUT_LOCKED',
    `The outputs are locked by ${who}; waited ${Math.round(waitedMs / 1000)} s. Nothing was written.`,
    {
      file: path,
      details: {
        holder: { pid: holder.pid, hostname: holder.hostname, startedAt: holder.startedAt },
      },
      hint: `wait for the other sync to finish; if no sync is running there, remove ${path}`,
    },
  );
}
