/**
 * Help texts, rendered from the flag declarations so they never drift from what is parsed.
 */
import { COMMANDS, type CommandSpec } from './specs.js';

const WIDTH = 100;

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

/** `dbt-auto-exposures --help`. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `dbt-auto-exposures — Tableau workbooks as dbt exposures, and extract refreshes after dbt builds

Usage: dbt-auto-exposures <command> [options]

Commands:
${commands}

Options:
  -h, --help     show help (also: dbt-auto-exposures <command> --help)
  -v, --version  print the version

Settings come from flags, then environment variables, then a config file
(dbt-auto-exposures.config.json or .yml next to dbt_project.yml).

Exit codes: 0 done, 1 something failed (a refresh error, an incomplete sync, Tableau unreachable),
2 bad usage or configuration.

Examples:
  dbt-auto-exposures sync
  DBT_ACTIVE_EXPOSURES=1 dbt-auto-exposures refresh
  dbt-auto-exposures impact --select orders --format markdown

Docs: the docs/ folder of the package (node_modules/dbt-auto-exposures/docs), starting with cli.md
`;
}

/** `dbt-auto-exposures <command> --help`. */
export function commandHelp(command: CommandSpec): string {
  const labels = command.flags.map((f) => {
    const short = f.short === undefined ? '    ' : `-${f.short}, `;
    return `${short}--${f.name}${f.value === undefined ? '' : ` ${f.value}`}`;
  });
  const width = Math.max(...labels.map((l) => l.length));
  const flags = command.flags
    .map((f, i) => {
      const label = `  ${labels[i]!.padEnd(width)}  `;
      const text = wrap(f.description, ' '.repeat(label.length)).trimStart();
      return label + text;
    })
    .join('\n');
  const examples = command.examples.map((e) => `  ${e}`).join('\n');
  return `dbt-auto-exposures ${command.name} — ${command.summary}

Usage: ${command.usage}

${wrap(command.description, '')}

Options:
${flags}

Examples:
${examples}
`;
}

/** A Markdown cell: `|` escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

/**
 * The flag table of `command` for docs/cli.md: every flag with its variable. docs/cli.md holds
 * it between `<!-- flags:<command> -->` and `<!-- /flags -->`; `npm run docs:cli` writes it and
 * a test fails when the file differs, so the docs cannot drift from the parser.
 */
export function flagTable(command: CommandSpec): string {
  const rows = command.flags.map((f) => {
    const short = f.short === undefined ? '' : `\`-${f.short}\`, `;
    const flag = `${short}\`--${f.name}${f.value === undefined ? '' : ` ${f.value}`}\``;
    const variable = f.env === '' ? '—' : `\`${f.env}\``;
    return `| ${cell(flag)} | ${variable} | ${cell(f.description)} |`;
  });
  return ['| Flag | Variable | |', '|---|---|---|', ...rows].join('\n');
}

/** docs/cli.md's text with every flag table block rewritten from the specs. */
export function withFlagTables(markdown: string): string {
  return markdown.replace(
    /<!-- flags:([a-z]+) -->\n[\s\S]*?<!-- \/flags -->/g,
    (block, name: string) => {
      const command = COMMANDS.find((c) => c.name === name);
      return command === undefined
        ? block
        : `<!-- flags:${name} -->\n${flagTable(command)}\n<!-- /flags -->`;
    },
  );
}
