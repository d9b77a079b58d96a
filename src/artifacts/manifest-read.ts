/**
 * Reading raw manifest JSON (any schema version, v1 to v12 and dbt Fusion) into the
 * version-agnostic `Manifest`: the body of `parseManifest` (manifest.ts) and `loadManifest`
 * (load.ts). Pure. One pass over each collection; raw JSON is never deep-copied and zod never runs
 * over the whole document (macros and docs are most of its bytes and are not read at all): an
 * entry a fast check rejects goes to the caller's `SchemaErrorReporter`.
 */

import { compareStrings } from '../util/compare.js';
import type { ArtifactLabel, SchemaErrorReporter } from './artifact-errors.js';
import { identifyArtifact, readIdentified } from './identify.js';
import { convertRelationalNode, convertSource, RELATIONAL_TYPES } from './manifest-nodes.js';
import {
  isObject,
  isRawAnyNode,
  isRawExposure,
  isRawManifestTop,
  isRawRelationalNode,
  isRawSource,
  isUniqueIdList,
} from './raw-checks.js';
import { packageNames, packageWithProjectId } from './root-project.js';
import type { ArtifactNote, DbtNode, Manifest, ManifestExposure, QuotingPolicy } from './types.js';

type Raw = Record<string, unknown>;

/** Options of `parseManifest` / `parseRunResults`. */
export interface ParseArtifactOptions {
  /** The file the JSON came from, named in errors and kept on the result. */
  path?: string | undefined;
}

interface Context {
  file: string | undefined;
  label: ArtifactLabel;
  invalid: SchemaErrorReporter;
}

/** Collections besides nodes/sources/exposures whose entries are graph members or named resources. */
const OTHER_COLLECTIONS: ReadonlyArray<[key: string, resourceType: string]> = [
  ['metrics', 'metric'],
  ['semantic_models', 'semantic_model'],
  ['saved_queries', 'saved_query'],
  ['unit_tests', 'unit_test'],
  ['functions', 'function'],
  ['groups', 'group'],
];

/** True when `version` names a dbt Fusion release (dbt_version 2.x and later). */
export function isFusionVersion(version: string): boolean {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) && major >= 2;
}

/**
 * Read a parsed `manifest.json` (see `parseManifest` for what is read and the errors); an entry a
 * fast check rejects is passed to `invalid`, which throws.
 */
export function readManifestJson(
  json: unknown,
  opts: ParseArtifactOptions,
  invalid: SchemaErrorReporter,
): Manifest {
  const ctx: Context = { file: opts.path, label: 'manifest', invalid };
  const header = identifyArtifact(json, 'manifest', ctx.file);
  return readIdentified(header, ctx, () =>
    readManifest(header.root, header.schemaVersion, header.notes, ctx),
  );
}

function readManifest(
  root: Raw,
  schemaVersion: number,
  notes: ArtifactNote[],
  ctx: Context,
): Manifest {
  if (!isRawManifestTop(root)) ctx.invalid('manifestTop', root, [], ctx);
  const metadata = root.metadata as Raw;
  const dbtVersion = (metadata.dbt_version as string | null | undefined) ?? '';
  const nodes = new Map<string, DbtNode>();
  const takenNames = new Set<string>();
  const resourceTypes = new Map<string, string>();
  const parentMap = readGraphMap(root.parent_map, 'parent_map', ctx);
  const childMap = readGraphMap(root.child_map, 'child_map', ctx);
  // Parents from depends_on, collected only when dbt's own maps are missing.
  const dependsOn = parentMap || childMap ? null : new Map<string, readonly string[]>();

  const rawNodes = root.nodes as Raw;
  for (const id of Object.keys(rawNodes)) {
    const raw = rawNodes[id];
    if (!isRawAnyNode(raw)) ctx.invalid('anyNode', raw, ['nodes', id], ctx);
    const type = raw.resource_type as string;
    resourceTypes.set(id, type);
    takenNames.add((raw.name as string).toLowerCase());
    dependsOn?.set(id, dependencyList(raw.depends_on));
    if (!RELATIONAL_TYPES.has(type)) continue;
    if (!isRawRelationalNode(raw)) ctx.invalid('relationalNode', raw, ['nodes', id], ctx);
    const converted = convertRelationalNode(id, raw, type as 'model' | 'seed' | 'snapshot');
    if (converted.kind === 'node') nodes.set(id, converted.node);
    else if (converted.kind === 'no_relation') notes.push(noRelationNote(id, ctx));
  }

  const rawSources = (root.sources ?? {}) as Raw;
  for (const id of Object.keys(rawSources)) {
    const raw = rawSources[id];
    if (!isRawSource(raw)) ctx.invalid('source', raw, ['sources', id], ctx);
    resourceTypes.set(id, 'source');
    takenNames.add((raw.name as string).toLowerCase());
    dependsOn?.set(id, []);
    const converted = convertSource(id, raw);
    if (converted.kind === 'node') nodes.set(id, converted.node);
    else if (converted.kind === 'no_relation') notes.push(noRelationNote(id, ctx));
  }

  const exposures: ManifestExposure[] = [];
  const rawExposures = (root.exposures ?? {}) as Raw;
  for (const id of Object.keys(rawExposures)) {
    const raw = rawExposures[id];
    if (!isRawExposure(raw)) ctx.invalid('exposure', raw, ['exposures', id], ctx);
    resourceTypes.set(id, 'exposure');
    takenNames.add((raw.name as string).toLowerCase());
    const parents = dependencyList(raw.depends_on);
    dependsOn?.set(id, parents);
    exposures.push({
      uniqueId: id,
      name: raw.name as string,
      packageName: raw.package_name as string,
      label: (raw.label as string | null | undefined) ?? null,
      type: (raw.type as string | null | undefined) ?? null,
      url: (raw.url as string | null | undefined) ?? null,
      originalFilePath: (raw.original_file_path as string | null | undefined) ?? null,
      dependsOn: parents.slice(),
    });
  }
  exposures.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId));

  for (const [key, type] of OTHER_COLLECTIONS) {
    const collection = root[key];
    if (!isObject(collection)) continue;
    for (const id of Object.keys(collection)) {
      const raw = collection[id];
      resourceTypes.set(id, type);
      if (isObject(raw)) {
        if (typeof raw.name === 'string') takenNames.add(raw.name.toLowerCase());
        dependsOn?.set(id, dependencyList(raw.depends_on));
      }
    }
  }
  addDisabledNames(root.disabled, takenNames);

  const parents = parentMap ?? (childMap ? invert(childMap) : sortedValues(dependsOn!));
  const children = childMap ?? invert(parents);
  return {
    path: ctx.file ?? null,
    schemaVersion,
    dbtVersion,
    isFusion: isFusionVersion(dbtVersion),
    projectName: readProjectName(metadata, resourceTypes.keys(), notes, ctx),
    adapterType: (metadata.adapter_type as string | null | undefined) ?? null,
    invocationId: (metadata.invocation_id as string | null | undefined) ?? null,
    generatedAt: (metadata.generated_at as string | null | undefined) ?? null,
    quoting: readQuoting(metadata.quoting),
    nodes,
    takenNames,
    parentMap: parents,
    childMap: children,
    exposures,
    resourceTypes,
    notes,
  };
}

