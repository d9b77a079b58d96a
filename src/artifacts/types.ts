/**
 * The version-agnostic, camelCase domain model of dbt artifacts. Parsers for every schema version
 * (manifest v1–v12 and later, run_results v1–v6, dbt Fusion) produce these shapes; nothing
 * downstream ever looks at raw artifact JSON.
 */

/** Resource types that own a warehouse relation and can therefore be matched. */
export type MatchableResourceType = 'model' | 'seed' | 'snapshot' | 'source';

export type ModelAccess = 'private' | 'protected' | 'public';

/** A note produced while reading an artifact (e.g. a schema version newer than this library knows). */
export interface ArtifactNote {
  level: 'info' | 'warn';
  code: string;
  message: string;
}

/** A dbt node that has a relation in the warehouse (enabled, not ephemeral). */
export interface DbtNode {
  uniqueId: string;
  resourceType: MatchableResourceType;
  packageName: string;
  /** Model/seed/snapshot name, or the source's table name. */
  name: string;
  /** Sources only: the source's name (`source('<sourceName>', '<name>')`). */
  sourceName: string | null;
  database: string | null;
  schema: string;
  /** alias for models/seeds/snapshots, `identifier` for sources. */
  identifier: string;
  /** As dbt rendered it (may be quoted, may be an expression like `read_csv(...)`), or null. */
  relationName: string | null;
  materialization: string | null;
  /** Versioned models only (dbt >= 1.5). */
  version: string | number | null;
  latestVersion: string | number | null;
  access: ModelAccess | null;
  enabled: boolean;
  tags: string[];
  fqn: string[];
  /** The file that defines it, relative to the project (`models/marts/orders.sql`); for `path:`. */
  originalFilePath: string | null;
  description: string | null;
}

/** An exposure already present in the manifest (hand-written or generated earlier). */
export interface ManifestExposure {
  uniqueId: string;
  name: string;
  packageName: string;
  label: string | null;
  type: string | null;
  url: string | null;
  originalFilePath: string | null;
  dependsOn: string[];
}

export interface QuotingPolicy {
  database: boolean | null;
  schema: boolean | null;
  identifier: boolean | null;
}

export interface Manifest {
  /** The file it was read from, when known (used in messages). */
  path: string | null;
  schemaVersion: number;
  dbtVersion: string;
  /** dbt Fusion (dbt_version 2.x) wrote it. */
  isFusion: boolean;
  projectName: string | null;
  adapterType: string | null;
  invocationId: string | null;
  generatedAt: string | null;
  /** `metadata.quoting` (dbt >= 1.10), else null. */
  quoting: QuotingPolicy | null;
  /** Matchable nodes only (models, seeds, snapshots, sources; enabled, with a relation), by unique id. */
  nodes: ReadonlyMap<string, DbtNode>;
  /**
   * Every resource name in the manifest (nodes of any type, sources, exposures, metrics, …),
   * lower-cased, so generated exposure names can avoid colliding with anything dbt already has.
   */
  takenNames: ReadonlySet<string>;
  /**
   * unique_id → parents (dbt's `parent_map`; reconstructed from depends_on when absent).
   *
   * Read on first access of `parentMap` or `childMap`, not by `parseManifest`: that access throws
   * `ArtifactError` `ERR_ARTIFACT_SCHEMA` (`ERR_ARTIFACT_VERSION` in a schema newer than this
   * library knows), naming the file and the field, when an entry of `parent_map` / `child_map` is
   * not a list of strings; every later access throws it again.
   */
  parentMap: ReadonlyMap<string, readonly string[]>;
  /** unique_id → children (dbt's `child_map`; the inverse of `parentMap` when absent). Read as `parentMap`. */
  childMap: ReadonlyMap<string, readonly string[]>;
  exposures: ManifestExposure[];
  /** Resource type of every unique id seen (including tests, exposures, ephemeral models). */
  resourceTypes: ReadonlyMap<string, string>;
  notes: ArtifactNote[];
}

/** Every status value dbt has written, across versions (Fusion types it as a free string). */
export type RunStatus =
  | 'success'
  | 'error'
  | 'fail'
  | 'warn'
  | 'skipped'
  | 'pass'
  | 'runtime error'
  | 'partial success'
  | 'no-op'
  | 'reused'
  | (string & {});

export interface RunTiming {
  name: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface RunResult {
  uniqueId: string;
  status: RunStatus;
  message: string | null;
  executionTime: number | null;
  failures: number | null;
  timing: RunTiming[];
  relationName: string | null;
}

export interface RunResults {
  path: string | null;
  schemaVersion: number;
  dbtVersion: string;
  isFusion: boolean;
  invocationId: string | null;
  generatedAt: string | null;
  /** `args.which`: the command that produced them (build, run, test, seed, snapshot, compile, generate, …). */
  command: string | null;
  elapsedTime: number | null;
  results: RunResult[];
  notes: ArtifactNote[];
}

/** One dbt project found on disk by `findDbtProjects`. */
export interface DbtProjectArtifacts {
  /** Directory holding dbt_project.yml (or the target dir's parent when there is none). */
  projectDir: string;
  manifestPath: string | null;
  runResultsPath: string | null;
}
