/**
 * docs/api.md is hand-written; this keeps it complete: every name exported from src/index.ts
 * (values and types) must appear in it as `name`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/shared-fixtures.js';

/** Names exported by `export { … }` / `export type { … }` lists and `export const|function|class`. */
export function exportedNames(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      if (name !== '') names.add(name);
    }
  }
  for (const m of source.matchAll(/export\s+(?:const|function|class|async function)\s+(\w+)/g)) {
    names.add(m[1]!);
  }
  return [...names].sort();
}

t.test('exportedNames reads lists, type lists, aliases and declarations', async (t) => {
  t.same(
    exportedNames(
      "export { a, type B, c as d } from './x.js';\nexport type { E } from './y.js';\nexport const f = 1;",
    ),
    ['B', 'E', 'a', 'd', 'f'],
  );
});

t.test('every public export is documented in docs/api.md', async (t) => {
  const index = await readFile(join(repoRoot, 'src', 'index.ts'), 'utf8');
  const doc = await readFile(join(repoRoot, 'docs', 'api.md'), 'utf8');
  const names = exportedNames(index);
  t.ok(names.length > 50, `found ${names.length} exports`);
  const missing = names.filter((n) => !doc.includes(`\`${n}\``) && !doc.includes(`\`${n}(`));
  t.same(missing, [], 'names exported from src/index.ts but absent from docs/api.md');
});
