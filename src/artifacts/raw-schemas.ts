/**
 * The raw artifact fields this library reads, as small zod schemas (loose: every other field is
 * ignored, so in-place additions by newer dbt versions never break reading), each paired with a
 * hand-written check of the same rules.
 *
 * Why both: manifests reach hundreds of megabytes, and running zod over every node costs more than
 * the JSON parse itself. The fast checks accept exactly what the schemas accept (a property test
 * holds them to it); zod only runs on an entry the fast check rejected, to name the first
 * offending field and what was expected there.
 */
import { z } from 'zod';

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

// ---- fast checks: the same rules, without allocation ----

type Raw = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isNullish = (v: unknown): v is null | undefined => v === null || v === undefined;
const isNullishStr = (v: unknown): boolean => isNullish(v) || typeof v === 'string';
const isNullishBool = (v: unknown): boolean => isNullish(v) || typeof v === 'boolean';
const isNullishNum = (v: unknown): boolean =>
  isNullish(v) || (typeof v === 'number' && Number.isFinite(v));

function isStrList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== 'string') return false;
  return true;
}

const isNullishStrList = (v: unknown): boolean => isNullish(v) || isStrList(v);
const isDependsOn = (v: unknown): boolean =>
  isNullish(v) || (isObject(v) && isNullishStrList(v.nodes));
const isConfig = (v: unknown): boolean =>
  isNullish(v) || (isObject(v) && isNullishBool(v.enabled) && isNullishStr(v.materialized));
const isVersionValue = (v: unknown): boolean =>
  isNullish(v) || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isAccess = (v: unknown): boolean =>
  isNullish(v) || v === 'private' || v === 'protected' || v === 'public';

/** Same rules as `rawManifestTopSchema` (containers only). */
export function isRawManifestTop(root: Raw): boolean {
  const metadata = root.metadata;
  const nullishObject = (v: unknown) => v === null || v === undefined || isObject(v);
  if (!isObject(metadata) || !isObject(root.nodes)) return false;
  const quoting = metadata.quoting;
  return (
    typeof metadata.dbt_schema_version === 'string' &&
    isNullishStr(metadata.dbt_version) &&
    isNullishStr(metadata.generated_at) &&
    isNullishStr(metadata.invocation_id) &&
    isNullishStr(metadata.adapter_type) &&
    isNullishStr(metadata.project_name) &&
    (quoting === null ||
      quoting === undefined ||
      (isObject(quoting) &&
        isNullishBool(quoting.database) &&
        isNullishBool(quoting.schema) &&
        isNullishBool(quoting.identifier))) &&
    nullishObject(root.sources) &&
    nullishObject(root.exposures) &&
    nullishObject(root.parent_map) &&
    nullishObject(root.child_map)
  );
}

/** Same rules as `rawAnyNodeSchema`. */
export function isRawAnyNode(v: unknown): v is Raw {
  return (
    isObject(v) &&
    typeof v.resource_type === 'string' &&
    typeof v.name === 'string' &&
    isDependsOn(v.depends_on)
  );
}

/** Same rules as `rawRelationalNodeSchema`. */
export function isRawRelationalNode(v: unknown): v is Raw {
  return (
    isRawAnyNode(v) &&
    typeof v.package_name === 'string' &&
    isConfig(v.config) &&
    isNullishStr(v.database) &&
    isNullishStr(v.schema) &&
    isNullishStr(v.alias) &&
    isNullishStr(v.relation_name) &&
    isVersionValue(v.version) &&
    isVersionValue(v.latest_version) &&
    isAccess(v.access) &&
    isNullishStrList(v.tags) &&
    isNullishStrList(v.fqn) &&
    isNullishStr(v.description)
  );
}

/** Same rules as `rawSourceSchema`. */
export function isRawSource(v: unknown): v is Raw {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.package_name === 'string' &&
    typeof v.source_name === 'string' &&
    isConfig(v.config) &&
    isNullishStr(v.database) &&
    isNullishStr(v.schema) &&
    isNullishStr(v.identifier) &&
    isNullishStr(v.relation_name) &&
    isNullishStrList(v.tags) &&
    isNullishStrList(v.fqn) &&
    isNullishStr(v.description)
  );
}

/** Same rules as `rawExposureSchema`. */
export function isRawExposure(v: unknown): v is Raw {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.package_name === 'string' &&
    isNullishStr(v.label) &&
    isNullishStr(v.type) &&
    isNullishStr(v.url) &&
    isNullishStr(v.original_file_path) &&
    isDependsOn(v.depends_on)
  );
}

function isTiming(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    isNullishStr(v.started_at) &&
    isNullishStr(v.completed_at)
  );
}

/** Same rules as `rawRunResultSchema`. */
export function isRawRunResult(v: unknown): v is Raw {
  if (
    !isObject(v) ||
    typeof v.unique_id !== 'string' ||
    typeof v.status !== 'string' ||
    !isNullishStr(v.message) ||
    !isNullishNum(v.execution_time) ||
    !isNullishNum(v.failures) ||
    !isNullishStr(v.relation_name)
  ) {
    return false;
  }
  const timing = v.timing;
  if (isNullish(timing)) return true;
  if (!Array.isArray(timing)) return false;
  for (const entry of timing) if (!isTiming(entry)) return false;
  return true;
}

/** Same rules as the values of `parent_map` / `child_map`. */
export const isUniqueIdList = isStrList;
/** The zod schema of one `parent_map` / `child_map` value. */
export const rawUniqueIdListSchema = strList;

/** Same rules as `rawRunResultsTopSchema` (results are checked one by one). */
export function isRawRunResultsTop(root: Raw): boolean {
  const metadata = root.metadata;
  const args = root.args;
  return (
    isObject(metadata) &&
    typeof metadata.dbt_schema_version === 'string' &&
    isNullishStr(metadata.dbt_version) &&
    isNullishStr(metadata.generated_at) &&
    isNullishStr(metadata.invocation_id) &&
    (isNullish(args) || (isObject(args) && isNullishStr(args.which))) &&
    isNullishNum(root.elapsed_time) &&
    Array.isArray(root.results)
  );
}
