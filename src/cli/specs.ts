/**
 * Every command and every flag, declared once: the parser reads them, `--help` prints them, each
 * flag's environment variable is read from here, and docs/cli.md is checked against them
 * (a test of the repository), so the three cannot drift.
 */

/** One flag: what the parser reads, `--help` and docs/cli.md print, and its variable. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown after the flag in help: `--project <name>`. */
  value?: string;
  description: string;
  /**
   * The environment variable that sets the flag when it is not on the command line. Booleans read
   * `1`/`true`/`yes` and `0`/`false`/`no`.
   */
  env: string;
  /** The variable may legitimately be empty (TABLEAU_SITE_NAME: "" is the default site). */
  emptyIsValue?: boolean;
  /**
   * The variable is read where it is used, with its own values (DBT_ACTIVE_EXPOSURES by the
   * library, NO_COLOR by any non-empty value): the generic reader leaves it alone.
   */
  envReadAsIs?: boolean;
}

/** One command: its help text and its flags. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Paragraphs printed after the usage line. */
  description: string;
  flags: FlagSpec[];
  examples: string[];
}

/** Our own variables are named after the flag: `--lock-timeout` → DBT_AUTO_EXPOSURES_LOCK_TIMEOUT. */
function ownVariable(flag: string): string {
  return `DBT_AUTO_EXPOSURES_${flag.toUpperCase().replace(/-/g, '_')}`;
}

type Declared = Omit<FlagSpec, 'env'> & { env?: string };
const flag = (spec: Declared): FlagSpec => ({ ...spec, env: spec.env ?? ownVariable(spec.name) });

/** Flags of every command: where the project is, and how to log (dbt's own flags and variables). */
const commonFlags: FlagSpec[] = [
  flag({
    name: 'project-dir',
    type: 'string',
    value: '<dir>',
    description: 'dbt project directory (holds dbt_project.yml). Default: .',
    env: 'DBT_PROJECT_DIR',
  }),
  flag({
    name: 'config',
    type: 'string',
    value: '<file>',
    description:
      'config file. Default: dbt-auto-exposures.config.json or .yml next to dbt_project.yml',
  }),
  flag({
    name: 'log-format',
    type: 'string',
    value: '<text|json|debug>',
    description:
      "as dbt's: json prints every stdout line as a JSON event (errors included), debug adds times and levels. Default: text",
    env: 'DBT_LOG_FORMAT',
  }),
  flag({
    name: 'log-level',
    type: 'string',
    value: '<debug|info|warn|error|none>',
    description: 'the least severe log lines printed. Default: info',
    env: 'DBT_LOG_LEVEL',
  }),
  flag({
    name: 'debug',
    type: 'boolean',
    short: 'd',
    description: 'same as --log-level debug (refresh: also the debug entries: the evidence)',
    env: 'DBT_DEBUG',
  }),
  flag({
    name: 'quiet',
    type: 'boolean',
    short: 'q',
    description: 'print only errors and the result (impact, lineage, --output json)',
    env: 'DBT_QUIET',
  }),
  flag({
    name: 'no-color',
    type: 'boolean',
    description: 'no colours (NO_COLOR with any value too; FORCE_COLOR=1 forces them)',
    env: 'NO_COLOR',
    envReadAsIs: true,
  }),
  flag({
    name: 'verbose',
    type: 'boolean',
    description: 'print stack traces and the settings in force (never the token secret)',
  }),
  flag({
    name: 'progress-interval',
    type: 'string',
    value: '<seconds>',
    description:
      'outside a terminal, a progress line on stderr this often while a listing, wait or write runs. Default 5; 0 = none',
  }),
  // --help has no variable: a variable that turns every run into help would be a trap.
  { name: 'help', type: 'boolean', short: 'h', description: 'show this help', env: '' },
];

/** Where the dbt artifacts are. */
const targetPathFlag = flag({
  name: 'target-path',
  type: 'string',
  value: '<dir>',
  description: "dbt's target directory. Default: dbt_project.yml's, or target",
  env: 'DBT_TARGET_PATH',
});
const manifestFlag = flag({
  name: 'manifest',
  type: 'string',
  value: '<file>',
  description: 'manifest.json. Default: <target-path>/manifest.json',
});

