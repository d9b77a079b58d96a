/**
 * The hand-written lineage check accepts exactly what `lineageSchemaV1` (zod) accepts, and a
 * document it accepts reads exactly as zod's output read before (same canonical lineage, same
 * bytes). Documents: valid ones with every optional field present or absent and every enum value,
 * then mutated at random paths — any field replaced by a value of another type, an edge number, an
 * empty string, or deleted; unknown keys added, `__proto__` included — so both verdicts are
 * reached for every field.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { canonicalLineage } from '../../src/output/lineage-canonical.js';
import { parseLineage, renderLineage } from '../../src/output/lineage-file.js';
import { isLineageV1 } from '../../src/output/lineage-guard.js';
import { lineageSchemaV1 } from '../../src/output/lineage-schema.js';
import { exposure, lineage, sampleLineage } from './sample-lineage.js';

const MISSING = Symbol('missing');

/** Values every field is tried with (beside its valid ones). */
const ODD_VALUES: unknown[] = [
  MISSING,
  undefined,
  null,
  '',
  'x',
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 53,
  2 ** 53 - 1,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  true,
  false,
  [],
  ['a'],
  ['a', 1],
  {},
  { name: 'x' },
  new Date(0),
  'exact',
  'workbook',
  'dashboard',
  'high',
  'tableau',
  'excluded',
  'no_relation',
];
const ODD = fc.constantFrom(...ODD_VALUES);

const str = fc.string({ maxLength: 4 });
const nullableStr = fc.option(str, { nil: null });
const strs = fc.array(str, { maxLength: 3 });
const count = fc.oneof(fc.nat(5), fc.constant(2 ** 53 - 1));
/** An optional field: a value, or absent (MISSING), or present as undefined (zod accepts both). */
const optional = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof(a, fc.constant(MISSING), fc.constant(undefined));

const unmatched = fc.record({
  table: str,
  reason: fc.constantFrom(
    'no_relation',
    'database_mismatch',
    'ambiguous',
    'not_a_warehouse',
    'unsupported_custom_sql',
  ),
  detail: str,
  candidates: optional(strs),
});

const exposureArb = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 4 }),
    fc.record({
      label: str,
      type: fc.constantFrom('dashboard', 'notebook', 'analysis', 'ml', 'application'),
      maturity: fc.constantFrom('high', 'medium', 'low'),
      url: nullableStr,
      owner: fc.record({ name: str, email: optional(str) }),
      description: str,
      tags: strs,
      dependsOn: fc.array(
        fc.record({
          uniqueId: fc.string({ minLength: 1, maxLength: 4 }),
          ref: fc.string({ minLength: 1, maxLength: 4 }),
          tables: strs,
          match: fc.constantFrom('exact', 'schema_identifier', 'custom_sql_parsed', 'custom_sql'),
        }),
        { maxLength: 2 },
      ),
      refreshTargets: fc.array(
        fc.record({
          kind: fc.constantFrom('workbook', 'datasource'),
          luid: str,
          name: str,
          hasExtracts: fc.boolean(),
          lastRefreshAt: nullableStr,
        }),
        { maxLength: 2 },
      ),
      unmatchedTables: fc.array(unmatched, { maxLength: 2 }),
    }),
    nullableStr,
    nullableStr,
  )
  .map(([name, fields, projectName, updatedAt]) => {
    const e = exposure(name, fields as never) as unknown as Record<string, unknown>;
    e.meta = { tableau: { workbookLuid: `luid-${name}`, projectName, updatedAt } };
    return e;
  });

