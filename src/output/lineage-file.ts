/**
 * The lineage JSON file: what `sync` writes and `refresh` (and other tools) read. One zod schema
 * per format validates it and names the first offending field. Format 2 names dependencies with
 * structured references; format 1 files (Jinja `ref(...)` strings, no `dbt.packageName`) are
 * still read, upgraded once here, and written back as format 2.
 *
 * The file is canonical: keys in the order of the schema (which is the order of the lineage
 * types), every list sorted, 2-space indent, trailing newline; so it diffs cleanly in version
 * control and two syncs over the same inputs write the same bytes. Objects are loose: a field
 * added later (always optional within a format) survives a read/write round trip.
 */
import { z } from 'zod';
import { LineageError } from '../errors.js';
import {
  type DbtReference,
  type ExposureLineage,
  LINEAGE_VERSION,
  type LineageExposure,
  type UnmatchedTable,
} from '../lineage/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { compareStrings } from '../util/compare.js';
import { type JsonProblem, parseJsonText, readJsonFile } from '../util/json-file.js';
import { firstProblem } from '../util/zod-issue.js';

const nullableString = z.string().nullable();
const count = z.number().int().nonnegative();

const unmatchedTable = z.looseObject({
  table: z.string(),
  reason: z.enum([
    'no_relation',
    'database_mismatch',
    'ambiguous',
    'not_a_warehouse',
    'unsupported_custom_sql',
    'private_model',
    'hidden_by_permissions',
  ]),
  detail: z.string(),
  candidates: z.array(z.string()).optional(),
});

const reference = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('ref'),
    package: z.string().min(1),
    name: z.string().min(1),
    version: z.union([z.string(), z.number()]).nullable(),
  }),
  z.looseObject({
    kind: z.literal('source'),
    package: z.string().min(1),
    source: z.string().min(1),
    name: z.string().min(1),
  }),
]);

/** The lineage schema of one format: they differ in how a dependency names its node and in `dbt`. */
function lineageSchema<V extends number, R extends z.ZodType, D extends z.ZodRawShape>(
  version: V,
  ref: R,
  dbtExtra: D,
) {
  const exposure = z.looseObject({
    name: z.string().min(1),
    uniqueId: z.string().min(1),
    label: z.string(),
    type: z.enum(['dashboard', 'notebook', 'analysis', 'ml', 'application']),
    maturity: z.enum(['high', 'medium', 'low']),
    url: nullableString,
    owner: z.looseObject({ name: z.string(), email: z.string().optional() }),
    description: z.string(),
    tags: z.array(z.string()),
    meta: z.looseObject({
      tableau: z.looseObject({
        workbookLuid: z.string(),
        projectName: nullableString,
        updatedAt: nullableString,
        projectLuid: nullableString.optional(),
        vizportalUrlId: nullableString.optional(),
      }),
    }),
    dependsOn: z.array(
      z.looseObject({
        uniqueId: z.string().min(1),
        ref,
        tables: z.array(z.string()),
        match: z.enum(['exact', 'schema_identifier', 'custom_sql_parsed', 'custom_sql']),
      }),
    ),
    refreshTargets: z.array(
      z.looseObject({
        kind: z.enum(['workbook', 'datasource']),
        luid: z.string(),
        name: z.string(),
        hasExtracts: z.boolean(),
        lastRefreshAt: nullableString,
      }),
    ),
    unmatchedTables: z.array(unmatchedTable),
  });
  return z.looseObject({
    version: z.literal(version),
    generatedAt: z.string().optional(),
    source: z.looseObject({
      kind: z.enum(['tableau', 'snapshot']),
      serverUrl: nullableString,
      siteName: nullableString,
    }),
    dbt: z.looseObject({
      projectName: nullableString,
      ...dbtExtra,
      adapterType: nullableString,
      manifestSchemaVersion: z.number().int().positive(),
      dbtVersion: z.string(),
    }),
    exposures: z.array(exposure),
    ambiguous: z.array(
      z.looseObject({
        workbookLuid: z.string(),
        workbookName: z.string(),
        table: z.string(),
        candidates: z.array(z.string()),
      }),
    ),
    skippedWorkbooks: z.array(
      z.looseObject({
        workbookLuid: z.string(),
        workbookName: z.string(),
        reason: z.enum(['no_matched_tables', 'excluded']),
        unmatchedTables: z.array(unmatchedTable),
      }),
    ),
    stats: z.looseObject({
      workbooks: count,
      tables: count,
      matched: count,
      unmatched: count,
      customSql: z.looseObject({ queries: count, parsed: count }).optional(),
    }),
  });
}

