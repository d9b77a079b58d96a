/**
 * Offline Tableau data. `loadTableauSnapshot` (a file) and `parseTableauSnapshot` (a value) accept
 * the library's own versioned snapshot format or raw Metadata API output (one page or an array of
 * pages, with or without the outer `data`, custom SQL pages included), which goes through the same
 * `normalizeWorkbooks` as live responses. `writeTableauSnapshot` writes the own format atomically
 * and deterministically.
 *
 * Own format:
 * `{ "kind": "dbt-auto-exposures/tableau-snapshot", "version": 1, "source": {...}, "workbooks": [...] }`
 * where `workbooks` are `TableauWorkbook` objects.
 */
import { z } from 'zod';
import { DbtAutoExposuresError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { type JsonProblem, readJsonFile } from '../util/json-file.js';
import { firstProblem } from '../util/zod-issue.js';
import {
  canonicalWorkbook,
  canonicalWorkbooks,
  inCanonicalOrder,
  normalizeWorkbooks,
} from './normalize.js';
import type { TableauWarning, TableauWorkbook } from './types.js';

/** `kind` of the snapshot format. */
export const TABLEAU_SNAPSHOT_KIND = 'dbt-auto-exposures/tableau-snapshot';
/** The snapshot format version this library writes and reads. */
const TABLEAU_SNAPSHOT_VERSION = 1;

/** The hint of a file that is not a Tableau snapshot. */
const SNAPSHOT_HINT =
  "pass a file written by writeTableauSnapshot (the CLI's snapshot command) or raw Metadata API responses";

/** Where a snapshot came from. Every field optional; no timestamp unless given. */
export interface TableauSnapshotSource {
  serverUrl?: string | null | undefined;
  siteName?: string | null | undefined;
  /** ISO time the data was fetched (only when the caller passes it). */
  fetchedAt?: string | null | undefined;
}

/** The snapshot file. */
export interface TableauSnapshot {
  kind: typeof TABLEAU_SNAPSHOT_KIND;
  version: typeof TABLEAU_SNAPSHOT_VERSION;
  source: TableauSnapshotSource;
  workbooks: TableauWorkbook[];
}

const nullableString = z.string().nullable();
const tableSchema = z.object({
  name: z.string(),
  fullName: nullableString,
  schema: nullableString,
  databaseName: nullableString,
  connectionType: nullableString,
});
const customSqlSchema = z.object({
  name: z.string(),
  query: z.string(),
  connectionType: nullableString,
  databaseName: nullableString,
  isUnsupported: z.boolean(),
  tables: z.array(tableSchema),
});
// Typed as the domain type: the compiler keeps the schema and `TableauWorkbook` in agreement.
const workbookSchema: z.ZodType<TableauWorkbook> = z.object({
  luid: z.string().min(1),
  name: z.string(),
  projectName: nullableString,
  projectLuid: nullableString,
  owner: z
    .object({ name: nullableString, email: nullableString, username: nullableString })
    .nullable(),
  tags: z.array(z.string()),
  description: nullableString,
  createdAt: nullableString,
  updatedAt: nullableString,
  vizportalUrlId: nullableString,
  url: nullableString,
  embeddedDatasources: z.array(
    z.object({
      name: z.string(),
      hasExtracts: z.boolean(),
      extractLastRefreshTime: nullableString,
      tables: z.array(tableSchema),
      customSql: z.array(customSqlSchema),
      publishedDatasourceLuids: z.array(z.string()),
    }),
  ),
  publishedDatasources: z.array(
    z.object({
      luid: z.string().min(1),
      name: z.string(),
      projectName: nullableString,
      vizportalUrlId: nullableString,
      hasExtracts: z.boolean(),
      extractLastRefreshTime: nullableString,
      tables: z.array(tableSchema),
      customSql: z.array(customSqlSchema),
    }),
  ),
});
const sourceSchema = z.object({
  serverUrl: nullableString.optional(),
  siteName: nullableString.optional(),
  fetchedAt: nullableString.optional(),
});
/** The top level; each workbook is then read on its own (see `parseTableauSnapshot`). */
const snapshotSchema = z.object({
  kind: z.literal(TABLEAU_SNAPSHOT_KIND),
  version: z.literal(TABLEAU_SNAPSHOT_VERSION),
  source: sourceSchema.default({}),
  workbooks: z.array(z.unknown()),
});

/** Options of `loadTableauSnapshot` / `parseTableauSnapshot`. */
export interface LoadTableauSnapshotOptions {
  signal?: AbortSignal | undefined;
  /** For raw payloads: server URL and site for browser URLs (own snapshots keep their URLs). */
  serverUrl?: string | undefined;
  siteName?: string | undefined;
  /** For raw payloads: accept pages with GraphQL errors (partial data). Default false. */
  allowErrors?: boolean | undefined;
  /** For raw payloads: receives GraphQL warnings. */
  onWarning?: ((warning: TableauWarning) => void) | undefined;
}

function snapshotError(
  message: string,
  file: string | undefined,
  field: string,
  expected: string,
  cause?: unknown,
): DbtAutoExposuresError {
  return new DbtAutoExposuresError(
    'ERR_SNAPSHOT',
    `${file === undefined ? '' : `${file}: `}${message}`,
    {
      file,
      field,
      expected,
      hint: SNAPSHOT_HINT,
      cause,
    },
  );
}

/**
 * Parse an already-loaded snapshot value (own format or raw Metadata API output). Pure.
 *
 * @throws DbtAutoExposuresError `ERR_SNAPSHOT` naming `file` and the offending field.
 */
export function parseTableauSnapshot(
  value: unknown,
  options: Omit<LoadTableauSnapshotOptions, 'signal'> & { file?: string | undefined } = {},
): TableauWorkbook[] {
  const { file } = options;
  const kind =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as { kind?: unknown }).kind
      : undefined;
  if (kind !== undefined) {
    if (kind !== TABLEAU_SNAPSHOT_KIND) {
      throw snapshotError(
        `unknown snapshot kind ${JSON.stringify(kind)}`,
        file,
        'kind',
        `"${TABLEAU_SNAPSHOT_KIND}"`,
      );
    }
    const version = (value as { version?: unknown }).version;
    if (version !== TABLEAU_SNAPSHOT_VERSION) {
      throw snapshotError(
        `unsupported snapshot version ${JSON.stringify(version)} (this library reads version ${TABLEAU_SNAPSHOT_VERSION})`,
        file,
        'version',
        String(TABLEAU_SNAPSHOT_VERSION),
      );
    }
    const top = readSnapshotPart(snapshotSchema, value, [], file);
    // Each workbook validated and put in canonical form before the next: zod's copy of one
    // workbook is garbage at once, instead of a second copy of the whole snapshot living on.
    const workbooks = top.workbooks.map((raw, i) =>
      canonicalWorkbook(readSnapshotPart(workbookSchema, raw, ['workbooks', i], file)),
    );
    return inCanonicalOrder(workbooks);
  }
  try {
    return normalizeWorkbooks(value, {
      file,
      serverUrl: options.serverUrl,
      siteName: options.siteName,
      allowErrors: options.allowErrors,
      onWarning: options.onWarning,
    });
  } catch (cause) {
    if (cause instanceof DbtAutoExposuresError) {
      throw new DbtAutoExposuresError('ERR_SNAPSHOT', cause.message, {
        file,
        field: cause.field,
        expected: cause.expected,
        details: cause.details,
        hint: SNAPSHOT_HINT,
        cause,
      });
    }
    /* c8 ignore next 2 -- normalisation only throws coded errors */
    throw cause;
  }
}

