/**
 * Start-up stays fast: the static import graph of the binary (what `--version` and `--help` load)
 * holds only the CLI shell — no zod, yaml, node-fetch, node-sql-parser, and not the library's
 * index. Commands are loaded with dynamic import().
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared-fixtures.js';

/** Every module statically imported from `entry` (relative ones followed, bare ones listed). */
export function staticImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

t.test('the binary statically loads only node built-ins and the CLI shell', async (t) => {
  // Over the built JavaScript (npm test builds first), where the specifiers resolve as written.
  const { files, packages } = staticImports(join(repoRoot, 'dist', 'cli', 'main.js'));
  t.ok(
    packages.every((p) => p.startsWith('node:')),
    `only node: built-ins, got ${packages.join(', ')}`,
  );
  const relativeFiles = files.map((f) => f.slice(repoRoot.length + 1));
  t.notOk(relativeFiles.includes('dist/index.js'), 'not the library index');
  t.notOk(
    relativeFiles.some((f) => f.includes('/commands/')),
    'no command module',
  );
  t.ok(relativeFiles.includes('dist/cli/run.js'), 'the graph was followed');
  t.ok(relativeFiles.includes('dist/errors.js'));
});
