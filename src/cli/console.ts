/**
 * Everything a command prints goes through its console, which applies dbt's logging flags:
 * `--log-format text|json|debug`, `--log-level`, `-q/--quiet`, `--no-color`, and `--output json`.
 *
 * - text: log lines as plain lines (warnings on stderr as `warning: …`), the library's log
 *   entries as dbt prints them (`HH:MM:SS  msg`).
 * - json: every stdout line is one JSON event in dbt's shape (`{info, data}`, with dbt-common's
 *   EventInfo fields: name, code, msg, level, invocation_id, pid, thread, ts, extra, category),
 *   fatal errors and warnings included; nothing but progress goes to stderr.
 * - debug: dbt's debug format, `HH:MM:SS.ffffff [level] [MainThread]: msg`.
 *
 * The result of a command (impact's answer, `--output json`) is printed whatever the level.
 * Progress goes to stderr: rewritten in place on a terminal, otherwise a line every few seconds.
 */
import { randomUUID } from 'node:crypto';
import { type LogEntry, type LogEntryInfo, renderLogEntry } from '../index.js';
import { jsonLine, plainText } from '../util/terminal-text.js';
import { type CliIo, type Paint, painter, type TextSink, useColor } from './io.js';

export const LOG_FORMATS = ['text', 'json', 'debug'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
export type ConsoleLevel = (typeof LOG_LEVELS)[number];
type EventLevel = Exclude<ConsoleLevel, 'none'>;

/** Milliseconds between two progress lines when stderr is not a terminal (--progress-interval). */
export const PROGRESS_INTERVAL_MS = 5000;

export interface ConsoleOptions {
  format: LogFormat;
  level: ConsoleLevel;
  /** `--output json`: stdout holds the result only; log lines go to stderr. */
  outputJson: boolean;
  /** --no-color. */
  noColor: boolean;
  /** Outside a terminal, a progress line this often (0: none). */
  progressIntervalMs: number;
}

/** A line of text output, plain or to be coloured. */
export type Line = string | { color: Parameters<Paint>[0]; text: string };

/** What a log line is, for JSON events: its event name and dbt-style code. */
export interface EventName {
  name: string;
  code: string;
}

/**
 * The CLI's own events, AE2xx: the library's entries carry AE0xx (log) and AE1xx (debug), so a
 * reader of the JSON log can tell them apart by code.
 */
export const EVENTS = {
  info: { name: 'CliInfo', code: 'AE200' },
  warning: { name: 'CliWarning', code: 'AE201' },
  debug: { name: 'CliDebug', code: 'AE202' },
  error: { name: 'CliError', code: 'AE203' },
  result: { name: 'CommandResult', code: 'AE204' },
} as const satisfies Record<string, EventName>;

/**
 * What the console prints: a library entry, or an event of the CLI's own (AE2xx), which is not a
 * library `LogEntry` (its code is not one of the library's).
 */
type ConsoleEvent = {
  info: Omit<LogEntryInfo, 'name' | 'code'> & EventName;
  data: object;
};

export interface Progress {
  /** Say what is happening now (rate-limited outside a terminal). */
  update(text: string): void;
  /** Clear the progress line (before printing results). */
  done(): void;
}

export interface Console {
  readonly options: ConsoleOptions;
  /** Whether lines of `level` are printed. */
  shows(level: EventLevel): boolean;
  info(msg: string, data?: Record<string, unknown>, event?: EventName): void;
  /** An info line about the run, not its result ("wrote <file>"): on stderr as text. */
  status(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>, event?: EventName): void;
  debug(msg: string, data?: Record<string, unknown>, event?: EventName): void;
  /** Several info lines of text (a summary), coloured when allowed; one event in JSON. */
  block(lines: readonly Line[], event: EventName, data: Record<string, unknown>): void;
  /** A library log entry (refresh), filtered by its level. */
  entry(entry: LogEntry): void;
  /** The command's result: `text` as is, or `data` as one JSON object / event. */
  result(text: string, data: Record<string, unknown>): void;
  /** A fatal error, already formatted as text lines and as data. */
  fatal(text: string, data: Record<string, unknown>): void;
  progress(): Progress;
  /** Events from now on carry this invocation id (refresh: the dbt run's, as its entries do). */
  joinInvocation(id: string | null): void;
}

const RANK: Record<ConsoleLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, none: 4 };

/** dbt's `[info ]` level column. */
const DEBUG_LEVEL: Record<string, string> = {
  debug: 'debug',
  info: 'info ',
  warn: 'warn ',
  error: 'error',
};

