/**
 * The whole redirect matrix of redirect-matrix.ts: every redirect status on every kind of request
 * to every kind of target (`npm test` runs its covering subset in redirects.test.ts, which also
 * checks the count docs/reliability.md states).
 */
import t from 'tap';
import {
  OPERATIONS,
  REDIRECT_CASES,
  redirectCaseName,
  runRedirectCase,
} from './redirect-matrix.js';

let ran = 0;

for (const op of OPERATIONS) {
  t.test(op.name, async (t) => {
    for (const c of REDIRECT_CASES.filter((x) => x.op === op)) {
      t.test(redirectCaseName(c), async (t) => {
        ran++;
        await runRedirectCase(t, c);
      });
    }
  });
}

t.test('every case of the matrix ran', async (t) => {
  t.equal(ran, REDIRECT_CASES.length);
});
