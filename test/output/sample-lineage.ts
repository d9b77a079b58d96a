/**
 * Hand-written lineage objects for the output tests (the matcher is tested elsewhere; these are
 * literal inputs, not produced by any code under test).
 */
import type { DbtReference, ExposureLineage, LineageExposure } from '../../src/lineage/types.js';

export function exposure(
  name: string,
  overrides: Partial<LineageExposure> & { projectName?: string | null } = {},
): LineageExposure {
  const { projectName = 'Finance', ...rest } = overrides;
  return {
    name,
    uniqueId: `exposure.jaffle_shop.${name}`,
    label: name,
    type: 'dashboard',
    maturity: 'medium',
    url: `https://tableau.example.com/#/site/acme/workbooks/${name}`,
    owner: { name: 'Ada Lovelace', email: 'ada@example.com' },
    description: '',
    tags: ['tableau'],
    meta: { tableau: { workbookLuid: `luid-${name}`, projectName, updatedAt: null } },
    dependsOn: [],
    refreshTargets: [],
    unmatchedTables: [],
    ...rest,
  };
}

/** `ref('name')` of a node of the sample's root project (or of `pkg`). */
export function ref(
  name: string,
  pkg = 'jaffle_shop',
  version: string | number | null = null,
): DbtReference {
  return { kind: 'ref', package: pkg, name, version };
}

export function lineage(
  exposures: LineageExposure[],
  dbt: Partial<ExposureLineage['dbt']> = {},
): ExposureLineage {
  return {
    version: 2,
    source: { kind: 'tableau', serverUrl: 'https://tableau.example.com', siteName: 'acme' },
    dbt: {
      projectName: 'jaffle_shop',
      packageName: 'jaffle_shop',
      adapterType: 'snowflake',
      manifestSchemaVersion: 12,
      dbtVersion: '1.10.6',
      ...dbt,
    },
    exposures,
    ambiguous: [],
    skippedWorkbooks: [],
    stats: { workbooks: exposures.length, tables: 0, matched: 0, unmatched: 0 },
  };
}

/** A realistic two-project lineage (arrays already in canonical order): models, a source, a versioned model, another package. */
export function sampleLineage(): ExposureLineage {
  return lineage([
    exposure('sales_overview', {
      label: 'Sales Overview',
      description: 'Daily revenue by region.',
      owner: { name: 'Ada Lovelace', email: 'ada@example.com' },
      maturity: 'high',
      meta: {
        tableau: {
          workbookLuid: 'b2c3d4e5-0000-4000-8000-000000000001',
          projectName: 'Finance',
          updatedAt: '2024-05-01T10:00:00Z',
        },
      },
      dependsOn: [
        {
          uniqueId: 'model.jaffle_shop.orders',
          ref: ref('orders'),
          tables: ['[ANALYTICS].[MARTS].[ORDERS]'],
          match: 'exact',
        },
        {
          uniqueId: 'source.jaffle_shop.raw.customers',
          ref: { kind: 'source', package: 'jaffle_shop', source: 'raw', name: 'customers' },
          tables: ['RAW.JAFFLE.CUSTOMERS'],
          match: 'exact',
        },
      ],
      refreshTargets: [
        {
          kind: 'workbook',
          luid: 'b2c3d4e5-0000-4000-8000-000000000001',
          name: 'Sales Overview',
          hasExtracts: true,
          lastRefreshAt: '2024-05-02T03:00:00Z',
        },
      ],
    }),
    exposure('customer_churn', {
      label: 'Customer Churn',
      type: 'analysis',
      maturity: 'low',
      url: null,
      owner: { name: 'Grace Hopper' },
      tags: ['churn', 'tableau'],
      meta: {
        tableau: { workbookLuid: 'luid-churn', projectName: 'Marketing / EMEA', updatedAt: null },
      },
      dependsOn: [
        {
          uniqueId: 'model.dbt_utils_pkg.calendar',
          ref: ref('calendar', 'dbt_utils_pkg'),
          tables: ['MARTS.CALENDAR'],
          match: 'schema_identifier',
        },
        {
          uniqueId: 'model.jaffle_shop.customers.v2',
          ref: ref('customers', 'jaffle_shop', 2),
          tables: ['ANALYTICS.MARTS.CUSTOMERS_V2'],
          match: 'exact',
        },
      ],
    }),
  ]);
}
