/**
 * Settings resolution for every command: flags > environment > config file > defaults.
 *
 * Paths: `--target-path`, `--exposures-path` and paths in the config file are relative to the dbt
 * project directory (as dbt treats its own paths); other file flags (`--manifest`, `--lineage`,
 * `--out`, …) are relative to the current directory, like any command-line tool.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { WorkbookFilter } from '../tableau/types.js';
import { type ConfigFile, loadConfigFile } from './config-file.js';
import type { ParsedFlags } from './flags.js';
import type { CliIo } from './io.js';
import { usageError } from './usage-error.js';

/** Where a setting's value came from (shown with --verbose). */
export type SettingSource = 'flag' | 'env' | 'config' | 'dbt_project.yml' | 'default';

export interface TableauConnectionSettings {
  serverUrl: string | undefined;
  siteName: string | undefined;
  tokenName: string | undefined;
  /** From TABLEAU_TOKEN_SECRET only. Never printed. */
  tokenSecret: string | undefined;
  apiVersion: string | undefined;
  timeoutMs: number | undefined;
  retries: number | undefined;
  pageSize: number | undefined;
}

export interface CliSettings {
  projectDir: string;
  /** Whether dbt_project.yml exists in projectDir. */
  hasDbtProject: boolean;
  configFile: string | null;
  targetPath: string;
  manifestPath: string;
  runResultsPath: string;
  exposuresPath: string;
  groupBy: 'none' | 'project';
  lineagePath: string;
  /** Where to write the manifest with exposures injected, or null. */
  injectManifestPath: string | null;
  tableau: TableauConnectionSettings;
  filter: WorkbookFilter;
  /** Matching and curation options passed to `buildExposureLineage`. */
  matching: Record<string, unknown>;
  activeExposures: {
    /** DBT_ACTIVE_EXPOSURES / DBT_ACTIVE_EXPOSURES_BUILD_AFTER as resolved, for `maybeRefresh`. */
    env: Record<string, string>;
    reportPath: string;
    concurrency: number | undefined;
    waitTimeoutMs: number;
  };
  sources: Record<string, SettingSource>;
}

/** Defaults, as documented in docs/configuration.md. */
export const DEFAULTS = {
  targetPath: 'target',
  modelPath: 'models',
  exposuresDir: 'exposures',
  lineageFile: 'tableau_lineage.json',
  reportFile: 'active_exposures.json',
  waitTimeoutSeconds: 1800,
} as const;

type Env = CliIo['env'];

