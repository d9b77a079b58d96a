/**
 * Every optional property of every public type accepts `undefined`, so a consumer compiled with
 * `exactOptionalPropertyTypes` can pass `apiVersion: process.env.X`. Read with the TypeScript
 * compiler from the two entry points, following every type of src/ they reach.
 */
import t from 'tap';
import { loadApiModel, optionalPropertiesWithoutUndefined } from '../scripts/api-model.mjs';
import { repoRoot } from './helpers/shared-fixtures.js';

/**
 * Kept as `?: T` on purpose, each with its reason. The test fails when one of them accepts
 * `undefined` after all (the list then shrinks).
 */
const EXCEPTIONS: Record<string, string> = {
  // The init the client hands to the `fetch` option, made to be passed on to a real fetch, whose
  // RequestInit takes no `body: undefined` under exactOptionalPropertyTypes.
  'FetchInitLike.body': 'mirrors RequestInit.body',
};

const model = loadApiModel(repoRoot);
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