export function createConsole(io: CliIo, options: ConsoleOptions): Console {
  const now = () => io.now?.() ?? new Date();
  let invocationId: string = randomUUID();
  const stdoutColor = !options.noColor && useColor(io.env, io.stdout);
  const paint = painter(stdoutColor && options.format === 'text' && !options.outputJson);
  const paintErr = painter(!options.noColor && useColor(io.env, io.stderr));
  const shows = (level: EventLevel) => RANK[level] >= RANK[options.level];
  // With --output json, stdout is the result only: log lines go to stderr.
  const logSink: TextSink = options.outputJson ? io.stderr : io.stdout;

  /** A library entry with dbt-common's event info fields it lacks (pid, thread). */
  const withEventInfo = (entry: ConsoleEvent) => ({
    info: { ...entry.info, pid: process.pid, thread: 'MainThread' },
    data: entry.data,
  });
  const event = (
    level: EventLevel,
    msg: string,
    data: Record<string, unknown>,
    name: EventName,
  ): ConsoleEvent => ({
    info: {
      name: name.name,
      code: name.code,
      level,
      msg,
      ts: now().toISOString(),
      invocation_id: invocationId,
      category: '',
      extra: {},
    },
    data,
  });
  const debugLine = (entry: ConsoleEvent) => {
    const date = new Date(entry.info.ts);
    const time = Number.isNaN(date.getTime())
      ? '--:--:--.000000'
      : `${date.toISOString().slice(11, 23)}000`;
    return `${time} [${DEBUG_LEVEL[entry.info.level] ?? entry.info.level}] [MainThread]: ${plainText(entry.info.msg)}`;
  };
  /** One event as the format wants it; `text` is the text-format rendering. */
  const print = (entry: ConsoleEvent, text: string, sink: TextSink) => {
    if (options.format === 'json') io.stdout.write(`${jsonLine(withEventInfo(entry))}\n`);
    else if (options.format === 'debug') sink.write(`${debugLine(entry)}\n`);
    else sink.write(`${text}\n`);
  };
  const log = (
    level: EventLevel,
    msg: string,
    data: Record<string, unknown>,
    name: EventName,
    sink: TextSink = logSink,
  ): void => {
    if (!shows(level)) return;
    const entry = event(level, msg, data, name);
    if (level === 'warn')
      print(entry, `${paintErr('yellow', 'warning')}: ${plainText(msg)}`, io.stderr);
    else print(entry, plainText(msg), sink);
  };

  return {
    options,
    shows,
    info: (msg, data = {}, name = EVENTS.info) => log('info', msg, data, name),
    status: (msg, data = {}) => log('info', msg, data, EVENTS.info, io.stderr),
    warn: (msg, data = {}, name = EVENTS.warning) => log('warn', msg, data, name),
    debug: (msg, data = {}, name = EVENTS.debug) => log('debug', msg, data, name),
    block(lines, name, data) {
      if (!shows('info')) return;
      const text = lines.map((line) =>
        typeof line === 'string' ? plainText(line) : paint(line.color, plainText(line.text)),
      );
      if (options.format === 'text') {
        logSink.write(`${text.join('\n')}\n`);
        return;
      }
      const first = lines.find((l) => (typeof l === 'string' ? l : l.text) !== '');
      const msg = first === undefined ? '' : typeof first === 'string' ? first : first.text;
      if (options.format === 'json') print(event('info', msg, data, name), '', logSink);
      else for (const line of text) logSink.write(`${debugLine(event('info', line, {}, name))}\n`);
    },
    entry(entry) {
      if (!shows(entry.info.level)) return;
      print(entry, renderLogEntry(entry, 'text'), logSink);
    },
    result(text, data) {
      if (options.outputJson) io.stdout.write(`${jsonLine(data)}\n`);
      else if (options.format === 'json') {
        print(event('info', text.split('\n')[0] ?? '', data, EVENTS.result), '', io.stdout);
      } else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    fatal(text, data) {
      if (options.format === 'json') {
        const msg = typeof data.message === 'string' ? data.message : text;
        io.stdout.write(`${jsonLine(withEventInfo(event('error', msg, data, EVENTS.error)))}\n`);
      } else io.stderr.write(text);
    },
    joinInvocation(id) {
      if (id !== null) invocationId = id;
    },
    progress: () => createProgress(io.stderr, options.progressIntervalMs, shows('info')),
  };
}

/**
 * Progress on `sink`: on a terminal one line rewritten in place; elsewhere (CI logs, pipes) the
 * current step repeated every `intervalMs` while the work lasts, so a long listing, wait or write
 * is never silent, a short one prints nothing, and logs stay line-oriented.
 */
export function createProgress(sink: TextSink, intervalMs: number, enabled = true): Progress {
  if (!enabled) return { update() {}, done() {} };
  if (sink.isTTY === true) {
    let shown = false;
    return {
      update(text) {
        sink.write(`\r\u001b[2K${plainText(text)}`);
        shown = true;
      },
      done() {
        if (shown) sink.write('\r\u001b[2K');
        shown = false;
      },
    };
  }
  const started = Date.now();
  let current = '';
  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    update(text) {
      current = text;
      if (timer !== null || intervalMs <= 0) return;
      timer = setInterval(() => {
        const seconds = Math.round((Date.now() - started) / 1000);
        sink.write(`${plainText(current)} (${seconds} s)\n`);
      }, intervalMs);
      // Never the reason the process stays alive.
      timer.unref();
    },
    done() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
