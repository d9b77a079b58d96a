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

t.test(
  'an enabled refresh loads the Tableau client without its listing code (picomatch, normalisers)',
  async (t) => {
    // The refresh path: `openTableau` (dist/cli/tableau.js) imports the client module on demand.
    const openTableau = readFileSync(join(repoRoot, 'dist', 'cli', 'tableau.js'), 'utf8');
    const loaded = [...openTableau.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
      (m) => m[1],
    );
    t.same(
      loaded,
      ['../tableau/client.js'],
      'refresh opens Tableau through dist/tableau/client.js',
    );

    const listing = [
      'dist/tableau/client-listing.js',
      'dist/tableau/workbooks.js',
      'dist/tableau/rest-list.js',
      'dist/tableau/normalize.js',
      'dist/tableau/normalize-tables.js',
      'dist/tableau/attach-custom-sql.js',
      'dist/tableau/canonical-workbooks.js',
      'dist/tableau/snapshot.js',
    ];
    const client = staticImports(join(repoRoot, 'dist', 'tableau', 'client.js'));
    const clientFiles = client.files.map((f) => f.slice(repoRoot.length + 1));
    t.notOk(
      client.packages.includes('picomatch'),
      `no picomatch, got ${client.packages.join(', ')}`,
    );
    t.ok(
      client.packages.every((p) => p.startsWith('node:') || p === 'p-retry'),
      `only node: built-ins and p-retry, got ${client.packages.join(', ')}`,
    );
    for (const module of listing) t.notOk(clientFiles.includes(module), `not ${module}`);
    for (const needed of [
      'dist/tableau/session.js',
      'dist/tableau/refresh.js',
      'dist/tableau/normalize-refresh-times.js',
      'dist/tableau/http.js',
    ]) {
      t.ok(clientFiles.includes(needed), `the graph was followed: ${needed}`);
    }

    // The listing module, loaded by the first listWorkbooks call, carries what was left out.
    const lazy = staticImports(join(repoRoot, 'dist', 'tableau', 'client-listing.js'));
    const lazyFiles = lazy.files.map((f) => f.slice(repoRoot.length + 1));
    t.ok(lazy.packages.includes('picomatch'), 'picomatch loads with the listing');
    for (const module of ['dist/tableau/workbooks.js', 'dist/tableau/normalize.js']) {
      t.ok(lazyFiles.includes(module), `the listing loads ${module}`);
    }
    const clientSource = readFileSync(join(repoRoot, 'dist', 'tableau', 'client.js'), 'utf8');
    t.match(
      clientSource,
      /\bimport\(\s*['"]\.\/client-listing\.js['"]\s*\)/,
      'client.js imports it on demand',
    );
  },
);
