import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import t from 'tap';
import { ArtifactError, LineageError } from '../../src/errors.js';
import type { DbtReference, LineageDependency } from '../../src/lineage/types.js';
import { injectExposures } from '../../src/output/inject.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import { exposure, lineage, ref } from './sample-lineage.js';

// biome-ignore lint/suspicious/noExplicitAny: manifest JSON, read field by field in tests
type Json = Record<string, any>;

/** ajv ships CommonJS: under NodeNext the default import may be the module object. */
type AjvLike = { compile(schema: object): ValidateFunction };
type AjvCtor = new (options: object) => AjvLike;
function interop<T>(module: unknown): T {
  return ((module as { default?: T }).default ?? module) as T;
}
const Ajv = interop<AjvCtor>(AjvModule);
const Ajv2020 = interop<AjvCtor>(Ajv2020Module);
const addFormats = interop<(ajv: AjvLike) => void>(addFormatsModule);

const validators = new Map<number, ValidateFunction>();
function validatorFor(version: number): ValidateFunction {
  const cached = validators.get(version);
  if (cached) return cached;
  const schema = JSON.parse(
    readFileSync(join(repoFixtures, 'dbt-schemas', `manifest_v${version}.schema.json`), 'utf8'),
  );
  const AjvClass = String(schema.$schema).includes('2020-12') ? Ajv2020 : Ajv;
  // Unoptimised generated code validates the same and compiles in about half the time (the
  // manifest v11/v12 schemas took over a second each).
  const ajv = new AjvClass({ strict: false, allErrors: true, code: { optimize: false } });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  validators.set(version, validate);
  return validate;
}

function errorsOf(version: number, manifest: unknown): ErrorObject[] {
  const validate = validatorFor(version);
  return validate(manifest) ? [] : [...(validate.errors ?? [])];
}