/** Format 2, the one written. */
const lineageSchemaV2 = lineageSchema(LINEAGE_VERSION, reference, { packageName: z.string() });
/** Format 1: `ref` is the Jinja text (`ref('orders')`), `dbt` has no `packageName`. */
const lineageSchemaV1 = lineageSchema(1, z.string().min(1), {});

// The schema describes the lineage types: what it accepts is an `ExposureLineage`.
const asLineage = (value: z.output<typeof lineageSchemaV2>): ExposureLineage => value;

/** Options of `parseLineage`. */
export interface ParseLineageOptions {
  /** The file the JSON came from, for error messages. */
  path?: string | undefined;
}

/** Options of `loadLineage` and `writeLineage`. */
export interface LineageFileOptions {
  signal?: AbortSignal | undefined;
}

/** How a lineage document is named in messages. */
function lineageLabel(path: string | undefined): string {
  return path ?? 'the lineage JSON given';
}

/** The hint of a lineage file that is missing. */
const RUN_SYNC_FIRST =
  'run sync first (it writes the lineage JSON), or pass the path of the lineage JSON it wrote';

/** The hint of a lineage file that is broken or was not written by this library. */
const RESYNC = 'write the lineage JSON again with sync (writeLineage); do not edit it by hand';

function readError(path: string | undefined, problem: JsonProblem, cause: unknown): LineageError {
  const label = lineageLabel(path);
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (problem.kind) {
    case 'missing':
      return new LineageError(
        'ERR_LINEAGE_READ',
        `Lineage file ${label} does not exist. Run sync first, or pass the path of an existing lineage file.`,
        { file: path, details: { code }, hint: RUN_SYNC_FIRST, cause },
      );
    case 'unreadable':
      return new LineageError(
        'ERR_LINEAGE_READ',
        `Lineage file ${label} cannot be read (${problem.reason}).`,
        { file: path, details: { code }, hint: 'check the file and its permissions', cause },
      );
    case 'empty':
      return new LineageError('ERR_LINEAGE_READ', `${label} is empty: re-run sync.`, {
        file: path,
        hint: RESYNC,
      });
    case 'not_json':
      return new LineageError(
        'ERR_LINEAGE_READ',
        `${label} is not valid JSON${problem.line === null ? '' : ` (line ${problem.line}, column ${problem.column})`}: ${problem.message}`,
        {
          file: path,
          details: { line: problem.line, column: problem.column },
          hint: RESYNC,
          cause,
        },
      );
  }
}

/**
 * Validate a lineage document (format 2, or format 1 upgraded) and return it in canonical form:
 * a new object, keys in the file's order, every list sorted.
 *
 * @param json - the parsed JSON value, or the JSON text itself (a string is parsed first: a
 *   lineage document is never a bare string).
 * @throws LineageError `ERR_LINEAGE_READ` (text that is not JSON, with line and column),
 *   `ERR_LINEAGE_VERSION` (a `version` newer than this library knows: upgrade it),
 *   `ERR_LINEAGE_SCHEMA` (a field missing or of the wrong shape; `field` is its JSON path).
 */
