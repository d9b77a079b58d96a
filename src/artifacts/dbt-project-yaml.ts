/**
 * A few top-level values of `dbt_project.yml` (`target-path`, `model-paths`, …) without loading the
 * yaml package, which costs about as much as the rest of a small `refresh` run.
 *
 * This is not a YAML parser: it accepts only a plain subset of block-style YAML — what
 * dbt_project.yml files are written in — and answers `null` for anything else, and the caller then
 * parses the text with the yaml package as before. The subset: spaces for indentation; nested
 * mappings with plain (string) or quoted keys; sequences of scalars (block, or one-line flow `[a, "b"]`); plain
 * scalars of printable ASCII, single-quoted and double-quoted (without escapes) scalars; comments.
 * No tabs, CR, non-ASCII, anchors, tags, block scalars, flow mappings, multi-line scalars,
 * documents markers or directives. Within the subset the answer is exactly what the yaml package
 * gives, or `null` where it would throw (duplicate keys, misaligned entries): a property test
 * (test/artifacts/dbt-project-yaml.test.ts) compares the two on generated documents.
 */

type Value = string | null | string[];

/** A plain key that resolves to a string (not a number, boolean or null) in YAML 1.2's core schema. */
const PLAIN_KEY = /^(?:[A-Za-z_]|\+[A-Za-z_])[A-Za-z0-9_.+/-]*$/;
/** A plain scalar in block context: a safe first character, then no `[]{}"'` and no tab. */
const PLAIN_BLOCK = /^[A-Za-z0-9_./+$(][A-Za-z0-9 _./+$()=<>@%,;:#~?!*&|^`\\-]*$/;
/** A plain scalar inside `[…]`: no `,:#` either. */
const PLAIN_FLOW = /^[A-Za-z0-9_./+$(][A-Za-z0-9 _./+$()=<>@%;~?!*&|^`\\-]*$/;
const NOT_STRINGS = new Set([
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
]);

/** Thrown inside the reader for text outside the subset; never escapes it. */
class OutsideSubset extends Error {}

function outside(): never {
  throw new OutsideSubset();
}

/** True when a plain scalar resolves to a string in the core schema (numbers start [+-]?[.0-9]). */
function isStringPlain(text: string): boolean {
  return !NOT_STRINGS.has(text) && !/^[+-]?[.0-9]/.test(text);
}

/** What may follow a scalar on its line: spaces, then a comment that starts after a space. */
function assertTail(rest: string): void {
  if (rest.trim() === '') return;
  if (/^ +#/.test(rest)) return;
  outside();
}

/**
 * One scalar (`flow`: inside `[…]`, ending before `,` or `]`): its string value (`null` for a plain
 * scalar that is not a string) and where it ends in `text`.
 */
function scalarAt(text: string, flow: boolean): { value: string | null; end: number } {
  const first = text[0];
  if (first === "'") {
    const m = /^'((?:[^']|'')*)'/.exec(text) ?? outside();
    return { value: m[1]!.replaceAll("''", "'"), end: m[0].length };
  }
  if (first === '"') {
    const m = /^"([^"\\]*)"/.exec(text) ?? outside();
    return { value: m[1]!, end: m[0].length };
  }
  let end = text.length;
  if (flow) {
    const stop = text.search(/[,\]]/);
    if (stop >= 0) end = stop;
  } else {
    const comment = text.indexOf(' #');
    if (comment >= 0) end = comment;
  }
  const plain = text.slice(0, end).trimEnd();
  const pattern = flow ? PLAIN_FLOW : PLAIN_BLOCK;
  if (!pattern.test(plain) || plain.includes(': ') || plain.endsWith(':')) outside();
  return { value: isStringPlain(plain) ? plain : null, end };
}

/** A one-line flow sequence `[…]` of scalars: the values (null for a non-string plain item). */
function flowSequence(text: string): (string | null)[] {
  const items: (string | null)[] = [];
  let i = 1;
  const skipSpaces = () => {
    while (text[i] === ' ') i += 1;
  };
  skipSpaces();
  while (text[i] !== ']') {
    const { value, end } = scalarAt(text.slice(i), true);
    items.push(value);
    i += end;
    skipSpaces();
    if (text[i] === ',') {
      i += 1;
      skipSpaces();
    } else if (text[i] !== ']') {
      outside();
    }
  }
  assertTail(text.slice(i + 1));
  return items;
}

/** A scalar that is the whole rest of a line (after `key: ` or `- `). */
function lineScalar(text: string): string | null {
  const { value, end } = scalarAt(text, false);
  assertTail(text.slice(end));
  return value;
}

/** The key of a `key: value` line (a plain key that is a string, or a quoted one) and the rest. */
function keyOf(content: string): { key: string; rest: string } {
  let key: string;
  let end: number;
  if (content[0] === '"' || content[0] === "'") {
    ({ value: key, end } = scalarAt(content, false) as { value: string; end: number });
  } else {
    end = content.indexOf(':');
    if (end < 0) outside();
    key = content.slice(0, end);
    if (!PLAIN_KEY.test(key) || NOT_STRINGS.has(key)) outside();
  }
  // YAML limits an implicit key to 1024 characters.
  if (end > 1000) outside();
  const colon = /^:(?: +|$)/.exec(content.slice(end)) ?? outside();
  return { key, rest: content.slice(end + colon[0].length) };
}

interface Container {
  indent: number;
  kind: 'map' | 'seq';
  keys: Set<string>;
  /** The requested top-level key this sequence belongs to, collecting its items. */
  collect: string[] | null;
}

/**
 * The values of `keys` at the top level of `text` (a key absent from the document is absent from
 * the result), as the yaml package reads them — or `null` when `text` is outside the subset
 * described above, or a requested value is anything but a string, an empty value (null) or a
 * sequence of strings. Never throws.
 */
export function readTopLevelKeys(
  text: string,
  keys: readonly string[],
): Record<string, Value> | null {
  try {
    return read(text, new Set(keys));
  } catch {
    // OutsideSubset, or anything unexpected: either way the yaml package decides.
    return null;
  }
}

function read(text: string, wanted: ReadonlySet<string>): Record<string, Value> {
  if (/[^\n\x20-\x7e]/.test(text)) outside();
  const result: Record<string, Value> = {};
  const stack: Container[] = [];
  // A key with an empty value: the next line may open its block (a mapping or a sequence).
  let pending: { indent: number; key: string; top: boolean } | null = null;

  for (const line of text.split('\n')) {
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const indent = line.length - content.length;
    const isItem = content.startsWith('- ');

    if (pending !== null) {
      if (indent > pending.indent || (indent === pending.indent && isItem)) {
        // A requested key's block must be a sequence of strings (a mapping is left to yaml).
        const requested = pending.top && wanted.has(pending.key);
        if (requested && !isItem) outside();
        const collect = requested ? [] : null;
        if (requested) result[pending.key] = collect as string[];
        stack.push({ indent, kind: isItem ? 'seq' : 'map', keys: new Set(), collect });
      }
      pending = null;
    } else if (stack.length === 0) {
      if (indent !== 0 || isItem) outside();
      stack.push({ indent: 0, kind: 'map', keys: new Set(), collect: null });
    }

    // Close the blocks this line is outside of (a compact sequence closes at its parent's key).
    let top = stack[stack.length - 1]!;
    while (top.indent > indent || (top.indent === indent && top.kind === 'seq' && !isItem)) {
      stack.pop();
      top = stack[stack.length - 1] ?? outside();
    }
    if (top.indent !== indent) outside();

    if (isItem) {
      if (top.kind !== 'seq') outside();
      const value = lineScalar(content.slice(2).trimStart());
      if (top.collect !== null) {
        if (value === null) outside();
        top.collect.push(value);
      }
      continue;
    }
    if (top.kind !== 'map') outside();
    const { key, rest } = keyOf(content);
    if (top.keys.has(key)) outside(); // yaml: "Map keys must be unique"
    top.keys.add(key);
    const isTop = stack.length === 1;
    if (rest === '' || rest.startsWith('#')) {
      pending = { indent, key, top: isTop };
      if (isTop && wanted.has(key)) result[key] = null;
      continue;
    }
    const value: Value | (string | null)[] = rest.startsWith('[')
      ? flowSequence(rest)
      : lineScalar(rest);
    if (isTop && wanted.has(key)) {
      if (value === null) outside();
      if (Array.isArray(value) && value.some((v) => v === null)) outside();
      result[key] = value as Value;
    }
  }
  return result;
}
