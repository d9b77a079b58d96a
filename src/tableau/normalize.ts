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
 * - GraphQL errors (partial data) throw `ERR_TABLEAU_GRAPHQL` unless `allowErrors`; warnings go to
 *   `onWarning`.
 */
import {
  collectMetadataPages,
  graphQLErrorsToError,
  type MetadataPages,
} from './metadata-pages.js';
import type {
  RawCustomSqlTable,
  RawDatasourceRef,
  RawEmbeddedDatasource,
  RawFieldDatasource,
  RawPublishedDatasource,
  RawTable,
  RawWorkbook,
} from './raw-types.js';
import type {
  TableauCustomSql,
  TableauEmbeddedDatasource,
  TableauPublishedDatasource,
  TableauTable,
  TableauWarning,
  TableauWorkbook,
} from './types.js';
import { workbookUrl } from './urls.js';

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
export const UNATTRIBUTED_CUSTOM_SQL_DATASOURCE = 'Custom SQL';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
function byKeys<T>(...keys: ((x: T) => string | null)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const d = cmp(key(a) ?? '', key(b) ?? '');
      if (d !== 0) return d;
    }
    return 0;
  };
}
function list<T>(value: (T | null)[] | null | undefined): T[] {
  return Array.isArray(value)
    ? value.filter((v): v is T => v !== null && typeof v === 'object')
    : [];
}

