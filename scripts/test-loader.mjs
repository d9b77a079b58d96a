/**
 * The tap suite's TypeScript loader (tap's `node-arg`, in place of @tapjs/typescript): registers
 * ./test-loader-hooks.mjs, which transpiles each `.ts` module with SWC. tap's own plugin goes
 * through ts-node, which loads the whole TypeScript compiler into every test process (≈ 0.7 s of
 * CPU each; `npm test` 4 min 18 s → 3 min 35 s here, coverage identical: docs/performance.md).
 * Types are checked by `npm run typecheck`, not here.
 */
import { register } from 'node:module';

register('./test-loader-hooks.mjs', import.meta.url);
