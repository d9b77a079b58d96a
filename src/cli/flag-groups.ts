/**
 * The flags several commands share, declared once (`command-specs.ts` assembles them per command).
 * No imports: `--help` must start fast.
 */

/** One flag: what `parseArgs` reads and `--help` prints. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown after the flag in help: `--project <name>`. */
  value?: string;
  description: string;
}

/** Flags of every command. */
export const commonFlags: FlagSpec[] = [
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

/** Where the dbt artifacts are. */
export const artifactFlags: FlagSpec[] = [
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

/** The Tableau connection. */
export const tableauFlags: FlagSpec[] = [
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

/** Which workbooks to list. */
export const filterFlags: FlagSpec[] = [
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

/** Where the lineage JSON is. */
export const lineageFlag: FlagSpec = {
  name: 'lineage',
  type: 'string',
  value: '<file>',
  description: 'lineage JSON. Default: <exposures-path>/tableau_lineage.json',
};

/** JSON lines output. */
export const jsonFlag: FlagSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print JSON lines on stdout instead of text',
};

/** `--exposures-path` for commands that read what sync wrote. */
export const exposuresPathForReading: FlagSpec = {
  name: 'exposures-path',
  type: 'string',
  value: '<dir>',
  description: 'where sync wrote the YAML (locates the default lineage JSON)',
};

/** `impact` and `lineage` take the same flags. */
export const impactFlags: FlagSpec[] = [
  ...commonFlags,
  ...artifactFlags,
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
