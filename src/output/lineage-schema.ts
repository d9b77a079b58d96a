/**
 * The zod schema of the lineage JSON file (version 1). It names the first offending field of an
 * invalid document; valid documents are accepted by the hand-written check in lineage-guard.ts
 * (same rules, a property test holds them to it) without loading zod. The canonical form of the
 * file is in lineage-canonical.ts.
 *
 * Objects are loose: a field added later to the lineage types (always optional within a version)
 * survives a read/write round trip instead of being silently dropped.
 */
import { z } from 'zod';

const matchKind = z.enum(['exact', 'schema_identifier', 'custom_sql_parsed', 'custom_sql']);
const unmatchedReason = z.enum([
  'no_relation',
  'database_mismatch',
  'ambiguous',
  'not_a_warehouse',
  'unsupported_custom_sql',
  'hidden_by_permissions',
]);
const nullableString = z.string().nullable();

const unmatchedTable = z.looseObject({
  table: z.string(),
  reason: unmatchedReason,
  detail: z.string(),
  candidates: z.array(z.string()).optional(),
});

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
    }),
  }),
  dependsOn: z.array(
    z.looseObject({
      uniqueId: z.string().min(1),
      ref: z.string().min(1),
      tables: z.array(z.string()),
      match: matchKind,
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

/** The lineage file schema, version 1. */
export const lineageSchemaV1 = z.looseObject({
  version: z.literal(1),
  generatedAt: z.string().optional(),
  source: z.looseObject({
    kind: z.enum(['tableau', 'snapshot']),
    serverUrl: nullableString,
    siteName: nullableString,
  }),
  dbt: z.looseObject({
    projectName: nullableString,
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
    workbooks: z.number().int().nonnegative(),
    tables: z.number().int().nonnegative(),
    matched: z.number().int().nonnegative(),
    unmatched: z.number().int().nonnegative(),
    customSql: z
      .looseObject({
        queries: z.number().int().nonnegative(),
        parsed: z.number().int().nonnegative(),
      })
      .optional(),
  }),
});
