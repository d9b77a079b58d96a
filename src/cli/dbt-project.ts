/** What the CLI reads from dbt_project.yml: whether it exists, its target path and model path. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

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
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`, {
      file,
      cause: error,
    });
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
