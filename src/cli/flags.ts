/**
 * Every command's flags, declared once: `parseArgs` reads them and `--help` prints them. Kept free
 * of heavy imports (only `node:util`), because `--help` must start fast.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './usage-error.js';

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown after the flag in help: `--project <name>`. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Paragraphs printed after the usage line. */
  description: string;
  flags: FlagSpec[];
  examples: string[];
  /** Positional arguments accepted (default none). */
  positionals?: boolean;
}

const common: FlagSpec[] = [
  {
    name: 'project-dir',
    type: 'string',
    value: '<dir>',
    description: 'dbt project directory (holds dbt_project.yml). Env DBT_PROJECT_DIR. Default: .',
  },
  {
    name: 'config',
    type: 'string',
    value: '<file>',
    description:
      'config file. Default: dbt-auto-exposures.config.json or .yml next to dbt_project.yml',
  },
  {
    name: 'verbose',
    type: 'boolean',
    description: 'print stack traces and settings in force (never the token secret)',
  },
  { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
];

const artifacts: FlagSpec[] = [
  {
    name: 'target-path',
    type: 'string',
    value: '<dir>',
    description:
      "dbt's target directory. Env DBT_TARGET_PATH. Default: dbt_project.yml's, or target",
  },
  {
    name: 'manifest',
    type: 'string',
    value: '<file>',
    description: 'manifest.json. Default: <target-path>/manifest.json',
  },
];

const tableau: FlagSpec[] = [
  {
    name: 'server-url',
    type: 'string',
    value: '<url>',
    description: 'Tableau host (10az.online.tableau.com) or https URL. Env TABLEAU_SERVER_URL',
  },
  {
    name: 'site-name',
    type: 'string',
    value: '<name>',
    description: 'site contentUrl ("" = default site on Server). Env TABLEAU_SITE_NAME',
  },
  {
    name: 'token-name',
    type: 'string',
    value: '<name>',
    description:
      'personal access token name. Env TABLEAU_TOKEN_NAME (the secret: env TABLEAU_TOKEN_SECRET only)',
  },
  {
    name: 'timeout',
    type: 'string',
    value: '<seconds>',
    description: 'per-request timeout. Default 30',
  },
];

const filters: FlagSpec[] = [
  {
    name: 'project',
    type: 'string',
    multiple: true,
    value: '<name>',
    description: 'only workbooks in this Tableau project (name, nested path or luid; repeatable)',
  },
  {
    name: 'collection',
    type: 'string',
    multiple: true,
    value: '<name>',
    description: 'only workbooks in this Tableau Collection (name or luid; repeatable)',
  },
  {
    name: 'tag',
    type: 'string',
    multiple: true,
    value: '<tag>',
    description: 'only workbooks with this tag (repeatable)',
  },
  {
    name: 'include',
    type: 'string',
    multiple: true,
    value: '<glob>',
    description: 'workbook names to include (repeatable)',
  },
  {
    name: 'exclude',
    type: 'string',
    multiple: true,
    value: '<glob>',
    description: 'workbook names to exclude (repeatable)',
  },
  {
    name: 'include-personal-space',
    type: 'boolean',
    description: 'include workbooks in personal spaces',
  },
];

const lineageFlag: FlagSpec = {
  name: 'lineage',
  type: 'string',
  value: '<file>',
  description: 'lineage JSON. Default: <exposures-path>/tableau_lineage.json',
};

const json: FlagSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print JSON lines on stdout instead of text',
};

const exposuresPathForReading: FlagSpec = {
  name: 'exposures-path',
  type: 'string',
  value: '<dir>',
  description: 'where sync wrote the YAML (locates the default lineage JSON)',
};

