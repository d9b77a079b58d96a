/**
 * The one JSON-file reader: every file the library reads as JSON (dbt artifacts, lineage,
 * snapshots, config) goes through here, so they share one byte-order-mark rule (a UTF-8 BOM is
 * skipped: editors add one) and one abort rule (`ERR_ABORTED`). What a problem means for the
 * user (which error class, code and advice) is the caller's `fail`.
 */
import { readFile } from 'node:fs/promises';
import { abortedError } from '../errors.js';

/** Why a JSON file or text could not be read. */
export type JsonProblem =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'empty' }
  | {
      kind: 'not_json';
      /** The parser's own message. */
      message: string;
      /** Where the text stops being JSON, when the parser says (1-based). */
      line: number | null;
      column: number | null;
      /** The text ends in the middle of a value: usually a file cut short. */
      truncated: boolean;
    };

/** Turns a problem into the caller's error. */
export type JsonProblemHandler = (problem: JsonProblem, cause: unknown) => Error;

export interface ReadJsonFileOptions {
  signal?: AbortSignal | undefined;
}

/** Read and parse a JSON file. Throws `fail(problem)`, or `ERR_ABORTED` when `signal` aborts. */
export async function readJsonFile(
  path: string,
  fail: JsonProblemHandler,
  options: ReadJsonFileOptions = {},
): Promise<unknown> {
  const { signal } = options;
  let text: string;
  try {
    text = await readFile(path, signal ? { encoding: 'utf8', signal } : { encoding: 'utf8' });
  } catch (error) {
    if (signal?.aborted) throw abortedError(`Reading ${path}`, signal);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fail({ kind: 'missing' }, error);
    throw fail({ kind: 'unreadable', reason: (error as Error).message }, error);
  }
  return parseJsonText(text, fail);
}

/** Parse JSON text (a leading BOM skipped). Throws `fail(problem)`. */
export function parseJsonText(text: string, fail: JsonProblemHandler): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw fail({ kind: 'empty' }, undefined);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const index = /Unexpected end of JSON input/.test(message) ? body.length : positionIn(message);
    // Cut inside a string or number, V8 names the position just past the end.
    const truncated = index !== null && index >= body.length;
    const at = index === null ? null : lineAndColumn(body, index);
    throw fail(
      {
        kind: 'not_json',
        message,
        line: at?.line ?? null,
        column: at?.column ?? null,
        truncated,
      },
      error,
    );
  }
}

/** V8 says `… in JSON at position N` for most errors (a UTF-16 index). */
function positionIn(message: string): number | null {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : null;
}

function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
