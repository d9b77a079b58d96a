/**
 * manifest.json (schema v1–v12 and later, dbt Fusion) into the version-agnostic `Manifest`: the
 * fields read (zod schemas), `parseManifest` / `loadManifest`, which entries become matchable
 * nodes, and the root project.
 *
 * The top level is checked first, then each entry of `nodes`, `sources`, `exposures`, the graph
 * maps and the name-only collections on its own as it is read; `macros` and `docs` (most of a
 * manifest's bytes) are never looked at.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { compareStrings } from '../util/compare.js';
import {
  type Artifact,
  collection,
  fields,
  identifyArtifact,
  isFusionVersion,
  type LoadArtifactOptions,
  loadArtifact,
  nullishBool,
  nullishStr,
  type ParseArtifactOptions,
  readEntry,
  str,
  strList,
} from './artifact.js';
import { splitQualifiedName } from './relation-name.js';
import type { ArtifactNote, DbtNode, Manifest, ManifestExposure } from './types.js';

// ---- the fields read

/** A value read for names only: another shape reads as null (see `namedEntrySchema`). */
function skippable<T extends z.ZodType>(schema: T) {
  return schema.nullish().catch(null);
}

const dependsOnSchema = fields({ nodes: strList.nullish() }, 'an object or null').nullish();
const configSchema = fields(
  { enabled: nullishBool, materialized: nullishStr },
  'an object or null',
).nullish();
const versionSchema = z
  .union([z.string(), z.number()], { error: 'a string, a number or null' })
  .nullish();

/** The top level: metadata, and the containers whose entries are read one by one. */
const manifestSchema = fields(
  {
    metadata: fields(
      {
        dbt_schema_version: str,
        dbt_version: nullishStr,
        generated_at: nullishStr,
        invocation_id: nullishStr,
        adapter_type: nullishStr,
        project_name: nullishStr,
        project_id: nullishStr,
        quoting: fields(
          { database: nullishBool, schema: nullishBool, identifier: nullishBool },
          'an object or null',
        ).nullish(),
      },
      'an object',
    ),
    nodes: collection,
    sources: collection.nullish(),
    exposures: collection.nullish(),
    parent_map: collection.nullish(),
    child_map: collection.nullish(),
    metrics: skippable(collection),
    semantic_models: skippable(collection),
    saved_queries: skippable(collection),
    unit_tests: skippable(collection),
    functions: skippable(collection),
    groups: skippable(collection),
    // an array in v1–v3, an object of arrays after
    disabled: skippable(z.union([z.array(z.unknown()), collection])),
  },
  'an object',
);

/** Every entry of `nodes` (tests, analyses, …): what name collisions need. */
const nodeSchema = fields({ resource_type: str, name: str }, 'an object (a dbt node)');

/**
 * The parents of an entry of `nodes`: read (so checked) only to rebuild the graph of a manifest
 * that has neither `parent_map` nor `child_map`.
 */
const parentsSchema = fields({ depends_on: dependsOnSchema }, 'an object (a dbt node)');

/** Models, seeds and snapshots: read in full, they can be matched. */
const relationalNodeSchema = fields(
  {
    resource_type: str,
    name: str,
    package_name: str,
    config: configSchema,
    database: nullishStr,
    schema: nullishStr,
    alias: nullishStr,
    relation_name: nullishStr,
    version: versionSchema,
    latest_version: versionSchema,
    access: z
      .enum(['private', 'protected', 'public'], {
        error: 'one of "private", "protected", "public", or null',
      })
      .nullish(),
    tags: strList.nullish(),
    fqn: strList.nullish(),
    original_file_path: nullishStr,
    description: nullishStr,
  },
  'an object (a dbt node)',
);

const sourceSchema = fields(
  {
    name: str,
    package_name: str,
    source_name: str,
    config: configSchema,
    database: nullishStr,
    schema: nullishStr,
    identifier: nullishStr,
    relation_name: nullishStr,
    tags: strList.nullish(),
    fqn: strList.nullish(),
    original_file_path: nullishStr,
    description: nullishStr,
  },
  'an object (a dbt source)',
);

const exposureSchema = fields(
  {
    name: str,
    package_name: str,
    label: nullishStr,
    type: nullishStr,
    url: nullishStr,
    original_file_path: nullishStr,
    depends_on: dependsOnSchema,
  },
  'an object (a dbt exposure)',
);

/**
 * Entries of the name-only collections (metrics, groups, …) and of `disabled`. They are read for
 * their names (taken by dbt) and parents only, so an entry of another shape is skipped: it reads
 * as null, never as an error.
 */
