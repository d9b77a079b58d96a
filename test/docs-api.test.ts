/**
 * docs/api.md is generated (npm run docs:api): this renders it again in memory and fails with a
 * diff when the file is stale, i.e. an export, a signature, a property or its TSDoc changed
 * without regenerating.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { loadApiModel } from '../scripts/api-model.mjs';
import { renderApiDoc } from '../scripts/render-api-doc.mjs';
import { repoRoot } from './helpers/shared-fixtures.js';

const file = join(repoRoot, 'docs', 'api.md');
const current = await readFile(file, 'utf8');
const model = loadApiModel(repoRoot);

t.test('docs/api.md is what npm run docs:api renders', async (t) => {
  t.equal(current, renderApiDoc(model, current), 'docs/api.md is stale: run npm run docs:api');
});

t.test('every export of both entry points has its own entry', async (t) => {
  for (const entry of model.entries) {
    for (const { name } of entry.exports) t.match(current, `\n### \`${name}\`\n`, name);
  }
});

t.test("maybeRefresh's options show the run settings with their defaults", async (t) => {
  const section = current.slice(current.indexOf('### `MaybeRefreshOptions`'));
  const table = section.slice(0, section.indexOf('\n### '));
  for (const [option, fallback] of [
    ['enabled', '`DBT_ACTIVE_EXPOSURES`'],
    ['buildAfterMinutes', '1440'],
    ['logger', 'none'],
    ['signal', 'none'],
  ] as const) {
    const row = table.split('\n').find((line) => line.startsWith(`| \`${option}?\``));
    t.match(row?.split(' | ')[2], fallback, `${option}: default`);
  }
});

t.test('prose regions are kept, and one without a place is refused', async (t) => {
  const edited = current.replace('<!-- /prose:intro -->', 'An added line.\n<!-- /prose:intro -->');
  t.match(renderApiDoc(model, edited), 'An added line.\n<!-- /prose:intro -->');
  t.throws(
    () => renderApiDoc(model, `${current}<!-- prose:nowhere -->\nx\n<!-- /prose:nowhere -->\n`),
    /prose regions with no place.*nowhere/,
  );
  t.throws(() => renderApiDoc(model, '# API reference\n'), /no <!-- prose:intro --> region/);
});