/**
 * `metadata.project_name`; before dbt 1.6 (which does not write it), the package whose MD5 is
 * `metadata.project_id`, with an `info` note saying so. Null when neither tells.
 */
function readProjectName(
  metadata: Raw,
  uniqueIds: Iterable<string>,
  notes: ArtifactNote[],
  ctx: Context,
): string | null {
  const declared = metadata.project_name as string | null | undefined;
  if (typeof declared === 'string') return declared;
  const projectId = metadata.project_id;
  if (typeof projectId !== 'string') return null;
  const inferred = packageWithProjectId(projectId, packageNames(uniqueIds));
  if (inferred !== null) {
    notes.push({
      level: 'info',
      code: 'PROJECT_NAME_INFERRED',
      message: `${ctx.file ?? 'manifest'}: no metadata.project_name (dbt < 1.6); the root project is "${inferred}", the package whose MD5 is metadata.project_id.`,
    });
  }
  return inferred;
}

function readQuoting(value: unknown): QuotingPolicy | null {
  if (!isObject(value)) return null;
  const flag = (v: unknown) => (typeof v === 'boolean' ? v : null);
  return {
    database: flag(value.database),
    schema: flag(value.schema),
    identifier: flag(value.identifier),
  };
}

function readGraphMap(
  value: unknown,
  key: 'parent_map' | 'child_map',
  ctx: Context,
): Map<string, readonly string[]> | null {
  if (!isObject(value)) return null;
  const map = new Map<string, readonly string[]>();
  for (const id of Object.keys(value)) {
    const list = value[id];
    if (!isUniqueIdList(list)) ctx.invalid('uniqueIdList', list, [key, id], ctx);
    map.set(id, list as string[]);
  }
  return map;
}

function dependencyList(dependsOn: unknown): readonly string[] {
  if (!isObject(dependsOn) || !Array.isArray(dependsOn.nodes)) return [];
  return dependsOn.nodes.filter((n): n is string => typeof n === 'string');
}

/** parent_map from depends_on: sorted, deduplicated, like dbt writes it. */
function sortedValues(map: Map<string, readonly string[]>): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [id, list] of map) out.set(id, [...new Set(list)].sort(compareStrings));
  return out;
}

/** child_map from parent_map (or the reverse): every key present, lists sorted. */
function invert(map: ReadonlyMap<string, readonly string[]>): Map<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const id of map.keys()) out.set(id, []);
  for (const [id, list] of map) {
    for (const other of list) {
      const entry = out.get(other);
      if (entry) entry.push(id);
      else out.set(other, [id]);
    }
  }
  for (const list of out.values()) list.sort(compareStrings);
  return out;
}

/** Names of disabled resources are taken too (`disabled` is an array in v1–v3, an object after). */
function addDisabledNames(disabled: unknown, names: Set<string>): void {
  const add = (entry: unknown) => {
    if (isObject(entry) && typeof entry.name === 'string') names.add(entry.name.toLowerCase());
  };
  if (Array.isArray(disabled)) {
    for (const entry of disabled) add(entry);
  } else if (isObject(disabled)) {
    for (const id of Object.keys(disabled)) {
      const entries = disabled[id];
      if (Array.isArray(entries)) for (const entry of entries) add(entry);
    }
  }
}

function noRelationNote(id: string, ctx: Context): ArtifactNote {
  return {
    level: 'warn',
    code: 'NODE_WITHOUT_RELATION',
    message:
      `${ctx.file ?? 'manifest'}: ${id} has no schema/identifier and no parsable relation_name; ` +
      'it cannot be matched to a warehouse table.',
  };
}
