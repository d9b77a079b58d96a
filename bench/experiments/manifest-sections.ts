/**
 * Prototype for `bench/proposals/manifest-skip-sections.md`: load a manifest by parsing only the
 * top-level members `parseManifest` reads, never materialising `macros`, `docs` or `selectors`.
 * Falls back to a full `JSON.parse` whenever the scan meets something unexpected, so a broken
 * file still gets the library's usual error. Measured beside the library and the floor by the
 * manifest-load benchmark; not used by the library.
 */
import { readFile } from 'node:fs/promises';
import { type Manifest, parseManifest } from '../library.js';

/** Members `parseManifest` reads (nodes and names); everything else is skipped unparsed. */
export const READ_MEMBERS: ReadonlySet<string> = new Set([
  'metadata',
  'nodes',
  'sources',
  'exposures',
  'parent_map',
  'child_map',
  'disabled',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
  'groups',
  'functions',
]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the closing quote of the string opening at `open`, or -1 if unterminated. */
function skipString(buf: Buffer, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q === -1) return -1;
    let backslashes = 0;
    for (let b = q - 1; buf[b] === BACKSLASH; b -= 1) backslashes += 1;
    i = q + 1;
    if (backslashes % 2 === 0) return i;
  }
}

/**
 * Byte spans `[start, end)` of the values of a JSON object's top-level members, or null when the
 * text is not a plain object this scan understands (the caller then parses it whole). UTF-8
 * continuation bytes never equal `"`, `\`, braces, brackets or commas, so a byte scan is exact.
 */
export function topLevelSpans(buf: Buffer): Map<string, [number, number]> | null {
  const spans = new Map<string, [number, number]>();
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (isSpace(buf[i])) i += 1;
  if (buf[i] !== 0x7b) return null;
  i += 1;
  for (;;) {
    while (isSpace(buf[i])) i += 1;
    if (buf[i] === 0x7d) return spans;
    if (buf[i] !== QUOTE) return null;
    const keyEnd = skipString(buf, i);
    if (keyEnd === -1) return null;
    const key = JSON.parse(buf.toString('utf8', i, keyEnd)) as string;
    i = keyEnd;
    while (isSpace(buf[i])) i += 1;
    if (buf[i] !== 0x3a) return null;
    i += 1;
    while (isSpace(buf[i])) i += 1;
    const start = i;
    let depth = 0;
    for (;;) {
      const c = buf[i];
      if (c === undefined) return null;
      if (c === QUOTE) {
        i = skipString(buf, i);
        if (i === -1) return null;
        if (depth === 0) break;
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth += 1;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break; // end of the top-level object after a scalar
        depth -= 1;
        if (depth === 0) {
          i += 1;
          break;
        }
      } else if (depth === 0 && c === 0x2c) break;
      i += 1;
    }
    if (spans.has(key)) return null; // duplicate keys: let JSON.parse decide
    spans.set(key, [start, i]);
    while (isSpace(buf[i])) i += 1;
    if (buf[i] === 0x2c) i += 1;
    else if (buf[i] !== 0x7d) return null;
  }
}

/** `loadManifest(file)` through the section scan (file paths only, no directory lookup). */
export async function loadManifestSections(file: string): Promise<Manifest> {
  const buf = await readFile(file);
  const spans = topLevelSpans(buf);
  let json: unknown;
  if (spans === null) {
    json = JSON.parse(buf.toString('utf8'));
  } else {
    try {
      const partial: Record<string, unknown> = {};
      for (const [key, [start, end]] of spans) {
        if (READ_MEMBERS.has(key)) partial[key] = JSON.parse(buf.toString('utf8', start, end));
        // Skipped members keep their key with an empty value of the same kind, so a shape check
        // that only asks "is `macros` an object?" still sees one.
        else partial[key] = buf[start] === 0x7b ? {} : buf[start] === 0x5b ? [] : null;
      }
      json = partial;
    } catch {
      json = JSON.parse(buf.toString('utf8'));
    }
  }
  return parseManifest(json, { path: file });
}
