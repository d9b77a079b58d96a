/**
 * What the CLI reads from dbt_project.yml: whether it exists, its target path, its model path, and
 * every resource path (where dbt reads properties YAML, hence where hand-written exposures live).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTopLevelKeys } from '../artifacts/dbt-project-yaml.js';
import { ConfigError } from '../errors.js';

/** The parts of dbt_project.yml the settings use (undefined: not set there). */
export interface DbtProjectInfo {
  exists: boolean;
  targetPath: string | undefined;
  modelPath: string | undefined;
  /**
   * The directories dbt reads properties YAML from, relative to the project: model, seed, snapshot,
   * analysis, macro and test paths, as set in dbt_project.yml or dbt's defaults; deduplicated.
   */
  resourcePaths: string[];
}

/**
 * dbt's resource path keys (the pre-1.0 names second) and their defaults. dbt parses properties
 * YAML (exposures included) in all of them.
 */
const RESOURCE_PATH_KEYS: ReadonlyArray<readonly [string[], string]> = [
  [['model-paths', 'source-paths'], 'models'],
  [['seed-paths', 'data-paths'], 'seeds'],
  [['snapshot-paths'], 'snapshots'],
  [['analysis-paths'], 'analyses'],
  [['macro-paths'], 'macros'],
  [['test-paths'], 'tests'],
];

/** Every key read here: the fast reader answers for these only. */
const KEYS = ['target-path', ...RESOURCE_PATH_KEYS.flatMap(([keys]) => keys)];

/** dbt accepts a list of paths or a single string. */
function pathList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string' && v !== '');
}

function resourcePathsOf(record: Record<string, unknown>): string[] {
  const paths = new Set<string>();
  for (const [keys, fallback] of RESOURCE_PATH_KEYS) {
    const key = keys.find((k) => record[k] !== undefined && record[k] !== null);
    const list = key === undefined ? undefined : pathList(record[key]);
    for (const path of list ?? [fallback]) paths.add(path);
  }
  return [...paths];
}

/** Read dbt_project.yml in `projectDir`; a missing file reads as `exists: false`. */
export async function readDbtProject(projectDir: string): Promise<DbtProjectInfo> {
  const file = join(projectDir, 'dbt_project.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {
      exists: false,
      targetPath: undefined,
      modelPath: undefined,
      resourcePaths: resourcePathsOf({}),
    };
  }
  // dbt_project.yml is usually plain block YAML, read here without the yaml package (loading it
  // is a large part of a small command's start-up); any other file is parsed by yaml, as before.
  let doc: unknown = readTopLevelKeys(text, KEYS);
  if (doc === null) {
    const { parse } = await import('yaml');
    try {
      doc = parse(text);
    } catch (error) {
      throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`, {
        file,
        cause: error,
      });
    }
  }
  const record = (doc ?? {}) as Record<string, unknown>;
  const target = record['target-path'];
  const models = record['model-paths'] ?? record['source-paths'];
  return {
    exists: true,
    targetPath: typeof target === 'string' ? target : undefined,
    modelPath:
      Array.isArray(models) && typeof models[0] === 'string' ? (models[0] as string) : undefined,
    resourcePaths: resourcePathsOf(record),
  };
}
