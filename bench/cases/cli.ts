/**
 * Benchmark 5: CLI cold start, whole processes from spawn to exit. `dbt-auto-exposures --version`
 * and `refresh` on a small generated project (active exposures disabled, so it reads the lineage,
 * run_results and manifest, decides, writes the report, and makes no network call), each vs
 * `node -e 0`. Target: `--version` and `--help` ≤ 1.5× (the dispatcher loads a command's module,
 * and with it the library, only when that command runs: one dynamic import per command).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { GENERATOR_VERSION } from '../generate/cache.js';
import { writeManifestFile } from '../generate/manifest.js';
import { planProject } from '../generate/project.js';
import { buildRunResults } from '../generate/run-results.js';
import { generateSite } from '../generate/site.js';
import { makeRow, stats, timeProcess } from '../harness.js';
import { writeTableauSnapshot } from '../library.js';
import { cliEntry } from './cli-entry.js';

/**
 * A small project: ~60 models (~3 MB manifest with dbt's own macros), 20 workbooks, and the
 * lineage that `sync --snapshot` writes for them (the CLI itself, so only public surfaces are used).
 */
async function smallProject(ctx: BenchContext, entry: string): Promise<string> {
  const dir = join(ctx.dataDir, `cli-small-project-s${ctx.seed}-g${GENERATOR_VERSION}`);
  const lineage = join(dir, 'lineage.json');
  if (existsSync(lineage)) return dir;
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
  const snapshot = join(dir, 'tableau-snapshot.json');
  await writeTableauSnapshot(snapshot, site.workbooks);
  await timeProcess(
    [entry, 'sync', '--project-dir', dir, '--snapshot', snapshot, '--lineage', lineage],
    dir,
  );
  return dir;
}

export async function run(ctx: BenchContext): Promise<void> {
  const entry = cliEntry(ctx);
  const project = await smallProject(ctx, entry);
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
    { id: 'version', label: '--version', args: [entry, '--version'], target: 1.5 },
    { id: 'help', label: 'sync --help', args: [entry, 'sync', '--help'], target: 1.5 },
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
