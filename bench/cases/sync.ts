/**
 * Benchmark 6 (issue 15): `dbt-auto-exposures sync --snapshot` on a generated dbt project (a
 * ~50,000-matchable-node manifest, the matching row's) and a 10,000-workbook × 20-table snapshot
 * file, the whole CLI process, vs the read-and-parse floor: a process that reads and `JSON.parse`s
 * both inputs and writes one JSON file (child/read-parse-floor.ts). Targets: time ≤ 2× and peak
 * RSS ≤ 1.5× the floor, in the same run.
 *
 * Each run is its own process, measured from its start to its exit by child/measure-exit.ts:
 * the floor first, then a first sync (the project's outputs removed beforehand, so every output is
 * written), then a re-sync over those outputs with nothing changed (reported beside the row).
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext } from '../context.js';
import { cachedProject, cachedSnapshot, PROJECT_BULK } from '../generate/cache.js';
import {
  type ChildMeasurement,
  cpuComparison,
  formatBytes,
  formatMs,
  makeRow,
  runChild,
  stats,
} from '../harness.js';
import { cliEntry } from './cli-entry.js';

/** Issue 15: sync ≤ 2× the floor's time and ≤ 1.5× its peak RSS. */
const TIME_TARGET = 2;
const RSS_TARGET = 1.5;

interface Series {
  wall: number[];
  cpu: number[];
  rss: number[];
}

function series(): Series {
  return { wall: [], cpu: [], rss: [] };
}

function record(into: Series, m: ChildMeasurement): void {
  into.wall.push(m.ms);
  into.cpu.push(m.cpuMs);
  into.rss.push(m.maxRssBytes);
}

export async function run(ctx: BenchContext): Promise<void> {
  const nodes = ctx.quick ? 5_000 : 50_000;
  const workbooks = ctx.quick ? 200 : 10_000;
  const runs = ctx.quick ? 2 : 3;
  ctx.note(`sync: preparing the ${nodes}-node project and a ${workbooks}-workbook snapshot`);
  const project = cachedProject(ctx.dataDir, ctx.seed, nodes);
  const snapshot = await cachedSnapshot(project, ctx.seed, workbooks);
  const entry = cliEntry(ctx);
  const floorScript = join(ctx.outDir, 'child', 'read-parse-floor.js');
  const nodeArgs = ['--import', pathToFileURL(join(ctx.outDir, 'child', 'measure-exit.js')).href];
  const outputs = join(project.dir, 'models', 'exposures');
  const syncArgs = ['sync', '--project-dir', project.dir, '--snapshot', snapshot];
  const floorArgs = [project.manifestPath, snapshot, join(project.dir, 'floor-output.json')];

  // Warm the page cache, so neither side pays the first disk read.
  readFileSync(project.manifestPath);
  readFileSync(snapshot);
  const floor = series();
  const first = series();
  const again = series();
  for (let i = 0; i < runs; i += 1) {
    ctx.note(`sync: run ${i + 1} of ${runs}`);
    record(floor, await runChild(floorScript, floorArgs, nodeArgs, project.dir));
    rmSync(outputs, { recursive: true, force: true });
    record(first, await runChild(entry, syncArgs, nodeArgs, project.dir));
    record(again, await runChild(entry, syncArgs, nodeArgs, project.dir));
  }

  const floorRss = stats(floor.rss).median;
  const firstRss = stats(first.rss).median;
  const lineageBytes = statSync(join(outputs, 'tableau_lineage.json')).size;
  const yamlBytes = statSync(join(outputs, 'tableau_exposures.yml')).size;
  ctx.report(
    makeRow({
      id: `sync/${workbooks}x20`,
      case: 'CLI sync --snapshot, whole process, first sync (every output written)',
      input: `${workbooks} workbooks × 20 tables (snapshot ${formatBytes(statSync(snapshot).size)}) vs manifest ${formatBytes(project.stats.bytes)} (${project.stats.matchableNodes} matchable nodes, ${project.stats.tests} tests, bulk ${PROJECT_BULK})`,
      library: stats(first.wall),
      floorLabel: 'read + JSON.parse both inputs, write one JSON file',
      floor: stats(floor.wall),
      cpu: cpuComparison(first.cpu, floor.cpu),
      target: { max: TIME_TARGET },
      extraTargets: [{ of: 'peak RSS', max: RSS_TARGET, value: firstRss / floorRss }],
      extra: {
        'peak RSS library': formatBytes(firstRss),
        'peak RSS floor': formatBytes(floorRss),
        're-sync, nothing changed': `${formatMs(stats(again.wall).median)} = ${(stats(again.wall).median / stats(floor.wall).median).toFixed(2)}× floor (cpu ${(stats(again.cpu).median / stats(floor.cpu).median).toFixed(2)}×), peak RSS ${formatBytes(stats(again.rss).median)} = ${(stats(again.rss).median / floorRss).toFixed(2)}× floor`,
        outputs: `lineage ${formatBytes(lineageBytes)}, YAML ${formatBytes(yamlBytes)}`,
      },
    }),
  );
}
