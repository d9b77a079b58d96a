/** One emitted workbook as a `LineageExposure`: overrides first, then options, then defaults. */
import type { DbtNode } from '../artifacts/types.js';
import type { TableauWorkbook } from '../tableau/types.js';
import type { BuildLineageOptions } from './build-options.js';
import { compare } from './compare.js';
import type { Curation } from './curation.js';
import type { LineageExposure } from './types.js';
import type { WorkbookAnalysis } from './workbook-analysis.js';

function describe(workbook: TableauWorkbook): string {
  const text = workbook.description?.trim();
  if (text) return text;
  return workbook.projectName
    ? `Tableau workbook "${workbook.name}" in project "${workbook.projectName}".`
    : `Tableau workbook "${workbook.name}".`;
}

function ownerOf(workbook: TableauWorkbook): LineageExposure['owner'] {
  const owner = workbook.owner;
  const name = owner?.name?.trim() || owner?.username?.trim() || 'Tableau';
  const email = owner?.email?.trim();
  return email ? { name, email } : { name };
}
/**
 * The exposure of an analysed workbook, named `name`, in dbt project `packageName`; `refOf`
 * renders a node's `ref(...)` for that project (`cachedRenderRef`).
 */
export function toExposure(
  analysis: WorkbookAnalysis,
  name: string,
  packageName: string,
  curation: Curation,
  options: BuildLineageOptions,
  refOf: (node: DbtNode) => string,
): LineageExposure {
  const { workbook } = analysis;
  const override = curation.overrideFor(workbook) ?? {};
  const dependsOn: LineageExposure['dependsOn'] = [];
  for (const d of analysis.dependencies.values()) {
    dependsOn.push({
      uniqueId: d.node.uniqueId,
      ref: refOf(d.node),
      tables: d.tables.length > 1 ? d.tables.sort(compare) : d.tables,
      match: d.match,
    });
  }
  dependsOn.sort((a, b) => compare(a.uniqueId, b.uniqueId));
  const tags = [...new Set(override.tags ?? options.tags ?? ['tableau'])].sort(compare);
  return {
    name,
    uniqueId: `exposure.${packageName}.${name}`,
    label: override.label ?? workbook.name,
    type: override.type ?? options.defaultType ?? 'dashboard',
    maturity: override.maturity ?? options.defaultMaturity ?? 'medium',
    url: workbook.url,
    owner: override.owner ? { ...override.owner } : ownerOf(workbook),
    description: override.description ?? describe(workbook),
    tags,
    meta: {
      tableau: {
        workbookLuid: workbook.luid,
        projectName: workbook.projectName,
        updatedAt: workbook.updatedAt,
        projectLuid: workbook.projectLuid,
        vizportalUrlId: workbook.vizportalUrlId,
      },
    },
    dependsOn,
    refreshTargets: analysis.refreshTargets,
    unmatchedTables: analysis.unmatched,
  };
}
