/**
 * dbt's manifest JSON Schemas against `injectExposures`, one case per recorded manifest version:
 * the injected manifest validates against the schema of its version (ajv) and carries the
 * exposure shape that version defines. `npm test` runs a subset covering every version rule of
 * injectExposures (inject.test.ts); inject-schemas.slow.test.ts runs every manifest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Test } from 'tap';
import type { DbtReference, LineageDependency } from '../../src/lineage/types.js';
import { injectExposures } from '../../src/output/inject.js';
import { repoFixtures, sharedFixtures, sharedTestOptions } from '../helpers/shared-fixtures.js';
import { exposure, lineage } from './sample-lineage.js';

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

/** The recorded manifests, oldest schema first. */
export const FIXTURES: Array<{ folder: string; shared: boolean }> = [
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

/** Register the case of one recorded manifest on `t`. */
export function schemaCase(t: Test, { folder, shared }: { folder: string; shared: boolean }): void {
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
