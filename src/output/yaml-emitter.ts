/**
 * A small YAML emitter for the files dbt reads: block style, two-space indent, lists indented
 * under their key. dbt Core reads YAML with PyYAML (YAML 1.1: `yes`, `on`, `1:20`, `=` are not
 * strings there), dbt Fusion with a YAML 1.2 reader, and both render most values as Jinja. So every
 * string is written plain only when it is boringly safe in both YAML versions, as a literal block
 * when it is multi-line text, and double-quoted with escapes otherwise; user-derived strings are
 * made Jinja-inert (`jinjaSafe`) by the caller before they get here.
 */

/** `{{`, `{%` or `{#`: text Jinja would interpret. */
const JINJA_OPEN = /\{[{%#]/;
/** Jinja's end of a raw block, in any whitespace-control spelling. */
const ENDRAW = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;

/**
 * Make text render to itself under Jinja: wrapped in `{% raw %}…{% endraw %}` when it contains
 * `{{`, `{%` or `{#`. An `{% endraw %}` inside the text is split across two raw blocks (after its
 * `{%`), so removing the `{% raw %}` / `{% endraw %}` markers gives back the original exactly.
 */
export function jinjaSafe(text: string): string {
  if (!JINJA_OPEN.test(text)) return text;
  const pieces: string[] = [];
  let from = 0;
  for (const match of text.matchAll(ENDRAW)) {
    const cut = (match.index ?? 0) + 2; // just after `{%`
    pieces.push(text.slice(from, cut));
    from = cut;
  }
  pieces.push(text.slice(from));
  return pieces.map((p) => `{% raw %}${p}{% endraw %}`).join('');
}

/** Plain in both YAML 1.1 and 1.2 and in Jinja: starts with a letter, no `:`, `#`, quotes… */
const SAFE_PLAIN = /^[A-Za-z][A-Za-z0-9_ .,=@()'/-]*$/;
/**
 * Words SAFE_PLAIN lets through that a YAML reader takes for something else: YAML 1.1 booleans
 * and null, and `e5` (a float to the `yaml` package's YAML 1.1 schema).
 */
const NOT_STRINGS = /^(y|n|yes|no|on|off|true|false|null|e[-+]?\d+)$/i;

/**
 * Characters PyYAML accepts raw and that no YAML version treats as a line break, minus the bidi
 * controls: raw, they make a reviewed file show other text than it holds (escaped, the value is
 * the same).
 */
function isPrintable(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029 && !isBidi(code)) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function isBidi(code: number): boolean {
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** A YAML double-quoted scalar valid in 1.1 and 1.2: every non-printable character escaped. */
export function yamlDoubleQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (isPrintable(code)) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function isPlain(text: string): boolean {
  return SAFE_PLAIN.test(text) && !text.endsWith(' ') && !NOT_STRINGS.test(text);
}

/**
 * Multi-line text that a literal block holds faithfully: printable, not blank, and not ending in
 * a line of spaces or tabs (a block cannot end in whitespace unless its last line has text).
 */
function suitsLiteralBlock(text: string): boolean {
  if (!text.includes('\n') || text.trim() === '' || /\n[\t ]+$/.test(text)) return false;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch !== '\n' && ch !== '\t' && !isPrintable(code)) return false;
  }
  return true;
}

/** Runs of line breaks before more text (not the final run). */
const INNER_BREAKS = /(^|(?<!\n))\n+(?!\n|$)/g;

/**
 * A literal block scalar (`|`) whose lines are indented by `indent`. The header says how line
 * breaks at the end are kept (`-` none, nothing one, `+` all) and, when the text starts with a
 * space, how deep the indentation is.
 */
function literalBlock(text: string, indent: string): string {
  let endStart = text.length;
  while (
    endStart > 0 &&
    (text[endStart - 1] === '\n' || text[endStart - 1] === '\t' || text[endStart - 1] === ' ')
  ) {
    endStart -= 1;
  }
  let end = text.slice(endStart);
  let body = text.slice(0, endStart);
  const firstBreak = end.indexOf('\n');
  const chomp = firstBreak === -1 ? '-' : firstBreak === end.length - 1 ? '' : '+';
  if (end.endsWith('\n')) end = end.slice(0, -1);
  end = end.replace(INNER_BREAKS, `$&${indent}`);
  // Leading blank lines are written as such; a leading space needs an indentation indicator.
  let startsWithSpace = false;
  let startEnd = 0;
  let lastBreak = -1;
  for (; startEnd < body.length; startEnd += 1) {
    const ch = body[startEnd];
    if (ch === ' ') startsWithSpace = true;
    else if (ch === '\n') lastBreak = startEnd;
    else break;
  }
  let start = body.slice(0, lastBreak + 1);
  body = body.slice(start.length);
  start = start.replace(/\n+/g, `$&${indent}`);
  const header = `${startsWithSpace ? '2' : ''}${chomp}`;
  return `|${header}\n${indent}${start}${body.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/**
 * A string value in a block context; `indent` is the indentation of a literal block's lines
 * (two more than the line holding the key or the `-`).
 */
export function yamlString(text: string, indent: string): string {
  if (isPlain(text)) return text;
  if (suitsLiteralBlock(text)) return literalBlock(text, indent);
  return yamlDoubleQuoted(text);
}

/** A mapping key: plain when safe, else double-quoted. */
function yamlKey(key: string): string {
  return isPlain(key) ? key : yamlDoubleQuoted(key);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value that fits on its key's or dash's line: a scalar, or an empty map or list. */
function inlineValue(value: unknown, indent: string): string | null {
  if (typeof value === 'string') return yamlString(value, indent);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : null;
  if (isMap(value)) return Object.values(value).every((v) => v === undefined) ? '{}' : null;
  return yamlString(String(value), indent);
}

/**
 * The lines of a mapping's entries at `indent`, each ending in a line break. Keys are written in
 * the map's own order; entries whose value is `undefined` are left out.
 */
export function yamlMapLines(map: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    out += `${indent}${yamlKey(key)}:${valueAfter(value, indent)}`;
  }
  return out;
}

/** The lines of a list's items at `indent` (the dashes' column), each ending in a line break. */
export function yamlListLines(list: readonly unknown[], indent: string): string {
  let out = '';
  for (const item of list) out += `${indent}-${itemAfter(item, indent)}`;
  return out;
}

/** What follows `key:` on a map entry's line at `indent`: an inline value, or nested lines. */
function valueAfter(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  const inline = inlineValue(value, inner);
  if (inline !== null) return ` ${inline}\n`;
  return Array.isArray(value)
    ? `\n${yamlListLines(value, inner)}`
    : `\n${yamlMapLines(value as Record<string, unknown>, inner)}`;
}

/** What follows `-` on a list item's line at `indent`: nested collections start on that line. */
function itemAfter(item: unknown, indent: string): string {
  const inner = `${indent}  `;
  const inline = inlineValue(item, inner);
  if (inline !== null) return ` ${inline}\n`;
  const lines = Array.isArray(item)
    ? yamlListLines(item, inner)
    : yamlMapLines(item as Record<string, unknown>, inner);
  return ` ${lines.slice(inner.length)}`;
}
