/**
 * The benchmark harness: runs a library case and its floor interleaved N times in the same process
 * run (so both see the same machine load), summarises each as median [min–max], prints one row
 * per benchmark and collects rows for `bench/results.json`. Child-process helpers measure peak RSS
 * per case, so peaks of different cases never mix.
 */
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';

/** median [min–max] of a series of measurements. */
export interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/** Summarise samples (at least one). */
export function stats(samples: number[]): Stats {
  if (samples.length === 0) throw new Error('stats: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples };
}

/** A ratio target: `library / floor <= max`. */
export interface Target {
  max: number;
  /** What is compared, when it is not the time (e.g. "peak RSS", "requests"). */
  of?: string;
}

/** One printed benchmark row. Times in ms, memory in bytes. */
export interface Row {
  /** Stable id for comparison across commits (`manifest-load/100MB`). */
  id: string;
  /** What is measured, in words. */
  case: string;
  /** Input size, in words (`101.2 MB, 36,512 nodes`). */
  input: string;
  library: Stats;
  /** What the floor is (`read + JSON.parse`). */
  floorLabel: string;
  floor: Stats;
  /** library median / floor median. */
  ratio: number;
  /** `met` judges the wall-time ratio; `cpuMet` the CPU-time ratio, when CPU time was measured. */
  target?: Target & { met: boolean; cpuMet?: boolean };
  /**
   * CPU time (user + system, all threads) of the same runs, when measured: steadier than wall time
   * on a shared machine, since waiting for a core does not count.
   */
  cpu?: { library: Stats; floor: Stats; ratio: number };
  /** Further measurements shown after the ratio (peak RSS, requests, …). */
  extra: Record<string, string | number>;
  /** Targets on extras (e.g. RSS ratio), reported in the same row. */
  extraTargets?: (Target & { value: number; met: boolean })[];
}

export interface CompareOptions {
  runs: number;
  /** Unmeasured runs of each side before measuring (JIT, caches). Default 1. */
  warmup?: number;
  library: () => unknown;
  floor: () => unknown;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function timeOnce(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** What `compare` measured: wall and CPU time of each side. */
export interface Comparison {
  library: Stats;
  floor: Stats;
  cpu: { library: Stats; floor: Stats; ratio: number };
}

/** Time library and floor alternately (floor first each round), `runs` times each. */
export async function compare(options: CompareOptions): Promise<Comparison> {
  for (let i = 0; i < (options.warmup ?? 1); i += 1) {
    await timeOnce(options.floor);
    await timeOnce(options.library);
  }
  const lib: { wall: number; cpu: number }[] = [];
  const floor: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    floor.push(await timeOnce(options.floor));
    lib.push(await timeOnce(options.library));
  }
  return {
    library: stats(lib.map((s) => s.wall)),
    floor: stats(floor.map((s) => s.wall)),
    cpu: cpuComparison(
      lib.map((s) => s.cpu),
      floor.map((s) => s.cpu),
    ),
  };
}

/** CPU-time stats of both sides and their median ratio. */
export function cpuComparison(library: number[], floor: number[]): Comparison['cpu'] {
  const l = stats(library);
  const f = stats(floor);
  return { library: l, floor: f, ratio: f.median > 0 ? l.median / f.median : Number.NaN };
}

/** Build a row from library and floor stats, checking an optional ratio target. */
export function makeRow(
  fields: Omit<Row, 'ratio' | 'target' | 'extra' | 'extraTargets'> & {
    target?: Target;
    extra?: Record<string, string | number>;
    extraTargets?: (Target & { value: number })[];
  },
): Row {
  const ratio = fields.floor.median > 0 ? fields.library.median / fields.floor.median : Number.NaN;
  const row: Row = {
    id: fields.id,
    case: fields.case,
    input: fields.input,
    library: fields.library,
    floorLabel: fields.floorLabel,
    floor: fields.floor,
    ratio,
    extra: fields.extra ?? {},
  };
  if (fields.cpu) row.cpu = fields.cpu;
  if (fields.target) {
    row.target = { ...fields.target, met: ratio <= fields.target.max };
    if (fields.cpu) row.target.cpuMet = fields.cpu.ratio <= fields.target.max;
  }
  if (fields.extraTargets) {
    row.extraTargets = fields.extraTargets.map((t) => ({ ...t, met: t.value <= t.max }));
  }
  return row;
}

/** `1.23 s` / `45.6 ms` / `0.012 ms`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** `1.23 GB` / `456 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

function formatStats(s: Stats): string {
  return `${formatMs(s.median)} [${formatMs(s.min)}–${formatMs(s.max)}]`;
}

function formatTarget(t: Target & { met: boolean; cpuMet?: boolean }, value: number): string {
  const cpu = t.cpuMet === undefined ? '' : ` (cpu ${t.cpuMet ? 'MET' : 'NOT MET'})`;
  return `${t.of ? `${t.of} ` : ''}${value.toFixed(2)}× target ≤${t.max}× ${t.met ? 'MET' : 'NOT MET'}${cpu}`;
}

/** The one printed line of a row. */
export function formatRow(row: Row): string {
  const parts = [
    row.id,
    row.case,
    row.input,
    `library ${formatStats(row.library)}`,
    `floor (${row.floorLabel}) ${formatStats(row.floor)}`,
    row.target ? formatTarget(row.target, row.ratio) : `ratio ${row.ratio.toFixed(2)}×`,
  ];
  if (row.cpu) {
    parts.push(
      `cpu ${formatMs(row.cpu.library.median)} vs ${formatMs(row.cpu.floor.median)} = ${row.cpu.ratio.toFixed(2)}×`,
    );
  }
  for (const t of row.extraTargets ?? []) parts.push(formatTarget(t, t.value));
  for (const [key, value] of Object.entries(row.extra)) parts.push(`${key} ${value}`);
  return `[bench] ${parts.join(' | ')}`;
}

/** The machine and run, recorded with the results. */
export interface RunInfo {
  command: string;
  mode: 'quick' | 'full';
  node: string;
  cpus: number;
  cpuModel: string;
  totalMemory: number;
  startedAt: string;
  durationMs: number;
  commit: string | null;
  /** 1-minute load average at start and end: how shared the machine was during the run. */
  loadAverage: { start: number; end: number };
}

/** Write results JSON atomically (temp file + rename). */
export function writeResults(path: string, info: RunInfo, rows: Row[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, run: info, rows }, null, 2)}\n`);
  renameSync(tmp, path);
}

/** What a child process measured: its own time for the operation and its peak RSS. */
export interface ChildMeasurement {
  ms: number;
  /** CPU time (user + system) of the operation, ms. */
  cpuMs: number;
  maxRssBytes: number;
  /** Anything else the child reports (counts). */
  info?: Record<string, number | string>;
}

/**
 * Run `node <script> ...args` (in `cwd`, default the runner's) and parse the JSON it prints last.
 * The child's peak RSS is its own (`process.resourceUsage().maxRSS`), so cases never share a peak.
 * A script that cannot print it (the CLI) gets it printed by child/measure-exit.js (`--import`).
 * Coverage collection is switched off in children (the bench is not a test of the code it loads).
 */
export function runChild(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
  cwd?: string,
): Promise<ChildMeasurement> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(`child ${script} ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`),
        );
        return;
      }
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as ChildMeasurement);
      } catch (error) {
        reject(
          new Error(`child ${script} printed no result: ${out.slice(-500)} ${err.slice(-500)}`, {
            cause: error,
          }),
        );
      }
    });
  });
}

/** Wall time of a whole child process (`node args...`), from spawn to exit. */
export function timeProcess(args: string[], cwd?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0)
        reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().slice(-1000)}`));
      else resolve(ms);
    });
  });
}
