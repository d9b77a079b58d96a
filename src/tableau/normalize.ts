/**
 * The one pure normalisation from raw Metadata API output (live pages, files fed by users, curl
 * output) to `TableauWorkbook[]`. Decisions:
 *
 * - Workbooks are deduplicated by luid (pages that repeat a workbook are merged: first non-null
 *   scalar wins, lists are united) and sorted by name, then luid. Everything inside is sorted and
 *   deduplicated too, so the output does not depend on page order.
 * - Published data sources appear once per workbook: those of `workbook.upstreamDatasources`, plus
 *   any an embedded source references, completed from `publishedDatasourcesConnection` pages when
 *   those are given.
 * - An embedded data source keeps only the tables it reaches directly: tables that also come
 *   through one of its published data sources are listed under that published source only.
 * - Custom SQL (from `customSQLTablesConnection` pages) is attached to the data source that uses
 *   it: `referencedByFields.datasource` (embedded by id, published by luid or id), else
 *   `downstreamDatasources` (published), else `downstreamWorkbooks`: the workbook's only embedded
 *   data source, or a synthetic live embedded source named `Custom SQL` when it has several or
 *   none. Workbooks known only from custom SQL are included (option `customSqlOnlyWorkbooks`).
 * - A workbook's own `upstreamTables` (dbt Cloud's troubleshooting query asks only for these), and
 *   those of its `sheets` and `dashboards`, that none of its data sources lists go to a synthetic
 *   live embedded source named `Workbook upstream tables`.
 * - Every list is read as Tableau can spell it: `field` (a list) and `fieldConnection` (`nodes`,
 *   or Relay-style `edges { node }`).
 * - GraphQL errors (partial data) throw `ERR_TABLEAU_GRAPHQL` unless `allowErrors`; warnings go to
 *   `onWarning`, and so do tables of the payload that no normalised workbook holds
 *   (`UNREAD_TABLES`, naming their JSON path): nothing is dropped silently.
 *
 * Snapshots: `canonicalWorkbooks` puts already normalised workbooks in the same canonical form
 * (fixed key order, every list sorted and deduplicated the same way), so a snapshot written from
 * them is deterministic.
 */
import { compareStrings } from '../util/compare.js';
import { collectMetadataPages, graphQLErrorsToError, type MetadataPages } from './metadata.js';
import type {
  RawCustomSqlColumn,
  RawCustomSqlTable,
  RawDatasourceRef,
  RawEmbeddedDatasource,
  RawFieldDatasource,
  RawPublishedDatasource,
  RawTable,
  RawWorkbook,
} from './queries.js';
import type {
  TableauCustomSql,
  TableauEmbeddedDatasource,
  TableauPublishedDatasource,
  TableauTable,
  TableauWarning,
  TableauWorkbook,
} from './types.js';
import { workbookUrl } from './urls.js';

// ---------------------------------------------------------------------------------------------
// Raw values: a wrong type reads as absent, never as a crash; lists are sorted in code-unit order.

/** The value when it is a string, else null. */
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The object items of a raw list (null items and a missing list are skipped). */
function list<T>(value: (T | null)[] | null | undefined): T[] {
  return Array.isArray(value)
    ? value.filter((v): v is T => v !== null && typeof v === 'object')
    : [];
}

/** The object without its null and undefined members (so a spread does not erase known values). */
function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}

/**
 * The nodes of a connection (`{ nodes }`, or Relay-style `{ edges: [{ node }] }` as some GraphQL
 * tools re-shape it) or the items of a plain list; objects only.
 */
function items(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return list(value as (Record<string, unknown> | null)[]);
  if (value === null || typeof value !== 'object') return [];
  const connection = value as { nodes?: unknown; edges?: unknown };
  const nodes = Array.isArray(connection.nodes) ? list(connection.nodes as object[]) : [];
  const edges = Array.isArray(connection.edges) ? list(connection.edges as object[]) : [];
  const fromEdges = edges.map((e) => (e as { node?: unknown }).node);
  return [...nodes, ...list(fromEdges as object[])] as Record<string, unknown>[];
}

/**
 * A list field of a raw object as the Metadata API can spell it: `field` (a list) and
 * `fieldConnection` (a connection), both read. `upstreamTables` and `upstreamTablesConnection`
 * are the same tables asked two ways.
 */
