/**
 * Safe YAML strings for dbt. dbt Core reads YAML with PyYAML (YAML 1.1: `yes`, `on`, `1:20`, `=`
 * are not strings there), dbt Fusion with a YAML 1.2 reader, and both render most values as Jinja.
 * So every user-derived string is (1) made Jinja-inert and (2) written plain only when it is
 * boringly safe in both YAML versions, as a literal block when it is multi-line text, and
 * double-quoted with escapes otherwise.
 */
import { type Document, isScalar, type Scalar, type ScalarTag, type Tags, visit } from 'yaml';

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
/** YAML 1.1 booleans and null spellings that SAFE_PLAIN lets through. */
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;

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

/** Multi-line text that a literal block holds faithfully. */
function suitsLiteralBlock(text: string): boolean {
  if (!text.includes('\n')) return false;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch !== '\n' && ch !== '\t' && !isPrintable(code)) return false;
  }
  return text.trim() !== '';
}

/** The scalar style for a string value. */
export function scalarStyle(text: string): 'PLAIN' | 'BLOCK_LITERAL' | 'QUOTE_DOUBLE' {
  if (SAFE_PLAIN.test(text) && !text.endsWith(' ') && !YAML11_WORDS.test(text)) return 'PLAIN';
  if (suitsLiteralBlock(text)) return 'BLOCK_LITERAL';
  return 'QUOTE_DOUBLE';
}

/** Marks every string scalar of a document with its safe style (see `scalarStyle`). */
export function applySafeStyles(doc: Document): void {
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (isScalar(node) && typeof node.value === 'string') node.type = scalarStyle(node.value);
    },
  });
}

/**
 * The `tag:yaml.org,2002:str` stringifier, replaced so double-quoted strings use
 * `yamlDoubleQuoted` (the yaml package writes some non-printable characters raw, which PyYAML
 * rejects). Other styles go to the package's own stringifier.
 */
export function withSafeDoubleQuotes(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:str' || !tag.stringify)
      return tag;
    const original = tag.stringify;
    const replacement: ScalarTag = {
      ...(tag as ScalarTag),
      stringify(item, ctx, onComment, onChompKeep): string {
        if ((item as Scalar).type === 'QUOTE_DOUBLE' && typeof item.value === 'string') {
          return yamlDoubleQuoted(item.value);
        }
        return original.call(tag, item, ctx, onComment, onChompKeep);
      },
    };
    return replacement;
  });
}
