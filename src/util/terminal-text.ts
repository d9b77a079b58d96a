/**
 * Names typed by any Tableau user reach terminals, CI logs and pull request comments. Text meant
 * for them must not carry characters that move the cursor, rewrite earlier output, forge a line or
 * reorder what is shown: control characters (C0, DEL, C1: ESC sequences, BEL, NUL, CR, LF) and
 * the bidirectional overrides and isolates. Data formats (YAML, the JSON files) keep the exact
 * text: their serialisers escape what they must.
 */

/** Line breaks and tabs, shown as a space so the words around them stay apart. */
const SPACING = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Other C0 controls, DEL, C1 controls, and the bidi marks, embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` as one plain line for a terminal: line breaks and tabs become a space; other control
 * characters and bidi controls are removed.
 */
export function plainText(text: string): string {
  return text.replace(SPACING, ' ').replace(HIDDEN, '');
}

/** Characters JSON.stringify leaves raw that a terminal may act on (DEL, C1, bidi, U+2028/9). */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/**
 * One line of JSON for a terminal or a log: `JSON.stringify(value)` with the characters above
 * written as `\uXXXX` escapes, so the line parses to exactly the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    RAW_IN_JSON,
    (ch) => `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
