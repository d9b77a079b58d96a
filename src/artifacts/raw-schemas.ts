/**
 * The raw artifact fields this library reads, as small zod schemas (loose: every other field is
 * ignored, so in-place additions by newer dbt versions never break reading), each paired with a
 * hand-written check of the same rules in raw-checks.ts.
 *
 * Why both: manifests reach hundreds of megabytes, and running zod over every node costs more than
 * the JSON parse itself; loading zod alone costs more than a small project's whole `refresh`. The
 * fast checks accept exactly what the schemas accept (a property test holds them to it); this
 * module, and zod with it, loads only when a check rejected an entry, to name the first offending
 * field and what was expected there.
 */
import { z } from 'zod';
import { type SchemaErrorReporter, throwSchemaError } from './artifact-errors.js';
import type { RawSchemaName } from './raw-checks.js';

const str = z.string({ error: 'a string' });
const nullishStr = z.string({ error: 'a string or null' }).nullish();
const strList = z.array(z.string({ error: 'a string' }), { error: 'an array of strings' });
const nullishBool = z.boolean({ error: 'a boolean or null' }).nullish();
const nullishNum = z.number({ error: 'a number or null' }).nullish();
const versionValue = z
  .union([z.string(), z.number()], { error: 'a string, a number or null' })
  .nullish();
const obj = <T extends z.core.$ZodLooseShape>(shape: T, expected: string) =>
  z.object(shape, { error: expected }).loose();

const dependsOn = obj({ nodes: strList.nullish() }, 'an object or null').nullish();
const config = obj(
  { enabled: nullishBool, materialized: nullishStr },
  'an object or null',
).nullish();

/** Every entry of `nodes`: what is read for the graph and for name collisions. */
export const rawAnyNodeSchema = obj(
  { resource_type: str, name: str, depends_on: dependsOn },
  'an object (a dbt node)',
);

/** Models, seeds and snapshots (read in full because they can be matched). */
export const rawRelationalNodeSchema = obj(
  {
    resource_type: str,
    name: str,
    package_name: str,
    depends_on: dependsOn,
    config,
    database: nullishStr,
    schema: nullishStr,
    alias: nullishStr,
    relation_name: nullishStr,
    version: versionValue,
    latest_version: versionValue,
    access: z
      .enum(['private', 'protected', 'public'], {
        error: 'one of "private", "protected", "public", or null',
      })
      .nullish(),
    tags: strList.nullish(),
    fqn: strList.nullish(),
    description: nullishStr,
  },
  'an object (a dbt node)',
);

/** Every entry of `sources`. */
export const rawSourceSchema = obj(
  {
    name: str,
    package_name: str,
    source_name: str,
    config,
    database: nullishStr,
    schema: nullishStr,
    identifier: nullishStr,
    relation_name: nullishStr,
    tags: strList.nullish(),
    fqn: strList.nullish(),
    description: nullishStr,
  },
  'an object (a dbt source)',
);

/** Every entry of `exposures`. */
export const rawExposureSchema = obj(
  {
    name: str,
    package_name: str,
    label: nullishStr,
    type: nullishStr,
    url: nullishStr,
    original_file_path: nullishStr,
    depends_on: dependsOn,
  },
  'an object (a dbt exposure)',
);

/** `metadata` of a manifest. */
export const rawManifestMetadataSchema = obj(
  {
    dbt_schema_version: str,
    dbt_version: nullishStr,
    generated_at: nullishStr,
    invocation_id: nullishStr,
    adapter_type: nullishStr,
    project_name: nullishStr,
    quoting: obj(
      { database: nullishBool, schema: nullishBool, identifier: nullishBool },
      'an object or null',
    ).nullish(),
  },
  'an object',
);

const collection = z.record(z.string(), z.unknown(), { error: 'an object' });

/** The top level of a manifest: only the containers; entries are checked one by one. */
export const rawManifestTopSchema = obj(
  {
    metadata: rawManifestMetadataSchema,
    nodes: collection,
    sources: collection.nullish(),
    exposures: collection.nullish(),
    parent_map: collection.nullish(),
    child_map: collection.nullish(),
  },
  'an object',
);

/** One entry of `run_results.results`. */
export const rawRunResultSchema = obj(
  {
    unique_id: str,
    status: str,
    message: nullishStr,
    execution_time: nullishNum,
    failures: nullishNum,
    relation_name: nullishStr,
    timing: z
      .array(
        obj(
          { name: str, started_at: nullishStr, completed_at: nullishStr },
          'an object (a timing entry)',
        ),
        { error: 'an array of timing entries, or null' },
      )
      .nullish(),
  },
  'an object (a run result)',
);

/** The top level of run_results.json (results are checked one by one). */
export const rawRunResultsTopSchema = obj(
  {
    metadata: obj(
      {
        dbt_schema_version: str,
        dbt_version: nullishStr,
        generated_at: nullishStr,
        invocation_id: nullishStr,
      },
      'an object',
    ),
    args: obj({ which: nullishStr }, 'an object or null').nullish(),
    elapsed_time: nullishNum,
    results: z.array(z.unknown(), { error: 'an array' }),
  },
  'an object',
);

/** The zod schema of one `parent_map` / `child_map` value. */
export const rawUniqueIdListSchema = strList;

/** Every schema by the name the fast checks use for it. */
export const RAW_SCHEMAS: Readonly<Record<RawSchemaName, z.ZodType>> = {
  manifestTop: rawManifestTopSchema,
  anyNode: rawAnyNodeSchema,
  relationalNode: rawRelationalNodeSchema,
  source: rawSourceSchema,
  exposure: rawExposureSchema,
  uniqueIdList: rawUniqueIdListSchema,
  runResultsTop: rawRunResultsTopSchema,
  runResult: rawRunResultSchema,
};

/** Throws `ERR_ARTIFACT_SCHEMA` for the entry a fast check rejected, with zod's first issue. */
export const reportWithZod: SchemaErrorReporter = (schema, value, basePath, context) =>
  throwSchemaError(RAW_SCHEMAS[schema], value, basePath, context);