const documentArb = fc
  .record({
    exposures: fc.array(exposureArb, { maxLength: 3 }),
    generatedAt: optional(str),
    kind: fc.constantFrom('tableau', 'snapshot'),
    serverUrl: nullableStr,
    siteName: nullableStr,
    projectName: nullableStr,
    adapterType: nullableStr,
    manifestSchemaVersion: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(2 ** 53 - 1)),
    ambiguous: fc.array(
      fc.record({ workbookLuid: str, workbookName: str, table: str, candidates: strs }),
      { maxLength: 2 },
    ),
    skipped: fc.array(
      fc.record({
        workbookLuid: str,
        workbookName: str,
        reason: fc.constantFrom('no_matched_tables', 'excluded'),
        unmatchedTables: fc.array(unmatched, { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
    stats: fc.record({
      workbooks: count,
      tables: count,
      matched: count,
      unmatched: count,
      customSql: optional(fc.record({ queries: count, parsed: count })),
    }),
  })
  .map((d) => {
    const doc = lineage(d.exposures as never, {
      projectName: d.projectName,
      adapterType: d.adapterType,
      manifestSchemaVersion: d.manifestSchemaVersion,
    }) as unknown as Record<string, unknown>;
    doc.generatedAt = d.generatedAt;
    doc.source = { kind: d.kind, serverUrl: d.serverUrl, siteName: d.siteName };
    doc.ambiguous = d.ambiguous;
    doc.skippedWorkbooks = d.skipped;
    doc.stats = d.stats;
    return doc;
  });

/** Every [container, key] in a document, depth first (the root's own keys included). */
function slots(root: unknown): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const walk = (value: unknown) => {
    if (value === null || typeof value !== 'object' || value instanceof Date) return;
    const container = value as Record<string | number, unknown>;
    const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (const key of keys) {
      out.push([container, key]);
      walk(container[key]);
    }
  };
  walk(root);
  return out;
}

function fresh(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** Drop MISSING markers (absent keys); everything else stays as generated. */
function realise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(realise);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value))
    if (child !== MISSING) out[key] = realise(child);
  return out;
}

const mutated = fc
  .tuple(
    documentArb,
    fc.array(fc.tuple(fc.nat(), ODD), { maxLength: 3 }),
    fc.constantFrom('none', 'extra', 'proto'),
  )
  .map(([doc, mutations, extra]) => {
    const value = realise(doc) as Record<string, unknown>;
    for (const [at, replacement] of mutations) {
      const all = slots(value);
      if (all.length === 0) break;
      const [container, key] = all[at % all.length]!;
      if (replacement === MISSING) {
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key];
      } else {
        // A copy: the odd values are shared constants, and later mutations may reach inside.
        container[key] = fresh(replacement);
      }
    }
    // Unknown keys (kept by both), and `"__proto__"` as JSON.parse makes it: an own key.
    if (extra === 'extra') value.addedLater = { nested: [1, 'two'] };
    if (extra === 'proto') {
      return JSON.parse(
        JSON.stringify(value).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      ) as unknown;
    }
    return value;
  });

t.test('the fast check and zod agree on every generated document', async (t) => {
  let accepted = 0;
  let rejected = 0;
  fc.assert(
    fc.property(mutated, (value) => {
      const verdict = isLineageV1(value);
      if (verdict) accepted += 1;
      else rejected += 1;
      const zod = lineageSchemaV1.safeParse(value);
      if (verdict !== zod.success) return false;
      if (!zod.success) return true;
      // Accepted: what readers get is what zod's output gave (objects, prototypes, bytes).
      const fast = canonicalLineage(value as never);
      const before = canonicalLineage(zod.data as never);
      return (
        isDeepStrictEqual(fast, before) &&
        renderLineage(value as never) === renderLineage(zod.data as never)
      );
    }),
    { numRuns: 5000 },
  );
  t.ok(accepted > 500, `${accepted} accepted`);
  t.ok(rejected > 500, `${rejected} rejected`);
});

t.test('the fast check and zod agree on single-field changes of the sample', async (t) => {
  // Every field of a realistic lineage, one at a time, with every odd value: a table, exhaustive.
  const base = JSON.parse(renderLineage(sampleLineage())) as unknown;
  let cases = 0;
  for (let i = 0; i < slots(base).length; i += 1) {
    for (const replacement of ODD_VALUES) {
      const doc = structuredClone(base);
      const [container, key] = slots(doc)[i]!;
      if (replacement === MISSING) {
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key];
      } else {
        container[key] = fresh(replacement);
      }
      cases += 1;
      const zod = lineageSchemaV1.safeParse(doc).success;
      if (isLineageV1(doc) !== zod) {
        t.fail(`disagree at slot ${i} (${String(key)}) = ${String(replacement)}: zod ${zod}`);
      }
    }
  }
  t.ok(cases > 1000, `${cases} documents checked`);
});

t.test('an own "__proto__" key does not become the prototype of what is read', async (t) => {
  const text = renderLineage(sampleLineage()).replace(/^\{/, '{"__proto__":{"polluted":1},');
  const read = parseLineage(text);
  t.equal(Object.getPrototypeOf(read), Object.prototype);
  t.equal((read as unknown as Record<string, unknown>).polluted, undefined);
  t.equal(renderLineage(read), renderLineage(sampleLineage()));
});