export function parseLineage(json: unknown, options: ParseLineageOptions = {}): ExposureLineage {
  const { path } = options;
  const value =
    typeof json === 'string'
      ? parseJsonText(json, (problem, cause) => readError(path, problem, cause))
      : json;
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > LINEAGE_VERSION) {
    throw new LineageError(
      'ERR_LINEAGE_VERSION',
      `${lineageLabel(path)}: lineage version ${version} is newer than this library reads (version ` +
        `${LINEAGE_VERSION}). Upgrade dbt-auto-exposures, or re-run sync with this version.`,
      {
        file: path,
        field: 'version',
        expected: `${LINEAGE_VERSION}`,
        details: { version },
        hint: 'upgrade dbt-auto-exposures, or write the lineage again with this version (sync)',
      },
    );
  }
  if (version === 1) {
    const v1 = lineageSchemaV1.safeParse(value);
    if (!v1.success) throw schemaError(path, firstProblem(v1.error, value));
    return sortLineage(upgradeFormat1(v1.data, path));
  }
  const v2 = lineageSchemaV2.safeParse(value);
  if (!v2.success) throw schemaError(path, firstProblem(v2.error, value));
  return sortLineage(asLineage(v2.data));
}

function schemaError(
  path: string | undefined,
  { field, expected, got }: ReturnType<typeof firstProblem>,
): LineageError {
  return new LineageError(
    'ERR_LINEAGE_SCHEMA',
    `${lineageLabel(path)}: ${field} is invalid (${expected}), got ${got}. ` +
      'The file was not written by dbt-auto-exposures or was edited by hand: re-run sync.',
    { file: path, field, expected, details: { got }, hint: RESYNC },
  );
}

/**
 * Read and validate a lineage file (a UTF-8 byte order mark is skipped).
 *
 * @throws LineageError `ERR_LINEAGE_READ` when the file is missing or unreadable (`details.code`:
 *   the system's code, e.g. `ENOENT`), or any error of `parseLineage`; `ERR_ABORTED` when
 *   `signal` aborts.
 */
export async function loadLineage(
  path: string,
  options: LineageFileOptions = {},
): Promise<ExposureLineage> {
  const value = await readJsonFile(path, (problem, cause) => readError(path, problem, cause), {
    signal: options.signal,
  });
  return parseLineage(value, { path });
}

/**
 * The exact text `writeLineage` writes: the lineage as JSON with a 2-space indent and a trailing
 * newline, in the order it is given. Not validated again: validation happens where data enters.
 * A lineage from `buildExposureLineage` is valid and canonical by construction (a test holds it to
 * the schema), one from `parseLineage` / `loadLineage` was validated and made canonical there; a
 * value assembled by hand goes through `parseLineage` first.
 */
export function renderLineage(lineage: ExposureLineage): string {
  return `${JSON.stringify(lineage, null, 2)}\n`;
}

/**
 * Write a lineage file atomically (see `writeFileAtomic`) as `renderLineage` renders it.
 *
 * @throws LineageError `ERR_OUTPUT_WRITE` when writing fails (the previous file is untouched).
 */
export async function writeLineage(
  path: string,
  lineage: ExposureLineage,
  options: LineageFileOptions = {},
): Promise<void> {
  await writeFileAtomic(path, renderLineage(lineage), { signal: options.signal });
}

const byString = compareStrings;

function sortUnmatched(list: UnmatchedTable[]): void {
  for (const u of list) u.candidates?.sort(byString);
  list.sort(
    (a, b) =>
      compareStrings(a.table, b.table) ||
      compareStrings(a.reason, b.reason) ||
      compareStrings(a.detail, b.detail),
  );
}

function sortExposure(e: LineageExposure): void {
  e.tags.sort(byString);
  for (const d of e.dependsOn) d.tables.sort(byString);
  e.dependsOn.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId));
  e.refreshTargets.sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.luid, b.luid));
  sortUnmatched(e.unmatchedTables);
}

/** Every list of a freshly parsed lineage sorted by its natural key, in place. */
function sortLineage(lineage: ExposureLineage): ExposureLineage {
  for (const e of lineage.exposures) sortExposure(e);
  lineage.exposures.sort((a, b) => compareStrings(a.name, b.name));
  for (const a of lineage.ambiguous) a.candidates.sort(byString);
  lineage.ambiguous.sort(
    (a, b) => compareStrings(a.workbookLuid, b.workbookLuid) || compareStrings(a.table, b.table),
  );
  for (const s of lineage.skippedWorkbooks) sortUnmatched(s.unmatchedTables);
  lineage.skippedWorkbooks.sort((a, b) => compareStrings(a.workbookLuid, b.workbookLuid));
  return lineage;
}

