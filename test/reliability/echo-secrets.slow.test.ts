/**
 * The whole echo matrix of echo-matrix.ts: every error shape echoing secrets on every route it
 * applies to (`npm test` runs its covering subset in echo-secrets.test.ts, which also checks the
 * count docs/reliability.md states).
 */
import t from 'tap';
import { ECHO_MATRIX, echoCaseName, runEchoCase } from './echo-matrix.js';

let ran = 0;

for (const c of ECHO_MATRIX) {
  t.test(echoCaseName(c), async (t) => {
    ran++;
    await runEchoCase(t, c);
  });
}

t.test('every case of the matrix ran', async (t) => {
  t.equal(ran, ECHO_MATRIX.length);
});
