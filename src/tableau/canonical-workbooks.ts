/** Canonical form of already normalised workbooks, for deterministic snapshots. */

import { compareStrings } from '../util/compare.js';
import { normalizeTables, sortCustomSql } from './normalize-tables.js';
import { byKeys } from './sort-keys.js';
import type { TableauCustomSql, TableauTable, TableauWorkbook } from './types.js';

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
      }),
    )
    .sort(
      byKeys(
        (w) => w.name,
        (w) => w.luid,
      ),
    );
}