function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function str(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

function list(flags: ParsedFlags, name: string): string[] | undefined {
  const value = flags[name];
  if (!Array.isArray(value)) return undefined;
  return value
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Parse a numeric flag or variable; `integer` and `min` bound it. */
export function parseNumber(
  name: string,
  value: string,
  options: { integer?: boolean; min?: number } = {},
): number {
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (!options.integer || Number.isInteger(n)) &&
    (options.min === undefined || n >= options.min);
  if (!ok) {
    const what = `${options.integer ? 'a whole number' : 'a number'}${options.min === undefined ? '' : ` ≥ ${options.min}`}`;
    throw usageError(`${name}: expected ${what}, got "${value}"`, `pass ${what}`, name);
  }
  return n;
}

interface DbtProjectInfo {
  exists: boolean;
  targetPath: string | undefined;
  modelPath: string | undefined;
}

async function readDbtProject(projectDir: string): Promise<DbtProjectInfo> {
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

/** Resolve every setting for a command from its flags, the environment and the config file. */
export async function resolveSettings(flags: ParsedFlags, io: CliIo): Promise<CliSettings> {
  const { env, cwd } = io;
  const sources: Record<string, SettingSource> = {};
  const pick = <T>(key: string, candidates: [SettingSource, T | undefined][], fallback: T): T => {
    for (const [source, value] of candidates) {
      if (value !== undefined) {
        sources[key] = source;
        return value;
      }
    }
    sources[key] = 'default';
    return fallback;
  };

  const projectDir = resolve(
    cwd,
    pick(
      'projectDir',
      [
        ['flag', str(flags, 'project-dir')],
        ['env', envValue(env, 'DBT_PROJECT_DIR')],
      ],
      '.',
    ),
  );
  const configFlag = str(flags, 'config');
  const { path: configFile, config } = await loadConfigFile(
    projectDir,
    configFlag === undefined ? undefined : resolve(cwd, configFlag),
  );
  const dbtProject = await readDbtProject(projectDir);
  const inProject = (p: string) => (isAbsolute(p) ? p : join(projectDir, p));
  const fromCwd = (p: string) => resolve(cwd, p);

  const targetPath = inProject(
    pick(
      'targetPath',
      [
        ['flag', str(flags, 'target-path')],
        ['env', envValue(env, 'DBT_TARGET_PATH')],
        ['config', config.targetPath],
        ['dbt_project.yml', dbtProject.targetPath],
      ],
      DEFAULTS.targetPath,
    ),
  );
  const manifestFlag = str(flags, 'manifest');
  const manifestPath =
    manifestFlag === undefined ? join(targetPath, 'manifest.json') : fromCwd(manifestFlag);
  const runResultsFlag = str(flags, 'run-results');
  const runResultsPath =
    runResultsFlag === undefined ? join(targetPath, 'run_results.json') : fromCwd(runResultsFlag);

  const exposuresPath = inProject(
    pick(
      'exposuresPath',
      [
        ['flag', str(flags, 'exposures-path')],
        ['config', config.exposures?.path],
      ],
      join(dbtProject.modelPath ?? DEFAULTS.modelPath, DEFAULTS.exposuresDir),
    ),
  );
  const groupByFlag = str(flags, 'group-by');
  if (groupByFlag !== undefined && groupByFlag !== 'none' && groupByFlag !== 'project') {
    throw usageError(
      `--group-by: expected none or project, got "${groupByFlag}"`,
      'pass --group-by none or --group-by project',
      '--group-by',
    );
  }
  const groupBy = pick<'none' | 'project'>(
    'groupBy',
    [
      ['flag', groupByFlag as 'none' | 'project' | undefined],
      ['config', config.exposures?.groupBy],
    ],
    'none',
  );

  const lineageFlag = str(flags, 'lineage');
  const lineagePath =
    lineageFlag !== undefined
      ? fromCwd(lineageFlag)
      : config.lineagePath !== undefined
        ? inProject(config.lineagePath)
        : join(exposuresPath, DEFAULTS.lineageFile);

  const injectTo = str(flags, 'inject-manifest-to');
  let injectManifestPath: string | null = null;
  if (injectTo !== undefined) injectManifestPath = fromCwd(injectTo);
  else if (flags['inject-manifest'] === true || config.injectManifest === true)
    injectManifestPath = manifestPath;
  else if (typeof config.injectManifest === 'string')
    injectManifestPath = inProject(config.injectManifest);

  const timeoutFlag = str(flags, 'timeout');
  const timeoutSeconds = pick(
    'timeout',
    [
      [
        'flag',
        timeoutFlag === undefined
          ? undefined
          : parseNumber('--timeout', timeoutFlag, { min: 0.001 }),
      ],
      ['config', config.tableau?.timeoutSeconds],
    ],
    undefined as number | undefined,
  );

  const tableau: TableauConnectionSettings = {
    serverUrl: pick(
      'serverUrl',
      [
        ['flag', str(flags, 'server-url')],
        ['env', envValue(env, 'TABLEAU_SERVER_URL')],
        ['config', config.tableau?.serverUrl],
      ],
      undefined as string | undefined,
    ),
    // The site name may legitimately be "" (default site on Tableau Server), so "" in env counts.
    siteName: pick(
      'siteName',
      [
        ['flag', str(flags, 'site-name')],
        ['env', env.TABLEAU_SITE_NAME],
        ['config', config.tableau?.siteName],
      ],
      undefined as string | undefined,
    ),
    tokenName: pick(
      'tokenName',
      [
        ['flag', str(flags, 'token-name')],
        ['env', envValue(env, 'TABLEAU_TOKEN_NAME')],
        ['config', config.tableau?.tokenName],
      ],
      undefined as string | undefined,
    ),
    tokenSecret: envValue(env, 'TABLEAU_TOKEN_SECRET'),
    apiVersion: config.tableau?.apiVersion,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    retries: config.tableau?.retries,
    pageSize: config.tableau?.pageSize,
  };
  sources.tokenSecret = tableau.tokenSecret === undefined ? 'default' : 'env';

  const filter = resolveFilter(flags, config);

  const active = config.activeExposures ?? {};
  const activeEnv: Record<string, string> = {};
  const enabled = pick(
    'activeExposures',
    [
      ['flag', flags.enable === true ? '1' : undefined],
      ['env', envValue(env, 'DBT_ACTIVE_EXPOSURES')],
      ['config', active.enabled === undefined ? undefined : active.enabled ? '1' : '0'],
    ],
    undefined as string | undefined,
  );
  if (enabled !== undefined) activeEnv.DBT_ACTIVE_EXPOSURES = enabled;
  const buildAfterFlag = str(flags, 'build-after');
  const buildAfter = pick(
    'buildAfterMinutes',
    [
      [
        'flag',
        buildAfterFlag === undefined
          ? undefined
          : String(parseNumber('--build-after', buildAfterFlag, { integer: true, min: 0 })),
      ],
      ['env', envValue(env, 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER')],
      [
        'config',
        active.buildAfterMinutes === undefined ? undefined : String(active.buildAfterMinutes),
      ],
    ],
    undefined as string | undefined,
  );
  if (buildAfter !== undefined) activeEnv.DBT_ACTIVE_EXPOSURES_BUILD_AFTER = buildAfter;

  const reportFlag = str(flags, 'report');
  const reportPath =
    reportFlag !== undefined
      ? fromCwd(reportFlag)
      : active.reportPath !== undefined
        ? inProject(active.reportPath)
        : join(targetPath, DEFAULTS.reportFile);
  const concurrencyFlag = str(flags, 'concurrency');
  const concurrency = pick(
    'concurrency',
    [
      [
        'flag',
        concurrencyFlag === undefined
          ? undefined
          : parseNumber('--concurrency', concurrencyFlag, { integer: true, min: 1 }),
      ],
      ['config', active.concurrency],
    ],
    undefined as number | undefined,
  );
  const waitFlag = str(flags, 'wait-timeout');
  const waitTimeoutSeconds = pick(
    'waitTimeout',
    [
      [
        'flag',
        waitFlag === undefined
          ? undefined
          : parseNumber('--wait-timeout', waitFlag, { min: 0.001 }),
      ],
      ['config', active.waitTimeoutSeconds],
    ],
    DEFAULTS.waitTimeoutSeconds as number,
  );

  return {
    projectDir,
    hasDbtProject: dbtProject.exists,
    configFile,
    targetPath,
    manifestPath,
    runResultsPath,
    exposuresPath,
    groupBy,
    lineagePath,
    injectManifestPath,
    tableau,
    filter,
    matching: config.matching ?? {},
    activeExposures: {
      env: activeEnv,
      reportPath,
      concurrency,
      waitTimeoutMs: Math.round(waitTimeoutSeconds * 1000),
    },
    sources,
  };
}

function resolveFilter(flags: ParsedFlags, config: ConfigFile): WorkbookFilter {
  const filter: WorkbookFilter = {};
  const cfg = config.filter ?? {};
  const projects = list(flags, 'project') ?? cfg.projects;
  const collections = list(flags, 'collection') ?? cfg.collections;
  const tags = list(flags, 'tag') ?? cfg.tags;
  const include = list(flags, 'include') ?? cfg.include;
  const exclude = list(flags, 'exclude') ?? cfg.exclude;
  if (projects !== undefined) filter.projects = projects;
  if (collections !== undefined) filter.collections = collections;
  if (tags !== undefined) filter.tags = tags;
  if (include !== undefined) filter.include = include;
  if (exclude !== undefined) filter.exclude = exclude;
  const personal = flags['include-personal-space'] === true ? true : cfg.includePersonalSpace;
  if (personal !== undefined) filter.includePersonalSpace = personal;
  return filter;
}

/**
 * The Tableau settings, required for commands that talk to Tableau: a missing one is a
 * configuration error naming the flag and the variable.
 */
export function requireTableau(settings: CliSettings): {
  serverUrl: string;
  siteName: string;
  tokenName: string;
  tokenSecret: string;
} {
  const t = settings.tableau;
  const missing: string[] = [];
  if (t.serverUrl === undefined)
    missing.push('the server URL (--server-url or TABLEAU_SERVER_URL)');
  if (t.siteName === undefined)
    missing.push('the site name (--site-name or TABLEAU_SITE_NAME; "" for the default site)');
  if (t.tokenName === undefined)
    missing.push('the token name (--token-name or TABLEAU_TOKEN_NAME)');
  if (t.tokenSecret === undefined) missing.push('the token secret (TABLEAU_TOKEN_SECRET)');
  if (missing.length > 0) {
    throw new ConfigError(`Tableau connection settings missing: ${missing.join('; ')}`, {
      code: 'ERR_TABLEAU_CONFIG',
      field: missing.length === 1 ? missing[0] : undefined,
      details: {
        hint: 'docs/getting-started.md shows where to find the four settings; or use --snapshot <file> to work offline',
      },
    });
  }
  return {
    serverUrl: t.serverUrl!,
    siteName: t.siteName!,
    tokenName: t.tokenName!,
    tokenSecret: t.tokenSecret!,
  };
}

/** The settings in force, for --verbose: every value with its source, the secret shown as set/unset. */
export function describeSettings(settings: CliSettings): string {
  const { tableau, activeExposures, ...rest } = settings;
  const shown = {
    ...rest,
    tableau: {
      ...tableau,
      tokenSecret: tableau.tokenSecret === undefined ? '(not set)' : '(set, hidden)',
    },
    activeExposures,
  };
  return `settings in force:\n${JSON.stringify(shown, null, 2)}\n`;
}
