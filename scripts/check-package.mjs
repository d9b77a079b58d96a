// `npm run lint:package`: publint and Are the Types Wrong on the tarball `npm pack` makes of the
// built dist/ (npm test builds first). Packed once with --ignore-scripts, so the prepack build does
// not run a second time; both tools read the tarball from disk and need no network.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!existsSync('dist/index.js')) {
  console.error('dist/ is not built: run `npm run build` first');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'dae-check-package-'));
try {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      encoding: 'utf8',
    }),
  );
  const tarball = join(dir, packed.filename);
  const bin = (name) => join('node_modules', '.bin', name);
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { stdio: 'inherit' });
  // ESM only, on purpose (README, "Install"): the esm-only profile leaves out node10 and
  // CommonJS-importer resolution, which cannot see an ESM-only package's types.
  execFileSync(bin('attw'), [tarball, '--profile', 'esm-only', '--no-emoji', '--no-color'], {
    stdio: 'inherit',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