/** The Tableau connection. */
const tableauFlags: FlagSpec[] = [
  flag({
    name: 'server-url',
    type: 'string',
    value: '<url>',
    description: 'Tableau host (10az.online.tableau.com) or https URL',
    env: 'TABLEAU_SERVER_URL',
  }),
  flag({
    name: 'site-name',
    type: 'string',
    value: '<name>',
    description: 'site contentUrl ("" = default site on Server)',
    env: 'TABLEAU_SITE_NAME',
    emptyIsValue: true,
  }),
  flag({
    name: 'token-name',
    type: 'string',
    value: '<name>',
    description: 'personal access token name (the secret: env TABLEAU_TOKEN_SECRET only)',
    env: 'TABLEAU_TOKEN_NAME',
  }),
  flag({
    name: 'timeout',
    type: 'string',
    value: '<seconds>',
    description: 'per-request timeout. Default 30',
  }),
];

/** Which workbooks to list (Tableau's side; dbt's side is --select/--exclude). */
const workbookFlags: FlagSpec[] = [
  flag({
    name: 'project',
    type: 'string',
    multiple: true,
    value: '<name>',
    description: 'only workbooks in this Tableau project (name, nested path or luid; repeatable)',
  }),
  flag({
    name: 'collection',
    type: 'string',
    multiple: true,
    value: '<name>',
    description: 'only workbooks in this Tableau Collection (name or luid; repeatable)',
  }),
  flag({
    name: 'tag',
    type: 'string',
    multiple: true,
    value: '<tag>',
    description: 'only workbooks with this Tableau tag (repeatable)',
  }),
  flag({
    name: 'include-workbook',
    type: 'string',
    multiple: true,
    value: '<glob>',
    description: 'workbook names to include (repeatable)',
  }),
  flag({
    name: 'exclude-workbook',
    type: 'string',
    multiple: true,
    value: '<glob>',
    description: 'workbook names to exclude (repeatable)',
  }),
  flag({
    name: 'include-personal-space',
    type: 'boolean',
    description: 'include workbooks in personal spaces',
  }),
];

/** dbt's node selection. */
const selectionFlags: FlagSpec[] = [
  flag({
    name: 'select',
    type: 'string',
    short: 's',
    multiple: true,
    value: '<selector>',
    description:
      'as dbt: names, tag:, path:, exposure:, source:, + graph operators; space = union, comma = intersection',
  }),
  flag({
    name: 'exclude',
    type: 'string',
    multiple: true,
    value: '<selector>',
    description: 'as dbt: leave these out of the selection',
  }),
];

const lineageFlag = flag({
  name: 'lineage',
  type: 'string',
  value: '<file>',
  description: 'lineage JSON. Default: <exposures-path>/tableau_lineage.json',
});

const outputFlag = flag({
  name: 'output',
  type: 'string',
  short: 'o',
  value: '<text|json>',
  description: 'the result as text, or as one JSON object on stdout (log lines then go to stderr)',
});

/** `--exposures-path` for commands that read what sync wrote. */
const exposuresPathForReading = flag({
  name: 'exposures-path',
  type: 'string',
  value: '<dir>',
  description: 'where sync wrote the YAML (locates the default lineage JSON)',
});

const runResultsFlag = flag({
  name: 'run-results',
  type: 'string',
  value: '<file>',
  description: 'run_results.json. Default: <target-path>/run_results.json',
});

/** `impact` and `lineage` take the same flags. */
const queryFlags: FlagSpec[] = [
  ...commonFlags,
  targetPathFlag,
  manifestFlag,
  lineageFlag,
  exposuresPathForReading,
  ...selectionFlags,
  flag({
    name: 'select-file',
    type: 'string',
    value: '<file>',
    description: 'a file with one selector per line (e.g. the output of dbt ls)',
  }),
  flag({
    name: 'run-results',
    type: 'string',
    value: '<file>',
    description: 'select the nodes this run_results.json rebuilt (status success)',
  }),
  flag({
    name: 'format',
    type: 'string',
    value: '<text|markdown|mermaid|json>',
    description: 'output format. Default: text',
  }),
  flag({
    name: 'out',
    type: 'string',
    value: '<file>',
    description: 'write to this file instead of stdout',
  }),
  outputFlag,
];

