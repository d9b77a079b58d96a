/**
 * Where generated JSON goes: a file written in ~1 MB batches (so a 400 MB manifest never exists as
 * one string), or a counter used to calibrate sizes without touching the disk. Files are written to
 * a temporary name and renamed when complete, so an interrupted run never leaves a truncated input
 * that a later run would mistake for a finished one.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface Sink {
  write(text: string): void;
  /** Bytes written so far (UTF-8). */
  readonly bytes: number;
}

/** Counts bytes only. */
export class CountingSink implements Sink {
  bytes = 0;
  write(text: string): void {
    this.bytes += Buffer.byteLength(text);
  }
}

const BATCH = 1 << 20;

/** Writes to `path` through a temporary file; call `close()` to flush and rename. */
export class FileSink implements Sink {
  bytes = 0;
  readonly #path: string;
  readonly #tmp: string;
  readonly #fd: number;
  #parts: string[] = [];
  #pending = 0;

  constructor(path: string) {
    this.#path = path;
    this.#tmp = `${path}.${process.pid}.tmp`;
    this.#fd = openSync(this.#tmp, 'w');
  }

  write(text: string): void {
    this.#parts.push(text);
    this.#pending += text.length;
    if (this.#pending >= BATCH) this.#flush();
  }

  #flush(): void {
    if (this.#parts.length === 0) return;
    const buffer = Buffer.from(this.#parts.join(''));
    writeSync(this.#fd, buffer);
    this.bytes += buffer.length;
    this.#parts = [];
    this.#pending = 0;
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
    renameSync(this.#tmp, this.#path);
  }

  /** Drop the temporary file after a failure. */
  abort(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    rmSync(this.#tmp, { force: true });
  }
}

/** Writes a JSON object's members one at a time (`{"a":…,"b":…}`) into a sink. */
export class ObjectWriter {
  readonly #sink: Sink;
  #first = true;

  constructor(sink: Sink) {
    this.#sink = sink;
    sink.write('{');
  }

  /** A member whose value is already serialised JSON. */
  raw(key: string, json: string): void {
    this.#sink.write(`${this.#first ? '' : ', '}${JSON.stringify(key)}: ${json}`);
    this.#first = false;
  }

  /** A member serialised with JSON.stringify. */
  value(key: string, value: unknown): void {
    this.raw(key, JSON.stringify(value));
  }

  /** Open a nested object member; close it with the returned writer's `end()`. */
  object(key: string): ObjectWriter {
    this.#sink.write(`${this.#first ? '' : ', '}${JSON.stringify(key)}: `);
    this.#first = false;
    return new ObjectWriter(this.#sink);
  }

  end(): void {
    this.#sink.write('}');
  }
}