const namedEntrySchema = skippable(
  z.object({ name: z.string().nullish(), depends_on: dependsOnSchema }),
);
const disabledListSchema = z.array(z.unknown()).catch([]);

type RawEntry = { resource_type?: unknown } | null | undefined;
type RawRelationalNode = z.output<typeof relationalNodeSchema>;
type RawSource = z.output<typeof sourceSchema>;

/** Resource types in `nodes` that own a relation when enabled and not ephemeral. */
const RELATIONAL_TYPES: ReadonlySet<unknown> = new Set(['model', 'seed', 'snapshot']);

/** Collections besides nodes/sources/exposures whose entries are graph members or named resources. */
const OTHER_COLLECTIONS = [
  ['metrics', 'metric'],
  ['semantic_models', 'semantic_model'],
  ['saved_queries', 'saved_query'],
  ['unit_tests', 'unit_test'],
  ['functions', 'function'],
  ['groups', 'group'],
] as const;

// ---- reading

/**
 * Read a parsed `manifest.json`. Throws `ArtifactError` with `ERR_ARTIFACT_KIND` (another artifact
 * such as catalog.json or run_results.json), `ERR_ARTIFACT_VERSION` (an unreadable schema version,
 * or a newer one whose fields changed) or `ERR_ARTIFACT_SCHEMA` (a field read has the wrong type;
 * the error's `field` is its JSON path). A schema newer than v12 whose fields read are intact is
 * read, with a `warn` note in `notes`.
 *
 * `nodes` holds matchable nodes only: enabled models, seeds and snapshots that are not ephemeral,
 * and enabled sources; never tests, analyses, operations, unit tests or `disabled` entries. Maps
 * keep the file's order.
 *
 * `parentMap` and `childMap` are read on first access (most uses never walk the graph): an entry
 * of `parent_map` / `child_map` of the wrong type throws the same coded error (naming the file
 * and the field) from that first access, not from `parseManifest`. Without both maps, the parents
 * come from each node's `depends_on`, which `parseManifest` itself checks.
 */
export function parseManifest(json: unknown, options: ParseArtifactOptions = {}): Manifest {
  const artifact = identifyArtifact(json, 'manifest', options.path);
  const top = readEntry(artifact, manifestSchema, artifact.root);
  const { metadata } = top;
  const notes = artifact.notes;
  const dbtVersion = metadata.dbt_version ?? '';
  const nodes = new Map<string, DbtNode>();
  const takenNames = new Set<string>();
  const resourceTypes = new Map<string, string>();
  const hasGraphMaps = isPresent(top.parent_map) || isPresent(top.child_map);
  // Parents from depends_on, collected only when dbt's own maps are missing.
  const dependsOn = hasGraphMaps ? null : new Map<string, readonly string[]>();

  for (const [id, value] of Object.entries(top.nodes)) {
    // The type an entry declares picks its schema, which then checks that type too.
    const relational = RELATIONAL_TYPES.has((value as RawEntry)?.resource_type);
    const schema = relational ? relationalNodeSchema : nodeSchema;
    const raw = readEntry(artifact, schema, value, 'nodes', id);
    resourceTypes.set(id, raw.resource_type);
    takenNames.add(raw.name.toLowerCase());
    if (dependsOn) {
      const parents = readEntry(artifact, parentsSchema, value, 'nodes', id).depends_on?.nodes;
      dependsOn.set(id, parents ?? []);
    }
    if (!relational) continue;
    const node = relationalNode(id, raw as RawRelationalNode);
    if (node === 'no_relation') notes.push(noRelationNote(id, artifact));
    else if (node !== null) nodes.set(id, node);
  }

  for (const [id, value] of Object.entries(top.sources ?? {})) {
    const raw = readEntry(artifact, sourceSchema, value, 'sources', id);
    resourceTypes.set(id, 'source');
    takenNames.add(raw.name.toLowerCase());
    dependsOn?.set(id, []);
    const node = sourceNode(id, raw);
    if (node === 'no_relation') notes.push(noRelationNote(id, artifact));
    else if (node !== null) nodes.set(id, node);
  }

  const exposures: ManifestExposure[] = [];
  for (const [id, value] of Object.entries(top.exposures ?? {})) {
    const raw = readEntry(artifact, exposureSchema, value, 'exposures', id);
    resourceTypes.set(id, 'exposure');
    takenNames.add(raw.name.toLowerCase());
    const parents = raw.depends_on?.nodes ?? [];
    dependsOn?.set(id, parents);
    exposures.push({
      uniqueId: id,
      name: raw.name,
      packageName: raw.package_name,
      label: raw.label ?? null,
      type: raw.type ?? null,
      url: raw.url ?? null,
      originalFilePath: raw.original_file_path ?? null,
      dependsOn: parents.slice(),
    });
  }
  exposures.sort((a, b) => compareStrings(a.uniqueId, b.uniqueId));

  for (const [key, type] of OTHER_COLLECTIONS) {
    for (const [id, value] of Object.entries(top[key] ?? {})) {
      const entry = namedEntrySchema.parse(value);
      resourceTypes.set(id, type);
      if (typeof entry?.name === 'string') takenNames.add(entry.name.toLowerCase());
      dependsOn?.set(id, entry?.depends_on?.nodes ?? []);
    }
  }
  for (const name of disabledNames(top.disabled)) takenNames.add(name.toLowerCase());

  const graph = lazyGraph(artifact, top.parent_map, top.child_map, dependsOn);
  return {
    path: artifact.file ?? null,
    schemaVersion: artifact.schemaVersion,
    dbtVersion,
    isFusion: isFusionVersion(dbtVersion),
    projectName: rootProject(metadata, resourceTypes.keys(), artifact),
    adapterType: metadata.adapter_type ?? null,
    invocationId: metadata.invocation_id ?? null,
    generatedAt: metadata.generated_at ?? null,
    quoting: metadata.quoting
      ? {
          database: metadata.quoting.database ?? null,
          schema: metadata.quoting.schema ?? null,
          identifier: metadata.quoting.identifier ?? null,
        }
      : null,
    nodes,
    takenNames,
    get parentMap() {
      return graph().parents;
    },
    get childMap() {
      return graph().children;
    },
    exposures,
    resourceTypes,
    notes,
  };
}