/** `value` (at `path` in the snapshot) read with `schema`, or `ERR_SNAPSHOT` naming the field. */
function readSnapshotPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: (string | number)[],
  file: string | undefined,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problem = firstProblem(parsed.error, value, path);
  throw snapshotError(
    `invalid Tableau snapshot at ${problem.field}: ${problem.expected} (got ${problem.got})`,
    file,
    problem.field,
    problem.expected,
    parsed.error,
  );
}

/** A snapshot file that cannot be read as JSON, as `ERR_SNAPSHOT` naming the file. */
function fileProblem(file: string): (problem: JsonProblem, cause: unknown) => Error {
  return (problem, cause) => {
    if (problem.kind === 'missing' || problem.kind === 'unreadable') {
      const reason = problem.kind === 'missing' ? 'no such file' : problem.reason;
      return snapshotError(
        `cannot read the Tableau snapshot (${reason})`,
        file,
        '(file)',
        'a readable JSON file',
        cause,
      );
    }
    if (problem.kind === 'empty') {
      return snapshotError('the Tableau snapshot is empty', file, '(root)', 'JSON', cause);
    }
    const at = problem.line === null ? '' : ` at line ${problem.line}, column ${problem.column}`;
    const cut = problem.truncated ? '; the file ends early: was it written completely?' : '';
    return snapshotError(
      `not valid JSON${at} (${problem.message})${cut}`,
      file,
      '(root)',
      'JSON',
      cause,
    );
  };
}

