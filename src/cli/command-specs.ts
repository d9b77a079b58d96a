/**
 * Every command, declared once: `parseFlags` reads its flags and `--help` prints it. Kept free of
 * heavy imports, because `--help` must start fast.
 */
import {
  artifactFlags,
  commonFlags,
  exposuresPathForReading,
  type FlagSpec,
  filterFlags,
  impactFlags,
  jsonFlag,
  lineageFlag,
  tableauFlags,
} from './flag-groups.js';

/** One command: its help text and its flags. */
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

/** The commands, in the order `--help` lists them. */
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
      'partial listing never removes exposures; a name a hand-written exposure already uses ' +
      '(in the model, seed, snapshot, analysis, macro or test paths) fails before anything is written.',
    flags: [
      ...commonFlags,
      ...artifactFlags,
      ...tableauFlags,
      ...filterFlags,
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
      {
        name: 'skip-name-check',
        type: 'boolean',
        description:
          'do not scan the project for hand-written exposures using the names about to be written',
      },
      {
        name: 'lock-timeout',
        type: 'string',
        value: '<seconds>',
        description:
          'how long to wait for another sync writing the same outputs, then fail. Default: 60',
      },
      jsonFlag,
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
      "DBT_ACTIVE_EXPOSURES=1 (or --enable), as in dbt Cloud. With --follow, reads dbt's JSON log " +
      'while dbt runs and refreshes each exposure as soon as its upstream is done. Prints each ' +
      'line as it happens and writes the report next to run_results.json. A refresh not waited ' +
      'on is TRIGGERED. Exit 1 when a refresh (or a waited job) failed.',
    flags: [
      ...commonFlags,
      ...artifactFlags,
      ...tableauFlags,
      lineageFlag,
      exposuresPathForReading,
      {
        name: 'run-results',
        type: 'string',
        value: '<file>',
        description: 'run_results.json. Default: <target-path>/run_results.json',
      },
      {
        name: 'follow',
        type: 'string',
        value: '<file|->',
        description:
          "follow dbt's JSON log while dbt writes it (- for stdin) and refresh as nodes finish",
      },
      {
        name: 'from-log',
        type: 'string',
        value: '<file>',
        description: "decide from dbt's JSON log instead of run_results.json (a killed run)",
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
        description: 'how long --wait waits in all (one deadline for every job). Default 1800',
      },
      {
        name: 'concurrency',
        type: 'string',
        value: '<n>',
        description: 'parallel refresh calls, 1 to 64. Default 2',
      },
      { name: 'debug', type: 'boolean', description: 'also print the debug entries (evidence)' },
      jsonFlag,
    ],
    examples: [
      'dbt build && DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh',
      'dbt-auto-exposures refresh --enable --build-after 60 --wait --wait-timeout 900',
      'dbt-auto-exposures refresh --enable --dry-run --debug',
      'dbt-auto-exposures refresh --enable --json >> logs/dbt.log',
      'dbt build --log-format json | DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh --follow -',
      'dbt-auto-exposures refresh --enable --from-log logs/dbt.log',
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
      ...commonFlags,
      ...tableauFlags,
      ...filterFlags,
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

/** The command named `name`, if there is one. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
