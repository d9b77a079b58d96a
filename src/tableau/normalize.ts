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
 */

import { compareStrings } from '../util/compare.js';
import { type Attachments, attachCustomSql } from './attach-custom-sql.js';
import {
  collectMetadataPages,
  graphQLErrorsToError,
  type MetadataPages,
} from './metadata-pages.js';
import { normalizeTables, sortCustomSql, tableKey } from './normalize-tables.js';
import type {
  RawDatasourceRef,
  RawEmbeddedDatasource,
  RawPublishedDatasource,
  RawTable,
  RawWorkbook,
} from './raw-types.js';
import { field, list, str, stripNulls } from './raw-values.js';
import { byKeys } from './sort-keys.js';
import type {
  TableauEmbeddedDatasource,
  TableauPublishedDatasource,
  TableauTable,
  TableauWarning,
  TableauWorkbook,
} from './types.js';
import { unreadTableWarnings } from './unread-tables.js';
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

/**
 * Name of the synthetic embedded data source holding a workbook's own `upstreamTables` that no
 * data source of the payload lists (the troubleshooting query's shape has no data source layer).
 */
export const WORKBOOK_TABLES_DATASOURCE = 'Workbook upstream tables';

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
      extractLastRefreshTime: str(ds.extractLastRefreshTime),
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