/** The commands, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sync',
    summary: 'Tableau workbooks → dbt exposures YAML and the lineage JSON',
    usage: 'dbt-auto-exposures sync [options]',
    description:
      'Lists the workbooks (from Tableau, or a snapshot file), matches their tables onto the dbt ' +
      'manifest, and writes the exposures YAML into the dbt project and the lineage JSON that ' +
      '`refresh` reads. Prints what was added, removed and changed since the last sync, every ' +
      'table that matched nothing with the reason, and a count per reason. With --select/--exclude ' +
      'only the selected exposures are updated; the others stay as the last sync wrote them. ' +
      'Files are written atomically; a failed or partial listing never removes exposures; a name ' +
      'a hand-written exposure already uses fails before anything is written.',
    flags: [
      ...commonFlags,
      targetPathFlag,
      manifestFlag,
      ...tableauFlags,
      ...workbookFlags,
      ...selectionFlags,
      flag({
        name: 'snapshot',
        type: 'string',
        value: '<file>',
        description: 'read workbooks from this file (see `snapshot`) instead of Tableau',
      }),
      flag({
        name: 'exposures-path',
        type: 'string',
        value: '<dir>',
        description: 'where the YAML goes, in the dbt project. Default: models/exposures',
      }),
      flag({
        name: 'group-by',
        type: 'string',
        value: '<none|project>',
        description: 'one YAML file, or one per Tableau project. Default: none',
      }),
      lineageFlag,
      flag({
        name: 'inject-manifest',
        type: 'boolean',
        description: 'also add the exposures to manifest.json (for dbt docs), in place',
      }),
      flag({
        name: 'inject-manifest-to',
        type: 'string',
        value: '<file>',
        description: 'write the manifest with exposures here instead of in place',
      }),
      flag({
        name: 'allow-empty',
        type: 'boolean',
        description: 'allow a sync that removes every exposure of the previous sync',
      }),
      flag({
        name: 'check',
        type: 'boolean',
        description: 'write nothing; exit 1 when the outputs would change (for CI)',
      }),
      flag({
        name: 'warn-error',
        type: 'boolean',
        description:
          "as dbt's: exit 1 on new unmatched tables and every other warning (after writing)",
        env: 'DBT_WARN_ERROR',
      }),
      flag({
        name: 'skip-name-check',
        type: 'boolean',
        description:
          'do not scan the project for hand-written exposures using the names about to be written',
      }),
      flag({
        name: 'lock-timeout',
        type: 'string',
        value: '<seconds>',
        description:
          'how long to wait for another sync writing the same outputs, then fail. Default: 60',
      }),
      outputFlag,
    ],
    examples: [
      'TABLEAU_TOKEN_SECRET=… dbt-auto-exposures sync --server-url 10az.online.tableau.com \\\n' +
        '    --site-name acme --token-name dbt-sync --project Finance',
      'dbt-auto-exposures sync --snapshot tableau-snapshot.json --project-dir analytics/',
      'dbt-auto-exposures sync --warn-error --log-format json',
      'dbt-auto-exposures sync -s "orders+" --exclude exposure:legacy_kpis',
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
      'DBT_ACTIVE_EXPOSURES=1 (or --enable), as in dbt Cloud. --select/--exclude restrict the ' +
      "exposures considered (as dbt: `orders+` or `exposure:sales`). With --follow, reads dbt's " +
      'JSON log while dbt runs and refreshes each exposure as soon as its upstream is done. ' +
      'Prints each line of a dbt-like log as it happens and writes the report next to ' +
      'run_results.json. A refresh not waited on is TRIGGERED. Exit 1 when a refresh (or a ' +
      'waited job) failed.',
    flags: [
      ...commonFlags,
      targetPathFlag,
      manifestFlag,
      ...tableauFlags,
      ...selectionFlags,
      lineageFlag,
      exposuresPathForReading,
      runResultsFlag,
      flag({
        name: 'follow',
        type: 'string',
        value: '<file|->',
        description:
          "follow dbt's JSON log while dbt writes it (- for stdin) and refresh as nodes finish",
      }),
      flag({
        name: 'from-log',
        type: 'string',
        value: '<file>',
        description: "decide from dbt's JSON log instead of run_results.json (a killed run)",
      }),
      flag({
        name: 'report',
        type: 'string',
        value: '<file>',
        description: 'report file. Default: <target-path>/active_exposures.json',
      }),
      flag({
        name: 'enable',
        type: 'boolean',
        description: 'enable refreshes (same as DBT_ACTIVE_EXPOSURES=1)',
        env: 'DBT_ACTIVE_EXPOSURES',
        envReadAsIs: true,
      }),
      flag({
        name: 'build-after',
        type: 'string',
        value: '<minutes>',
        description: 'minimum minutes between refreshes. Default 1440',
        env: 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER',
        envReadAsIs: true,
      }),
      flag({
        name: 'dry-run',
        type: 'boolean',
        description: 'decide and print, change nothing in Tableau',
      }),
      flag({ name: 'wait', type: 'boolean', description: 'wait for the refresh jobs to finish' }),
      flag({
        name: 'wait-timeout',
        type: 'string',
        value: '<seconds>',
        description: 'how long --wait waits in all (one deadline for every job). Default 1800',
      }),
      flag({
        name: 'concurrency',
        type: 'string',
        value: '<n>',
        description: 'parallel refresh calls, 1 to 64. Default 2',
      }),
    ],
    examples: [
      'dbt build && DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh',
      'dbt-auto-exposures refresh --enable --build-after 60 --wait --wait-timeout 900',
      'dbt-auto-exposures refresh --enable --dry-run --debug -s "tag:finance+"',
      'dbt-auto-exposures refresh --enable --log-format json >> logs/dbt.log',
      'dbt build --log-format json | DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh --follow -',
      'dbt-auto-exposures refresh --enable --from-log logs/dbt.log',
    ],
  },
  {
    name: 'impact',
    summary: 'which dashboards depend on given dbt nodes (for a pull request)',
    usage:
      'dbt-auto-exposures impact (-s <selector> | --select-file <file> | --run-results <file>)',
    description:
      'Lists the exposures downstream of the selected nodes (directly, or through any node in ' +
      'between, using the manifest). Selectors as dbt writes them: orders, customers.v2, ' +
      'source:jaffle_raw.payments, tag:finance, path:models/marts, exposure:sales_overview, ' +
      '+orders, orders+, "orders customers" (union), "tag:finance,path:models/marts" ' +
      '(intersection); or the rebuilt nodes of a run_results.json; or a file with one selector ' +
      'per line (e.g. the output of `dbt ls -s state:modified`). A name that matches nothing is ' +
      'an error (exit 2) with the closest names.',
    flags: queryFlags,
    examples: [
      'dbt-auto-exposures impact -s orders customers',
      'dbt ls -s state:modified --output name > changed.txt && \\\n' +
        '    dbt-auto-exposures impact --select-file changed.txt --format markdown',
      'dbt-auto-exposures impact --run-results target/run_results.json --format mermaid',
    ],
  },
  {
    name: 'lineage',
    summary: 'print the exposure lineage (all dashboards, or those over --select)',
    usage: 'dbt-auto-exposures lineage [-s <selector>] [--format text|markdown|mermaid|json]',
    description:
      'Prints every exposure of the lineage JSON with the dbt nodes it reads; with a selection, ' +
      'the same as `impact`.',
    flags: queryFlags,
    examples: [
      'dbt-auto-exposures lineage --format mermaid --out lineage.mmd',
      'dbt-auto-exposures lineage -s orders --format markdown',
    ],
  },
  {
    name: 'snapshot',
    summary: 'save a Tableau listing to a file, for offline sync and support',
    usage: 'dbt-auto-exposures snapshot --out <file> [options]',
    description:
      'Lists the workbooks (with the same filters as sync) and saves them; `sync --snapshot` reads ' +
      'the file without a Tableau connection. Says how many workbooks the listing left out and ' +
      'why. The file holds no secret.',
    flags: [
      ...commonFlags,
      ...tableauFlags,
      ...workbookFlags,
      flag({
        name: 'out',
        type: 'string',
        value: '<file>',
        description: 'where to write the snapshot (required)',
      }),
      outputFlag,
    ],
    examples: [
      'dbt-auto-exposures snapshot --out tableau-snapshot.json --project Finance',
      'dbt-auto-exposures sync --snapshot tableau-snapshot.json',
    ],
  },
];

/** The command named `name`, if there is one. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
