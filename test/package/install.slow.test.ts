/**
 * The package as a user gets it: a copy of the repository without dist/ is packed (so `prepack`
 * must build it), the tarball is installed into a throwaway project, and that project's strict
 * TypeScript (consumer/) is typechecked with the pinned TypeScript and with the oldest supported
 * one, then run; CommonJS require() and the installed bin are run too. Dependencies come from the
 * npm cache when it has them (`--prefer-offline`), else from the registry, as for a user.
 */
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { describeRun, run } from './helpers.js';

/** The oldest TypeScript the README promises: zod 4 supports 5.5 on; 5.0 fails on its NoInfer. */
const MIN_TYPESCRIPT = '5.5.4';
/** Generated or installed, never in a fresh clone (.gitignore). */
const NOT_IN_A_CLONE = new Set([
  '.git',
  'node_modules',
  'dist',
  '.tap',
  'coverage',
  'bench/out',
  'examples/demo-output',
]);

const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const typesNode = lock.packages['node_modules/@types/node']?.version as string;

const work = await mkdtemp(join(tmpdir(), 'dae-install-'));
t.teardown(() => rm(work, { recursive: true, force: true }));

async function step(t: Test, cwd: string, command: string, args: string[]) {
  const ran = await run(command, args, cwd);
  t.equal(ran.code, 0, describeRun(command, args, ran));
  return ran;
}

const clone = join(work, 'clone');
const consumer = join(work, 'consumer');
const tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);

t.test('npm pack builds dist/ on a tree without one', async (t) => {
  await cp(repoRoot, clone, {
    recursive: true,
    filter: (source) => !NOT_IN_A_CLONE.has(relative(repoRoot, source)),
  });
  await symlink(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
  await step(t, clone, 'npm', ['pack', '--pack-destination', work]);
  const listed = (await step(t, work, 'tar', ['-tzf', tarball])).stdout.split('\n');
  for (const file of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/testing/index.js',
    'dist/cli/main.js',
  ]) {
    t.ok(listed.includes(`package/${file}`), `${file} was built and packed`);
  }
  t.same(
    listed.filter((f) => f.includes('demo')),
    [],
    'the demo was built but is not packed',
  );
});

t.test('the tarball installs into a fresh project', async (t) => {
  await cp(join(repoRoot, 'test', 'package', 'consumer'), consumer, { recursive: true });
  await step(t, consumer, 'npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    tarball,
    `@types/node@${typesNode}`,
    `typescript@${MIN_TYPESCRIPT}`,
  ]);
  const installed = join(consumer, 'node_modules', pkg.name);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  t.equal(manifest.version, pkg.version);
});

t.test(
  'a strict TypeScript consumer typechecks with the pinned and the oldest TypeScript',
  async (t) => {
    const pinned = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const oldest = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    t.match(
      (await step(t, consumer, process.execPath, [oldest, '--version'])).stdout,
      MIN_TYPESCRIPT,
    );
    await step(t, consumer, process.execPath, [oldest, '-p', '.', '--noEmit']);
    await step(t, consumer, process.execPath, [pinned, '-p', '.']);
  },
);

t.test('the consumer runs against the mock server of dbt-auto-exposures/testing', async (t) => {
  const ran = await step(t, consumer, process.execPath, [join('out', 'index.js')]);
  t.match(ran.stdout, /^listed 3 workbooks: /);
  t.equal(ran.stderr, '');
});

t.test('require() of the package works on this Node (require(esm))', async (t) => {
  const ran = await step(t, consumer, process.execPath, ['require.cjs']);
  t.equal(ran.stdout, 'function function\n');
  t.equal(ran.stderr, '', 'no warning');
});

t.test('the installed bin answers --version and --help', async (t) => {
  const bin = join(consumer, 'node_modules', '.bin', 'dbt-auto-exposures');
  const version = await step(t, consumer, bin, ['--version']);
  t.equal(version.stdout, `${pkg.version}\n`);
  const help = await step(t, consumer, bin, ['--help']);
  t.match(help.stdout, /Usage: dbt-auto-exposures <command> \[options\]/);
  t.notMatch(help.stdout, /demo/, 'no demo command');
});
