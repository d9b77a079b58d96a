/**
 * The config file: `dbt-auto-exposures.config.json` or `.yml`/`.yaml` next to dbt_project.yml (or
 * `--config <file>`), validated by one zod schema. Unknown keys are errors with the closest known
 * key (a typo must not be ignored), and a token secret in a config file is refused: secrets come
 * from the environment only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../index.js';
import { firstProblem, formatJsonPath, type PathSegment } from '../util/zod-issue.js';
import { didYouMean } from './suggest.js';

const names = z.array(z.string().min(1));
const positiveInt = z.number().int().positive();

const configSchema = z
  .object({
    tableau: z
      .object({
        serverUrl: z.string().min(1),
        siteName: z.string(),
        tokenName: z.string().min(1),
        apiVersion: z.string().regex(/^\d+\.\d+$/, 'a REST API version such as "3.24"'),
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
    // sync --warn-error: new unmatched tables and other warnings fail the sync (exit 1).
    warnError: z.boolean(),
    // Options of buildExposureLineage (docs/matching.md); values are validated there too.
    matching: z
      .object({
        databaseAliases: z.record(z.string(), z.string()),
        schemaAliases: z.record(z.string(), z.string()),
        parseCustomSql: z.boolean(),
        packageName: z.string().min(1),
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
        // 1 to 64: maybeRefresh checks the upper bound.
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

/** The keys the schema knows at `path` (for "did you mean"). */
function keysAt(path: readonly PathSegment[]): string[] {
  let schema: z.ZodType | undefined = configSchema;
  for (const key of [...path, null]) {
    while (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
    if (!(schema instanceof z.ZodObject)) return [];
    if (key === null) return Object.keys(schema.shape);
    schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
  }
  return [];
}

const SECRET_KEY = /secret|password/i;

/** Validate parsed config content; errors name the file and the first offending key. */
export function validateConfig(value: unknown, file: string): ConfigFile {
  const parsed = configSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const unknownKeys = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ parent: issue.path as PathSegment[], key }))
      : [],
  );
  const secret = unknownKeys.find((k) => SECRET_KEY.test(k.key));
  if (secret !== undefined) {
    const field = formatJsonPath([...secret.parent, secret.key]);
    throw new ConfigError('ERR_CONFIG', `${file}: "${field}" must not be in a config file`, {
      file,
      field,
      expected: 'no secret in the file',
      hint: 'set the token secret in the environment variable TABLEAU_TOKEN_SECRET (e.g. from your CI secret store) and remove it from the file',
    });
  }
  const first = parsed.error.issues[0];
  if (first?.code === 'unrecognized_keys') {
    const [{ parent, key }] = unknownKeys as [{ parent: PathSegment[]; key: string }];
    const field = formatJsonPath([...parent, key]);
    throw new ConfigError(
      'ERR_CONFIG',
      `${file}: unknown key "${field}"${didYouMean(key, keysAt(parent))}`,
      {
        file,
        field,
        hint: 'docs/configuration.md lists every key of the config file',
      },
    );
  }
  const problem = firstProblem(parsed.error, value);
  throw new ConfigError(
    'ERR_CONFIG',
    `${file}: ${problem.field}: expected ${problem.expected}, got ${problem.got}`,
    {
      file,
      field: problem.field,
      expected: problem.expected,
      hint: 'docs/configuration.md lists every key of the config file',
    },
  );
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(
      'ERR_CONFIG',
      `cannot read config file ${path}: ${(error as Error).message}`,
      {
        file: path,
        cause: error,
      },
    );
  }
}

function parseText(text: string, file: string): unknown {
  const json = file.endsWith('.json');
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      'ERR_CONFIG',
      `${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      { file, cause: error },
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
      throw new ConfigError('ERR_CONFIG', `config file not found: ${explicit}`, {
        file: explicit,
        field: '--config',
      });
    }
    return { path: explicit, config: validateConfig(parseText(text, explicit), explicit) };
  }
  const found: { path: string; text: string }[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(projectDir, name);
    const text = await readIfExists(path);
    if (text !== null) found.push({ path, text });
  }
  if (found.length > 1) {
    throw new ConfigError(
      'ERR_CONFIG',
      `two config files: ${found.map((f) => f.path).join(' and ')}`,
      {
        file: found[0]!.path,
        hint: 'keep one of them, or choose one with --config',
      },
    );
  }
  const [only] = found;
  if (only === undefined) return { path: null, config: {} };
  return { path: only.path, config: validateConfig(parseText(only.text, only.path), only.path) };
}
