/**
 * How the CLI shows a failure: `code: message`, the file and field when known, and the error's
 * hint on what to do (in the words of the CLI's flags where they differ from the library's
 * options); the stack (and cause chain) only with --verbose. Also maps errors to exit codes.
 */
import { DbtAutoExposuresError, type ErrorCode } from '../index.js';
import { plainText } from '../util/terminal-text.js';
import type { Paint } from './io.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'ERR_CONFIG',
  'ERR_INVALID_OPTION',
  'ERR_TABLEAU_CONFIG',
]);

/** 2 for bad usage or configuration, 1 for anything else that failed. */
export function exitCodeFor(error: unknown): number {
  return error instanceof DbtAutoExposuresError && USAGE_CODES.has(error.code)
    ? EXIT.usage
    : EXIT.failed;
}

/**
 * Hints that name the CLI's flags, variables or commands where the library's hint names its
 * options (or has none); every other hint is the error's own (`error.hint`).
 */
const FLAG_HINTS: Partial<Record<ErrorCode, (error: DbtAutoExposuresError) => string | undefined>> =
  {
    ERR_ARTIFACT_NOT_FOUND: (error) =>
      error.expected === 'manifest.json'
        ? 'run dbt first (dbt build / dbt parse), or point --project-dir, --target-path or --manifest at the artifacts'
        : error.expected === 'run_results.json'
          ? 'run `dbt build` or `dbt run` (they write run_results.json), or point --target-path or --run-results at it'
          : undefined,
    ERR_TABLEAU_TIMEOUT: () => 'Tableau did not answer in time: retry, or raise --timeout',
    // A Tableau setting the library refused: in the CLI it comes from these variables or flags.
    ERR_TABLEAU_CONFIG: (error) =>
      error.hint ??
      'check TABLEAU_SERVER_URL, TABLEAU_SITE_NAME, TABLEAU_TOKEN_NAME and TABLEAU_TOKEN_SECRET (docs/getting-started.md), or the TABLEAU_CONNECTED_APP_* variables and TABLEAU_USERNAME (docs/tableau.md)',
    ERR_LINEAGE_READ: (error) =>
      error.details?.code === 'ENOENT'
        ? 'run `dbt-auto-exposures sync` first, or point --lineage at its lineage JSON'
        : undefined,
  };

function hintFor(error: unknown): string | undefined {
  if (!(error instanceof DbtAutoExposuresError)) return undefined;
  return FLAG_HINTS[error.code]?.(error) ?? error.hint;
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(
      current instanceof Error
        ? `caused by: ${current.stack ?? current.message}`
        : `caused by: ${String(current)}`,
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

/** Multi-line text (a stack) with each line made plain (see `plainText`). */
function plainLines(text: string): string {
  return text.split('\n').map(plainText).join('\n');
}

/** The error as data, for a JSON event (`--log-format json`): what the text shows, as fields. */
export function errorData(error: unknown): Record<string, unknown> {
  const exitCode = exitCodeFor(error);
  if (!(error instanceof DbtAutoExposuresError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: 'ERR_INTERNAL', message, exit_code: exitCode };
  }
  return {
    code: error.code,
    message: error.message,
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.field === undefined ? {} : { field: error.field }),
    ...(error.expected === undefined ? {} : { expected: error.expected }),
    ...(hintFor(error) === undefined ? {} : { hint: hintFor(error) }),
    exit_code: exitCode,
  };
}

/**
 * The text printed on stderr for `error`. Messages can quote names typed by Tableau users:
 * control and bidi characters are removed from every line.
 */
export function formatError(error: unknown, options: { verbose: boolean; paint: Paint }): string {
  const { paint } = options;
  const lines: string[] = [];
  if (error instanceof DbtAutoExposuresError) {
    lines.push(`${paint('red', error.code)}: ${plainText(error.message)}`);
    if (error.file !== undefined && !error.message.includes(error.file))
      lines.push(`  file: ${plainText(error.file)}`);
    if (error.field !== undefined && !error.message.includes(error.field))
      lines.push(`  field: ${plainText(error.field)}`);
    if (error.expected !== undefined) lines.push(`  expected: ${plainText(error.expected)}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`${paint('red', 'ERR_INTERNAL')}: ${plainText(message)}`);
  }
  const hint = hintFor(error);
  if (hint !== undefined) lines.push(`${paint('cyan', 'hint')}: ${plainText(hint)}`);
  if (!(error instanceof DbtAutoExposuresError) && !options.verbose) {
    lines.push(
      `${paint('cyan', 'hint')}: this looks like a bug; run again with --verbose and report the output`,
    );
  }
  if (options.verbose && error instanceof Error && error.stack !== undefined) {
    lines.push(paint('dim', plainLines(error.stack)));
    const causes = causeChain(error);
    if (causes !== '') lines.push(paint('dim', plainLines(causes)));
  }
  return `${lines.join('\n')}\n`;
}
