/**
 * Where a JSON document stops being valid. V8's `SyntaxError` usually says `at position N`
 * (a UTF-16 index); when it does not (`Unexpected token 'x', "…" is not valid JSON`, `Unexpected
 * end of JSON input`), a small validating scanner finds the index. Only used after `JSON.parse`
 * has failed, so it costs nothing on the happy path.
 */

/** A position in a text: 0-based index and byte offset, 1-based line and column. */
export interface TextPosition {
  /** UTF-16 index into the decoded text. */
  index: number;
  /** UTF-8 byte offset into the text (what a hex editor shows). */
  byteOffset: number;
  line: number;
  column: number;
}

const POSITION = /at position (\d+)/;

/** The index at which `JSON.parse(text)` failed, from its message or by scanning. */
export function jsonErrorIndex(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : '';
  const match = POSITION.exec(message);
  if (match) return Math.min(Number(match[1]), text.length);
  const scanned = scanJson(text);
  return scanned < 0 ? text.length : scanned;
}

/** Line (1-based), column (1-based) and byte offset of a UTF-16 index. */
export function textPosition(text: string, index: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) {
    line += 1;
    lineStart = nl + 1;
  }
  return {
    index,
    byteOffset: Buffer.byteLength(text.slice(0, index), 'utf8'),
    line,
    column: index - lineStart + 1,
  };
}

type State = 'value' | 'key' | 'after';

/**
 * Validate JSON without building it. Returns the index of the first offending character
 * (`text.length` when the text ends too early), or -1 when the text is valid JSON.
 */
export function scanJson(text: string): number {
  const stack: string[] = [];
  let i = skipWhitespace(text, 0);
  let state: State = 'value';
  for (;;) {
    if (state === 'key') {
      if (text[i] !== '"') return i;
      i = scanString(text, i);
      if (i < 0) return -i - 1;
      i = skipWhitespace(text, i);
      if (text[i] !== ':') return i;
      i = skipWhitespace(text, i + 1);
      state = 'value';
      continue;
    }
    if (state === 'after') {
      i = skipWhitespace(text, i);
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? i : -1;
      const ch = text[i];
      if (ch === ',') {
        i = skipWhitespace(text, i + 1);
        state = top === '{' ? 'key' : 'value';
      } else if (ch === (top === '{' ? '}' : ']')) {
        stack.pop();
        i += 1;
      } else {
        return i;
      }
      continue;
    }
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      stack.push(ch);
      i = skipWhitespace(text, i + 1);
      if (text[i] === (ch === '{' ? '}' : ']')) {
        stack.pop();
        i += 1;
        state = 'after';
      } else {
        state = ch === '{' ? 'key' : 'value';
      }
      continue;
    }
    const end =
      ch === '"'
        ? scanString(text, i)
        : ch === 't' || ch === 'f' || ch === 'n'
          ? scanLiteral(text, i)
          : scanNumber(text, i);
    if (end < 0) return -end - 1;
    i = end;
    state = 'after';
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    // space, tab, line feed, carriage return
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i += 1;
    else return i;
  }
}

/** End index of the string starting at `from`, or `-(errorIndex + 1)`. */
function scanString(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -(i + 1);
    if (c === 0x5c) {
      const esc = text[i + 1];
      if (esc === undefined) return -(text.length + 1);
      if (esc === 'u') {
        for (let k = 2; k < 6; k += 1) {
          const h = text[i + k];
          if (h === undefined) return -(text.length + 1);
          if (!/[0-9a-fA-F]/.test(h)) return -(i + k + 1);
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(esc)) return -(i + 2);
      i += 2;
      continue;
    }
    i += 1;
  }
  return -(text.length + 1);
}

function scanLiteral(text: string, from: number): number {
  const ch = text[from];
  const word = ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null';
  for (let k = 0; k < word.length; k += 1) {
    if (text[from + k] !== word[k]) return -(Math.min(from + k, text.length) + 1);
  }
  return from + word.length;
}

function scanNumber(text: string, from: number): number {
  let i = from;
  const digits = (): number => {
    const start = i;
    while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i += 1;
    return i - start;
  };
  if (text[i] === '-') i += 1;
  if (text[i] === '0') i += 1;
  else if (digits() === 0) return -(i + 1);
  if (text[i] === '.') {
    i += 1;
    if (digits() === 0) return -(i + 1);
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i += 1;
    if (text[i] === '+' || text[i] === '-') i += 1;
    if (digits() === 0) return -(i + 1);
  }
  return i;
}