function load(dir: string): Json {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

/** First model / seed and first source of the manifest, by sorted unique id (test inputs). */
function pickNodes(m: Json): { model: Json; source: Json | undefined } {
  const ids = Object.keys(m.nodes).sort();
  const modelId = ids.find(
    (id) =>
      m.nodes[id].resource_type === 'model' && m.nodes[id].config?.materialized !== 'ephemeral',
  ) as string;
  const sourceId = Object.keys(m.sources ?? {}).sort()[0];
  return {
    model: m.nodes[modelId],
    source: sourceId === undefined ? undefined : m.sources[sourceId],
  };
}

function refOf(node: Json): LineageDependency {
  const ref: DbtReference =
    node.resource_type === 'source'
      ? { kind: 'source', package: node.package_name, source: node.source_name, name: node.name }
      : { kind: 'ref', package: node.package_name, name: node.name, version: node.version ?? null };
  return { uniqueId: node.unique_id, ref, tables: [], match: 'exact' };
}

function projectOf(m: Json): string {
  return m.metadata.project_name ?? pickNodes(m).model.package_name;
}

const FIXTURES: Array<{ folder: string; shared: boolean }> = [
  { folder: 'v1_bigquery_0.19.1', shared: false },
  { folder: 'v2_snowflake_0.20.0rc1', shared: true },
  { folder: 'v3_bigquery_0.21.0', shared: false },
  { folder: 'v4_bigquery_1.0.0', shared: false },
  { folder: 'v5_bigquery_1.1.0', shared: false },
  { folder: 'v7_bigquery_1.3.0', shared: false },
  { folder: 'v8_postgres_1.4.0', shared: true },
  { folder: 'v9_bigquery_1.5.0rc1', shared: false },
  { folder: 'v10_duckdb_1.6.0_exposures', shared: false },
  { folder: 'v11_duckdb_1.7.0_exposures', shared: false },
  { folder: 'v12_bigquery_1.9.0', shared: false },
  { folder: 'v12_snowflake_1.10.6', shared: true },
  { folder: 'v12_duckdb_1.11.12_exposures', shared: false },
  { folder: 'v12_duckdb_1.12.2_exposures', shared: false },
  { folder: 'v12_duckdb_fusion_2.0.0-beta.2_exposures', shared: false },
];

for (const { folder, shared } of FIXTURES) {
  const dir = shared ? join(sharedFixtures, 'dbt', folder) : join(repoFixtures, 'dbt', folder);
  const options = shared
    ? sharedTestOptions()
    : { skip: existsSync(dir) ? false : `${dir} not present yet` };
  t.test(`${folder}: injected manifest validates against its schema`, options, async (t) => {
    const input = load(dir);
    const before = JSON.stringify(input);
    const version = Number(/v(\d+)\.json$/.exec(input.metadata.dbt_schema_version)?.[1]);
    const project = projectOf(input);
    const { model, source } = pickNodes(input);
    const deps = [refOf(model), ...(source ? [refOf(source)] : [])];
    const l = lineage(
      [
        exposure('tableau_sales', { dependsOn: deps, owner: { name: 'No Email' } }),
        exposure('tableau_ops', { dependsOn: [refOf(model)], description: 'Ops {{ x }}' }),
      ],
      { projectName: project, packageName: project },
    );
    l.exposures[0]!.uniqueId = `exposure.${project}.tableau_sales`;
    l.exposures[1]!.uniqueId = `exposure.${project}.tableau_ops`;
    const output = injectExposures(input, l) as Json;
    t.equal(JSON.stringify(input), before, 'input not mutated');

    const inputErrors = errorsOf(version, input);
    const outputErrors = errorsOf(version, output);
    const salesId = `exposure.${project}.tableau_sales`;
    const opsId = `exposure.${project}.tableau_ops`;
    const ours = outputErrors.filter(
      (e) =>
        /^\/(parent_map|child_map)(\/|$)/.test(e.instancePath) ||
        e.instancePath.startsWith(`/exposures/${salesId}`) ||
        e.instancePath.startsWith(`/exposures/${opsId}`),
    );
    t.same(ours, [], 'no schema error in the injected exposures, parent_map, child_map');
    t.equal(outputErrors.length, inputErrors.length, 'no new schema error anywhere');

    const expectedParents = deps.map((d) => d.uniqueId).sort();
    t.same(output.exposures[salesId].depends_on, { macros: [], nodes: expectedParents });
    t.equal(output.exposures[salesId].resource_type, 'exposure');
    t.equal(output.exposures[salesId].package_name, project);
    t.same(output.exposures[salesId].fqn, [project, 'tableau_sales']);
    t.equal(output.exposures[salesId].original_file_path, 'models/tableau_exposures.yml');
    t.equal(output.exposures[opsId].description, 'Ops {{ x }}', 'manifest holds the raw text');
    if (input.parent_map) {
      t.same(output.parent_map[salesId], expectedParents);
      t.same(
        output.child_map[model.unique_id],
        [...new Set([...(input.child_map[model.unique_id] ?? []), salesId, opsId])].sort(),
      );
      t.same(output.child_map[salesId], []);
    }
    for (const id of Object.keys(input.exposures ?? {})) {
      t.same(output.exposures[id], input.exposures[id], `existing exposure ${id} kept`);
    }
    const otherPackage = model.package_name === project ? null : (model.package_name as string);
    if (version >= 9) {
      t.same(output.exposures[salesId].refs[0], {
        name: model.name,
        package: otherPackage,
        version: model.version ?? null,
      });
      t.same(output.exposures[salesId].owner, { email: null, name: 'No Email' });
    } else {
      const pkg = model.package_name === project ? [] : [model.package_name];
      t.same(output.exposures[salesId].refs[0], [...pkg, model.name]);
      t.same(output.exposures[salesId].owner, { email: '', name: 'No Email' });
    }
    if (source) t.same(output.exposures[salesId].sources, [[source.source_name, source.name]]);
    t.equal(output.nodes, input.nodes, 'untouched parts are shared, not copied');
  });
}

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
