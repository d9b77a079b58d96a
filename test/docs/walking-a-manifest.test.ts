/**
 * The code of docs/api.md's "Walking a Manifest" section, typechecked against the public API and
 * run on examples/jaffle-tableau (its `console.log` output captured), so the examples keep
 * compiling and working.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import * as api from '../../src/index.js';
import { repoRoot } from '../helpers/shared-fixtures.js';

const doc = await readFile(join(repoRoot, 'docs', 'api.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Walking a Manifest'));
const code = [...section.slice(0, section.indexOf('\n## ')).matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .join('\n');
const imports = /^import \{([^}]*)\} from 'dbt-auto-exposures';\n/m;
const imported = (imports.exec(code)?.[1] ?? '').split(',').map((name) => name.trim());

t.test('the section has code importing from the package', async (t) => {
  t.match(code, 'manifest.nodes');
  t.same(imported, ['loadManifest']);
});

t.test('the examples typecheck against the public API', async (t) => {
  const file = join(repoRoot, 'test', 'docs', 'walking-a-manifest.example.ts');
  const source = code.replace("from 'dbt-auto-exposures'", "from '../../src/index.js'");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : readSource(name, language, ...rest);
  host.fileExists = (
    (exists) => (name: string) =>
      name === file || exists(name)
  )(host.fileExists);
  const program = ts.createProgram([file], options, host);
  // The example's own diagnostics only: src/ is typechecked by `npm run typecheck`, and checking
  // every file the example reaches cost seconds here.
  const example = program.getSourceFile(file);
  if (example === undefined) throw new Error(`${file} is not in the program`);
  const problems = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(example),
    ...program.getSemanticDiagnostics(example),
  ].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  t.same(problems, [], 'type errors in the examples');
});

t.test('the examples run on a real manifest', async (t) => {
  const body = ts.transpileModule(code.replace(imports, ''), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const lines: string[] = [];
  const console = { log: (...values: unknown[]) => lines.push(JSON.stringify(values)) };
  const project = join(repoRoot, 'examples', 'jaffle-tableau');
  const loadManifest: typeof api.loadManifest = (path, options) =>
    api.loadManifest(join(project, path), options);
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  await new AsyncFunction('console', ...imported, body)(console, loadManifest);
  const manifest = await api.loadManifest(project);
  t.equal(
    lines[0],
    JSON.stringify([manifest.nodes.get('model.jaffle_shop.orders')?.schema, false]),
  );
  t.ok(lines.includes(JSON.stringify([manifest.nodes.size])), 'size printed');
  t.ok(lines.includes('[true]'), 'Object.fromEntries keeps every node');
  t.ok(lines.length > 5, lines.join('\n'));
});
