/**
 * Benchmark 1: loading a manifest (read + parse + validate, i.e. `loadManifest`) vs reading the
 * file and `JSON.parse`. Each run is its own child
 * process, library and floor alternating, so times come from fresh heaps and each peak RSS is
 * that run's alone. Targets: time ≤ 1.3× and peak RSS ≤ 1.3× at 100 MB and 400 MB. Each run also
 * measures the section-skipping prototype (experiments/manifest-sections.ts) and checks that its
 * `Manifest` is identical to the library's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { cachedManifest } from '../generate/cache.js';
import { cpuComparison, formatBytes, formatMs, makeRow, runChild, stats } from '../harness.js';

interface Size {
  bytes: number;
  runs: number;
  target: boolean;
}

const FULL: Size[] = [
  { bytes: 10e6, runs: 5, target: false },
  { bytes: 100e6, runs: 5, target: true },
  { bytes: 400e6, runs: 3, target: true },
];
const QUICK: Size[] = [{ bytes: 5e6, runs: 2, target: false }];

/** Heap room for a 400 MB document parsed twice over (string + objects). */
const NODE_ARGS = ['--max-old-space-size=8192'];

export async function run(ctx: BenchContext): Promise<void> {
  const child = join(ctx.outDir, 'child', 'load-manifest.js');
  for (const size of ctx.quick ? QUICK : FULL) {
    ctx.note(`manifest-load: preparing ${Math.round(size.bytes / 1e6)} MB manifest`);
    const { path, stats: gen } = cachedManifest(ctx.dataDir, ctx.seed, size.bytes);
    readFileSync(path); // warm the page cache so neither side pays the first disk read
    const lib: number[] = [];
    const floor: number[] = [];
    const libRss: number[] = [];
    const floorRss: number[] = [];
    const libCpu: number[] = [];
    const proto: number[] = [];
    const protoCpu: number[] = [];
    const protoRss: number[] = [];
    let sameOutput = true;
    const floorCpu: number[] = [];
    let matchable = 0;
    for (let i = 0; i < size.runs; i += 1) {
      const f = await runChild(child, ['floor', path], NODE_ARGS);
      floor.push(f.ms);
      floorCpu.push(f.cpuMs);
      floorRss.push(f.maxRssBytes);
      const l = await runChild(child, ['library', path], NODE_ARGS);
      lib.push(l.ms);
      libCpu.push(l.cpuMs);
      libRss.push(l.maxRssBytes);
      matchable = Number(l.info?.matchableNodes ?? 0);
      // The section-skipping prototype (bench/proposals/manifest-skip-sections.md).
      const p = await runChild(child, ['sections', path], NODE_ARGS);
      proto.push(p.ms);
      protoCpu.push(p.cpuMs);
      protoRss.push(p.maxRssBytes);
      sameOutput &&= p.info?.digest === l.info?.digest;
    }
    const libRssMed = stats(libRss).median;
    const floorRssMed = stats(floorRss).median;
    const label = `${Math.round(size.bytes / 1e6)}MB`;
    ctx.report(
      makeRow({
        id: `manifest-load/${label}`,
        case: 'load manifest + relation index',
        input: `${formatBytes(gen.bytes)} (${gen.models} models, ${matchable} matchable nodes, ${gen.tests} tests, ${gen.macros} macros)`,
        library: stats(lib),
        floorLabel: 'readFile + JSON.parse',
        floor: stats(floor),
        cpu: cpuComparison(libCpu, floorCpu),
        ...(size.target ? { target: { max: 1.3 } } : {}),
        extraTargets: size.target
          ? [{ of: 'peak RSS', max: 1.3, value: libRssMed / floorRssMed }]
          : [],
        extra: {
          'peak RSS library': formatBytes(libRssMed),
          'peak RSS floor': formatBytes(floorRssMed),
          'prototype skipping macros/docs': `${formatMs(stats(proto).median)} (cpu ${(stats(protoCpu).median / stats(floorCpu).median).toFixed(2)}× floor, peak RSS ${formatBytes(stats(protoRss).median)} = ${(stats(protoRss).median / floorRssMed).toFixed(2)}× floor, output ${sameOutput ? 'identical' : 'DIFFERENT'})`,
          ...(size.target ? {} : { 'RSS ratio': `${(libRssMed / floorRssMed).toFixed(2)}×` }),
        },
      }),
    );
  }
}
