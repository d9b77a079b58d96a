/**
 * The plan of a synthetic dbt project: every node with its relation, package, version and
 * dependencies, cheap to compute and fully determined by `(seed, models)`. The manifest writer
 * dresses it with the bulk a real manifest carries; the Tableau site generator picks its tables
 * from the same plan, so workbooks reference relations that really exist (and a few that do not).
 */
import { prose, Rng, word } from './rng.js';

export type PlannedResourceType = 'model' | 'seed' | 'snapshot' | 'source';

/** One node of the plan. `relation` is null for ephemeral models (nothing in the warehouse). */
export interface PlannedNode {
  uniqueId: string;
  resourceType: PlannedResourceType;
  packageName: string;
  name: string;
  /** Model/seed/snapshot alias, or the source's identifier. */
  identifier: string;
  database: string;
  schema: string;
  sourceName: string | null;
  version: number | null;
  latestVersion: number | null;
  materialized: string;
  enabled: boolean;
  /** Parent unique ids (models and snapshots only). */
  dependsOn: string[];
  /** Column names (3–14), used by columns and generic tests. */
  columns: string[];
  description: string;
}

export interface ProjectPlan {
  seed: number;
  projectName: string;
  adapterType: 'snowflake';
  /** Packages with models (root first). */
  modelPackages: string[];
  /** Packages that only ship macros (dbt core, adapter, utilities). */
  macroPackages: string[];
  nodes: PlannedNode[];
  /** Nodes that have a warehouse relation and are enabled: what matching can hit. */
  matchable: PlannedNode[];
}

export interface PlanOptions {
  seed: number;
  /** Number of model rows (versions count separately); seeds, snapshots and sources scale with it. */
  models: number;
}

/** Matchable nodes per `models` unit, measured on the plan (used to size a plan by node count). */
export const MATCHABLE_PER_MODEL = 1.36;

const ROOT = 'acme_analytics';
const MODEL_PACKAGES = [ROOT, 'acme_marketing', 'acme_finance_core'];
const MACRO_PACKAGES = [
  'dbt',
  'dbt_snowflake',
  'dbt_utils',
  'dbt_expectations',
  'codegen',
  'audit_helper',
];
const LAYERS = ['stg', 'int', 'fct', 'dim', 'rpt'] as const;
const LAYER_SCHEMA: Record<(typeof LAYERS)[number], string> = {
  stg: 'STAGING',
  int: 'INTERMEDIATE',
  fct: 'MARTS',
  dim: 'MARTS',
  rpt: 'REPORTING',
};
const DOMAINS = ['FINANCE', 'SALES', 'MARKETING', 'PRODUCT', 'SUPPORT', 'OPS', 'HR', 'CORE'];
const SOURCE_SYSTEMS = [
  'stripe',
  'salesforce',
  'hubspot',
  'zendesk',
  'segment',
  'netsuite',
  'shopify',
  'postgres_app',
  'workday',
  'jira',
];

