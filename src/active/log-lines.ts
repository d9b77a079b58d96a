/**
 * The lines of dbt's log as they are written: from a stream (a pipe: `dbt build --log-format json
 * | …`) or from a file being appended (`--log-format-file json` writes logs/dbt.log).
 */
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a file source yields when it has read everything written so far (then it waits). */
export const CAUGHT_UP = null;

/** Lines of a readable stream (bytes or text), or of an iterable of lines (one string each). */
export async function* streamLines(
  source: Readable | AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<string> {
  const lines = isReadable(source)
    ? createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY })
    : source;
  for await (const line of lines) yield line;
}

function isReadable(
  source: Readable | AsyncIterable<string> | Iterable<string>,
): source is Readable {
  return typeof (source as Readable).pipe === 'function';
}

/**
 * The lines of the file at `path` from its start, then the lines appended to it, forever (the
 * caller stops iterating). It yields `CAUGHT_UP` once the bytes the file held when this started
 * are read (the lines before it were written before the follower started), and then each time
 * everything written so far is read; it looks again after `pollMs`. A file that does not exist yet
 * is waited for; a file replaced or cut shorter (a rotated log) is read again from its start. A
 * last line without its newline is held until the newline comes (a line being written). Ends when
 * `signal` aborts.
 */
export async function* fileLines(
  path: string,
  options: { pollMs: number; signal?: AbortSignal | undefined },
): AsyncGenerator<string | typeof CAUGHT_UP> {
  const { pollMs, signal } = options;
  let offset = 0;
  let inode: number | null = null;
  let decoder = new StringDecoder('utf8');
  let partial = '';
  const buffer = Buffer.alloc(64 * 1024);
  // What the file held at the start: read first, then CAUGHT_UP, then what came after.
  let historyEnd: number | null = (await stat(path).catch(() => null))?.size ?? 0;
  while (signal?.aborted !== true) {
    const info = await stat(path).catch(() => null);
    if (info !== null && (info.ino !== inode || info.size < offset)) {
      // A new file at this path (or the same one cut shorter): read it from its start.
      inode = info.ino;
      offset = 0;
      decoder = new StringDecoder('utf8');
      partial = '';
    }
    const end = Math.min(info?.size ?? 0, historyEnd ?? Number.POSITIVE_INFINITY);
    if (end > offset) {
      const handle = await open(path, 'r');
      try {
        while (offset < end) {
          const length = Math.min(buffer.length, end - offset);
          const { bytesRead } = await handle.read(buffer, 0, length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const lines = (partial + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
        }
      } finally {
        await handle.close();
      }
      continue;
    }
    if (historyEnd !== null) {
      historyEnd = null;
      yield CAUGHT_UP;
      continue;
    }
    yield CAUGHT_UP;
    try {
      await sleep(pollMs, undefined, signal === undefined ? {} : { signal });
    } catch {
      return;
    }
  }
}
