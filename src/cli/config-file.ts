/**
 * The config file: `dbt-auto-exposures.config.json` or `.yml`/`.yaml` next to dbt_project.yml (or
 * `--config <file>`), validated by config-schema.ts (zod, loaded only when a file is found).
 * Unknown keys are errors (a typo must not be ignored), and a token secret in a config file is
 * refused: secrets come from the environment only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigFile } from './config-schema.js';

export type { ConfigFile } from './config-schema.js';

/** File names looked for in the dbt project directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'dbt-auto-exposures.config.json',
  'dbt-auto-exposures.config.yml',
  'dbt-auto-exposures.config.yaml',
] as const;

export interface LoadedConfig {
  path: string | null;
  config: ConfigFile;
}

/** Parse and validate a config file's text (zod loads here, and only here). */
async function readConfig(text: string, file: string): Promise<ConfigFile> {
  const value = await parseText(text, file);
  const { validateConfig } = await import('./config-schema.js');
  return validateConfig(value, file);
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
}

async function parseText(text: string, file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    const { parse } = await import('yaml');
    return parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
  }
}

/**
 * Load the config: the explicit file when given (it must exist), else the first of
 * `CONFIG_FILE_NAMES` in `projectDir`; two of them at once is an error (which one wins would be a
 * guess). No file → an empty config.
 */
export async function loadConfigFile(projectDir: string, explicit?: string): Promise<LoadedConfig> {
  if (explicit !== undefined) {
    const text = await readIfExists(explicit);
    if (text === null) {
      throw new ConfigError(`config file not found: ${explicit}`, {
        file: explicit,
        field: '--config',
      });
    }
    return { path: explicit, config: await readConfig(text, explicit) };
  }
  const found: { path: string; text: string }[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(projectDir, name);
    const text = await readIfExists(path);
    if (text !== null) found.push({ path, text });
  }
  if (found.length > 1) {
    throw new ConfigError(`two config files: ${found.map((f) => f.path).join(' and ')}`, {
      file: found[0]!.path,
      details: { hint: 'keep one of them, or choose one with --config' },
    });
  }
  const [only] = found;
  if (only === undefined) return { path: null, config: {} };
  return { path: only.path, config: await readConfig(only.text, only.path) };
}
