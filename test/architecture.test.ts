// The folders of src/ depend downward only (docs/architecture.md). Each module's imports, static
// and dynamic, are read from its source and checked against the layer table below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/shared-fixtures.js';

const src = join(repoRoot, 'src');

/** The part of src/ a module belongs to: a top-level folder, or `errors` / `index`. */
function partOf(file: string): string {
  const [first] = relative(src, file).split('/');
  return (first ?? '').replace(/\.ts$/, '');
}

/**
 * What each part may import besides itself. `types` lists parts allowed for `import type` only.
 * The CLI stands on the public API (`index`; the error classes are part of it); `util` holds
 * helpers with no domain knowledge. The testing kit implements active's `Refresher` contract.
 */
const LAYERS: Record<string, { values: string[]; types?: string[] }> = {
  errors: { values: [] },
  util: { values: ['errors'] },
  log: { values: ['errors', 'util'] },
  artifacts: { values: ['errors', 'util', 'log'] },
  tableau: { values: ['errors', 'util', 'log'] },
  lineage: { values: ['errors', 'util', 'log', 'artifacts'], types: ['tableau'] },
  output: { values: ['errors', 'util', 'log', 'artifacts', 'lineage'], types: ['tableau'] },
  active: { values: ['errors', 'util', 'log', 'artifacts', 'lineage'] },
  testing: { values: ['errors', 'util', 'log', 'active'] },
  index: {
    values: ['errors', 'util', 'log', 'artifacts', 'tableau', 'lineage', 'output', 'active'],
  },
  // The CLI stands on the public API only (and util's helpers without domain knowledge).
  cli: { values: ['index', 'util'] },
  demo: { values: ['index', 'testing', 'cli', 'util'] },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Relative imports and re-exports of a module (`import … from`, `export … from`, `import()`). */
function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'(\.[^']+)'/gms;
  for (const m of text.matchAll(statement)) {
    found.push({ specifier: m[3] as string, typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
    found.push({ specifier: m[1] as string, typeOnly: false });
  }
  return found;
}

const files = sourceFiles(src);

t.test('every part of src/ has a place in the layer table', async (t) => {
  const parts = [...new Set(files.map(partOf))].sort();
  for (const part of parts) t.ok(LAYERS[part], `${part} is in the layer table`);
});

t.test('parts import only the parts below them', async (t) => {
  const violations: string[] = [];
  let checked = 0;
  for (const file of files) {
    const from = partOf(file);
    const layer = LAYERS[from];
    if (layer === undefined) continue;
    for (const { specifier, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      checked++;
      const target = partOf(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (target === from || layer.values.includes(target)) continue;
      if (typeOnly && layer.types?.includes(target)) continue;
      violations.push(`${relative(repoRoot, file)} → ${specifier} (${from} → ${target})`);
    }
  }
  t.ok(checked > 100, `imports were read (${checked})`);
  t.same(violations, [], 'no import goes up or sideways');
});

t.test('the import reader sees every form it must check', async (t) => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "export { c } from './c.js';",
    "export type { D } from './d.js';",
    'import {\n  e,\n  f,\n} from "x";',
    "import {\n  g,\n} from '../g.js';",
    "const h = await import('./h.js');",
    "import { i } from 'node:fs';",
  ].join('\n');
  t.same(importsOf(text), [
    { specifier: './a.js', typeOnly: false },
    { specifier: '../b.js', typeOnly: true },
    { specifier: './c.js', typeOnly: false },
    { specifier: './d.js', typeOnly: true },
    { specifier: '../g.js', typeOnly: false },
    { specifier: './h.js', typeOnly: false },
  ]);
});
