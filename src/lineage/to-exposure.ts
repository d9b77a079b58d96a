/** One emitted workbook as a `LineageExposure`: overrides first, then options, then defaults. */
import type { TableauWorkbook } from '../tableau/types.js';
import { compareStrings } from '../util/compare.js';
import type { BuildLineageOptions } from './build-options.js';
import { sortInPlace } from './compare.js';
import type { Curation } from './curation.js';
import type { LineageDependency, LineageExposure } from './types.js';
import type { WorkbookAnalysis } from './workbook-analysis.js';

function describe(workbook: TableauWorkbook): string {
  const text = workbook.description?.trim();
  if (text) return text;
  return workbook.projectName
    ? `Tableau workbook "${workbook.name}" in project "${workbook.projectName}".`
    : `Tableau workbook "${workbook.name}".`;
}

function byUniqueId(a: LineageDependency, b: LineageDependency): number {
  return compareStrings(a.uniqueId, b.uniqueId);
}

function ownerOf(workbook: TableauWorkbook): LineageExposure['owner'] {
  const owner = workbook.owner;
  const name = owner?.name?.trim() || owner?.username?.trim() || 'Tableau';
  const email = owner?.email?.trim();
  return email ? { name, email } : { name };
}
/** What every exposure of one build shares. */
export interface ExposureContext {
  packageName: string;
  curation: Curation;
  options: BuildLineageOptions;
  /** `options.tags` (default `['tableau']`), de-duplicated and sorted once per build. */
  defaultTags: readonly string[];
}

/** Tags as exposures carry them: distinct, sorted. */
export function normalizeTags(tags: readonly string[]): string[] {
  return sortInPlace([...new Set(tags)], compareStrings);
}

/** The exposure of an analysed workbook, named `name`. */
export function toExposure(
  analysis: WorkbookAnalysis,
  name: string,
  { packageName, curation, options, defaultTags }: ExposureContext,
): LineageExposure {
  const { workbook } = analysis;
  const override = curation.overrideFor(workbook) ?? {};
  // The analysis built the entries already; only their order is settled here.
  const dependsOn = analysis.dependencies;
  for (const d of dependsOn) if (d.tables.length > 1) sortInPlace(d.tables, compareStrings);
  sortInPlace(dependsOn, byUniqueId);
  const tags = override.tags ? normalizeTags(override.tags) : defaultTags.slice();
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
