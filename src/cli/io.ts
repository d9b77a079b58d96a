/**
 * The CLI's window on the world: streams, environment, working directory and terminal facts.
 * Commands receive a `CliIo` instead of touching `process`, so the same code runs from the binary,
 * from the demo and in tests (with captured streams and a hand-made environment).
 */
import type { Readable } from 'node:stream';

/** Something text can be written to (a stream, or a capture in tests). */
export interface TextSink {
  write(text: string): unknown;
  /** True when this sink is an interactive terminal. */
  isTTY?: boolean | undefined;
}

export interface CliIo {
  /** Where `refresh --follow -` reads dbt's log. Default: none (the binary passes process.stdin). */
  stdin?: Readable | undefined;
  stdout: TextSink;
  stderr: TextSink;
  /**
   * Environment variables (never printed as a whole: they may hold the token secret). Two are
   * read from the process instead: the proxy variables (the Tableau transport reads process.env)
   * and NODE_EXTRA_CA_CERTS (Node reads it at start).
   */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Aborts long work (Ctrl-C in the binary). */
  signal?: AbortSignal | undefined;
  /** Clock for report times; default `() => new Date()`. */
  now?: (() => Date) | undefined;
}

/** The real process: stdout, stderr, process.env, process.cwd(). */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal,
  };
}

/**
 * Whether to colour output written to `sink`: `NO_COLOR` (any non-empty value) turns colours off,
 * `FORCE_COLOR` (non-empty and not `0`/`false`) turns them on, otherwise only on a terminal.
 * See https://no-color.org and https://force-color.org.
 */
export function useColor(env: CliIo['env'], sink: TextSink): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return sink.isTTY === true;
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type ColorName = keyof typeof CODES;

/** A colouring function that is the identity when colours are off. */
export type Paint = (color: ColorName, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (color, text) => `\u001b[${CODES[color]}m${text}\u001b[0m` : (_c, text) => text;
}