/**
 * Read `manifest.json` from `path`: the file itself, or `path/manifest.json`, or
 * `path/target/manifest.json` (first found). Errors: `ERR_ARTIFACT_NOT_FOUND` (with every path
 * tried), `ERR_ARTIFACT_READ`, `ERR_ARTIFACT_JSON` (with the line and column of the parse failure
 * when the parser gives them), `ERR_ABORTED`, then those of `parseManifest`.
 */
export function loadManifest(path: string, options: LoadArtifactOptions = {}): Promise<Manifest> {
  return loadArtifact(path, 'manifest', parseManifest, options);
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined;
}

interface Graph {
  parents: ReadonlyMap<string, readonly string[]>;
  children: ReadonlyMap<string, readonly string[]>;
}

/**
 * The graph, read on first use: dbt's `parent_map` and `child_map` are lists for every node,
 * test and exposure (a third of a large manifest's entries), and most commands (sync among them)
 * never walk them. Holds only the two maps and what an error needs, never the whole document.
 */
function lazyGraph(
  artifact: Artifact,
  parentMap: Record<string, unknown> | null | undefined,
  childMap: Record<string, unknown> | null | undefined,
  dependsOn: Map<string, readonly string[]> | null,
): () => Graph {
  const context: Artifact = { ...artifact, root: {} };
  let graph: Graph | null = null;
  return () => {
    if (graph !== null) return graph;
    const written = readGraphMap(context, parentMap, 'parent_map');
    const writtenChildren = readGraphMap(context, childMap, 'child_map');
    const parents =
      written ?? (writtenChildren ? invert(writtenChildren) : sortedValues(dependsOn!));
    graph = { parents, children: writtenChildren ?? invert(parents) };
    return graph;
  };
}

function readGraphMap(
  artifact: Artifact,
  value: Record<string, unknown> | null | undefined,
  key: 'parent_map' | 'child_map',
): Map<string, readonly string[]> | null {
  if (value === null || value === undefined) return null;
  const map = new Map<string, readonly string[]>();
  for (const [id, list] of Object.entries(value)) {
    map.set(id, readEntry(artifact, strList, list, key, id));
  }
  return map;
}

