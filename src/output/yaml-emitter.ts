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
 * Characters that PyYAML does not accept raw or that some YAML version treats as a line break,
 * and the bidi controls: raw, they make a reviewed file show other text than it holds (escaped,
 * the value is the same). Matched by code point, so a lone surrogate is one too.
 */
const NOT_PRINTABLE =
  '[^\\x20-\\x7e\\xa0-\\ud7ff\\ue000-\\ufffd\\u{10000}-\\u{10ffff}]' +
  '|[\\u2028\\u2029\\ufeff\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]';
/** What a double-quoted scalar escapes. */
const TO_ESCAPE = new RegExp(`["\\\\]|${NOT_PRINTABLE}`, 'gu');
/** What a literal block cannot hold (it holds line breaks and tabs as they are). */
const NOT_IN_BLOCK = new RegExp(`(?![\\n\\t])(?:${NOT_PRINTABLE})`, 'u');

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
};

function escapeCharacter(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0) as number;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** A YAML double-quoted scalar valid in 1.1 and 1.2: every non-printable character escaped. */
export function yamlDoubleQuoted(text: string): string {
  return `"${text.replace(TO_ESCAPE, escapeCharacter)}"`;
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
  return !NOT_IN_BLOCK.test(text);
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
