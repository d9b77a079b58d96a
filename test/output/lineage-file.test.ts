import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LineageError } from '../../src/errors.js';
import {
  loadLineage,
  parseLineage,
  renderLineage,
  writeLineage,
} from '../../src/output/lineage-file.js';
import { exposure, lineage, ref, sampleLineage } from './sample-lineage.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dae-lineage-'));
}

function errorOf(fn: () => unknown): LineageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LineageError) return error;
    throw error;
  }
  throw new Error('expected a LineageError');
}

t.test('write then read round-trips the lineage', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'nested', 'lineage.json');
  const original = sampleLineage();
  await writeLineage(path, original);
  const back = await loadLineage(path);
  t.same(
    back.exposures.map((e) => e.name),
    ['customer_churn', 'sales_overview'],
  );
  const byName = new Map(original.exposures.map((e) => [e.name, e]));
  for (const e of back.exposures) t.same(e, byName.get(e.name));
  t.same(back.dbt, original.dbt);
  t.same(back.source, original.source);
  t.same(await readdir(join(dir, 'nested')), ['lineage.json']);
});

t.test('the file is canonical: key order, sorted arrays, indent, trailing newline', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'lineage.json');
  const l = lineage([
    exposure('b_dash', {
      tags: ['z', 'a'],
      dependsOn: [
        { uniqueId: 'model.p.z', ref: ref('z', 'p'), tables: ['T2', 'T1'], match: 'exact' },
        { uniqueId: 'model.p.a', ref: ref('a', 'p'), tables: ['A'], match: 'exact' },
      ],
    }),
    exposure('a_dash'),
  ]);
  await writeLineage(path, l);
  const text = await readFile(path, 'utf8');
  t.ok(text.endsWith('}\n'), 'trailing newline');
  t.match(text, /^\{\n {2}"version": 2,\n {2}"source": \{/, 'version first, 2-space indent');
  const parsed = JSON.parse(text);
  t.same(Object.keys(parsed), [
    'version',
    'source',
    'dbt',
    'exposures',
    'ambiguous',
    'skippedWorkbooks',
    'stats',
  ]);
  t.same(
    parsed.exposures.map((e: { name: string }) => e.name),
    ['a_dash', 'b_dash'],
  );
  t.same(parsed.exposures[1].tags, ['a', 'z']);
  t.same(
    parsed.exposures[1].dependsOn.map((d: { uniqueId: string }) => d.uniqueId),
    ['model.p.a', 'model.p.z'],
  );
  t.same(parsed.exposures[1].dependsOn[1].tables, ['T1', 'T2']);
  t.same(Object.keys(parsed.dbt), [
    'projectName',
    'packageName',
    'adapterType',
    'manifestSchemaVersion',
    'dbtVersion',
  ]);
  t.same(parsed.exposures[1].dependsOn[0].ref, {
    kind: 'ref',
    package: 'p',
    name: 'a',
    version: null,
  });
  t.same(Object.keys(parsed.exposures[0]).slice(0, 4), ['name', 'uniqueId', 'label', 'type']);
  // Same content in another order writes the same bytes.
  const shuffled = { ...l, exposures: [...l.exposures].reverse() };
  t.equal(renderLineage(shuffled), text);
  t.notMatch(text, /generatedAt/, 'no timestamp unless the caller gave one');
});

t.test('generatedAt and unknown additive fields are kept', async (t) => {
  const l = { ...sampleLineage(), generatedAt: '2024-06-01T00:00:00Z', extra: { b: 1, a: 2 } };
  const back = parseLineage(JSON.parse(renderLineage(l as never)));
  t.equal(back.generatedAt, '2024-06-01T00:00:00Z');
  t.same((back as unknown as { extra: unknown }).extra, { a: 2, b: 1 });
});

t.test('parseLineage accepts JSON text', async (t) => {
  const back = parseLineage(renderLineage(sampleLineage()));
  t.equal(back.exposures.length, 2);
});

