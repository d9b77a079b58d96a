/**
 * Relations that differ only by case (issue 14). Quoted identifiers make `"Encounter"` and
 * `encounter` two tables in Postgres and Snowflake: a Tableau name then matches the one spelled
 * with its case, and is `ambiguous` (naming both) when it matches neither exactly. With one
 * relation, matching stays case-insensitive.
 */
import t from 'tap';
import { buildExposureLineage, type ExposureLineage } from '../../src/index.js';
import { embedded, manifest, node, table, workbook } from './helpers/builders.js';

type TableFields = Parameters<typeof table>[0];

function lineageOf(nodes: Parameters<typeof manifest>[0], tables: TableFields[]): ExposureLineage {
  return buildExposureLineage({
    manifest: manifest(nodes),
    workbooks: tables.map((fields, i) =>
      workbook({
        luid: `wb-${i}`,
        name: `Workbook ${i}`,
        embeddedDatasources: [embedded({ tables: [table(fields)] })],
      }),
    ),
    options: { keepUnmatchedWorkbooks: true },
  });
}

/** Per workbook, in input order: the matched unique id and match kind, or the unmatched reason. */
function outcomes(lineage: ExposureLineage): unknown[] {
  return [...lineage.exposures]
    .sort((a, b) => a.meta.tableau.workbookLuid.localeCompare(b.meta.tableau.workbookLuid))
    .map((e) =>
      e.dependsOn.length > 0
        ? [e.dependsOn[0]!.uniqueId, e.dependsOn[0]!.match]
        : [e.unmatchedTables[0]?.reason, e.unmatchedTables[0]?.candidates],
    );
}

// Postgres: a quoted "Encounter" (dbt writes the alias as the user spelled it) and encounter.
const quoted = node({
  uniqueId: 'model.fhir.Encounter',
  name: 'Encounter',
  database: 'clinic',
  schema: 'public',
  identifier: 'Encounter',
  relationName: '"clinic"."public"."Encounter"',
});
const lower = node({
  uniqueId: 'model.fhir.encounter',
  name: 'encounter',
  database: 'clinic',
  schema: 'public',
  identifier: 'encounter',
  relationName: '"clinic"."public"."encounter"',
});

t.test('two relations differing by case: the one with the same case matches', async (t) => {
  const lineage = lineageOf(
    [quoted, lower],
    [
      { name: 'Encounter', fullName: '[public].[Encounter]', databaseName: 'clinic' },
      { name: 'encounter', fullName: 'clinic.public.encounter' },
      { name: 'Encounter', fullName: '"clinic"."public"."Encounter"' },
      // no database: schema.identifier, spelled exactly, picks one
      { name: 'Encounter', fullName: '[public].[Encounter]' },
    ],
  );
  t.same(outcomes(lineage), [
    ['model.fhir.Encounter', 'exact'],
    ['model.fhir.encounter', 'exact'],
    ['model.fhir.Encounter', 'exact'],
    ['model.fhir.Encounter', 'schema_identifier'],
  ]);
  t.same(lineage.ambiguous, []);
});

t.test('a spelling matching neither is ambiguous, naming both', async (t) => {
  const lineage = lineageOf(
    [quoted, lower],
    [
      { name: 'ENCOUNTER', fullName: '[CLINIC].[PUBLIC].[ENCOUNTER]' },
      { name: 'ENCOUNTER', fullName: '[PUBLIC].[ENCOUNTER]' },
    ],
  );
  t.same(outcomes(lineage), [
    ['ambiguous', ['model.fhir.Encounter', 'model.fhir.encounter']],
    ['ambiguous', ['model.fhir.Encounter', 'model.fhir.encounter']],
  ]);
  t.match(
    lineage.exposures[0]!.unmatchedTables[0]!.detail,
    'dbt builds relations that differ only by case (quoted identifiers), none spelled exactly as CLINIC.PUBLIC.ENCOUNTER: model.fhir.Encounter, model.fhir.encounter; not guessing',
  );
  t.same(
    lineage.ambiguous.map((a) => [a.workbookLuid, a.table, a.candidates]),
    [
      ['wb-0', '[CLINIC].[PUBLIC].[ENCOUNTER]', ['model.fhir.Encounter', 'model.fhir.encounter']],
      ['wb-1', '[PUBLIC].[ENCOUNTER]', ['model.fhir.Encounter', 'model.fhir.encounter']],
    ],
  );
});

t.test('one relation: matching stays case-insensitive', async (t) => {
  const lineage = lineageOf(
    [quoted],
    [
      { name: 'ENCOUNTER', fullName: '[CLINIC].[PUBLIC].[ENCOUNTER]' },
      { name: 'encounter', fullName: 'clinic.public.encounter' },
      { name: 'ENCOUNTER', fullName: '[PUBLIC].[ENCOUNTER]' },
    ],
  );
  t.same(outcomes(lineage), [
    ['model.fhir.Encounter', 'exact'],
    ['model.fhir.Encounter', 'exact'],
    ['model.fhir.Encounter', 'schema_identifier'],
  ]);
});

t.test('Snowflake: only the parts spelled differently are compared by case', async (t) => {
  // dbt writes the unquoted database and schema lower-case; Tableau shows them upper-case. The
  // identifiers differ by case ("ORDER" is a quoted reserved word next to an unquoted order_).
  const plain = node({
    uniqueId: 'model.shop.orders',
    name: 'orders',
    database: 'analytics',
    schema: 'marts',
    identifier: 'orders',
  });
  const mixed = node({
    uniqueId: 'model.shop.orders_quoted',
    name: 'orders_quoted',
    database: 'analytics',
    schema: 'marts',
    identifier: '"Orders"',
  });
  const lineage = lineageOf(
    [plain, mixed],
    [
      { name: 'Orders', fullName: 'ANALYTICS.MARTS."Orders"' },
      { name: 'orders', fullName: '[ANALYTICS].[MARTS].[orders]' },
      { name: 'ORDERS', fullName: '[ANALYTICS].[MARTS].[ORDERS]' },
    ],
  );
  t.same(outcomes(lineage), [
    ['model.shop.orders_quoted', 'exact'],
    ['model.shop.orders', 'exact'],
    ['ambiguous', ['model.shop.orders', 'model.shop.orders_quoted']],
  ]);
});

t.test('two nodes on the very same relation stay ambiguous, whatever the case', async (t) => {
  const seed = node({
    uniqueId: 'seed.shop.customers',
    resourceType: 'seed',
    name: 'customers',
    database: 'analytics',
    schema: 'raw',
    identifier: 'customers',
  });
  const source = node({
    uniqueId: 'source.shop.raw.customers',
    resourceType: 'source',
    sourceName: 'raw',
    name: 'customers',
    database: 'analytics',
    schema: 'raw',
    identifier: 'customers',
    access: null,
  });
  const lineage = lineageOf(
    [seed, source],
    [
      { name: 'customers', fullName: 'analytics.raw.customers' },
      { name: 'CUSTOMERS', fullName: 'ANALYTICS.RAW.CUSTOMERS' },
    ],
  );
  t.same(outcomes(lineage), [
    ['ambiguous', ['seed.shop.customers', 'source.shop.raw.customers']],
    ['ambiguous', ['seed.shop.customers', 'source.shop.raw.customers']],
  ]);
  t.match(lineage.exposures[0]!.unmatchedTables[0]!.detail, /^several dbt nodes build /);
});
