/**
 * The whole body-size matrix of body-bounds.ts at the default cap (64 MiB): every hostile body
 * through every fetch (`npm test` runs its covering subset at a small cap in bounds.test.ts).
 */
import t from 'tap';
import { TABLEAU_DEFAULTS } from '../../src/tableau/settings.js';
import { BODY_CASES, bodyCaseName, runBodyCase } from './body-bounds.js';

for (const c of BODY_CASES) {
  t.test(bodyCaseName(c, TABLEAU_DEFAULTS.maxResponseBytes), (t) =>
    runBodyCase(t, c, TABLEAU_DEFAULTS.maxResponseBytes),
  );
}
