/** What the CLI reads from dbt_project.yml: whether it exists, its target path and model path. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTopLevelKeys } from '../artifacts/dbt-project-yaml.js';
import { ConfigError } from '../errors.js';

const KEYS = ['target-path', 'model-paths', 'source-paths'];

/** The parts of dbt_project.yml the settings use (undefined: not set there). */
export interface DbtProjectInfo {
  exists: boolean;
  targetPath: string | undefined;
  modelPath: string | undefined;
}

/** Read dbt_project.yml in `projectDir`; a missing file reads as `exists: false`. */
export async function readDbtProject(projectDir: string): Promise<DbtProjectInfo> {
  const file = join(projectDir, 'dbt_project.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { exists: false, targetPath: undefined, modelPath: undefined };
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
  };
}
