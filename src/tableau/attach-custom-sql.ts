/**
 * Which data source each custom SQL table belongs to: `referencedByFields.datasource` (embedded by
 * id, published by luid or id), else `downstreamDatasources` (published), else
 * `downstreamWorkbooks` (left to the workbook to place).
 */
import { normalizeCustomSql } from './normalize-tables.js';
import type {
  RawCustomSqlColumn,
  RawCustomSqlTable,
  RawDatasourceRef,
  RawFieldDatasource,
} from './raw-types.js';
import { field, list, str } from './raw-values.js';

type RawWorkbookRef = { luid?: string | null; name?: string | null };

import type { TableauCustomSql } from './types.js';

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
export interface Attachments {
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
export function attachCustomSql(
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
