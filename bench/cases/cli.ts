/**
 * Benchmark 5: CLI cold start, whole processes from spawn to exit. `dbt-auto-exposures --version`
 * and `refresh` on a small generated project (active exposures disabled, so it reads the lineage,
 * run_results and manifest, decides, writes the report, and makes no network call), each vs
 * `node -e 0`. Target: `--version` ≤ 2× (heavy dependencies load lazily).
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExposureLineage } from '../../src/index.js';
import { serializeLineage } from '../../src/output/lineage-io.js';
import type { BenchContext } from '../context.js';
import { GENERATOR_VERSION } from '../generate/cache.js';
import { manifestFromPlan } from '../generate/domain.js';
import { writeManifestFile } from '../generate/manifest.js';
import { planProject } from '../generate/project.js';
import { buildRunResults } from '../generate/run-results.js';
import { generateSite } from '../generate/site.js';
import { makeRow, stats, timeProcess } from '../harness.js';

/** A small project: ~60 models (~3 MB manifest with dbt's own macros), 20 workbooks. */
function smallProject(ctx: BenchContext): string {
  const dir = join(ctx.dataDir, `cli-project-s${ctx.seed}-g${GENERATOR_VERSION}`);
  if (existsSync(join(dir, 'lineage.json'))) return dir;
  mkdirSync(join(dir, 'target'), { recursive: true });
  const plan = planProject({ seed: ctx.seed, models: 60 });
  writeManifestFile(join(dir, 'target', 'manifest.json'), plan);
  writeFileSync(
    join(dir, 'target', 'run_results.json'),
    JSON.stringify(buildRunResults(plan, { seed: ctx.seed })),
  );
  writeFileSync(
    join(dir, 'dbt_project.yml'),
    `name: ${plan.projectName}\nversion: '1.0.0'\nprofile: acme\n`,
  );
  const site = generateSite(plan, { seed: ctx.seed, workbooks: 20, tablesPerWorkbook: 8 });
  const lineage = buildExposureLineage({
    manifest: manifestFromPlan(plan),
    workbooks: site.workbooks,
  });
  writeFileSync(join(dir, 'lineage.json'), serializeLineage(lineage));
  return dir;
}

/** The CLI entry: the built package (`npm run build`), else the bench's own compiled copy. */
export function cliEntry(ctx: BenchContext): string {
  const built = join(ctx.root, 'dist', 'cli', 'main.js');
  if (existsSync(built)) return built;
  // The CLI reads its version from ../../package.json, relative to its own file.
  copyFileSync(join(ctx.root, 'package.json'), join(ctx.root, 'bench', 'out', 'package.json'));
  return join(ctx.root, 'bench', 'out', 'src', 'cli', 'main.js');
}

export async function run(ctx: BenchContext): Promise<void> {
  const entry = cliEntry(ctx);
  const project = smallProject(ctx);
  const runs = ctx.quick ? 2 : 10;
  const refreshArgs = [
    entry,
    'refresh',
    '--project-dir',
    project,
    '--manifest',
    join(project, 'target', 'manifest.json'),
    '--run-results',
    join(project, 'target', 'run_results.json'),
    '--lineage',
    join(project, 'lineage.json'),
    '--report',
    join(project, 'refresh-report.json'),
  ];
  const cases = [
    { id: 'version', label: '--version', args: [entry, '--version'], target: 2 },
    {
      id: 'refresh',
      label: 'refresh (small project, disabled)',
      args: refreshArgs,
      target: undefined,
    },
  ];
  const floor: number[] = [];
  const times = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  // Warm the file cache once, then interleave floor and cases.
  await timeProcess(['-e', '0']);
  for (const c of cases) await timeProcess(c.args, project);
  for (let i = 0; i < runs; i += 1) {
    floor.push(await timeProcess(['-e', '0']));
    for (const c of cases) times.get(c.id)!.push(await timeProcess(c.args, project));
  }
  const rel = entry.slice(ctx.root.length + 1);
  for (const c of cases) {
    ctx.report(
      makeRow({
        id: `cli/${c.id}`,
        case: `CLI cold start: ${c.label}`,
        input: `node ${rel}`,
        library: stats(times.get(c.id)!),
        floorLabel: 'node -e 0',
        floor: stats(floor),
        ...(c.target === undefined ? {} : { target: { max: c.target } }),
      }),
    );
  }
}
