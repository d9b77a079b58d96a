/**
 * The config file's schema (zod) and its validation. Unknown keys are errors (a typo must not be
 * ignored), and a token secret in a config file is refused: secrets come from the environment only.
 * Loaded by config-file.ts only when a config file exists, so a command run without one never
 * loads zod.
 */
import { z } from 'zod';
import { MAX_REFRESH_CONCURRENCY } from '../active/settings.js';
import { ConfigError } from '../errors.js';

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
        concurrency: positiveInt.max(MAX_REFRESH_CONCURRENCY),
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
