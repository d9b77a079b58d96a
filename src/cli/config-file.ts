/**
 * The config file: `dbt-auto-exposures.config.json` or `.yml`/`.yaml` next to dbt_project.yml (or
 * `--config <file>`), validated with zod. Unknown keys are errors (a typo must not be ignored), and
 * a token secret in a config file is refused: secrets come from the environment only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** File names looked for in the dbt project directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'dbt-auto-exposures.config.json',
  'dbt-auto-exposures.config.yml',
  'dbt-auto-exposures.config.yaml',
] as const;

const names = z.array(z.string().min(1));
const positiveInt = z.number().int().positive();

const configSchema = z
  .object({
    tableau: z
      .object({
        serverUrl: z.string().min(1),
        siteName: z.string(),
        tokenName: z.string().min(1),
        apiVersion: z.string().regex(/^\d+\.\d+$/),
        timeoutSeconds: z.number().positive(),
        retries: z.number().int().min(0),
        pageSize: positiveInt,
      })
      .partial()
      .strict(),
    filter: z
      .object({
        projects: names,
        collections: names,
        tags: names,
        include: names,
        exclude: names,
        includePersonalSpace: z.boolean(),
      })
      .partial()
      .strict(),
    targetPath: z.string().min(1),
    exposures: z
      .object({ path: z.string().min(1), groupBy: z.enum(['none', 'project']) })
      .partial()
      .strict(),
    lineagePath: z.string().min(1),
    injectManifest: z.union([z.boolean(), z.string().min(1)]),
    // Options of buildExposureLineage (docs/matching.md); values are validated there too.
    matching: z
      .object({
        databaseAliases: z.record(z.string(), z.string()),
        schemaAliases: z.record(z.string(), z.string()),
        parseCustomSql: z.boolean(),
        defaultType: z.enum(['dashboard', 'notebook', 'analysis', 'ml', 'application']),
        defaultMaturity: z.enum(['high', 'medium', 'low']),
        keepUnmatchedWorkbooks: z.boolean(),
        tags: z.array(z.string()),
        includeProjects: names,
        excludeProjects: names,
        includeWorkbooks: names,
        excludeWorkbooks: names,
        overrides: z.record(z.string(), z.record(z.string(), z.unknown())),
      })
      .partial()
      .strict(),
    activeExposures: z
      .object({
        enabled: z.boolean(),
        buildAfterMinutes: z.number().int().min(0),
        concurrency: positiveInt,
        waitTimeoutSeconds: z.number().positive(),
        reportPath: z.string().min(1),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** The config file's content, validated. Every key is optional. */
export type ConfigFile = z.infer<typeof configSchema>;

export interface LoadedConfig {
  path: string | null;
  config: ConfigFile;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
}

/** Validate parsed config content; errors name the file and the first offending key. */
export function validateConfig(value: unknown, file: string): ConfigFile {
  const secretKey = findSecretKey(value);
  if (secretKey !== null) {
    throw new ConfigError(`${file}: "${secretKey}" must not be in a config file`, {
      file,
      field: secretKey,
      expected: 'no secret in the file',
      details: {
        hint: 'set the token secret in the environment variable TABLEAU_TOKEN_SECRET (e.g. from your CI secret store) and remove it from the file',
      },
    });
  }
  const parsed = configSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const unknownKeys =
    issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
  const field = fieldPath(
    unknownKeys?.[0] === undefined ? issue.path : [...issue.path, unknownKeys[0]],
  );
  const message =
    unknownKeys === undefined
      ? issue.message
      : `unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')}`;
  throw new ConfigError(`${file}: ${field === '' ? '' : `${field}: `}${message}`, {
    file,
    field: field === '' ? undefined : field,
    details: { hint: 'docs/configuration.md lists every key of the config file' },
  });
}

function findSecretKey(value: unknown, path: string[] = []): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    if (/secret|password/i.test(key)) return [...path, key].join('.');
    const inner = findSecretKey(child, [...path, key]);
    if (inner !== null) return inner;
  }
  return null;
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
    return { path: explicit, config: validateConfig(await parseText(text, explicit), explicit) };
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
  return {
    path: only.path,
    config: validateConfig(await parseText(only.text, only.path), only.path),
  };
}