t.test('a missing file: ERR_LINEAGE_READ naming it', async (t) => {
  const path = join(await tempDir(), 'nope.json');
  const error = await loadLineage(path).catch((e: unknown) => e);
  t.ok(error instanceof LineageError);
  t.equal((error as LineageError).code, 'ERR_LINEAGE_READ');
  t.equal((error as LineageError).file, path);
  t.match((error as LineageError).message, 'does not exist');
});

t.test('an unreadable path (a directory): ERR_LINEAGE_READ', async (t) => {
  const dir = await tempDir();
  const error = await loadLineage(dir).catch((e: unknown) => e);
  t.equal((error as LineageError).code, 'ERR_LINEAGE_READ');
  t.match((error as LineageError).message, 'EISDIR');
});

t.test('an aborted read: ERR_ABORTED', async (t) => {
  const path = join(await tempDir(), 'l.json');
  await writeFile(path, renderLineage(sampleLineage()));
  const error = await loadLineage(path, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
  t.equal((error as LineageError).code, 'ERR_ABORTED');
});

t.test('not JSON: ERR_LINEAGE_READ with line and column', async (t) => {
  const path = join(await tempDir(), 'broken.json');
  await writeFile(path, '{\n  "version": 1,\n  oops\n}\n');
  const error = await loadLineage(path).catch((e: unknown) => e);
  t.equal((error as LineageError).code, 'ERR_LINEAGE_READ');
  t.equal((error as LineageError).file, path);
  t.same((error as LineageError).details, { line: 3, column: 3 });
  t.match((error as LineageError).message, 'line 3, column 3');
});

t.test('a BOM is tolerated', async (t) => {
  const path = join(await tempDir(), 'bom.json');
  await writeFile(path, `\ufeff${renderLineage(sampleLineage())}`);
  t.equal((await loadLineage(path)).exposures.length, 2);
});

t.test('a future version: ERR_LINEAGE_VERSION', async (t) => {
  const error = errorOf(() => parseLineage({ ...sampleLineage(), version: 3 }, { path: 'l.json' }));
  t.equal(error.code, 'ERR_LINEAGE_VERSION');
  t.equal(error.field, 'version');
  t.equal(error.file, 'l.json');
  t.match(error.message, 'Upgrade');
});

t.test('schema errors name the JSON path and what was expected', async (t) => {
  const bad = JSON.parse(renderLineage(sampleLineage()));
  bad.exposures[1].dependsOn[0].match = 'fuzzy';
  const error = errorOf(() => parseLineage(bad, { path: 'lineage.json' }));
  t.equal(error.code, 'ERR_LINEAGE_SCHEMA');
  t.equal(error.file, 'lineage.json');
  t.equal(error.field, 'exposures[1].dependsOn[0].match');
  t.match(error.expected, /exact/);
  t.match(error.message, 'exposures[1].dependsOn[0].match');

  const missing = JSON.parse(renderLineage(sampleLineage()));
  delete missing.exposures[0].owner;
  const e2 = errorOf(() => parseLineage(missing));
  t.equal(e2.field, 'exposures[0].owner');
  t.match(e2.message, 'missing');

  for (const [value, field] of [
    [null, '(the top level)'],
    [[], '(the top level)'],
    [{ ...sampleLineage(), version: 0 }, 'version'],
    [{ ...sampleLineage(), version: '2' }, 'version'],
    [
      { ...sampleLineage(), dbt: { ...sampleLineage().dbt, packageName: undefined } },
      'dbt.packageName',
    ],
    [
      { ...sampleLineage(), stats: { workbooks: -1, tables: 0, matched: 0, unmatched: 0 } },
      'stats.workbooks',
    ],
  ] as const) {
    const e = errorOf(() => parseLineage(value));
    t.equal(e.code, 'ERR_LINEAGE_SCHEMA', `${JSON.stringify(value)?.slice(0, 30)}`);
    t.equal(e.field, field);
  }
});

t.test('writeLineage refuses an invalid lineage and writes nothing', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'l.json');
  const bad = { ...sampleLineage(), exposures: [{ name: 'x' }] };
  const error = await writeLineage(path, bad as never).catch((e: unknown) => e);
  t.equal((error as LineageError).code, 'ERR_LINEAGE_SCHEMA');
  t.same(await readdir(dir), []);
});

