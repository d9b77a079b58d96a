/**
 * Quick in-process measurement for the `matching/<n>x20/minimal` row: the library's
 * `buildExposureLineage` and the minimal matcher (and, with `--base <dist/index.js>`, another
 * build of the library, such as the commit before a change) run interleaved on the bench's inputs,
 * CPU time of each build, medians and ratios printed. `--hash` prints the SHA-256 of the rendered
 * lineage of each library, the byte-identity check for a change that must keep behaviour.
 *
 *   node --expose-gc bench/out/bench/experiments/matching-ab.js [--workbooks 10000] [--rounds 7]
 *     [--base /tmp/old/dist/index.js] [--hash]
 */
import { createHash } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate, setTimeout } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { type MinimalNode, minimalMatch } from '../cases/minimal-matcher.js';
import { benchPaths } from '../context.js';
import { cachedProject } from '../generate/cache.js';
import { generateSite } from '../generate/site.js';
import { stats } from '../harness.js';
import { buildExposureLineage, loadManifest, renderLineage } from '../library.js';

type Build = typeof buildExposureLineage;
type Render = typeof renderLineage;

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** Garbage collections seen so far: start time and duration (ms, `performance.now()` clock). */
const collections: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    collections.push({ start: entry.startTime, duration: entry.duration });
  }
}).observe({ entryTypes: ['gc'] });

/**
 * CPU time of one run, and the garbage collection time (wall) inside it. Entries arrive
 * asynchronously, so they are picked by start time: the forced collection before the run is not
 * counted.
 */
async function cpuOf(fn: () => unknown): Promise<{ cpu: number; gc: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  await setImmediate();
  const from = performance.now();
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  const to = performance.now();
  await setTimeout(20);
  let gc = 0;
  for (const c of collections) if (c.start >= from && c.start < to) gc += c.duration;
  collections.length = 0;
  return { cpu: (used.user + used.system) / 1000, gc };
}

const seed = 20260101;
const workbooks = Number(arg('--workbooks') ?? 10_000);
const rounds = Number(arg('--rounds') ?? 7);
const basePath = arg('--base');
const project = cachedProject(benchPaths().dataDir, seed, 50_000);
const manifest = await loadManifest(project.manifestPath);
const site = generateSite(project.plan, { seed, workbooks, tablesPerWorkbook: 20 });
const minimalNodes: MinimalNode[] = project.plan.matchable.map((n) => ({
  uniqueId: n.uniqueId,
  database: n.database,
  schema: n.schema,
  identifier: n.identifier,
}));

const sides: { name: string; build: Build; render: Render }[] = [
  { name: 'library', build: buildExposureLineage, render: renderLineage },
];
if (basePath !== undefined) {
  const base = (await import(pathToFileURL(basePath).href)) as {
    buildExposureLineage: Build;
    renderLineage: Render;
  };
  sides.push({ name: 'base', build: base.buildExposureLineage, render: base.renderLineage });
}
if (process.argv.includes('--hash')) {
  for (const side of sides) {
    const text = side.render(side.build({ manifest, workbooks: site.workbooks }));
    const hash = createHash('sha256').update(text).digest('hex');
    console.log(`${side.name}: lineage sha256 ${hash} (${text.length} chars)`);
  }
}

const samples = new Map<string, { cpu: number; gc: number }[]>([['minimal', []]]);
for (const side of sides) samples.set(side.name, []);
for (let round = -1; round < rounds; round += 1) {
  const minimal = await cpuOf(() => minimalMatch(minimalNodes, site.workbooks));
  if (round >= 0) samples.get('minimal')!.push(minimal);
  for (const side of sides) {
    const cpu = await cpuOf(() => side.build({ manifest, workbooks: site.workbooks }));
    if (round >= 0) samples.get(side.name)!.push(cpu);
  }
}
const minimalMedian = stats(samples.get('minimal')!.map((s) => s.cpu)).median;
for (const [name, values] of samples) {
  const s = stats(values.map((v) => v.cpu));
  const gc = stats(values.map((v) => v.gc));
  const ratio = (s.median / minimalMedian).toFixed(2);
  console.log(
    `${name}: CPU median ${s.median.toFixed(0)} ms [${s.min.toFixed(0)}–${s.max.toFixed(0)}], ${ratio}× minimal; GC median ${gc.median.toFixed(0)} ms`,
  );
}
