/**
 * Benchmark 2: `buildExposureLineage` over N workbooks × 20 tables against a ~50,000-node manifest
 * vs a loop of the same number of `Map.get` calls on prepared keys (the least any matcher must do:
 * one hash lookup per table reference). The library side includes building the relation index,
 * normalising Tableau's names, naming exposures and assembling the lineage, as a user's call does.
 * The absolute time must stay well under a second.
 *
 * A second comparison runs the same inputs through `minimalMatch` (./minimal-matcher.ts), issue
 * 15's rule-free minimal matcher: the library / minimal ratio is what the rules cost (target
 * ≤ 1.3×), and the minimal time is what any matcher costs on this machine, which tells a slow
 * machine from a slow library.
 *
 * The manifest is the `sync` row's (`cachedProject`), loaded once with `loadManifest` before any
 * timing; the workbooks are the bench's generated site, in the snapshot shape.
 */
import type { BenchContext } from '../context.js';
import { cachedProject } from '../generate/cache.js';
import { generateSite } from '../generate/site.js';
import { compare, formatMs, makeRow } from '../harness.js';
import { buildExposureLineage, loadManifest, type TableauTable } from '../library.js';
import { type MinimalNode, minimalMatch } from './minimal-matcher.js';

/** Issue 15: the library at most 1.3× the minimal matcher on the same inputs, same run. */
const MINIMAL_TARGET = 1.3;

function floorKey(table: TableauTable): string {
  return `${table.databaseName ?? ''}\u001f${table.schema ?? ''}\u001f${table.name}`.toLowerCase();
}

export async function run(ctx: BenchContext): Promise<void> {
  const nodes = ctx.quick ? 5_000 : 50_000;
  ctx.note(`matching: preparing and loading the ${nodes}-node project`);
  const project = cachedProject(ctx.dataDir, ctx.seed, nodes);
  const { plan } = project;
  const manifest = await loadManifest(project.manifestPath);
  const minimalNodes: MinimalNode[] = plan.matchable.map((node) => ({
    uniqueId: node.uniqueId,
    database: node.database,
    schema: node.schema,
    identifier: node.identifier,
  }));
  const sizes = ctx.quick ? [200] : [10_000, 20_000];
  for (const workbooks of sizes) {
    ctx.note(`matching: ${workbooks} workbooks`);
    const site = generateSite(plan, { seed: ctx.seed, workbooks, tablesPerWorkbook: 20 });
    // Floor: the same number of lookups, keys prepared outside the timed loop.
    const index = new Map<string, string>();
    for (const node of plan.matchable) {
      index.set(
        `${node.database}\u001f${node.schema}\u001f${node.identifier}`.toLowerCase(),
        node.uniqueId,
      );
    }
    const keys: string[] = [];
    for (const wb of site.workbooks) {
      for (const ds of wb.embeddedDatasources) {
        for (const t of ds.tables) keys.push(floorKey(t));
        for (const sql of ds.customSql) for (const t of sql.tables) keys.push(floorKey(t));
      }
      for (const ds of wb.publishedDatasources) for (const t of ds.tables) keys.push(floorKey(t));
    }
    let hits = 0;
    let exposures = 0;
    const result = await compare({
      runs: ctx.quick ? 2 : 3,
      library: () => {
        exposures = buildExposureLineage({ manifest, workbooks: site.workbooks }).exposures.length;
      },
      floor: () => {
        hits = 0;
        for (const key of keys) if (index.get(key) !== undefined) hits += 1;
      },
    });
    let minimalDependencies = 0;
    let libraryDependencies = 0;
    const versusMinimal = await compare({
      runs: ctx.quick ? 2 : 3,
      library: () => {
        const lineage = buildExposureLineage({ manifest, workbooks: site.workbooks });
        libraryDependencies = 0;
        for (const e of lineage.exposures) libraryDependencies += e.dependsOn.length;
      },
      floor: () => {
        minimalDependencies = 0;
        for (const e of minimalMatch(minimalNodes, site.workbooks)) {
          minimalDependencies += e.dependsOn.length;
        }
      },
    });
    const wellUnder = result.library.median < 1000;
    ctx.report(
      makeRow({
        id: `matching/${workbooks}x20`,
        case: 'match workbooks to dbt nodes (buildExposureLineage)',
        input: `${workbooks} workbooks × 20 tables (${keys.length} refs) vs ${plan.matchable.length} nodes`,
        library: result.library,
        floorLabel: `${keys.length} Map.get`,
        floor: result.floor,
        cpu: result.cpu,
        extra: {
          'absolute (< 1 s)': `${formatMs(result.library.median)} ${wellUnder ? 'MET' : 'NOT MET'}`,
          exposures,
          'floor hits': hits,
        },
      }),
    );
    ctx.report(
      makeRow({
        id: `matching/${workbooks}x20/minimal`,
        case: 'buildExposureLineage vs a minimal matcher without the rules (same inputs, same run)',
        input: `${workbooks} workbooks × 20 tables vs ${plan.matchable.length} nodes`,
        library: versusMinimal.library,
        floorLabel: 'minimal matcher',
        floor: versusMinimal.floor,
        cpu: versusMinimal.cpu,
        target: { max: MINIMAL_TARGET },
        extra: {
          'absolute (< 1 s)': `library ${formatMs(versusMinimal.library.median)}, minimal ${formatMs(versusMinimal.floor.median)}`,
          'dependencies (library / minimal)': `${libraryDependencies} / ${minimalDependencies}`,
        },
      }),
    );
  }
}