function stripQuotes(part: string): string {
  return part.replace(/^[[`"']|[\]`"']$/g, '');
}

/** Normalise one table. A missing `name` is taken from the last part of `fullName`. */
export function normalizeTable(raw: RawTable): TableauTable {
  const fullName = str(raw.fullName);
  const lastPart =
    fullName === null
      ? null
      : (fullName.match(/(\[[^\]]*\]|"[^"]*"|`[^`]*`|[^.]+)$/)?.[1] ?? fullName);
  return {
    name: str(raw.name) ?? (lastPart === null ? '' : stripQuotes(lastPart)),
    fullName,
    schema: str(raw.schema),
    databaseName: str(raw.database?.name),
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
  };
}

function tableKey(t: TableauTable): string {
  return JSON.stringify([t.fullName ?? t.name, t.name, t.schema, t.databaseName, t.connectionType]);
}

function normalizeTables(raws: (RawTable | null)[] | null | undefined): TableauTable[] {
  const byKey = new Map<string, TableauTable>();
  for (const raw of list(raws)) {
    const table = normalizeTable(raw);
    byKey.set(tableKey(table), table);
  }
  return [...byKey.values()].sort(
    byKeys(
      (t) => t.fullName ?? t.name,
      (t) => t.name,
      (t) => t.databaseName,
      (t) => t.connectionType,
      (t) => t.schema,
    ),
  );
}

/** Normalise one custom SQL table. */
export function normalizeCustomSql(raw: RawCustomSqlTable): TableauCustomSql {
  return {
    name: str(raw.name) ?? 'Custom SQL Query',
    query: str(raw.query) ?? '',
    connectionType: str(raw.connectionType) ?? str(raw.database?.connectionType),
    databaseName: str(raw.database?.name),
    isUnsupported: raw.isUnsupportedCustomSql === true,
    tables: normalizeTables(raw.tables),
  };
}

function sortCustomSql(items: TableauCustomSql[]): TableauCustomSql[] {
  const byKey = new Map<string, TableauCustomSql>();
  for (const item of items)
    byKey.set(JSON.stringify([item.name, item.query, item.databaseName]), item);
  return [...byKey.values()].sort(
    byKeys(
      (c) => c.name,
      (c) => c.query,
      (c) => c.databaseName,
    ),
  );
}

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
    extractLastRefreshTime: str(raw.extractLastRefreshTime),
    tables: normalizeTables(raw.upstreamTables),
    customSql: [],
  };
}

/** Where a custom SQL table belongs. */
interface CustomSqlHome {
  publishedKeys: string[];
  embeddedIds: string[];
  workbooks: { luid: string; name: string | null }[];
}

function fieldDatasources(raw: RawCustomSqlTable): RawFieldDatasource[] {
  const columns = [...list(raw.columns), ...list(raw.columnsConnection?.nodes)];
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
  for (const ds of list(raw.downstreamDatasources)) addPublished(ds);
  for (const wb of list(raw.downstreamWorkbooks)) {
    const luid = str(wb.luid);
    if (luid !== null && !workbooks.has(luid)) workbooks.set(luid, str(wb.name));
  }
  return {
    publishedKeys: [...publishedKeys],
    embeddedIds: [...embeddedIds],
    workbooks: [...workbooks].map(([luid, name]) => ({ luid, name })),
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

function embeddedKey(raw: RawEmbeddedDatasource, index: number): string {
  return str(raw.id) ?? `name:${str(raw.name) ?? index}`;
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
      existing.raw.upstreamTables == null &&
      (ref as RawPublishedDatasource).upstreamTables != null
    ) {
      existing.raw = { ...existing.raw, ...stripNulls(ref) };
    }
  };
  for (const ds of list(raw.upstreamDatasources)) addPublished(ds);

  const embeddedSeen = new Set<string>();
  const embedded: TableauEmbeddedDatasource[] = [];
  for (const [index, ds] of list(raw.embeddedDatasources).entries()) {
    const key = embeddedKey(ds, index);
    if (embeddedSeen.has(key)) continue;
    embeddedSeen.add(key);
    const refs = list(ds.upstreamDatasources);
    for (const ref of refs) addPublished(ref);
    const publishedLuids = [
      ...new Set(refs.map((r) => str(r.luid) ?? str(r.id)).filter((k): k is string => k !== null)),
    ];
    const viaPublished = new Set<string>();
    for (const ref of publishedLuids) {
      for (const table of normalizeTables(published.get(ref)?.raw.upstreamTables))
        viaPublished.add(tableKey(table));
    }
    const id = str(ds.id);
    embedded.push({
      name: str(ds.name) ?? '',
      hasExtracts: ds.hasExtracts === true,
      extractLastRefreshTime: str(ds.extractLastRefreshTime),
      tables: normalizeTables(ds.upstreamTables).filter((t) => !viaPublished.has(tableKey(t))),
      customSql: sortCustomSql(id === null ? [] : (attachments.byEmbedded.get(id) ?? [])),
      publishedDatasourceLuids: publishedLuids
        .map((k) => str(published.get(k)?.raw.luid) ?? k)
        .sort(cmp),
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
    tags: tags.sort(cmp),
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

function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}

/**
 * Normalise raw Metadata API output (one page or an array of pages, with or without the outer
 * `data`, workbook pages and custom SQL pages mixed) into sorted, deduplicated workbooks. Pure.
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
  return normalizeMetadataPages(pages, options);
}

/** `normalizeWorkbooks` over pages already collected with `collectMetadataPages`. */
export function normalizeMetadataPages(
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
    for (const ds of list(wb.upstreamDatasources)) {
      for (const key of [str(ds.luid), str(ds.id)]) if (key !== null) knownPublished.add(key);
    }
    for (const ds of list(wb.embeddedDatasources)) {
      const id = str(ds.id);
      if (id !== null) knownEmbedded.add(id);
      for (const ref of list(ds.upstreamDatasources)) {
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

function canonicalTables(tables: readonly TableauTable[]): TableauTable[] {
  return normalizeTables(
    tables.map((t) => ({
      name: t.name,
      fullName: t.fullName,
      schema: t.schema,
      connectionType: t.connectionType,
      database: t.databaseName === null ? null : { name: t.databaseName },
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
  const byLuid = new Map<string, TableauWorkbook>();
  for (const wb of workbooks) if (!byLuid.has(wb.luid)) byLuid.set(wb.luid, wb);
  return [...byLuid.values()]
    .map(
      (wb): TableauWorkbook => ({
        luid: wb.luid,
        name: wb.name,
        projectName: wb.projectName,
        projectLuid: wb.projectLuid,
        owner:
          wb.owner === null
            ? null
            : { name: wb.owner.name, email: wb.owner.email, username: wb.owner.username },
        tags: [...new Set(wb.tags)].sort(cmp),
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
            publishedDatasourceLuids: [...new Set(d.publishedDatasourceLuids)].sort(cmp),
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
      }),
    )
    .sort(
      byKeys(
        (w) => w.name,
        (w) => w.luid,
      ),
    );
}