/** Build the plan. Deterministic in `(seed, models)`. */
export function planProject(options: PlanOptions): ProjectPlan {
  const rng = new Rng(options.seed);
  const nodes: PlannedNode[] = [];
  const modelIds: string[] = [];
  const sourceIds: string[] = [];
  const columnsOf = (): string[] => {
    const count = rng.int(3, 14);
    const cols = ['id'];
    while (cols.length < count)
      cols.push(
        `${word(rng)}_${rng.pick(['id', 'at', 'amount', 'name', 'status', 'count', 'date'])}_${cols.length}`,
      );
    return cols;
  };

  const sourceCount = Math.max(1, Math.round(options.models * 0.3));
  for (let i = 0; i < sourceCount; i += 1) {
    const system = SOURCE_SYSTEMS[i % SOURCE_SYSTEMS.length]!;
    const sourceName = `${system}_${Math.floor(i / 40)}`;
    const name = `${word(rng)}_${word(rng)}_${i}`;
    // Some sources load under a different table name than their dbt name.
    const identifier = rng.chance(0.1) ? `${name.toUpperCase()}_RAW` : name;
    const uniqueId = `source.${ROOT}.${sourceName}.${name}`;
    sourceIds.push(uniqueId);
    nodes.push({
      uniqueId,
      resourceType: 'source',
      packageName: ROOT,
      name,
      identifier,
      database: 'RAW',
      schema: sourceName.toUpperCase(),
      sourceName,
      version: null,
      latestVersion: null,
      materialized: 'source',
      enabled: true,
      dependsOn: [],
      columns: columnsOf(),
      description: prose(rng, rng.int(0, 160)),
    });
  }

  const seedCount = Math.max(1, Math.round(options.models * 0.05));
  for (let i = 0; i < seedCount; i += 1) {
    const name = `seed_${word(rng)}_${i}`;
    const uniqueId = `seed.${ROOT}.${name}`;
    sourceIds.push(uniqueId);
    nodes.push({
      uniqueId,
      resourceType: 'seed',
      packageName: ROOT,
      name,
      identifier: name,
      database: 'ANALYTICS',
      schema: 'SEEDS',
      sourceName: null,
      version: null,
      latestVersion: null,
      materialized: 'seed',
      enabled: true,
      dependsOn: [],
      columns: columnsOf(),
      description: prose(rng, rng.int(0, 120)),
    });
  }

  for (let i = 0; i < options.models; i += 1) {
    const layer = LAYERS[i % LAYERS.length]!;
    const pkgRoll = rng.next();
    const packageName =
      pkgRoll < 0.8 ? ROOT : pkgRoll < 0.9 ? MODEL_PACKAGES[1]! : MODEL_PACKAGES[2]!;
    const domain = rng.pick(DOMAINS);
    const name = `${layer}_${word(rng)}_${word(rng)}_${i}`;
    const database = packageName === MODEL_PACKAGES[1] ? 'MARKETING' : 'ANALYTICS';
    const schema = `${LAYER_SCHEMA[layer]}_${domain}`;
    const materialized = rng.chance(0.05)
      ? 'ephemeral'
      : rng.pick(['table', 'view', 'view', 'incremental']);
    const enabled = !rng.chance(0.01);
    const aliased = rng.chance(0.15);
    const parents: string[] = [];
    const pool = layer === 'stg' || modelIds.length === 0 ? sourceIds : modelIds;
    const parentCount = layer === 'stg' ? 1 : rng.int(1, 4);
    for (let p = 0; p < parentCount; p += 1) parents.push(pool[rng.int(0, pool.length - 1)]!);
    const versions = rng.chance(0.03) ? rng.int(2, 3) : 0;
    const description = prose(rng, rng.logNormal(120, 0.8, 0, 2000));
    const columns = columnsOf();
    if (versions === 0) {
      const uniqueId = `model.${packageName}.${name}`;
      if (enabled) modelIds.push(uniqueId);
      nodes.push({
        uniqueId,
        resourceType: 'model',
        packageName,
        name,
        identifier: aliased ? `${rng.pick(['tbl', 'vw', 'mart'])}_${name}` : name,
        database,
        schema,
        sourceName: null,
        version: null,
        latestVersion: null,
        materialized,
        enabled,
        dependsOn: [...new Set(parents)].sort(),
        columns,
        description,
      });
      continue;
    }
    for (let v = 1; v <= versions; v += 1) {
      const uniqueId = `model.${packageName}.${name}.v${v}`;
      if (enabled) modelIds.push(uniqueId);
      nodes.push({
        uniqueId,
        resourceType: 'model',
        packageName,
        name,
        identifier: `${name}_v${v}`,
        database,
        schema,
        sourceName: null,
        version: v,
        latestVersion: versions,
        materialized: materialized === 'ephemeral' ? 'table' : materialized,
        enabled,
        dependsOn: [...new Set(parents)].sort(),
        columns,
        description,
      });
    }
  }

  const snapshotCount = Math.max(1, Math.round(options.models * 0.03));
  for (let i = 0; i < snapshotCount; i += 1) {
    const name = `snap_${word(rng)}_${i}`;
    nodes.push({
      uniqueId: `snapshot.${ROOT}.${name}`,
      resourceType: 'snapshot',
      packageName: ROOT,
      name,
      identifier: name,
      database: 'ANALYTICS',
      schema: 'SNAPSHOTS',
      sourceName: null,
      version: null,
      latestVersion: null,
      materialized: 'snapshot',
      enabled: true,
      dependsOn: [sourceIds[rng.int(0, sourceIds.length - 1)]!],
      columns: columnsOf(),
      description: prose(rng, rng.int(0, 120)),
    });
  }

  return {
    seed: options.seed,
    projectName: ROOT,
    adapterType: 'snowflake',
    modelPackages: MODEL_PACKAGES,
    macroPackages: MACRO_PACKAGES,
    nodes,
    matchable: nodes.filter((n) => n.enabled && n.materialized !== 'ephemeral'),
  };
}

/** `DB.SCHEMA.identifier` the way dbt-snowflake renders `relation_name` (quoting off). */
export function relationName(
  node: Pick<PlannedNode, 'database' | 'schema' | 'identifier'>,
): string {
  return `${node.database}.${node.schema}.${node.identifier}`;
}
