/**
 * Reading back the `ref(...)` / `source(...)` strings of a lineage dependency (the manifest wants
 * them as structured `refs` / `sources`), and comparing dbt versions (the YAML and manifest shapes
 * change with them).
 */

/** A parsed `ref('pkg', 'name', v=2)`. */
export interface ParsedRef {
  kind: 'ref';
  name: string;
  package: string | null;
  version: string | number | null;
}

/** A parsed `source('src', 'table')`. */
export interface ParsedSource {
  kind: 'source';
  sourceName: string;
  tableName: string;
}

/** One Jinja literal argument: a quoted string, a number, or a `key=value` keyword. */
interface Argument {
  keyword: string | null;
  value: string | number;
}

const CALL = /^\s*(ref|source)\s*\(([\s\S]*)\)\s*$/;

/**
 * Parse a dependency string as rendered by the matcher. Returns null for anything else (a
 * `metric(...)`, or text that is not a call), so callers can say which entry they could not read.
 */
export function parseDependencyRef(text: string): ParsedRef | ParsedSource | null {
  const call = CALL.exec(text);
  if (!call) return null;
  const args = parseArguments(call[2] as string);
  if (args === null) return null;
  const positional = args.filter((a) => a.keyword === null).map((a) => a.value);
  if (positional.some((v) => typeof v !== 'string')) return null;
  const strings = positional as string[];
  if (call[1] === 'source') {
    if (strings.length !== 2 || args.length !== 2) return null;
    return { kind: 'source', sourceName: strings[0] as string, tableName: strings[1] as string };
  }
  const keywords = args.filter((a) => a.keyword !== null);
  if (keywords.some((a) => a.keyword !== 'v' && a.keyword !== 'version') || keywords.length > 1) {
    return null;
  }
  if (strings.length < 1 || strings.length > 2) return null;
  const version = keywords[0]?.value ?? null;
  return strings.length === 2
    ? { kind: 'ref', package: strings[0] as string, name: strings[1] as string, version }
    : { kind: 'ref', package: null, name: strings[0] as string, version };
}

function parseArguments(text: string): Argument[] | null {
  const args: Argument[] = [];
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i += 1;
  };
  skip();
  if (i === text.length) return args;
  for (;;) {
    skip();
    let keyword: string | null = null;
    const kw = /^([A-Za-z_]\w*)\s*=/.exec(text.slice(i));
    if (kw) {
      keyword = kw[1] as string;
      i += kw[0].length;
      skip();
    }
    const quote = text[i];
    if (quote === "'" || quote === '"') {
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== quote) {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        value += text[i];
        i += 1;
      }
      if (i >= text.length) return null;
      i += 1;
      args.push({ keyword, value });
    } else {
      const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!number) return null;
      args.push({ keyword, value: Number(number[0]) });
      i += number[0].length;
    }
    skip();
    if (i === text.length) return args;
    if (text[i] !== ',') return null;
    i += 1;
  }
}

/** `[major, minor]` of a dbt version string (`1.10.6`, `1.5.0rc1`, `2.0.0-beta.2`), or null. */
export function parseDbtVersion(version: string): [number, number] | null {
  const match = /^\s*v?(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** Whether `version` (already parsed) is at least `major.minor`. */
export function versionAtLeast(
  version: readonly [number, number],
  major: number,
  minor: number,
): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}
