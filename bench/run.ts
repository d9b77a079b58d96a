/**
 * `npm run bench [-- --quick] [--only id,id] [--out file]`: runs every benchmark, prints one row
 * per benchmark (lines starting `[bench] `), and writes `bench/results.json` (or `--out`).
 * `--quick` uses small inputs (under a minute); the full run uses the sizes of issues 7 and 15.
 * Progress notes go to stderr. Exit code 1 if a case crashed (its error is printed).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, benchPaths } from './context.js';
import { formatRow, type Row, writeResults } from './harness.js';

interface Case {
  id: string;
  run(ctx: BenchContext): Promise<void>;
  /**
   * Left out of a plain `--quick` run, whose rows test/bench/quick.slow.test.ts pins; `--quick --only
   * <id>` still runs it. Drop it once that test lists the case's quick row.
   */
  quickOnRequest?: true;
}

const CASES: Case[] = [
  { id: 'manifest-load', run: async (ctx) => (await import('./cases/manifest-load.js')).run(ctx) },
  { id: 'matching', run: async (ctx) => (await import('./cases/matching.js')).run(ctx) },
  { id: 'listing', run: async (ctx) => (await import('./cases/listing.js')).run(ctx) },
  { id: 'refresh', run: async (ctx) => (await import('./cases/refresh.js')).run(ctx) },
  { id: 'cli', run: async (ctx) => (await import('./cases/cli.js')).run(ctx) },
  {
    id: 'sync',
    run: async (ctx) => (await import('./cases/sync.js')).run(ctx),
    quickOnRequest: true,
  },
];

function parseArgs(argv: string[]): {
  quick: boolean;
  only: string[] | null;
  out: string | null;
  seed: number;
} {
  let quick = false;
  let only: string[] | null = null;
  let out: string | null = null;
  let seed = 20260101;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--out') out = argv[++i] ?? null;
    else if (arg === '--seed') seed = Number(argv[++i]);
    else {
      process.stderr.write(
        `unknown argument ${arg}\nusage: run.js [--quick] [--only ${CASES.map((c) => c.id).join(',')}] [--out file] [--seed n]\n`,
      );
      process.exit(2);
    }
  }
  return { quick, only, out, seed };
}

function commit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    return null;
  }
}

const args = parseArgs(process.argv.slice(2));
const paths = benchPaths();
const rows: Row[] = [];
const startedAt = new Date();
const loadAtStart = loadavg()[0] ?? 0;
const started = performance.now();
const ctx: BenchContext = {
  quick: args.quick,
  seed: args.seed,
  ...paths,
  report(row) {
    rows.push(row);
    process.stdout.write(`${formatRow(row)}\n`);
  },
  note(message) {
    process.stderr.write(`  … ${message}\n`);
  },
};

let failed = false;
for (const c of CASES) {
  if (args.only && !args.only.includes(c.id)) continue;
  if (!args.only && args.quick && c.quickOnRequest) continue;
  try {
    await c.run(ctx);
  } catch (error) {
    failed = true;
    process.stderr.write(`[bench] ${c.id} FAILED: ${(error as Error).stack ?? String(error)}\n`);
  }
}

const out =
  args.out ?? join(paths.root, 'bench', args.quick ? 'out/results-quick.json' : 'results.json');
const cpu = cpus();
writeResults(
  out,
  {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    mode: args.quick ? 'quick' : 'full',
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    totalMemory: totalmem(),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    commit: commit(paths.root),
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
  },
  rows,
);
process.stderr.write(
  `  … load average ${loadAtStart.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores\n`,
);
process.stderr.write(
  `  … ${rows.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s → ${out}\n`,
);
process.exitCode = failed ? 1 : 0;
