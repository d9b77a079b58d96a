/** Where the CLI binary the bench spawns lives. */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';

/** The CLI entry: the built package (`npm run build`), else the bench's own compiled copy. */
export function cliEntry(ctx: BenchContext): string {
  const built = join(ctx.root, 'dist', 'cli', 'main.js');
  if (existsSync(built)) return built;
  // The CLI reads its version from ../../package.json, relative to its own file.
  copyFileSync(join(ctx.root, 'package.json'), join(ctx.root, 'bench', 'out', 'package.json'));
  return join(ctx.root, 'bench', 'out', 'src', 'cli', 'main.js');
}