t.test('unmatched tables, ambiguous matches and skipped workbooks are sorted too', async (t) => {
  const l = lineage([
    exposure('x', {
      unmatchedTables: [
        { table: 'B', reason: 'no_relation', detail: 'd' },
        { table: 'A', reason: 'database_mismatch', detail: 'd', candidates: ['Z.S.A', 'Y.S.A'] },
      ],
      refreshTargets: [
        { kind: 'workbook', luid: 'w', name: 'w', hasExtracts: true, lastRefreshAt: null },
        { kind: 'datasource', luid: 'd', name: 'd', hasExtracts: true, lastRefreshAt: null },
      ],
    }),
  ]);
  l.ambiguous = [
    { workbookLuid: 'w2', workbookName: 'W2', table: 'T', candidates: ['b', 'a'] },
    { workbookLuid: 'w1', workbookName: 'W1', table: 'T', candidates: ['a'] },
  ];
  l.skippedWorkbooks = [
    { workbookLuid: 's2', workbookName: 'S2', reason: 'excluded', unmatchedTables: [] },
    {
      workbookLuid: 's1',
      workbookName: 'S1',
      reason: 'no_matched_tables',
      unmatchedTables: [
        { table: 'Q', reason: 'not_a_warehouse', detail: 'excel' },
        { table: 'P', reason: 'not_a_warehouse', detail: 'excel' },
      ],
    },
  ];
  const back = parseLineage(renderLineage(l));
  const e = back.exposures[0];
  t.same(
    e?.unmatchedTables.map((u) => u.table),
    ['A', 'B'],
  );
  t.same(e?.unmatchedTables[0]?.candidates, ['Y.S.A', 'Z.S.A']);
  t.same(
    e?.refreshTargets.map((r) => r.kind),
    ['datasource', 'workbook'],
  );
  t.same(
    back.ambiguous.map((a) => a.workbookLuid),
    ['w1', 'w2'],
  );
  t.same(back.ambiguous[1]?.candidates, ['a', 'b']);
  t.same(
    back.skippedWorkbooks.map((s) => s.workbookLuid),
    ['s1', 's2'],
  );
  t.same(
    back.skippedWorkbooks[0]?.unmatchedTables.map((u) => u.table),
    ['P', 'Q'],
  );
});

