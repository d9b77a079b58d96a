/**
 * Benchmark 2: `buildExposureLineage` over N workbooks × 20 tables against a ~50,000-node manifest
 * vs a loop of the same number of `Map.get` calls on prepared keys (the least any matcher must do:
 * one hash lookup per table reference). The library side includes building the relation index,
 * normalising Tableau's names, naming exposures and assembling the lineage, as a user's call does.
 * The absolute time must stay well under a second.
 *
 * A second comparison runs the same inputs through `minimalMatcher` (./minimal-matcher.ts), the
 * least a matcher must do to emit dependencies of the same size with none of the library's rules:
 * the library / minimal ratio is what the rules cost, and the minimal time is what any matcher
 * costs on this machine, which tells a slow machine from a slow library.
 */

import type { TableauTable } from '../../src/index.js';
import { buildExposureLineage } from '../../src/index.js';
import type { BenchContext } from '../context.js';
import { manifestFromPlan } from '../generate/domain.js';
import { MATCHABLE_PER_MODEL, planProject } from '../generate/project.js';
import { generateSite } from '../generate/site.js';
import { compare, formatMs, makeRow } from '../harness.js';
import { minimalMatch } from './minimal-matcher.js';

function floorKey(table: TableauTable): string {
  return `${table.databaseName ?? ''}\u001f${table.schema ?? ''}\u001f${table.name}`.toLowerCase();
}

export async function run(ctx: BenchContext): Promise<void> {
  const nodes = ctx.quick ? 5_000 : 50_000;
  const plan = planProject({ seed: ctx.seed, models: Math.round(nodes / MATCHABLE_PER_MODEL) });
  const manifest = manifestFromPlan(plan);
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
        for (const e of minimalMatch(manifest, site.workbooks)) {
          minimalDependencies += e.dependsOn.length;
        }
      },
    });
    const wellUnder = result.library.median < 1000;
    ctx.report(
      makeRow({
        id: `matching/${workbooks}x20`,
        case: 'match workbooks to dbt nodes (buildExposureLineage)',
        input: `${workbooks} workbooks × 20 tables (${keys.length} refs) vs ${manifest.nodes.size} nodes`,
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
        input: `${workbooks} workbooks × 20 tables vs ${manifest.nodes.size} nodes`,
        library: versusMinimal.library,
        floorLabel: 'minimal matcher',
        floor: versusMinimal.floor,
        cpu: versusMinimal.cpu,
        extra: {
          'absolute (< 1 s)': `library ${formatMs(versusMinimal.library.median)}, minimal ${formatMs(versusMinimal.floor.median)}`,
          'dependencies (library / minimal)': `${libraryDependencies} / ${minimalDependencies}`,
        },
      }),
    );
  }
}