function field<T>(raw: object, key: string): T[] {
  const record = raw as Record<string, unknown>;
  return [...items(record[key]), ...items(record[`${key}Connection`])] as T[];
}

/** A comparator over several string keys in turn (null sorts as ""). */
function byKeys<T>(...keys: ((x: T) => string | null)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const d = compareStrings(key(a) ?? '', key(b) ?? '');
      if (d !== 0) return d;
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------
// Tables and custom SQL: the leaves of a workbook, sorted and deduplicated.

function stripQuotes(part: string): string {
  return part.replace(/^[[`"']|[\]`"']$/g, '');
}

/**
 * When a data source's extract was last refreshed: `extractLastUpdateTime` (any refresh, full or
 * incremental, or the extract's creation), else `extractLastRefreshTime` (the last FULL refresh:
 * what payloads without the newer field carry). This is the normalised `extractLastRefreshTime`.
 */
export function lastExtractTime(raw: {
  extractLastUpdateTime?: unknown;
  extractLastRefreshTime?: unknown;
}): string | null {
  return str(raw.extractLastUpdateTime) ?? str(raw.extractLastRefreshTime);
}

/**
 * Whether Tableau hid a table from the token: with its default `OBFUSCATE_RESULTS` permission
 * mode the table is listed, but its name and fullName come back null (normalised to name "" and
 * fullName null).
 */
export function isHiddenTable(table: TableauTable): boolean {
  return table.name === '' && table.fullName === null;
}

/** Normalise one table. A missing `name` is taken from the last part of `fullName`. */
export function normalizeTable(raw: RawTable): TableauTable {
  const fullName = str(raw.fullName);
  return {
    name: str(raw.name) ?? (fullName === null ? '' : lastPartOf(fullName)),
    fullName,
    schema: str(raw.schema),
    databaseName: str(raw.database?.name),
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
  };
}

/** The last part of a qualified name, unquoted (`[DB].[S].[T]` → `T`). */
function lastPartOf(fullName: string): string {
  const part = fullName.match(/(\[[^\]]*\]|"[^"]*"|`[^`]*`|[^.]+)$/)?.[1] ?? fullName;
  return stripQuotes(part);
}

/** Identity of a normalised table, for deduplication. */
function tableKey(t: TableauTable): string {
  return JSON.stringify([t.fullName ?? t.name, t.name, t.schema, t.databaseName, t.connectionType]);
}

const tableOrder = byKeys<TableauTable>(
  (t) => t.fullName ?? t.name,
  (t) => t.name,
  (t) => t.databaseName,
  (t) => t.connectionType,
  (t) => t.schema,
);

/** Null before "" where `tableOrder` reads both as "". */
function nullFirst(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? -1 : b === null ? 1 : 0;
}

/** `tableOrder`, then null before "": two tables compare equal exactly when their `tableKey`s do. */
function compareTables(a: TableauTable, b: TableauTable): number {
  return (
    tableOrder(a, b) ||
    nullFirst(a.databaseName, b.databaseName) ||
    nullFirst(a.connectionType, b.connectionType) ||
    nullFirst(a.schema, b.schema)
  );
}

/**
 * Tables deduplicated by `tableKey` (the last of equal tables kept), sorted. Sorted first, equal
 * tables are neighbours, so no key is built per table (200,000 tables in a large snapshot).
 */
function uniqueTables(tables: readonly TableauTable[]): TableauTable[] {
  const sorted = [...tables].sort(compareTables);
  return sorted.filter((t, i) => i + 1 === sorted.length || compareTables(t, sorted[i + 1]!) !== 0);
}

/** Normalise raw tables: deduplicated by `tableKey`, sorted. */
function normalizeTables(raws: (RawTable | null)[] | null | undefined): TableauTable[] {
  return uniqueTables(list(raws).map(normalizeTable));
}

/** Normalise one custom SQL table. */
export function normalizeCustomSql(raw: RawCustomSqlTable): TableauCustomSql {
  return {
    name: str(raw.name) ?? 'Custom SQL Query',
    query: str(raw.query) ?? '',
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
    databaseName: str(raw.database?.name),
    isUnsupported: raw.isUnsupportedCustomSql === true,
    tables: normalizeTables(field<RawTable>(raw, 'tables')),
  };
}

/** Identity of a normalised custom SQL query, for deduplication. */
function customSqlKey(item: TableauCustomSql): string {
  return JSON.stringify([item.name, item.query, item.databaseName]);
}

/** Custom SQL deduplicated by name, query and database, sorted. */
function sortCustomSql(items: TableauCustomSql[]): TableauCustomSql[] {
  const byKey = new Map<string, TableauCustomSql>();
  for (const item of items) byKey.set(customSqlKey(item), item);
  return [...byKey.values()].sort(
    byKeys(
      (c) => c.name,
      (c) => c.query,
      (c) => c.databaseName,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Which data source each custom SQL table belongs to: `referencedByFields.datasource` (embedded by
// id, published by luid or id), else `downstreamDatasources` (published), else
// `downstreamWorkbooks` (left to the workbook to place).

type RawWorkbookRef = { luid?: string | null; name?: string | null };

/** Where a custom SQL table belongs. */
interface CustomSqlHome {
  publishedKeys: string[];
  embeddedIds: string[];
  workbooks: { luid: string; name: string | null }[];
}

function fieldDatasources(raw: RawCustomSqlTable): RawFieldDatasource[] {
  const columns = field<RawCustomSqlColumn>(raw, 'columns');
  const out: RawFieldDatasource[] = [];
  for (const column of columns) {
    for (const field of list(column.referencedByFields)) {
      if (
        field.datasource !== null &&
        field.datasource !== undefined &&
        typeof field.datasource === 'object'
      ) {
        out.push(field.datasource);
      }
    }
  }
  return out;
}

function customSqlHome(raw: RawCustomSqlTable): CustomSqlHome {
  const publishedKeys = new Set<string>();
  const embeddedIds = new Set<string>();
  const workbooks = new Map<string, string | null>();
  const addPublished = (ds: RawDatasourceRef): void => {
    const key = str(ds.luid) ?? str(ds.id);
    if (key !== null) publishedKeys.add(key);
  };
  for (const ds of fieldDatasources(raw)) {
    const embedded =
      ds.__typename === 'EmbeddedDatasource' || (ds.__typename == null && ds.workbook != null);
    if (embedded) {
      const id = str(ds.id);
      if (id !== null) embeddedIds.add(id);
      const luid = str(ds.workbook?.luid);
      if (luid !== null) workbooks.set(luid, str(ds.workbook?.name));
    } else {
      addPublished(ds);
    }
  }
  for (const ds of field<RawDatasourceRef>(raw, 'downstreamDatasources')) addPublished(ds);
  for (const wb of field<RawWorkbookRef>(raw, 'downstreamWorkbooks')) {
    const luid = str(wb.luid);
    if (luid !== null && !workbooks.has(luid)) workbooks.set(luid, str(wb.name));
  }
  return {
    publishedKeys: [...publishedKeys],
    embeddedIds: [...embeddedIds],
    workbooks: [...workbooks].map(([luid, name]) => ({ luid, name })),
  };
}

/** Normalised custom SQL by the data source (or, failing that, the workbook) it belongs to. */
interface Attachments {
  byPublished: Map<string, TableauCustomSql[]>;
  byEmbedded: Map<string, TableauCustomSql[]>;
  byWorkbook: Map<string, { name: string | null; sql: TableauCustomSql[] }>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, [value]);
  else existing.push(value);
}

/** Attach custom SQL to the known published (luid or id) and embedded (id) data sources. */
function attachCustomSql(
  raws: RawCustomSqlTable[],
  knownPublished: Set<string>,
  knownEmbedded: Set<string>,
): Attachments {
  const out: Attachments = { byPublished: new Map(), byEmbedded: new Map(), byWorkbook: new Map() };
  for (const raw of raws) {
    const sql = normalizeCustomSql(raw);
    const home = customSqlHome(raw);
    const published = home.publishedKeys.filter((k) => knownPublished.has(k));
    const embedded = home.embeddedIds.filter((id) => knownEmbedded.has(id));
    for (const key of published) push(out.byPublished, key, sql);
    for (const id of embedded) push(out.byEmbedded, id, sql);
    if (published.length > 0 || embedded.length > 0) continue;
    for (const wb of home.workbooks) {
      const entry = out.byWorkbook.get(wb.luid) ?? { name: wb.name, sql: [] };
      entry.sql.push(sql);
      out.byWorkbook.set(wb.luid, entry);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/** Options of `normalizeWorkbooks`. */
export interface NormalizeOptions {
  /** Server URL (bare host or https URL) for browser URLs. Default: none (url = null). */
  serverUrl?: string | undefined;
  /** Site contentUrl for browser URLs ("" = default site). Default "". */
  siteName?: string | undefined;
  /** File the payload came from, named in errors. */
  file?: string | undefined;
  /** Accept pages carrying GraphQL errors (partial data). Default false: throw ERR_TABLEAU_GRAPHQL. */
  allowErrors?: boolean | undefined;
  /** Receives GraphQL warnings (e.g. PERMISSIONS_MODE_SWITCHED). Default: ignored. */
  onWarning?: ((warning: TableauWarning) => void) | undefined;
  /** Include workbooks known only from custom SQL `downstreamWorkbooks`. Default true. */
  customSqlOnlyWorkbooks?: boolean | undefined;
}

/** Name of the synthetic embedded data source holding custom SQL not attributable to one source. */
const UNATTRIBUTED_CUSTOM_SQL_DATASOURCE = 'Custom SQL';

/**
 * Name of the synthetic embedded data source holding a workbook's own `upstreamTables` that no
 * data source of the payload lists (the troubleshooting query's shape has no data source layer).
 */
const WORKBOOK_TABLES_DATASOURCE = 'Workbook upstream tables';

/** Normalise one published data source (custom SQL is attached by `normalizeWorkbooks`). */
export function normalizePublishedDatasource(
  raw: RawPublishedDatasource,
): TableauPublishedDatasource {
  return {
    luid: str(raw.luid) ?? '',
    name: str(raw.name) ?? '',
    projectName: str(raw.projectName),
    vizportalUrlId: str(raw.vizportalUrlId),
    hasExtracts: raw.hasExtracts === true,
    extractLastRefreshTime: lastExtractTime(raw),
    tables: normalizeTables(field<RawTable>(raw, 'upstreamTables')),
    customSql: [],
  };
}

/** Raw workbooks merged by luid, in first-seen order. */
function mergeWorkbooks(raws: RawWorkbook[]): RawWorkbook[] {
  const merged = new Map<string, RawWorkbook>();
  for (const raw of raws) {
    const luid = raw.luid as string;
    const existing = merged.get(luid);
    if (existing === undefined) {
      merged.set(luid, { ...raw });
      continue;
    }
    for (const [key, value] of Object.entries(raw) as [keyof RawWorkbook, unknown][]) {
      const current = existing[key];
      if (Array.isArray(value)) {
        (existing as Record<string, unknown>)[key] = [
          ...(Array.isArray(current) ? current : []),
          ...value,
        ];
      } else if ((current === null || current === undefined) && value !== undefined) {
        (existing as Record<string, unknown>)[key] = value;
      }
    }
  }
  return [...merged.values()];
}

function embeddedKey(raw: RawEmbeddedDatasource, index: number): string {
  return str(raw.id) ?? `name:${str(raw.name) ?? index}`;
}

/** The published data sources an embedded one connects to, under either field name. */
function publishedRefs(ds: RawEmbeddedDatasource): RawPublishedDatasource[] {
  return [
    ...field<RawPublishedDatasource>(ds, 'upstreamDatasources'),
    ...field<RawPublishedDatasource>(ds, 'parentPublishedDatasources'),
  ];
}

/**
 * The workbook's own `upstreamTables` (every table upstream of it, as dbt Cloud's troubleshooting
 * query asks) and those of its sheets and dashboards, that none of its data sources lists: with no
 * data source layer in the payload, these are all of them.
 */
function workbookLevelTables(
  raw: RawWorkbook,
  embedded: readonly TableauEmbeddedDatasource[],
  published: readonly TableauPublishedDatasource[],
): TableauTable[] {
  const views = [...field<object>(raw, 'sheets'), ...field<object>(raw, 'dashboards')];
  const tables = normalizeTables([
    ...field<RawTable>(raw, 'upstreamTables'),
    ...views.flatMap((view) => field<RawTable>(view, 'upstreamTables')),
  ]);
  if (tables.length === 0) return tables;
  const listed = new Set<string>();
  for (const ds of [...embedded, ...published]) {
    for (const table of ds.tables) listed.add(tableKey(table));
    for (const sql of ds.customSql) for (const table of sql.tables) listed.add(tableKey(table));
  }
  return tables.filter((t) => !listed.has(tableKey(t)));
}

function buildWorkbook(
  raw: RawWorkbook,
  attachments: Attachments,
  publishedIndex: Map<string, RawPublishedDatasource>,
  options: NormalizeOptions,
): TableauWorkbook {
  const luid = raw.luid as string;
  // Published data sources of this workbook, once each, by luid (or id when luid is missing).
  const published = new Map<string, { raw: RawPublishedDatasource; keys: string[] }>();
  const addPublished = (ref: RawDatasourceRef | RawPublishedDatasource): void => {
    const key = str(ref.luid) ?? str(ref.id);
    if (key === null) return;
    const existing = published.get(key);
    const full = publishedIndex.get(key) ?? publishedIndex.get(str(ref.id) ?? '');
    const candidate: RawPublishedDatasource = { ...(full ?? {}), ...stripNulls(ref) };
    if (existing === undefined) {
      published.set(key, {
        raw: candidate,
        keys: [str(ref.luid), str(ref.id)].filter((k): k is string => k !== null),
      });
    } else if (
      field(existing.raw, 'upstreamTables').length === 0 &&
      field(ref, 'upstreamTables').length > 0
    ) {
      existing.raw = { ...existing.raw, ...stripNulls(ref) };
    }
  };
  for (const ds of field<RawPublishedDatasource>(raw, 'upstreamDatasources')) addPublished(ds);

  const embeddedSeen = new Set<string>();
  const embedded: TableauEmbeddedDatasource[] = [];
  for (const [index, ds] of field<RawEmbeddedDatasource>(raw, 'embeddedDatasources').entries()) {
    const key = embeddedKey(ds, index);
    if (embeddedSeen.has(key)) continue;
    embeddedSeen.add(key);
    const refs = publishedRefs(ds);
    for (const ref of refs) addPublished(ref);
    const publishedLuids = [
      ...new Set(refs.map((r) => str(r.luid) ?? str(r.id)).filter((k): k is string => k !== null)),
    ];
    const viaPublished = new Set<string>();
    for (const ref of publishedLuids) {
      const publishedRaw = published.get(ref)?.raw;
      if (publishedRaw === undefined) continue;
      for (const table of normalizeTables(field<RawTable>(publishedRaw, 'upstreamTables')))
        viaPublished.add(tableKey(table));
    }
    const id = str(ds.id);
    embedded.push({
      name: str(ds.name) ?? '',
      hasExtracts: ds.hasExtracts === true,
      extractLastRefreshTime: lastExtractTime(ds),
      tables: normalizeTables(field<RawTable>(ds, 'upstreamTables')).filter(
        (t) => !viaPublished.has(tableKey(t)),
      ),
      customSql: sortCustomSql(id === null ? [] : (attachments.byEmbedded.get(id) ?? [])),
      publishedDatasourceLuids: publishedLuids
        .map((k) => str(published.get(k)?.raw.luid) ?? k)
        .sort(compareStrings),
    });
  }

  const unattributed = attachments.byWorkbook.get(luid)?.sql ?? [];
  if (unattributed.length > 0) {
    const only = embedded.length === 1 ? embedded[0] : undefined;
    if (only !== undefined) {
      only.customSql = sortCustomSql([...only.customSql, ...unattributed]);
    } else {
      embedded.push({
        name: UNATTRIBUTED_CUSTOM_SQL_DATASOURCE,
        hasExtracts: false,
        extractLastRefreshTime: null,
        tables: [],
        customSql: sortCustomSql(unattributed),
        publishedDatasourceLuids: [],
      });
    }
  }

  const publishedOut = [...published.values()].map(({ raw: ds, keys }) => {
    const normalized = normalizePublishedDatasource(ds);
    const sql = keys.flatMap((k) => attachments.byPublished.get(k) ?? []);
    normalized.customSql = sortCustomSql(sql);
    return normalized;
  });
  const workbookTables = workbookLevelTables(raw, embedded, publishedOut);
  if (workbookTables.length > 0) {
    embedded.push({
      name: WORKBOOK_TABLES_DATASOURCE,
      hasExtracts: false,
      extractLastRefreshTime: null,
      tables: workbookTables,
      customSql: [],
      publishedDatasourceLuids: [],
    });
  }
  const owner = raw.owner;
  const tags = [
    ...new Set(
      list(raw.tags)
        .map((t) => str(t.name))
        .filter((n): n is string => n !== null),
    ),
  ];
  return {
    luid,
    name: str(raw.name) ?? '',
    projectName: str(raw.projectName),
    projectLuid: str(raw.projectLuid),
    owner:
      owner === null || owner === undefined || typeof owner !== 'object'
        ? null
        : { name: str(owner.name), email: str(owner.email), username: str(owner.username) },
    tags: tags.sort(compareStrings),
    description: str(raw.description),
    createdAt: str(raw.createdAt),
    updatedAt: str(raw.updatedAt),
    vizportalUrlId: str(raw.vizportalUrlId),
    url: workbookUrl(options.serverUrl, options.siteName ?? '', str(raw.vizportalUrlId)),
    embeddedDatasources: embedded.sort(
      byKeys(
        (d) => d.name,
        (d) => JSON.stringify(d.tables),
      ),
    ),
    publishedDatasources: publishedOut.sort(
      byKeys(
        (d) => d.name,
        (d) => d.luid,
      ),
    ),
  };
}

/**
 * Normalise raw Metadata API output (one page or an array of pages, with or without the outer
 * `data`, workbook pages and custom SQL pages mixed) into sorted, deduplicated workbooks. Pure.
 * With `onWarning`, tables of the payload that no workbook holds are reported (`UNREAD_TABLES`).
 *
 * @throws DbtAutoExposuresError `ERR_TABLEAU_RESPONSE` when the input is not Metadata API output;
 *   `ERR_TABLEAU_GRAPHQL` when it carries GraphQL errors and `allowErrors` is not set.
 */
export function normalizeWorkbooks(
  input: unknown,
  options: NormalizeOptions = {},
): TableauWorkbook[] {
  const pages = collectMetadataPages(
    input,
    options.file === undefined ? {} : { file: options.file },
  );
  const workbooks = normalizeMetadataPages(pages, options);
  // Only when someone listens: the scan walks the whole payload.
  if (options.onWarning !== undefined) {
    for (const warning of unreadTableWarnings(input, workbooks)) options.onWarning(warning);
  }
  return workbooks;
}

/** `normalizeWorkbooks` over pages already collected by `collectMetadataPages`. */
function normalizeMetadataPages(
  pages: MetadataPages,
  options: NormalizeOptions = {},
): TableauWorkbook[] {
  if (pages.errors.length > 0 && options.allowErrors !== true) {
    throw graphQLErrorsToError(pages.errors, options.file);
  }
  for (const warning of pages.warnings) options.onWarning?.(warning);

  const publishedIndex = new Map<string, RawPublishedDatasource>();
  for (const ds of pages.publishedDatasources) {
    for (const key of [str(ds.luid), str(ds.id)])
      if (key !== null && !publishedIndex.has(key)) publishedIndex.set(key, ds);
  }
  const workbooks = mergeWorkbooks(pages.workbooks);
  const knownPublished = new Set<string>();
  const knownEmbedded = new Set<string>();
  for (const wb of workbooks) {
    for (const ds of field<RawPublishedDatasource>(wb, 'upstreamDatasources')) {
      for (const key of [str(ds.luid), str(ds.id)]) if (key !== null) knownPublished.add(key);
    }
    for (const ds of field<RawEmbeddedDatasource>(wb, 'embeddedDatasources')) {
      const id = str(ds.id);
      if (id !== null) knownEmbedded.add(id);
      for (const ref of publishedRefs(ds)) {
        for (const key of [str(ref.luid), str(ref.id)]) if (key !== null) knownPublished.add(key);
      }
    }
  }
  for (const key of publishedIndex.keys()) knownPublished.add(key);
  const attachments = attachCustomSql(pages.customSqlTables, knownPublished, knownEmbedded);

  const known = new Set(workbooks.map((w) => w.luid as string));
  if (options.customSqlOnlyWorkbooks !== false) {
    for (const [luid, entry] of attachments.byWorkbook) {
      if (!known.has(luid)) workbooks.push({ luid, name: entry.name });
    }
  }
  return workbooks
    .map((raw) => buildWorkbook(raw, attachments, publishedIndex, options))
    .sort(
      byKeys(
        (w) => w.name,
        (w) => w.luid,
      ),
    );
}

// ---------------------------------------------------------------------------------------------
// Canonical form of already normalised workbooks, for deterministic snapshots.

function canonicalTables(tables: readonly TableauTable[]): TableauTable[] {
  return uniqueTables(
    tables.map((t) => ({
      name: t.name,
      fullName: t.fullName,
      schema: t.schema,
      databaseName: t.databaseName,
      connectionType: t.connectionType,
    })),
  );
}

function canonicalCustomSql(items: readonly TableauCustomSql[]): TableauCustomSql[] {
  return sortCustomSql(
    items.map((c) => ({
      name: c.name,
      query: c.query,
      connectionType: c.connectionType,
      databaseName: c.databaseName,
      isUnsupported: c.isUnsupported,
      tables: canonicalTables(c.tables),
    })),
  );
}

/**
 * The same workbooks in canonical form: fixed key order, every list sorted and deduplicated the
 * way `normalizeWorkbooks` sorts them, workbooks deduplicated by luid (first wins). Pure; used to
 * write deterministic snapshots.
 */
export function canonicalWorkbooks(workbooks: readonly TableauWorkbook[]): TableauWorkbook[] {
  return inCanonicalOrder(workbooks).map(canonicalWorkbook);
}

/** Workbooks deduplicated by luid (first wins) and sorted as `canonicalWorkbooks` sorts them. */
export function inCanonicalOrder<T extends TableauWorkbook>(workbooks: readonly T[]): T[] {
  const byLuid = new Map<string, T>();
  for (const wb of workbooks) if (!byLuid.has(wb.luid)) byLuid.set(wb.luid, wb);
  return [...byLuid.values()].sort(
    byKeys(
      (w) => w.name,
      (w) => w.luid,
    ),
  );
}

/** One workbook in canonical form (a copy; see `canonicalWorkbooks`). */
export function canonicalWorkbook(wb: TableauWorkbook): TableauWorkbook {
  return {
    luid: wb.luid,
    name: wb.name,
    projectName: wb.projectName,
    projectLuid: wb.projectLuid,
    owner:
      wb.owner === null
        ? null
        : { name: wb.owner.name, email: wb.owner.email, username: wb.owner.username },
    tags: [...new Set(wb.tags)].sort(compareStrings),
    description: wb.description,
    createdAt: wb.createdAt,
    updatedAt: wb.updatedAt,
    vizportalUrlId: wb.vizportalUrlId,
    url: wb.url,
    embeddedDatasources: wb.embeddedDatasources
      .map((d) => ({
        name: d.name,
        hasExtracts: d.hasExtracts,
        extractLastRefreshTime: d.extractLastRefreshTime,
        tables: canonicalTables(d.tables),
        customSql: canonicalCustomSql(d.customSql),
        publishedDatasourceLuids: [...new Set(d.publishedDatasourceLuids)].sort(compareStrings),
      }))
      .sort(
        byKeys(
          (d) => d.name,
          (d) => JSON.stringify(d.tables),
        ),
      ),
    publishedDatasources: [
      ...new Map(wb.publishedDatasources.map((d) => [d.luid, d] as const)).values(),
    ]
      .map((d) => ({
        luid: d.luid,
        name: d.name,
        projectName: d.projectName,
        vizportalUrlId: d.vizportalUrlId,
        hasExtracts: d.hasExtracts,
        extractLastRefreshTime: d.extractLastRefreshTime,
        tables: canonicalTables(d.tables),
        customSql: canonicalCustomSql(d.customSql),
      }))
      .sort(
        byKeys(
          (d) => d.name,
          (d) => d.luid,
        ),
      ),
  };
}

// ---------------------------------------------------------------------------------------------
// Nothing dropped silently: the tables (and custom SQL queries) of a raw payload that no normalised
// workbook holds. They sit where the reader does not read tables (a field it does not know, such
// as `sheets { upstreamTables }`), or belong to nothing it read (a published data source no
// workbook uses, custom SQL naming no workbook or data source). One warning per JSON path pattern
// (indexes as `[*]`), naming the first path and table, so a large payload gives a few lines.

/** `code` of the warning. */
export const UNREAD_TABLES = 'UNREAD_TABLES';

/** Keys whose values hold tables: `tables`, `upstreamTables`, `databaseTablesConnection`, … */
const TABLE_FIELD = /(?:^t|T)ables(?:Connection)?$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const PLURALS = { table: 'tables', 'custom SQL query': 'custom SQL queries' } as const;

interface Group {
  kind: 'table' | 'custom SQL query';
  count: number;
  first: string;
  label: string;
}

/** The elements of a list, or the nodes of a connection (`nodes`, `edges[].node`), with paths. */
function entries(value: unknown, path: string): [unknown, string][] {
  if (Array.isArray(value)) return value.map((v, i) => [v, `${path}[${i}]`]);
  if (!isObj(value)) return [];
  const out: [unknown, string][] = [];
  if (Array.isArray(value.nodes)) out.push(...entries(value.nodes, `${path}.nodes`));
  if (Array.isArray(value.edges)) {
    for (const [i, edge] of value.edges.entries()) {
      if (isObj(edge)) out.push([edge.node, `${path}.edges[${i}].node`]);
    }
  }
  return out;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/**
 * Warnings (`UNREAD_TABLES`) for the tables and custom SQL of `input` that `workbooks` (its
 * normalised form) do not hold. Pure.
 */
function unreadTableWarnings(
  input: unknown,
  workbooks: readonly TableauWorkbook[],
): TableauWarning[] {
  const tables = new Set<string>();
  const queries = new Set<string>();
  for (const wb of workbooks) {
    for (const ds of [...wb.embeddedDatasources, ...wb.publishedDatasources]) {
      for (const t of ds.tables) tables.add(tableKey(t));
      for (const sql of ds.customSql) {
        queries.add(customSqlKey(sql));
        for (const t of sql.tables) tables.add(tableKey(t));
      }
    }
  }
  const groups = new Map<string, Group>();
  /** Whether an element of a table field is held; records it when it is not. */
  const held = (element: Obj, path: string): boolean => {
    const isQuery = typeof element.query === 'string';
    if (isQuery) {
      const sql = normalizeCustomSql(element as RawCustomSqlTable);
      if (queries.has(customSqlKey(sql))) return true;
      record(path, 'custom SQL query', JSON.stringify(sql.name));
    } else {
      const table = normalizeTable(element as RawTable);
      if (tables.has(tableKey(table))) return true;
      record(path, 'table', table.fullName ?? table.name);
    }
    return false;
  };
  const record = (path: string, kind: Group['kind'], label: string) => {
    const pattern = path.replace(/\[\d+\]/g, '[*]');
    const group = groups.get(pattern);
    if (group === undefined) groups.set(pattern, { kind, count: 1, first: path, label });
    else group.count += 1;
  };
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
      return;
    }
    if (!isObj(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = join(path, key);
      if (!TABLE_FIELD.test(key)) {
        walk(child, childPath);
        continue;
      }
      for (const [element, elementPath] of entries(child, childPath)) {
        // An element not held is reported once, not again for the tables inside it.
        if (isObj(element) && held(element, elementPath)) walk(element, elementPath);
      }
    }
  };
  walk(input, '');
  return [...groups.entries()].map(([pattern, g]) => ({
    code: UNREAD_TABLES,
    message:
      `${g.count} ${g.count === 1 ? g.kind : PLURALS[g.kind]} at ${pattern} ` +
      `reached no workbook (first: ${g.label} at ${g.first}); see docs/tableau.md for the shapes read`,
    path: g.first,
  }));
}
