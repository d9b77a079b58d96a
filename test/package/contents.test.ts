/**
 * What `npm pack` would publish, read from the built dist/ (npm test builds first; in a manual run,
 * `npm run build` before tap): the files, the entry points, the source maps, the runtime
 * dependencies and the docs the types cite. Installing the tarball is test/package/install.slow.test.ts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { describeRun, run } from './helpers.js';

interface PackageJson {
  exports: unknown;
  types: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}

/** Every file path an `exports` value can resolve to. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportTargets);
}

/** The npm package a bare specifier names (`zod/v4` → `zod`, `@scope/a/b` → `@scope/a`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const SPECIFIERS = [
  /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** What a compiled module loads (import, side-effect import, import(), createRequire). */
function specifiers(code: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] as string));
}

function isPackage(specifier: string): boolean {
  return (
    !specifier.startsWith('.') &&
    !specifier.startsWith('node:') &&
    !builtinModules.includes(specifier)
  );
}

if (!existsSync(join(repoRoot, 'dist', 'index.js'))) {
  t.fail('dist/ is missing: run `npm run build` first (npm test does)');
} else {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts'];
  const packed = await run('npm', args, repoRoot);
  t.equal(packed.code, 0, describeRun('npm', args, packed));
  const [listing] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
  const files = listing.files.map((f) => f.path);
  const shipped = (path: string) => files.includes(path.replace(/^\.\//, ''));
  const text = (path: string) => readFile(join(repoRoot, path), 'utf8');

  t.test('the tarball holds dist, docs, README, CHANGELOG and LICENSE, nothing else', async (t) => {
    const topLevel = new Set(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']);
    const strays = files.filter(
      (f) => !topLevel.has(f) && !f.startsWith('dist/') && !f.startsWith('docs/'),
    );
    t.same(strays, [], 'no repository-only files (src, test, examples, bench, scripts)');
    for (const f of topLevel) t.ok(shipped(f), `${f} ships`);
    t.ok(shipped('docs/api.md'), 'the docs ship');
    t.same(
      files.filter((f) => /(^|\/)demo(\.|\/)/.test(f)),
      [],
      'the demo (a repository command that needs examples/) does not ship',
    );
  });

  t.test('every entry point, its types and the bin are in the tarball', async (t) => {
    const targets = [...exportTargets(pkg.exports), pkg.types, ...Object.values(pkg.bin)];
    t.ok(targets.length >= 6, 'exports, types and bin were read');
    for (const target of targets) t.ok(shipped(target), `${target} ships`);
    for (const js of exportTargets(pkg.exports).filter((p) => p.endsWith('.js'))) {
      t.ok(shipped(js.replace(/\.js$/, '.d.ts')), `${js} has its .d.ts`);
    }
  });

  t.test('source maps carry their sources (src/ does not ship)', async (t) => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    t.ok(maps.length > 10, 'maps ship');
    for (const path of maps) {
      const map = JSON.parse(await text(path)) as { sources: string[]; sourcesContent?: unknown };
      const contents = Array.isArray(map.sourcesContent) ? map.sourcesContent : [];
      t.equal(contents.length, map.sources.length, `${path}: one inlined source per source`);
      t.ok(
        contents.every((c) => typeof c === 'string' && c.length > 0),
        `${path}: sources inlined`,
      );
    }
    for (const path of files.filter((f) => f.endsWith('.js'))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await text(path))?.[1];
      if (url !== undefined) t.ok(shipped(join(path, '..', url)), `${path} → ${url} ships`);
    }
  });

  t.test(
    'every package the shipped code imports is a runtime dependency, and only those',
    async (t) => {
      const imported = new Set<string>();
      for (const path of files.filter((f) => f.endsWith('.js'))) {
        for (const s of specifiers(await text(path)).filter(isPackage))
          imported.add(packageName(s));
      }
      t.ok(imported.has('graphql'), 'the testing entry point imports graphql');
      t.same([...imported].sort(), Object.keys(pkg.dependencies).sort());
    },
  );

  t.test('every module the shipped code imports ships (the demo is not reachable)', async (t) => {
    for (const path of files.filter((f) => f.endsWith('.js'))) {
      for (const s of specifiers(await text(path)).filter((s) => s.startsWith('.'))) {
        t.ok(shipped(posix.join(posix.dirname(path), s)), `${path} imports ${s}, which ships`);
      }
    }
  });

  t.test('the types and code cite only files that ship', async (t) => {
    const shippedDocs = files.filter((f) => f.endsWith('.md'));
    for (const path of files.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
      const code = await text(path);
      for (const [cited] of code.matchAll(/[\w./-]+\.md\b/g)) {
        t.ok(
          shippedDocs.includes(cited) || shippedDocs.includes(`docs/${cited}`),
          `${path} cites ${cited}, which ships`,
        );
      }
      if (path.endsWith('.d.ts')) {
        t.notMatch(
          code,
          /\b(src|test|examples|bench|notes|scripts)\/[A-Za-z]/,
          `${path}: no repository-only path in the type docs`,
        );
      }
    }
  });
}
