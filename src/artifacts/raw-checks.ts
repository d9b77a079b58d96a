/**
 * Hand-written checks of the raw artifact fields this library reads: the same rules as the zod
 * schemas in raw-schemas.ts, without allocation and without loading zod. They accept exactly what
 * the schemas accept (a property test holds them to it); the schemas run only on an entry a check
 * rejected, to name the first offending field and what was expected there.
 */

/** The schema in raw-schemas.ts that a check mirrors (named, so zod loads only on an error). */
export type RawSchemaName =
  | 'manifestTop'
  | 'anyNode'
  | 'relationalNode'
  | 'source'
  | 'exposure'
  | 'uniqueIdList'
  | 'runResultsTop'
  | 'runResult';

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