/**
 * Read Tableau workbooks from a snapshot file (see the module doc for the accepted forms; a UTF-8
 * byte-order mark is skipped).
 *
 * @throws DbtAutoExposuresError `ERR_SNAPSHOT` (unreadable file, not JSON, invalid content),
 *   `ERR_ABORTED` when `signal` aborts.
 */
export async function loadTableauSnapshot(
  path: string,
  options: LoadTableauSnapshotOptions = {},
): Promise<TableauWorkbook[]> {
  const { signal, ...rest } = options;
  const value = await readJsonFile(path, fileProblem(path), { signal });
  return parseTableauSnapshot(value, { ...rest, file: path });
}

/** Options of `writeTableauSnapshot`. */
export interface WriteTableauSnapshotOptions {
  source?: TableauSnapshotSource | undefined;
  signal?: AbortSignal | undefined;
}

/** The snapshot file text for some workbooks: canonical order, 2-space JSON, trailing newline. Pure. */
export function renderTableauSnapshot(
  workbooks: readonly TableauWorkbook[],
  source: TableauSnapshotSource = {},
): string {
  const cleanSource: TableauSnapshotSource = {};
  if (source.serverUrl !== undefined) cleanSource.serverUrl = source.serverUrl;
  if (source.siteName !== undefined) cleanSource.siteName = source.siteName;
  if (source.fetchedAt !== undefined) cleanSource.fetchedAt = source.fetchedAt;
  const snapshot: TableauSnapshot = {
    kind: TABLEAU_SNAPSHOT_KIND,
    version: TABLEAU_SNAPSHOT_VERSION,
    source: cleanSource,
    workbooks: canonicalWorkbooks(workbooks),
  };
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/**
 * Write workbooks as a snapshot file, atomically (temporary file + rename: a failure leaves any
 * previous file untouched) and deterministically (same workbooks → same bytes).
 *
 * @throws DbtAutoExposuresError `ERR_SNAPSHOT` naming the file when writing fails (the underlying
 *   error as `cause`); `ERR_ABORTED` when `signal` aborts.
 */
export async function writeTableauSnapshot(
  path: string,
  workbooks: readonly TableauWorkbook[],
  options: WriteTableauSnapshotOptions = {},
): Promise<void> {
  const text = renderTableauSnapshot(workbooks, options.source);
  try {
    await writeFileAtomic(path, text, { signal: options.signal });
  } catch (cause) {
    if (cause instanceof DbtAutoExposuresError && cause.code === 'ERR_ABORTED') throw cause;
    throw snapshotError(
      `cannot write the Tableau snapshot (${(cause as Error).message})`,
      path,
      '(file)',
      'a writable path',
      cause,
    );
  }
}