/**
 * A format-1 lineage as format 2: each `ref` string parsed into its reference, and
 * `dbt.packageName` (the package of the exposures' unique ids, else the manifest's project name).
 * A reference's package is the second part of its node's unique id (`model.shop.orders`), which
 * is the package `ref('orders')` meant.
 */
function upgradeFormat1(
  v1: z.output<typeof lineageSchemaV1>,
  path: string | undefined,
): ExposureLineage {
  const exposures = v1.exposures.map((e, i) => ({
    ...e,
    dependsOn: e.dependsOn.map((d, j) => {
      const ref = parseJinjaReference(d.ref, d.uniqueId.split('.')[1] ?? '');
      if (ref === null) {
        throw schemaError(path, {
          field: `exposures[${i}].dependsOn[${j}].ref`,
          expected: "ref('name'), ref('pkg', 'name'), ref('name', v=2) or source('src', 'table')",
          got: JSON.stringify(d.ref),
        });
      }
      return { ...d, ref };
    }),
  }));
  const first = exposures[0]?.uniqueId.match(/^exposure\.([^.]+)\./)?.[1];
  const { projectName, ...rest } = v1.dbt;
  return asLineage({
    ...v1,
    version: LINEAGE_VERSION,
    dbt: { projectName, packageName: first ?? projectName ?? '', ...rest },
    exposures,
  });
}

/** One literal argument of a Jinja call: a quoted string or a number, maybe `keyword=`. */
interface Argument {
  keyword: string | null;
  value: string | number;
}

const CALL = /^\s*(ref|source)\s*\(([\s\S]*)\)\s*$/;

/**
 * A format-1 dependency string (`ref('pkg', 'name', v=2)`, `source('src', 'table')`) as a
 * reference; `nodePackage` is the package of a one-argument ref. Null for anything else.
 */
function parseJinjaReference(text: string, nodePackage: string): DbtReference | null {
  const call = CALL.exec(text);
  const args = call === null ? null : parseArguments(call[2]!);
  if (call === null || args === null) return null;
  const strings = args.filter((a) => a.keyword === null).map((a) => a.value);
  if (!strings.every((v) => typeof v === 'string') || strings.length === 0) return null;
  const keywords = args.filter((a) => a.keyword !== null);
  if (call[1] === 'source') {
    if (strings.length !== 2 || keywords.length > 0) return null;
    return { kind: 'source', package: nodePackage, source: strings[0]!, name: strings[1]! };
  }
  if (strings.length > 2 || keywords.length > 1) return null;
  if (keywords.some((a) => a.keyword !== 'v' && a.keyword !== 'version')) return null;
  return {
    kind: 'ref',
    package: strings.length === 2 ? strings[0]! : nodePackage,
    name: strings[strings.length - 1]!,
    version: keywords[0]?.value ?? null,
  };
}

/** Comma-separated literal arguments, or null when the text is not such a list. */
function parseArguments(text: string): Argument[] | null {
  const args: Argument[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const keyword = /^([A-Za-z_]\w*)\s*=\s*/.exec(rest);
    if (keyword) rest = rest.slice(keyword[0].length);
    const literal = /^'((?:[^'\\]|\\.)*)'|^"((?:[^"\\]|\\.)*)"|^(-?\d+(?:\.\d+)?)/.exec(rest);
    if (literal === null) return null;
    const quoted = literal[1] ?? literal[2];
    args.push({
      keyword: keyword?.[1] ?? null,
      value: quoted === undefined ? Number(literal[3]) : quoted.replace(/\\(.)/g, '$1'),
    });
    rest = rest.slice(literal[0].length).trim();
    if (rest === '') break;
    if (rest[0] !== ',') return null;
    rest = rest.slice(1).trim();
    if (rest === '') return null;
  }
  return args;
}
