import t from 'tap';
import { ArtifactError, LineageError } from '../../src/errors.js';
import { injectExposures } from '../../src/output/inject.js';
import { FIXTURES, schemaCase } from './inject-schemas.js';
import { exposure, lineage, ref } from './sample-lineage.js';

// biome-ignore lint/suspicious/noExplicitAny: manifest JSON, read field by field in tests
type Json = Record<string, any>;

/**
 * One manifest per version rule of injectExposures: `root_path` (schema ≤ 7), refs as lists
 * (< 9) or objects (≥ 9), tags and meta under `config` (schema 12 from dbt 1.10), and Fusion. Every
 * recorded manifest runs in inject-schemas.slow.test.ts.
 */
const COVERING = new Set([
  'v7_bigquery_1.3.0',
  'v9_bigquery_1.5.0rc1',
  'v12_bigquery_1.9.0',
  'v12_duckdb_1.11.12_exposures',
  'v12_duckdb_fusion_2.0.0-beta.2_exposures',
]);

t.test('the covering manifests are recorded ones', async (t) => {
  t.same(
    FIXTURES.map((f) => f.folder).filter((f) => COVERING.has(f)),
    [...COVERING],
  );
});
for (const fixture of FIXTURES.filter((f) => COVERING.has(f.folder))) schemaCase(t, fixture);

function miniManifest(version: number, dbtVersion: string): Json {
  return {
    metadata: {
      dbt_schema_version: `https://schemas.getdbt.com/dbt/manifest/v${version}.json`,
      dbt_version: dbtVersion,
      project_name: 'shop',
    },
    nodes: {
      'model.shop.orders': { resource_type: 'model', name: 'orders', package_name: 'shop' },
      'model.shop.customers.v2': {
        resource_type: 'model',
        name: 'customers',
        package_name: 'shop',
        version: 2,
      },
      'model.other.calendar': { resource_type: 'model', name: 'calendar', package_name: 'other' },
    },
    sources: {},
    exposures: {
      'exposure.shop.old_dash': {
        name: 'old_dash',
        depends_on: { macros: [], nodes: ['model.shop.orders'] },
      },
      'exposure.shop.by_hand': {
        name: 'by_hand',
        depends_on: { macros: [], nodes: ['model.shop.orders'] },
      },
    },
    parent_map: {
      'model.shop.orders': [],
      'exposure.shop.old_dash': ['model.shop.orders'],
      'exposure.shop.by_hand': ['model.shop.orders'],
    },
    child_map: {
      'model.shop.orders': ['exposure.shop.by_hand', 'exposure.shop.old_dash'],
      'model.shop.customers.v2': [],
      'model.other.calendar': [],
    },
  };
}

t.test('an existing exposure with the same id is replaced and its old edges dropped', async (t) => {
  const m = miniManifest(12, '1.10.6');
  const l = lineage(
    [
      exposure('old_dash', {
        uniqueId: 'exposure.shop.old_dash',
        tags: ['b', 'a', 'b'],
        dependsOn: [
          {
            uniqueId: 'model.shop.customers.v2',
            ref: ref('customers', 'shop', 2),
            tables: [],
            match: 'exact',
          },
          {
            uniqueId: 'model.other.calendar',
            ref: ref('calendar', 'other'),
            tables: [],
            match: 'exact',
          },
        ],
      }),
    ],
    { projectName: 'shop', packageName: 'shop' },
  );
  const out = injectExposures(m, l, {
    originalFilePath: 'models/bi/tableau.yml',
    createdAt: 1700000000.5,
  }) as Json;
  t.same(out.child_map['model.shop.orders'], ['exposure.shop.by_hand'], 'old edge removed');
  t.same(out.child_map['model.shop.customers.v2'], ['exposure.shop.old_dash']);
  t.same(out.child_map['model.other.calendar'], ['exposure.shop.old_dash']);
  t.same(out.parent_map['exposure.shop.old_dash'], [
    'model.other.calendar',
    'model.shop.customers.v2',
  ]);
  t.same(out.parent_map['exposure.shop.by_hand'], ['model.shop.orders'], 'hand-written kept');
  const e = out.exposures['exposure.shop.old_dash'];
  t.same(e.refs, [
    { name: 'customers', package: null, version: 2 },
    { name: 'calendar', package: 'other', version: null },
  ]);
  t.same(
    e.config,
    { enabled: true, tags: ['a', 'b'], meta: e.meta },
    'dbt 1.10: tags/meta in config',
  );
  t.same(e.tags, ['a', 'b']);
  t.equal(e.path, 'bi/tableau.yml');
  t.same(e.fqn, ['shop', 'bi', 'old_dash']);
  t.equal(e.created_at, 1700000000.5);
  t.same(Object.keys(out.exposures), ['exposure.shop.by_hand', 'exposure.shop.old_dash'], 'sorted');
  t.same(
    m.child_map['model.shop.orders'],
    ['exposure.shop.by_hand', 'exposure.shop.old_dash'],
    'input intact',
  );
});

t.test('dbt 1.9 manifest v12: config has only enabled; v4 refs are lists', async (t) => {
  const dep = {
    uniqueId: 'model.other.calendar',
    ref: ref('calendar', 'other'),
    tables: [],
    match: 'exact' as const,
  };
  const out12 = injectExposures(
    miniManifest(12, '1.9.0'),
    lineage([exposure('x', { uniqueId: 'exposure.shop.x', dependsOn: [dep] })]),
  ) as Json;
  t.same(out12.exposures['exposure.shop.x'].config, { enabled: true });
  const out4 = injectExposures(
    miniManifest(4, '1.0.0'),
    lineage([exposure('x', { uniqueId: 'exposure.shop.x', dependsOn: [dep] })]),
  ) as Json;
  t.same(out4.exposures['exposure.shop.x'].refs, [['other', 'calendar']]);
  t.equal(out4.exposures['exposure.shop.x'].root_path, '');
  t.equal(out4.exposures['exposure.shop.x'].label, undefined);
});

t.test('null maps stay null; missing exposures section is created', async (t) => {
  const m = {
    ...miniManifest(4, '1.0.0'),
    parent_map: null,
    child_map: null,
    exposures: undefined,
  };
  const out = injectExposures(m, lineage([exposure('x', { uniqueId: 'exposure.shop.x' })])) as Json;
  t.equal(out.parent_map, null);
  t.equal(out.child_map, null);
  t.same(Object.keys(out.exposures), ['exposure.shop.x']);
});

t.test('coded errors', async (t) => {
  t.throws(() => injectExposures([], lineage([])), ArtifactError);
  t.throws(() => injectExposures({ metadata: {} }, lineage([])), { code: 'ERR_ARTIFACT_VERSION' });
  const missing = lineage([
    exposure('x', {
      dependsOn: [
        { uniqueId: 'model.shop.gone', ref: ref('gone', 'shop'), tables: [], match: 'exact' },
      ],
    }),
  ]);
  const error = (() => {
    try {
      injectExposures(miniManifest(12, '1.10.0'), missing);
    } catch (e) {
      return e;
    }
  })();
  t.ok(error instanceof LineageError);
  t.equal((error as LineageError).code, 'ERR_LINEAGE_SCHEMA');
  t.equal((error as LineageError).field, 'exposures[0].dependsOn[0].uniqueId');
});
