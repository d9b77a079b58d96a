/**
 * The public API as the TypeScript compiler reads it from the two entry points (one model, built
 * once: it is the expensive part): docs/api.md is what `npm run docs:api` renders from it (a diff
 * when the file is stale), and every optional property of every public type accepts `undefined`,
 * so a consumer compiled with `exactOptionalPropertyTypes` can pass `apiVersion: process.env.X`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { loadApiModel, optionalPropertiesWithoutUndefined } from '../scripts/api-model.mjs';
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

/**
 * Kept as `?: T` on purpose, each with its reason. The test fails when one of them accepts
 * `undefined` after all (the list then shrinks).
 */
const EXCEPTIONS: Record<string, string> = {
  // The init the client hands to the `fetch` option, made to be passed on to a real fetch, whose
  // RequestInit takes no `body: undefined` under exactOptionalPropertyTypes.
  'FetchInitLike.body': 'mirrors RequestInit.body',
};

const found = optionalPropertiesWithoutUndefined(model).map((f) => f.name);

t.test('every optional property of the public types accepts undefined', async (t) => {
  t.ok(
    model.entries.every((entry) => entry.exports.length > 10),
    'both entry points were read',
  );
  t.same(
    found.filter((name) => EXCEPTIONS[name] === undefined),
    [],
    'optional properties without `| undefined` (add it to the declared type)',
  );
});

t.test('each exception still is one', async (t) => {
  t.same(
    Object.keys(EXCEPTIONS).filter((name) => !found.includes(name)),
    [],
    'exceptions that now accept undefined: remove them from EXCEPTIONS',
  );
});
