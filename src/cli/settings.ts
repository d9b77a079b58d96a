/**
 * Settings resolution for every command: flags > environment > config file > defaults.
 *
 * Paths: `--target-path`, `--exposures-path` and paths in the config file are relative to the dbt
 * project directory (as dbt treats its own paths); other file flags (`--manifest`, `--lineage`,
 * `--out`, …) are relative to the current directory, like any command-line tool.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { loadDbtProject, type WorkbookFilter } from '../index.js';
import {
  type FlagOrigins,
  listFlag,
  numberFlag,
  type ParsedFlags,
  stringFlag,
  usageError,
} from './args.js';
import { type ConfigFile, loadConfigFile } from './config-file.js';
import type { CliIo } from './io.js';
import { urlWithoutUserinfo } from './mask.js';

/** Where a setting's value came from (shown with --verbose and --debug). */
export type SettingSource = 'flag' | 'env' | 'config' | 'dbt_project.yml' | 'default';

/** Active exposure variables, read by the library itself (`maybeRefresh`'s `env`). */
const ACTIVE_EXPOSURE_VARIABLES = ['DBT_ACTIVE_EXPOSURES', 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER'];

export interface TableauConnectionSettings {
  serverUrl: string | undefined;
  siteName: string | undefined;
  tokenName: string | undefined;
  /** From TABLEAU_TOKEN_SECRET only. Never printed. */
  tokenSecret: string | undefined;
  /**
   * A connected app instead of a personal access token, from the environment only:
   * TABLEAU_CONNECTED_APP_CLIENT_ID, _SECRET_ID, _SECRET_VALUE (never printed) and TABLEAU_USERNAME.
   */
  connectedApp: {
    clientId: string | undefined;
    secretId: string | undefined;
    secretValue: string | undefined;
    username: string | undefined;
  };
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
  /**
   * Where hand-written exposures may be (absolute): dbt_project.yml's resource paths (model, seed,
   * snapshot, analysis, macro, test paths, or dbt's defaults). `sync` scans them before writing.
   */
  resourcePaths: string[];
  groupBy: 'none' | 'project';
  lineagePath: string;
  /** Where to write the manifest with exposures injected, or null. */
  injectManifestPath: string | null;
  tableau: TableauConnectionSettings;
  filter: WorkbookFilter;
  /** Matching and curation options passed to `buildExposureLineage`. */
  matching: Record<string, unknown>;
  /** sync --warn-error (flag, DBT_WARN_ERROR, or the config's warnError). */
  warnError: boolean;
  activeExposures: {
    /** DBT_ACTIVE_EXPOSURES / DBT_ACTIVE_EXPOSURES_BUILD_AFTER as set, for `maybeRefresh`. */
    env: Record<string, string>;
    /** From --enable or the config (they override the variable, as options of maybeRefresh). */
    enabled: boolean | undefined;
    buildAfterMinutes: number | undefined;
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

/** Resolve every setting for a command from its flags, the environment and the config file. */
export async function resolveSettings(
  flags: ParsedFlags,
  io: CliIo,
  origins: FlagOrigins = {},
): Promise<CliSettings> {
  const { env, cwd } = io;
  const sources: Record<string, SettingSource> = {};
  /** A string flag with where it came from (its variable, or the command line). */
  const given = (name: string): [SettingSource, string | undefined] => [
    origins[name] ?? 'flag',
    stringFlag(flags, name),
  ];
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

  const projectDir = resolve(cwd, pick('projectDir', [given('project-dir')], '.'));
  const configFlag = stringFlag(flags, 'config');
  const { path: configFile, config } = await loadConfigFile(
    projectDir,
    configFlag === undefined ? undefined : resolve(cwd, configFlag),
  );
  const dbtProject = await loadDbtProject(projectDir, { signal: io.signal });
  const inProject = (p: string) => (isAbsolute(p) ? p : join(projectDir, p));
  const fromCwd = (p: string) => resolve(cwd, p);

  const targetPath = inProject(
    pick(
      'targetPath',
      [
        given('target-path'),
        ['config', config.targetPath],
        ['dbt_project.yml', dbtProject.targetPath ?? undefined],
      ],
      DEFAULTS.targetPath,
    ),
  );
  const manifestFlag = stringFlag(flags, 'manifest');
  const manifestPath =
    manifestFlag === undefined ? join(targetPath, 'manifest.json') : fromCwd(manifestFlag);
  const runResultsFlag = stringFlag(flags, 'run-results');
  const runResultsPath =
    runResultsFlag === undefined ? join(targetPath, 'run_results.json') : fromCwd(runResultsFlag);

  const exposuresPath = inProject(
    pick(
      'exposuresPath',
      [given('exposures-path'), ['config', config.exposures?.path]],
      join(dbtProject.modelPaths[0] ?? DEFAULTS.modelPath, DEFAULTS.exposuresDir),
    ),
  );
  const groupByFlag = stringFlag(flags, 'group-by');
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
      [origins['group-by'] ?? 'flag', groupByFlag as 'none' | 'project' | undefined],
      ['config', config.exposures?.groupBy],
    ],
    'none',
  );

  // A file flag is relative to the current directory, a config path to the project (see above).
  const filePath = (flag: string, configured: string | undefined, fallback: string): string => {
    const flagged = stringFlag(flags, flag);
    if (flagged !== undefined) return fromCwd(flagged);
    return configured !== undefined ? inProject(configured) : fallback;
  };
  const lineagePath = filePath(
    'lineage',
    config.lineagePath,
    join(exposuresPath, DEFAULTS.lineageFile),
  );

  const injectTo = stringFlag(flags, 'inject-manifest-to');
  let injectManifestPath: string | null = null;
  if (injectTo !== undefined) injectManifestPath = fromCwd(injectTo);
  else if (flags['inject-manifest'] === true || config.injectManifest === true)
    injectManifestPath = manifestPath;
  else if (typeof config.injectManifest === 'string')
    injectManifestPath = inProject(config.injectManifest);

  const timeoutSeconds = pick(
    'timeout',
    [
      [origins.timeout ?? 'flag', numberFlag(flags, 'timeout', { min: 0.001 })],
      ['config', config.tableau?.timeoutSeconds],
    ],
    undefined as number | undefined,
  );

  const tableau: TableauConnectionSettings = {
    serverUrl: pick(
      'serverUrl',
      [given('server-url'), ['config', config.tableau?.serverUrl]],
      undefined as string | undefined,
    ),
    // The site name may legitimately be "" (default site on Tableau Server), so "" in env counts.
    siteName: pick(
      'siteName',
      [given('site-name'), ['config', config.tableau?.siteName]],
      undefined as string | undefined,
    ),
    tokenName: pick(
      'tokenName',
      [given('token-name'), ['config', config.tableau?.tokenName]],
      undefined as string | undefined,
    ),
    tokenSecret: envValue(env, 'TABLEAU_TOKEN_SECRET'),
    connectedApp: {
      clientId: envValue(env, 'TABLEAU_CONNECTED_APP_CLIENT_ID'),
      secretId: envValue(env, 'TABLEAU_CONNECTED_APP_SECRET_ID'),
      secretValue: envValue(env, 'TABLEAU_CONNECTED_APP_SECRET_VALUE'),
      username: envValue(env, 'TABLEAU_USERNAME'),
    },
    apiVersion: config.tableau?.apiVersion,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    retries: config.tableau?.retries,
    pageSize: config.tableau?.pageSize,
  };
  sources.tokenSecret = tableau.tokenSecret === undefined ? 'default' : 'env';

  const filter = workbookFilter(flags, config);

  const active = config.activeExposures ?? {};
  const activeEnv: Record<string, string> = {};
  for (const name of ACTIVE_EXPOSURE_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') activeEnv[name] = value;
  }
  // A flag or the config is passed as an option (it overrides the variable, so the debug entries
  // say `option`); the variable is passed as is, for the library to read and report.
  const enabled = pick<boolean | undefined>(
    'activeExposures',
    [
      ['flag', flags.enable === true ? true : undefined],
      ['config', activeEnv.DBT_ACTIVE_EXPOSURES === undefined ? active.enabled : undefined],
    ],
    undefined,
  );
  if (enabled === undefined && activeEnv.DBT_ACTIVE_EXPOSURES !== undefined) {
    sources.activeExposures = 'env';
  }
  const buildAfterMinutes = pick<number | undefined>(
    'buildAfterMinutes',
    [
      ['flag', numberFlag(flags, 'build-after', { integer: true, min: 0 })],
      [
        'config',
        activeEnv.DBT_ACTIVE_EXPOSURES_BUILD_AFTER === undefined
          ? active.buildAfterMinutes
          : undefined,
      ],
    ],
    undefined,
  );
  if (buildAfterMinutes === undefined && activeEnv.DBT_ACTIVE_EXPOSURES_BUILD_AFTER !== undefined) {
    sources.buildAfterMinutes = 'env';
  }

  const reportPath = filePath('report', active.reportPath, join(targetPath, DEFAULTS.reportFile));
  const concurrency = pick(
    'concurrency',
    [
      [origins.concurrency ?? 'flag', numberFlag(flags, 'concurrency', { integer: true, min: 1 })],
      ['config', active.concurrency],
    ],
    undefined as number | undefined,
  );
  const waitTimeoutSeconds = pick(
    'waitTimeout',
    [
      [origins['wait-timeout'] ?? 'flag', numberFlag(flags, 'wait-timeout', { min: 0.001 })],
      ['config', active.waitTimeoutSeconds],
    ],
    DEFAULTS.waitTimeoutSeconds as number,
  );

  return {
    projectDir,
    hasDbtProject: dbtProject.file !== null,
    configFile,
    targetPath,
    manifestPath,
    runResultsPath,
    exposuresPath,
    resourcePaths: dbtProject.resourcePaths.map(inProject),
    groupBy,
    lineagePath,
    injectManifestPath,
    tableau,
    filter,
    matching: config.matching ?? {},
    warnError: pick(
      'warnError',
      [
        [origins['warn-error'] ?? 'flag', flags['warn-error'] === true ? true : undefined],
        ['config', config.warnError],
      ],
      false,
    ),
    activeExposures: {
      env: activeEnv,
      enabled,
      buildAfterMinutes,
      reportPath,
      concurrency,
      waitTimeoutMs: Math.round(waitTimeoutSeconds * 1000),
    },
    sources,
  };
}

/** The settings in force, for --verbose: every value with its source, the secret shown as set/unset. */
export function describeSettings(settings: CliSettings): string {
  const { tableau, activeExposures, ...rest } = settings;
  const shown = {
    ...rest,
    tableau: {
      ...tableau,
      serverUrl:
        tableau.serverUrl === undefined ? undefined : urlWithoutUserinfo(tableau.serverUrl),
      tokenSecret: tableau.tokenSecret === undefined ? '(not set)' : '(set, hidden)',
      connectedApp: {
        ...tableau.connectedApp,
        secretValue: tableau.connectedApp.secretValue === undefined ? '(not set)' : '(set, hidden)',
      },
    },
    activeExposures,
  };
  return `settings in force:\n${JSON.stringify(shown, null, 2)}\n`;
}

/** Each workbook filter list from its flag (comma lists allowed), else from the config file. */
function workbookFilter(flags: ParsedFlags, config: ConfigFile): WorkbookFilter {
  const cfg = config.filter ?? {};
  const lists = {
    projects: listFlag(flags, 'project') ?? cfg.projects,
    collections: listFlag(flags, 'collection') ?? cfg.collections,
    tags: listFlag(flags, 'tag') ?? cfg.tags,
    include: listFlag(flags, 'include-workbook') ?? cfg.include,
    exclude: listFlag(flags, 'exclude-workbook') ?? cfg.exclude,
  };
  const filter: WorkbookFilter = {};
  for (const [key, value] of Object.entries(lists)) {
    if (value !== undefined) filter[key as keyof typeof lists] = value;
  }
  const personal = flags['include-personal-space'] === true ? true : cfg.includePersonalSpace;
  if (personal !== undefined) filter.includePersonalSpace = personal;
  return filter;
}

/** An environment variable's value; an empty one counts as not set. */
function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}
