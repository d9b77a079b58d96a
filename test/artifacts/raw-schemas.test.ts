/**
 * The fast checks accept exactly what the zod schemas accept: on random entries built from values
 * of every JSON type in every field read, both verdicts must be equal.
 */
import fc from 'fast-check';
import t from 'tap';
import type { z } from 'zod';
import {
  isRawAnyNode,
  isRawExposure,
  isRawManifestTop,
  isRawRelationalNode,
  isRawRunResult,
  isRawRunResultsTop,
  isRawSource,
  isUniqueIdList,
} from '../../src/artifacts/raw-checks.js';
import {
  RAW_SCHEMAS,
  rawAnyNodeSchema,
  rawExposureSchema,
  rawManifestTopSchema,
  rawRelationalNodeSchema,
  rawRunResultSchema,
  rawRunResultsTopSchema,
  rawSourceSchema,
  rawUniqueIdListSchema,
} from '../../src/artifacts/raw-schemas.js';

const MISSING = Symbol('missing');

const scalar = fc.oneof(
  fc.constant(MISSING),
  fc.constant(null),
  fc.string({ maxLength: 3 }),
  fc.constantFrom('model', 'private', 'protected', 'public', 'ephemeral', 'x'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
  fc.constant(['a', 1]),
);

/** An object whose listed keys get arbitrary values (or nested arbitraries), others left out. */
function entry(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const keys = Object.keys(fields);
  return fc.tuple(...keys.map((k) => fields[k]!)).map((values) => {
    const out: Record<string, unknown> = { extra_field_dbt_may_add: 1 };
    keys.forEach((k, i) => {
      if (values[i] !== MISSING) out[k] = values[i];
    });
    return out;
  });
}

/** Mostly a valid value, sometimes anything: both verdicts are reached often. */
const often = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: scalar, weight: 1 });
const str = often(fc.string({ maxLength: 3 }));
const nullish = (a: fc.Arbitrary<unknown>) =>
  often(fc.oneof(fc.constant(MISSING), fc.constant(null), a));
const nStr = nullish(fc.string({ maxLength: 3 }));
const nBool = nullish(fc.boolean());
const nNum = nullish(fc.double({ noNaN: true, noDefaultInfinity: true }));
const nList = nullish(fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }));
const obj = (fields: Record<string, fc.Arbitrary<unknown>>) => often(entry(fields));
const nObj = (fields: Record<string, fc.Arbitrary<unknown>>) => nullish(entry(fields));

const config = nObj({ enabled: nBool, materialized: nStr });
const dependsOn = nObj({ nodes: nList });
const nodeFields = {
  resource_type: str,
  name: str,
  package_name: str,
  depends_on: dependsOn,
  config,
  database: nStr,
  schema: nStr,
  alias: nStr,
  relation_name: nStr,
  version: nullish(fc.oneof(fc.string({ maxLength: 2 }), fc.integer())),
  latest_version: nullish(fc.oneof(fc.string({ maxLength: 2 }), fc.double({ noNaN: true }))),
  access: nullish(fc.constantFrom('private', 'protected', 'public')),
  tags: nList,
  fqn: nList,
  description: nStr,
};
const topMap = nullish(fc.constant({}));

const pairs: Array<[string, (v: unknown) => boolean, z.ZodType, fc.Arbitrary<unknown>]> = [
  ['any node', isRawAnyNode, rawAnyNodeSchema, obj(nodeFields)],
  ['relational node', isRawRelationalNode, rawRelationalNodeSchema, obj(nodeFields)],
  [
    'source',
    isRawSource,
    rawSourceSchema,
    obj({ ...nodeFields, source_name: str, identifier: nStr }),
  ],
  [
    'exposure',
    isRawExposure,
    rawExposureSchema,
    obj({
      name: str,
      package_name: str,
      label: nStr,
      type: nStr,
      url: nStr,
      original_file_path: nStr,
      depends_on: dependsOn,
    }),
  ],
  [
    'run result',
    isRawRunResult,
    rawRunResultSchema,
    obj({
      unique_id: str,
      status: str,
      message: nStr,
      execution_time: nNum,
      failures: nNum,
      relation_name: nStr,
      timing: nullish(
        fc.array(obj({ name: str, started_at: nStr, completed_at: nStr }), { maxLength: 2 }),
      ),
    }),
  ],
  ['unique id list', isUniqueIdList, rawUniqueIdListSchema, nList],
  [
    'manifest top',
    (v) => typeof v === 'object' && v !== null && isRawManifestTop(v as Record<string, unknown>),
    rawManifestTopSchema,
    entry({
      metadata: obj({
        dbt_schema_version: str,
        dbt_version: nStr,
        generated_at: nStr,
        invocation_id: nStr,
        adapter_type: nStr,
        project_name: nStr,
        quoting: nObj({ database: nBool, schema: nBool, identifier: nBool }),
      }),
      nodes: often(fc.constant({})),
      sources: topMap,
      exposures: topMap,
      parent_map: topMap,
      child_map: topMap,
    }),
  ],
  [
    'run results top',
    (v) => typeof v === 'object' && v !== null && isRawRunResultsTop(v as Record<string, unknown>),
    rawRunResultsTopSchema,
    entry({
      metadata: obj({
        dbt_schema_version: str,
        dbt_version: nStr,
        generated_at: nStr,
        invocation_id: nStr,
      }),
      args: nObj({ which: nStr }),
      elapsed_time: nNum,
      results: often(fc.constant([])),
    }),
  ],
];

for (const [name, fast, schema, arbitrary] of pairs) {
  t.test(`fast check and zod agree: ${name}`, async (t) => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(arbitrary, (value) => {
        const verdict = fast(value);
        if (verdict) accepted += 1;
        else rejected += 1;
        return verdict === schema.safeParse(value).success;
      }),
      { numRuns: 2000 },
    );
    // the generator reaches both verdicts, so the agreement means something
    t.ok(accepted > 0, `${accepted} accepted`);
    t.ok(rejected > 0, `${rejected} rejected`);
  });
}

t.test(
  'each schema name the readers report with is the schema of the check that failed',
  async (t) => {
    t.equal(RAW_SCHEMAS.manifestTop, rawManifestTopSchema);
    t.equal(RAW_SCHEMAS.anyNode, rawAnyNodeSchema);
    t.equal(RAW_SCHEMAS.relationalNode, rawRelationalNodeSchema);
    t.equal(RAW_SCHEMAS.source, rawSourceSchema);
    t.equal(RAW_SCHEMAS.exposure, rawExposureSchema);
    t.equal(RAW_SCHEMAS.uniqueIdList, rawUniqueIdListSchema);
    t.equal(RAW_SCHEMAS.runResultsTop, rawRunResultsTopSchema);
    t.equal(RAW_SCHEMAS.runResult, rawRunResultSchema);
  },
);
