/**
 * `npm run bench -- --quick` runs end to end and prints every benchmark row. It asserts that the
 * benchmarks run and report, never their timings (machines are shared and noisy).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const root = join(import.meta.dirname, '..', '..');

// Compiling the bench and running ~30 child processes takes ~30 s of CPU; on a shared 2-core
// machine under full test-suite load that can stretch past the suite's 120 s per file.
t.setTimeout(300_000);
const require = createRequire(import.meta.url);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A clean node, as `npm run bench` has it: no coverage, no tap loaders (NODE_OPTIONS) in the
    // bench or its children, whose start-up it measures.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => key !== 'NODE_OPTIONS' && key !== 'NODE_V8_COVERAGE' && !key.startsWith('TAP'),
      ),
    );
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Every row the quick mode must print, by id (sizes are the quick ones).
const EXPECTED_IDS = [
  'manifest-load/5MB',
  'matching/200x20',
  'matching/200x20/minimal',
  'listing/300/default',
  'listing/300/page1000',
  'listing/300/page1000-projects4',
  'refresh/50x12/c2',
  'refresh/50x12/c8',
  'cli/version',
  'cli/help',
  'cli/refresh',
];

t.test('npm run bench -- --quick prints every row and writes results', async (t) => {
  const tsc = require.resolve('typescript/bin/tsc');
  const compiled = await run([tsc, '-p', join('bench', 'tsconfig.json')]);
  const runner = join(root, 'bench', 'out', 'bench', 'run.js');
  t.ok(existsSync(runner), `bench compiled (tsc said: ${compiled.stdout.slice(-500)})`);

  const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'results.json');
  const result = await run(['--expose-gc', runner, '--quick', '--out', out]);
  t.equal(result.code, 0, `quick bench exits 0 (stderr: ${result.stderr.slice(-3000)})`);

  const rows = result.stdout.split('\n').filter((line) => line.startsWith('[bench] '));
  t.equal(rows.length, EXPECTED_IDS.length, 'one printed row per benchmark');
  for (const line of rows) {
    t.match(line, /\| library [\d.]+ m?s \[/, 'row shows the library time');
    t.match(line, /\| floor \(.+\) [\d.]+ m?s \[/, 'row shows the floor time');
    t.match(line, /(ratio [\d.]+×|[\d.]+× target ≤)/, 'row shows the ratio');
  }

  const results = JSON.parse(readFileSync(out, 'utf8')) as {
    run: { mode: string; cpus: number; node: string };
    rows: {
      id: string;
      ratio: number;
      library: { median: number; samples: number[] };
      floor: { median: number };
    }[];
  };
  t.equal(results.run.mode, 'quick');
  t.equal(results.run.node, process.version);
  t.same(
    results.rows.map((r) => r.id),
    EXPECTED_IDS,
    'results.json holds every row, in order',
  );
  for (const row of results.rows) {
    t.ok(row.library.samples.length > 0 && row.library.median > 0, `${row.id}: library measured`);
    t.ok(row.floor.median > 0, `${row.id}: floor measured`);
    t.ok(Number.isFinite(row.ratio), `${row.id}: finite ratio`);
  }
  for (const id of EXPECTED_IDS) {
    t.ok(
      rows.some((line) => line.startsWith(`[bench] ${id} | `)),
      `row ${id} printed`,
    );
  }
});