t.test('an own "__proto__" key does not become the prototype of what is read', async (t) => {
  const text = renderLineage(sampleLineage()).replace(/^\{/, '{"__proto__":{"polluted":1},');
  const read = parseLineage(text);
  t.equal(Object.getPrototypeOf(read), Object.prototype);
  t.equal((read as unknown as Record<string, unknown>).polluted, undefined);
  t.equal(renderLineage(read), renderLineage(sampleLineage()));
});

t.test('references: a bad kind or a missing part is a schema error naming the field', async (t) => {
  for (const [bad, field] of [
    [{ kind: 'metric', package: 'p', name: 'm' }, 'exposures[1].dependsOn[0].ref.kind'],
    [{ kind: 'ref', package: 'p', name: 'orders' }, 'exposures[1].dependsOn[0].ref.version'],
    [{ kind: 'source', package: 'p', name: 't' }, 'exposures[1].dependsOn[0].ref.source'],
    ["ref('orders')", 'exposures[1].dependsOn[0].ref'],
  ] as const) {
    const doc = JSON.parse(renderLineage(sampleLineage()));
    doc.exposures[1].dependsOn[0].ref = bad;
    const error = errorOf(() => parseLineage(doc));
    t.equal(error.code, 'ERR_LINEAGE_SCHEMA', JSON.stringify(bad));
    t.equal(error.field, field, JSON.stringify(bad));
  }
});

/** A format-1 document: Jinja reference strings, no `dbt.packageName`. */
function format1(refs: string[], ids: string[], exposureId = 'exposure.shop.dash') {
  return {
    version: 1,
    source: { kind: 'snapshot', serverUrl: null, siteName: null },
    dbt: {
      projectName: 'shop',
      adapterType: null,
      manifestSchemaVersion: 12,
      dbtVersion: '1.10.6',
    },
    exposures: [
      {
        ...exposure('dash', { uniqueId: exposureId }),
        dependsOn: refs.map((r, i) => ({ uniqueId: ids[i], ref: r, tables: [], match: 'exact' })),
      },
    ],
    ambiguous: [],
    skippedWorkbooks: [],
    stats: { workbooks: 1, tables: 0, matched: 0, unmatched: 0 },
  };
}

t.test('format 1 is read and upgraded: references parsed once, written as format 2', async (t) => {
  const doc = format1(
    [
      "ref('orders')",
      "ref('finance', 'calendar')",
      "ref('customers', v=2)",
      'ref("dim_x", version="1.5")',
      "source('raw', 'events')",
    ],
    [
      'model.shop.orders',
      'model.finance.calendar',
      'model.shop.customers.v2',
      'model.shop.dim_x.v1_5',
      'source.shop.raw.events',
    ],
  );
  const upgraded = parseLineage(doc, { path: 'old.json' });
  t.equal(upgraded.version, 2);
  t.equal(upgraded.dbt.packageName, 'shop', "from the exposures' unique ids");
  t.same(Object.keys(upgraded.dbt), [
    'projectName',
    'packageName',
    'adapterType',
    'manifestSchemaVersion',
    'dbtVersion',
  ]);
  t.same(
    upgraded.exposures[0]!.dependsOn.map((d) => d.ref),
    [
      { kind: 'ref', package: 'finance', name: 'calendar', version: null },
      { kind: 'ref', package: 'shop', name: 'customers', version: 2 },
      { kind: 'ref', package: 'shop', name: 'dim_x', version: '1.5' },
      { kind: 'ref', package: 'shop', name: 'orders', version: null },
      { kind: 'source', package: 'shop', source: 'raw', name: 'events' },
    ],
    "sorted by unique id; a one-argument ref is in its node's package",
  );
  const text = renderLineage(upgraded);
  t.match(text, /^\{\n {2}"version": 2,/);
  t.same(parseLineage(text), upgraded, 'the format-2 text reads back the same');
});

t.test('format 1 through loadLineage and writeLineage: the file becomes format 2', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'lineage.json');
  await writeFile(path, JSON.stringify(format1(["ref('orders')"], ['model.shop.orders'])));
  const read = await loadLineage(path);
  await writeLineage(path, read);
  const written = JSON.parse(await readFile(path, 'utf8'));
  t.equal(written.version, 2);
  t.equal(written.dbt.packageName, 'shop');
  t.same(written.exposures[0].dependsOn[0].ref, ref('orders', 'shop'));
});

t.test('format 1 without exposures takes the package from the project name', async (t) => {
  const doc = { ...format1([], []), exposures: [] };
  t.equal(parseLineage(doc).dbt.packageName, 'shop');
});

t.test('format 1: a reference that is not ref(...) or source(...) is a schema error', async (t) => {
  for (const text of [
    "metric('m')",
    "ref('a', 'b', 'c')",
    'ref(orders)',
    "source('only_one')",
    "ref('a', w=2)",
    "ref('a',)",
    "source('a', 'b', v=1)",
  ]) {
    const error = errorOf(() =>
      parseLineage(format1([text], ['model.shop.x']), { path: 'l.json' }),
    );
    t.equal(error.code, 'ERR_LINEAGE_SCHEMA', text);
    t.equal(error.field, 'exposures[0].dependsOn[0].ref', text);
    t.match(error.message, /l\.json/);
  }
  const bad = format1(["ref('a')"], ['model.shop.a']);
  (bad.exposures[0] as Record<string, unknown>).label = 5;
  t.equal(errorOf(() => parseLineage(bad)).field, 'exposures[0].label');
});
