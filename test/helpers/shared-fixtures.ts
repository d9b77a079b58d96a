/**
 * The recorded fixtures in ../shared/fixtures are present on developer machines and in CI, but not
 * on a bare clone. Tests that need them use `sharedTest`, which runs when they are present and says
 * so (as a skip with a reason) when they are not. Fixtures a test cannot do without are copied into
 * test/fixtures with their attribution instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Repository root. */
export const repoRoot = resolve(here, '..', '..');
/** Fixtures committed in this repository. */
export const repoFixtures = join(repoRoot, 'test', 'fixtures');
/** ../shared/fixtures next to the checkout (may be absent). */
export const sharedFixtures = resolve(repoRoot, '..', 'shared', 'fixtures');
export const hasSharedFixtures = existsSync(sharedFixtures);

export const SHARED_SKIP_REASON = `shared fixtures not present at ${sharedFixtures}: tests over them did not run`;

/** Options for `t.test(name, sharedTestOptions(), fn)`. */
export function sharedTestOptions(): { skip: string | false } {
  return { skip: hasSharedFixtures ? false : SHARED_SKIP_REASON };
}
