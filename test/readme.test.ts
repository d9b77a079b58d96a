/**
 * Every README code block that claims to run (```ts runnable / ```js runnable) is run here:
 * transpiled, with `dbt-auto-exposures` imports pointed at the built package (dist/, built by
 * `npm test` before tap), executed by node from the repository root. It must exit 0 and print.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import ts from 'typescript';
import { repoRoot } from './helpers/shared-fixtures.js';

/** Fenced blocks whose info string has the word `runnable`, with their language. */
export function runnableBlocks(markdown: string): { lang: string; code: string; line: number }[] {
  const blocks: { lang: string; code: string; line: number }[] = [];
  const re = /^```(\w+)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) {
    if (!/\brunnable\b/.test(m[2]!)) continue;
    blocks.push({
      lang: m[1]!,
      code: m[3]!,
      line: markdown.slice(0, m.index).split('\n').length,
    });
  }
  return blocks;
}

function toRunnableModule(code: string): string {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dist = (p: string) => pathToFileURL(join(repoRoot, 'dist', p)).href;
  return js
    .replace(/from ['"]dbt-auto-exposures\/testing['"]/g, `from '${dist('testing/index.js')}'`)
    .replace(/from ['"]dbt-auto-exposures['"]/g, `from '${dist('index.js')}'`);
}

const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
const blocks = runnableBlocks(readme);

t.test('the extractor finds runnable blocks only', async (t) => {
  const sample = '```ts runnable\na\n```\n\n```ts\nb\n```\n```js runnable\nc\n```\n';
  t.same(runnableBlocks(sample), [
    { lang: 'ts', code: 'a\n', line: 1 },
    { lang: 'js', code: 'c\n', line: 8 },
  ]);
  t.ok(blocks.length >= 1, 'the README has runnable blocks');
});

for (const block of blocks) {
  t.test(`README block at line ${block.line} (${block.lang}) runs`, async (t) => {
    t.ok(existsSync(join(repoRoot, 'dist', 'index.js')), 'dist/ is built (npm test builds first)');
    const dir = await mkdtemp(join(tmpdir(), 'dae-readme-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, `block-${block.line}.mjs`);
    await writeFile(file, toRunnableModule(block.code));
    const result = spawnSync(process.execPath, [file], { cwd: repoRoot, encoding: 'utf8' });
    t.equal(result.status, 0, result.stderr);
    t.not(result.stdout.trim(), '', 'it prints something');
  });
}