/** Names in `disabled` (an array in v1–v3, an object of arrays after). */
function disabledNames(disabled: unknown[] | Record<string, unknown> | null | undefined): string[] {
  const lists = Array.isArray(disabled)
    ? [disabled]
    : Object.values(disabled ?? {}).map((list) => disabledListSchema.parse(list));
  return lists.flatMap((list) =>
    list.flatMap((value) => namedEntrySchema.parse(value)?.name ?? []),
  );
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

function noRelationNote(id: string, artifact: Artifact): ArtifactNote {
  return {
    level: 'warn',
    code: 'NODE_WITHOUT_RELATION',
    message:
      `${artifact.file ?? 'manifest'}: ${id} has no schema/identifier and no parsable relation_name; ` +
      'it cannot be matched to a warehouse table.',
  };
}

// ---- matchable nodes

/** Where a node lives in the warehouse. */
interface Relation {
  database: string | null;
  schema: string;
  identifier: string;
}

const nonEmpty = (v: string | null | undefined): v is string =>
  typeof v === 'string' && v.trim() !== '';

/**
 * The relation of a node: from `database`/`schema`/`alias|identifier` when present (they are what
 * dbt builds the relation from), else from `relation_name`, split quote-aware (`"a.b"."c"` is two
 * parts). A `relation_name` that is an expression (dbt-duckdb's `read_csv('…')`) cannot supply a
 * relation; the node then needs its fields. Null when neither gives a schema and an identifier.
 */
function resolveRelation(
  database: string | null | undefined,
  schema: string | null | undefined,
  identifier: string | null | undefined,
  relationName: string | null | undefined,
): Relation | null {
  const db = nonEmpty(database) ? database : null;
  if (nonEmpty(schema) && nonEmpty(identifier)) return { database: db, schema, identifier };
  const parts = typeof relationName === 'string' ? splitQualifiedName(relationName) : null;
  if (parts?.length === 3) return { database: parts[0]!, schema: parts[1]!, identifier: parts[2]! };
  if (parts?.length === 2) return { database: db, schema: parts[0]!, identifier: parts[1]! };
  return null;
}

/** A model, seed or snapshot: its node, null when disabled or ephemeral, or why it has none. */
function relationalNode(uniqueId: string, raw: RawRelationalNode): DbtNode | null | 'no_relation' {
  if (raw.config?.enabled === false) return null;
  const materialization = raw.config?.materialized ?? null;
  if (materialization === 'ephemeral') return null;
  const relation = resolveRelation(raw.database, raw.schema, raw.alias, raw.relation_name);
  if (!relation) return 'no_relation';
  return {
    uniqueId,
    resourceType: raw.resource_type as 'model' | 'seed' | 'snapshot',
    packageName: raw.package_name,
    name: raw.name,
    sourceName: null,
    ...relation,
    relationName: raw.relation_name ?? null,
    materialization,
    version: raw.version ?? null,
    latestVersion: raw.latest_version ?? null,
    access: raw.access ?? null,
    enabled: true,
    tags: raw.tags ?? [],
    fqn: raw.fqn ?? [],
    originalFilePath: raw.original_file_path ?? null,
    description: raw.description ?? null,
  };
}

/** A source: its node, null when disabled, or why it has none. */
function sourceNode(uniqueId: string, raw: RawSource): DbtNode | null | 'no_relation' {
  if (raw.config?.enabled === false) return null;
  const relation = resolveRelation(raw.database, raw.schema, raw.identifier, raw.relation_name);
  if (!relation) return 'no_relation';
  return {
    uniqueId,
    resourceType: 'source',
    packageName: raw.package_name,
    name: raw.name,
    sourceName: raw.source_name,
    ...relation,
    relationName: raw.relation_name ?? null,
    materialization: null,
    version: null,
    latestVersion: null,
    access: null,
    enabled: true,
    tags: raw.tags ?? [],
    fqn: raw.fqn ?? [],
    originalFilePath: raw.original_file_path ?? null,
    description: raw.description ?? null,
  };
}

// ---- the root project

/**
 * `metadata.project_name`; before dbt 1.6 (which does not write it), the package whose MD5 is
 * `metadata.project_id` (dbt sets it to the MD5 of the project name), with an `info` note saying
 * so. Null when neither tells.
 */
function rootProject(
  metadata: { project_name?: string | null | undefined; project_id?: string | null | undefined },
  uniqueIds: Iterable<string>,
  artifact: Artifact,
): string | null {
  if (typeof metadata.project_name === 'string') return metadata.project_name;
  const projectId = metadata.project_id;
  if (typeof projectId !== 'string') return null;
  const wanted = projectId.trim().toLowerCase();
  const inferred =
    packageNames(uniqueIds).find(
      (name) => createHash('md5').update(name).digest('hex') === wanted,
    ) ?? null;
  if (inferred !== null) {
    artifact.notes.push({
      level: 'info',
      code: 'PROJECT_NAME_INFERRED',
      message: `${artifact.file ?? 'manifest'}: no metadata.project_name (dbt < 1.6); the root project is "${inferred}", the package whose MD5 is metadata.project_id.`,
    });
  }
  return inferred;
}

/** Every package named by these unique ids (`model.jaffle_shop.orders` → `jaffle_shop`), sorted, once each. */
export function packageNames(uniqueIds: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const id of uniqueIds) {
    const name = id.split('.')[1];
    if (name) names.add(name);
  }
  return [...names].sort(compareStrings);
}