/** `impact` and `lineage` take the same flags. */
const impactFlags: FlagSpec[] = [
  ...common,
  ...artifacts,
  lineageFlag,
  exposuresPathForReading,
  {
    name: 'select',
    type: 'string',
    multiple: true,
    value: '<names>',
    description: 'comma-separated node names or unique ids (repeatable)',
  },
  {
    name: 'select-file',
    type: 'string',
    value: '<file>',
    description: 'a file with one node name or unique id per line',
  },
  {
    name: 'run-results',
    type: 'string',
    value: '<file>',
    description: 'select the nodes this run rebuilt (status success)',
  },
  {
    name: 'format',
    type: 'string',
    value: '<text|markdown|mermaid>',
    description: 'output format. Default: text',
  },
  {
    name: 'out',
    type: 'string',
    value: '<file>',
    description: 'write to this file instead of stdout',
  },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sync',
    summary: 'Tableau workbooks → dbt exposures YAML and the lineage JSON',
    usage: 'dbt-auto-exposures sync [options]',
    description:
      'Lists the workbooks (from Tableau, or a snapshot file), matches their tables onto the dbt ' +
      'manifest, and writes the exposures YAML into the dbt project and the lineage JSON that ' +
      '`refresh` reads. Prints what was added, removed and changed since the last sync, and every ' +
      'table that matched nothing, with the reason. Files are written atomically; a failed or ' +
      'partial listing never removes exposures.',
    flags: [
      ...common,
      ...artifacts,
      ...tableau,
      ...filters,
      {
        name: 'snapshot',
        type: 'string',
        value: '<file>',
        description: 'read workbooks from this file (see `snapshot`) instead of Tableau',
      },
      {
        name: 'exposures-path',
        type: 'string',
        value: '<dir>',
        description: 'where the YAML goes, in the dbt project. Default: models/exposures',
      },
      {
        name: 'group-by',
        type: 'string',
        value: '<none|project>',
        description: 'one YAML file, or one per Tableau project. Default: none',
      },
      lineageFlag,
      {
        name: 'inject-manifest',
        type: 'boolean',
        description: 'also add the exposures to manifest.json (for dbt docs), in place',
      },
      {
        name: 'inject-manifest-to',
        type: 'string',
        value: '<file>',
        description: 'write the manifest with exposures here instead of in place',
      },
      {
        name: 'allow-empty',
        type: 'boolean',
        description: 'allow a sync that removes every exposure of the previous sync',
      },
      {
        name: 'check',
        type: 'boolean',
        description: 'write nothing; exit 1 when the outputs would change (for CI)',
      },
      json,
    ],
    examples: [
      'TABLEAU_TOKEN_SECRET=… dbt-auto-exposures sync --server-url 10az.online.tableau.com \\\n' +
        '    --site-name acme --token-name dbt-sync --project Finance',
      'dbt-auto-exposures sync --snapshot tableau-snapshot.json --project-dir analytics/',
      'dbt-auto-exposures sync --inject-manifest && dbt docs serve',
    ],
  },
  {
    name: 'refresh',
    summary: 'refresh the Tableau extracts whose dbt nodes were just rebuilt (active exposures)',
    usage: 'dbt-auto-exposures refresh [options]',
    description:
      'Run after `dbt build`. Reads the lineage JSON, run_results.json and the manifest; ' +
      'refreshes the extracts of exposures whose upstream nodes were rebuilt, no more often than ' +
      'DBT_ACTIVE_EXPOSURES_BUILD_AFTER minutes (default 1440), never onto failed data. Enabled by ' +
      'DBT_ACTIVE_EXPOSURES=1 (or --enable), as in dbt Cloud. Prints a dbt-like log and writes ' +
      'the report next to run_results.json. Exit 1 when a refresh failed.',
    flags: [
      ...common,
      ...artifacts,
      ...tableau,
      lineageFlag,
      exposuresPathForReading,
      {
        name: 'run-results',
        type: 'string',
        value: '<file>',
        description: 'run_results.json. Default: <target-path>/run_results.json',
      },
      {
        name: 'report',
        type: 'string',
        value: '<file>',
        description: 'report file. Default: <target-path>/active_exposures.json',
      },
      {
        name: 'enable',
        type: 'boolean',
        description: 'enable refreshes (same as DBT_ACTIVE_EXPOSURES=1)',
      },
      {
        name: 'build-after',
        type: 'string',
        value: '<minutes>',
        description: 'minimum minutes between refreshes. Env DBT_ACTIVE_EXPOSURES_BUILD_AFTER',
      },
      {
        name: 'dry-run',
        type: 'boolean',
        description: 'decide and print, change nothing in Tableau',
      },
      { name: 'wait', type: 'boolean', description: 'wait for the refresh jobs to finish' },
      {
        name: 'wait-timeout',
        type: 'string',
        value: '<seconds>',
        description: 'how long --wait waits. Default 1800',
      },
      {
        name: 'concurrency',
        type: 'string',
        value: '<n>',
        description: 'parallel refresh calls. Default 2',
      },
      { name: 'debug', type: 'boolean', description: 'also print the debug entries (evidence)' },
      json,
    ],
    examples: [
      'dbt build && DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh',
      'dbt-auto-exposures refresh --enable --build-after 60 --wait --wait-timeout 900',
      'dbt-auto-exposures refresh --enable --dry-run --debug',
      'dbt-auto-exposures refresh --enable --json >> logs/dbt.log',
    ],
  },
  {
    name: 'impact',
    summary: 'which dashboards depend on given dbt nodes (for a pull request)',
    usage:
      'dbt-auto-exposures impact (--select <names> | --select-file <file> | --run-results <file>)',
    description:
      'Lists the exposures downstream of the selected nodes (directly, or through any model in ' +
      'between, using the manifest). Select by name (orders), versioned name (customers.v2), ' +
      'source (jaffle_raw.payments) or unique id; or take the rebuilt nodes of a run_results.json; ' +
      'or a file with one name per line (e.g. the output of `dbt ls -s state:modified`).',
    flags: impactFlags,
    examples: [
      'dbt-auto-exposures impact --select orders,customers',
      'dbt ls -s state:modified --output name > changed.txt && \\\n' +
        '    dbt-auto-exposures impact --select-file changed.txt --format markdown',
      'dbt-auto-exposures impact --run-results target/run_results.json --format mermaid',
    ],
  },
  {
    name: 'lineage',
    summary: 'print the exposure lineage (all dashboards, or those over --select)',
    usage: 'dbt-auto-exposures lineage [--select <names>] [--format text|markdown|mermaid]',
    description:
      'Prints every exposure of the lineage JSON with the dbt nodes it reads; with a selection, ' +
      'the same as `impact`.',
    flags: impactFlags,
    examples: [
      'dbt-auto-exposures lineage --format mermaid --out lineage.mmd',
      'dbt-auto-exposures lineage --select orders --format markdown',
    ],
  },
  {
    name: 'snapshot',
    summary: 'save a Tableau listing to a file, for offline sync and support',
    usage: 'dbt-auto-exposures snapshot --out <file> [options]',
    description:
      'Lists the workbooks (with the same filters as sync) and saves them; `sync --snapshot` reads ' +
      'the file without a Tableau connection. The file holds no secret.',
    flags: [
      ...common,
      ...tableau,
      ...filters,
      {
        name: 'out',
        type: 'string',
        value: '<file>',
        description: 'where to write the snapshot (required)',
      },
    ],
    examples: [
      'dbt-auto-exposures snapshot --out tableau-snapshot.json --project Finance',
      'dbt-auto-exposures sync --snapshot tableau-snapshot.json',
    ],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** Parse `argv` for `command`; unknown flags and missing values are usage errors (exit 2). */
export function parseFlags(
  command: CommandSpec,
  argv: string[],
): { flags: ParsedFlags; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flag of command.flags) {
    options[flag.name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: command.positionals === true,
    });
    return { flags: values as ParsedFlags, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(
      `${command.name}: ${message.replace(/\. To specify.*$/s, '')}`,
      `run \`dbt-auto-exposures ${command.name} --help\` for the flags it accepts`,
    );
  }
}
