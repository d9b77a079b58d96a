/**
 * Settings resolution for every command: flags > environment > config file > defaults.
 *
 * Paths: `--target-path`, `--exposures-path` and paths in the config file are relative to the dbt
 * project directory (as dbt treats its own paths); other file flags (`--manifest`, `--lineage`,
 * `--out`, …) are relative to the current directory, like any command-line tool.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { MAX_REFRESH_CONCURRENCY } from '../active/settings.js';
import { loadDbtProject } from '../artifacts/dbt-project.js';
import { shownServerUrl } from '../tableau/settings.js';
import type { WorkbookFilter } from '../tableau/types.js';
import { loadConfigFile } from './config-file.js';
import { envValue, numberFlag, stringFlag } from './flag-values.js';
import type { ParsedFlags } from './flags.js';
import type { CliIo } from './io.js';
import { usageError } from './usage-error.js';
import { resolveWorkbookFilter } from './workbook-filter.js';

/** Where a setting's value came from (shown with --verbose). */
export type SettingSource = 'flag' | 'env' | 'config' | 'dbt_project.yml' | 'default';

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
        ['flag', stringFlag(flags, 'project-dir')],
        ['env', envValue(env, 'DBT_PROJECT_DIR')],
      ],
      '.',
    ),
  );
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
        ['flag', stringFlag(flags, 'target-path')],
        ['env', envValue(env, 'DBT_TARGET_PATH')],
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
      [
        ['flag', stringFlag(flags, 'exposures-path')],
        ['config', config.exposures?.path],
      ],
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
      ['flag', groupByFlag as 'none' | 'project' | undefined],
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
      ['flag', numberFlag(flags, 'timeout', { min: 0.001 })],
      ['config', config.tableau?.timeoutSeconds],
    ],
    undefined as number | undefined,
  );

  const tableau: TableauConnectionSettings = {
    serverUrl: pick(
      'serverUrl',
      [
        ['flag', stringFlag(flags, 'server-url')],
        ['env', envValue(env, 'TABLEAU_SERVER_URL')],
        ['config', config.tableau?.serverUrl],
      ],
      undefined as string | undefined,
    ),
    // The site name may legitimately be "" (default site on Tableau Server), so "" in env counts.
    siteName: pick(
      'siteName',
      [
        ['flag', stringFlag(flags, 'site-name')],
        ['env', env.TABLEAU_SITE_NAME],
        ['config', config.tableau?.siteName],
      ],
      undefined as string | undefined,
    ),
    tokenName: pick(
      'tokenName',
      [
        ['flag', stringFlag(flags, 'token-name')],
        ['env', envValue(env, 'TABLEAU_TOKEN_NAME')],
        ['config', config.tableau?.tokenName],
      ],
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

  const filter = resolveWorkbookFilter(flags, config);

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
  const buildAfterMinutes = numberFlag(flags, 'build-after', { integer: true, min: 0 });
  const buildAfter = pick(
    'buildAfterMinutes',
    [
      ['flag', buildAfterMinutes === undefined ? undefined : String(buildAfterMinutes)],
      ['env', envValue(env, 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER')],
      [
        'config',
        active.buildAfterMinutes === undefined ? undefined : String(active.buildAfterMinutes),
      ],
    ],
    undefined as string | undefined,
  );
  if (buildAfter !== undefined) activeEnv.DBT_ACTIVE_EXPOSURES_BUILD_AFTER = buildAfter;

  const reportPath = filePath('report', active.reportPath, join(targetPath, DEFAULTS.reportFile));
  const concurrency = pick(
    'concurrency',
    [
      [
        'flag',
        numberFlag(flags, 'concurrency', { integer: true, min: 1, max: MAX_REFRESH_CONCURRENCY }),
      ],
      ['config', active.concurrency],
    ],
    undefined as number | undefined,
  );
  const waitTimeoutSeconds = pick(
    'waitTimeout',
    [
      ['flag', numberFlag(flags, 'wait-timeout', { min: 0.001 })],
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
    activeExposures: {
      env: activeEnv,
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
      serverUrl: tableau.serverUrl === undefined ? undefined : shownServerUrl(tableau.serverUrl),
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
