/**
 * Injecting the lineage's exposures into a manifest.json, in the shape of THAT manifest's schema
 * version, so `dbt docs generate/serve` (and any manifest reader) shows Tableau dashboards in the
 * lineage graph without the exposures being written to the dbt project. Pure.
 */
import { ArtifactError, LineageError } from '../errors.js';
import type { ExposureLineage, LineageExposure } from '../lineage/types.js';
import { compareStrings } from '../util/compare.js';
import { parseDbtVersion, versionAtLeast } from './dbt-version.js';

/**
 * Options of `injectExposures`: the file the exposures are said to come from and their
 * `created_at`.
 */
export interface InjectExposuresOptions {
  /**
   * The properties file the exposures are said to come from, relative to the dbt project root.
   * Default `models/tableau_exposures.yml` (fills `original_file_path`, `path` and `fqn`).
   */
  originalFilePath?: string | undefined;
  /** `created_at` of the injected exposures (seconds since the epoch). Default 0: deterministic. */
  createdAt?: number | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function schemaVersionOf(manifest: Json): number {
  const metadata = manifest.metadata;
  const url = isObject(metadata) ? metadata.dbt_schema_version : undefined;
  const match = typeof url === 'string' ? /\/manifest\/v(\d+)\.json$/.exec(url) : null;
  if (!match) {
    throw new ArtifactError(
      'ERR_ARTIFACT_VERSION',
      'The manifest has no readable metadata.dbt_schema_version; is it a dbt manifest.json?',
      {
        field: 'metadata.dbt_schema_version',
        expected: 'https://schemas.getdbt.com/dbt/manifest/v<N>.json',
      },
    );
  }
  return Number(match[1]);
}

/** Every unique id the manifest knows as a graph member. */
function knownIds(manifest: Json): Set<string> {
  const ids = new Set<string>();
  for (const key of [
    'nodes',
    'sources',
    'exposures',
    'metrics',
    'semantic_models',
    'saved_queries',
  ]) {
    const section = manifest[key];
    if (isObject(section)) for (const id of Object.keys(section)) ids.add(id);
  }
  return ids;
}

/** `root_path` (manifest v1–v7): the project's, as the manifest's own nodes carry it. */
function rootPathOf(manifest: Json): string {
  const nodes = manifest.nodes;
  if (isObject(nodes)) {
    for (const node of Object.values(nodes)) {
      if (isObject(node) && typeof node.root_path === 'string') return node.root_path;
    }
  }
  return '';
}

function packageOf(e: LineageExposure, fallback: string | null): string {
  const prefix = 'exposure.';
  const suffix = `.${e.name}`;
  if (e.uniqueId.startsWith(prefix) && e.uniqueId.endsWith(suffix)) {
    const pkg = e.uniqueId.slice(prefix.length, -suffix.length);
    if (pkg !== '') return pkg;
  }
  return fallback ?? 'unknown';
}

interface Context {
  schemaVersion: number;
  configMetaTags: boolean;
  rootPath: string;
  originalFilePath: string;
  createdAt: number;
  projectName: string | null;
  /** The lineage's root project: references into it are written without a package. */
  rootPackage: string;
}

function exposureNode(e: LineageExposure, ctx: Context): Json {
  const v = ctx.schemaVersion;
  const packageName = packageOf(e, ctx.projectName);
  const path = ctx.originalFilePath.split('/').slice(1).join('/') || ctx.originalFilePath;
  const folders = path.split('/').slice(0, -1);
  const nodes = [...new Set(e.dependsOn.map((d) => d.uniqueId))].sort(compareStrings);
  const refs: unknown[] = [];
  const sources: string[][] = [];
  for (const { ref } of e.dependsOn) {
    if (ref.kind === 'source') {
      sources.push([ref.source, ref.name]);
      continue;
    }
    const pkg = ref.package === ctx.rootPackage ? null : ref.package;
    if (v >= 9) refs.push({ name: ref.name, package: pkg, version: ref.version });
    else refs.push(pkg === null ? [ref.name] : [pkg, ref.name]);
  }
  const owner: Json =
    v >= 9
      ? { email: e.owner.email ?? null, name: e.owner.name }
      : { email: e.owner.email ?? '', name: e.owner.name };
  const node: Json = {
    name: e.name,
    resource_type: 'exposure',
    package_name: packageName,
    ...(v <= 7 ? { root_path: ctx.rootPath } : {}),
    path,
    original_file_path: ctx.originalFilePath,
    unique_id: e.uniqueId,
    fqn: [packageName, ...folders, e.name],
    type: e.type,
    owner,
    description: e.description,
    ...(v >= 7 ? { label: e.label } : {}),
    maturity: e.maturity,
    ...(v >= 2 ? { meta: e.meta, tags: [...new Set(e.tags)].sort(compareStrings) } : {}),
    ...(v >= 7
      ? {
          config: ctx.configMetaTags
            ? { enabled: true, tags: [...new Set(e.tags)].sort(compareStrings), meta: e.meta }
            : { enabled: true },
          unrendered_config: {},
        }
      : {}),
    url: e.url,
    depends_on: { macros: [], nodes },
    refs,
    sources,
    ...(v >= 8 ? { metrics: [] } : {}),
    ...(v >= 2 ? { created_at: v <= 3 ? Math.trunc(ctx.createdAt) : ctx.createdAt } : {}),
  };
  return node;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/**
 * A new manifest object with the lineage's exposures added (input not mutated; only `exposures`,
 * `parent_map` and `child_map` are copied, the rest is shared).
 *
 * - Exposure nodes follow the manifest's schema version (`metadata.dbt_schema_version`): `root_path`
 *   up to v7; `label`, `config`, `unrendered_config` from v7; `metrics` from v8; `refs` as
 *   `{name, package, version}` objects from v9 (lists before); `owner.email` a string before v9;
 *   `config.tags`/`config.meta` for dbt >= 1.10.
 * - An exposure already in the manifest with the same unique id is replaced (and its old edges
 *   dropped); every other exposure, hand-written or not, is kept.
 * - `parent_map[exposure]` = its nodes; `child_map[node]` gains the exposure (sorted, no
 *   duplicates); `child_map[exposure]` = []. Maps that are null in the manifest stay null.
 *
 * @throws ArtifactError `ERR_ARTIFACT_VERSION` when the manifest has no schema version;
 *   LineageError `ERR_LINEAGE_SCHEMA` when a dependency is not in this manifest (the lineage was
 *   built from another manifest).
 */
export function injectExposures(
  manifestJson: unknown,
  lineage: ExposureLineage,
  options: InjectExposuresOptions = {},
): Json {
  if (!isObject(manifestJson)) {
    throw new ArtifactError('ERR_ARTIFACT_SCHEMA', 'The manifest must be a JSON object', {
      field: '(the top level)',
      expected: 'an object',
    });
  }
  const manifest = manifestJson;
  const schemaVersion = schemaVersionOf(manifest);
  const metadata = manifest.metadata as Json;
  const dbtVersion = parseDbtVersion(
    typeof metadata.dbt_version === 'string' ? metadata.dbt_version : '',
  );
  const ctx: Context = {
    schemaVersion,
    configMetaTags: schemaVersion >= 12 && dbtVersion !== null && versionAtLeast(dbtVersion, 1, 10),
    rootPath: schemaVersion <= 7 ? rootPathOf(manifest) : '',
    originalFilePath: options.originalFilePath ?? 'models/tableau_exposures.yml',
    createdAt: options.createdAt ?? 0,
    projectName:
      typeof metadata.project_name === 'string' ? metadata.project_name : lineage.dbt.projectName,
    rootPackage: lineage.dbt.packageName,
  };

  const known = knownIds(manifest);
  lineage.exposures.forEach((e, i) => {
    e.dependsOn.forEach((d, j) => {
      if (!known.has(d.uniqueId)) {
        throw new LineageError(
          'ERR_LINEAGE_SCHEMA',
          `Exposure ${e.name} depends on ${d.uniqueId}, which is not in this manifest: the lineage ` +
            'was built from another manifest. Re-run sync against this one.',
          {
            field: `exposures[${i}].dependsOn[${j}].uniqueId`,
            expected: 'a node of this manifest',
          },
        );
      }
    });
  });

  const oldExposures = isObject(manifest.exposures) ? manifest.exposures : {};
  const exposures: Json = { ...oldExposures };
  const parentMap = isObject(manifest.parent_map) ? { ...manifest.parent_map } : null;
  const childMap = isObject(manifest.child_map) ? { ...manifest.child_map } : null;

  const removeEdges = (exposureId: string, parents: Iterable<string>) => {
    if (childMap === null) return;
    for (const parent of parents) {
      const children = childMap[parent];
      if (Array.isArray(children)) childMap[parent] = children.filter((c) => c !== exposureId);
    }
  };

  for (const e of lineage.exposures) {
    const previous = oldExposures[e.uniqueId];
    if (isObject(previous)) {
      const dependsOn = isObject(previous.depends_on) ? previous.depends_on.nodes : undefined;
      const oldParents = Array.isArray(parentMap?.[e.uniqueId])
        ? (parentMap?.[e.uniqueId] as string[])
        : [];
      removeEdges(e.uniqueId, [
        ...oldParents,
        ...(Array.isArray(dependsOn) ? (dependsOn as string[]) : []),
      ]);
    }
    const node = exposureNode(e, ctx);
    exposures[e.uniqueId] = node;
    const parents = (node.depends_on as { nodes: string[] }).nodes;
    if (parentMap !== null) parentMap[e.uniqueId] = parents;
    if (childMap !== null) {
      childMap[e.uniqueId] = [];
      for (const parent of parents) {
        const current = Array.isArray(childMap[parent]) ? (childMap[parent] as string[]) : [];
        childMap[parent] = sortedUnique([...current, e.uniqueId]);
      }
    }
  }

  const sortedExposures: Json = {};
  for (const id of Object.keys(exposures).sort(compareStrings)) sortedExposures[id] = exposures[id];
  return {
    ...manifest,
    exposures: sortedExposures,
    ...(manifest.parent_map === undefined ? {} : { parent_map: parentMap ?? manifest.parent_map }),
    ...(manifest.child_map === undefined ? {} : { child_map: childMap ?? manifest.child_map }),
  };
}
