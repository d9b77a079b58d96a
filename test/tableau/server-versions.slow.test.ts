/**
 * The whole release matrix of release-matrix.ts: every scenario against every Tableau release
 * the mock simulates (`npm test` runs its covering subset in server-versions.test.ts).
 */
import t from 'tap';
import { RELEASE_CASES, releaseCaseName, runReleaseCase } from './release-matrix.js';

for (const c of RELEASE_CASES) t.test(releaseCaseName(c), (t) => runReleaseCase(t, c));
