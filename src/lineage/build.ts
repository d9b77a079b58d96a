/**
 * `buildExposureLineage`: manifest + Tableau workbooks → the exposure lineage object. Pure and
 * deterministic: the same inputs in any order give the same JSON.
 */
import picomatch from 'picomatch';
import { buildRelationIndex, type RelationIndex } from '../artifacts/relation.js';
import type { DbtNode, Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import { refreshTargetKey, type TableauWorkbook } from '../tableau/types.js';
import {
  type DependencyAccumulator,
  MATCH_RANK,
  SourceAnalyzer,
  type TableOutcome,
} from './analyze.js';
import {
  Curation,
  type CurationOptions,
  EXPOSURE_MATURITIES,
  EXPOSURE_TYPES,
  type ExposureMaturity,
  type ExposureType,
} from './curation.js';
import { type MatchOptions, RelationMatcher } from './match.js';
import { assignExposureNames, type NameRequest } from './naming.js';
import { renderRef } from './refs.js';
import {
  type AmbiguousMatch,
  type ExposureLineage,
  LINEAGE_VERSION,
  type LineageExposure,
  type LineageRefreshTarget,
  type LineageSource,
  type SkippedWorkbook,
  type UnmatchedTable,
} from './types.js';

export interface BuildLineageOptions extends MatchOptions, CurationOptions {
  /** Parse custom SQL text when Tableau listed no tables for it (default false). */
  parseCustomSql?: boolean;
  /** Default exposure type (default `dashboard`). */
  defaultType?: ExposureType;
  /** Default maturity (default `medium`). */
  defaultMaturity?: ExposureMaturity;
  /** Emit workbooks that matched no table, with empty `dependsOn` (default false: skipped). */
  keepUnmatchedWorkbooks?: boolean;
  /** The dbt project the exposures belong to (default `manifest.projectName`). */
  packageName?: string;
  /** Where the workbooks came from (default `{ kind: 'tableau', serverUrl: null, siteName: null }`). */
  source?: LineageSource;
  /** Timestamp to record; omitted from the output when not given. */
  generatedAt?: string;
  /** Tags on every exposure (default `['tableau']`). */
  tags?: string[];
  /**
   * Globs (picomatch) over `original_file_path` of manifest exposures this library generated:
   * their names are not treated as taken, so names stay put from one sync to the next.
   */
  managedPaths?: string[];
  /** A relation index built earlier for this manifest (saves rebuilding it on repeated calls). */
  relationIndex?: RelationIndex;
}

export interface BuildLineageInput {
  manifest: Manifest;
  workbooks: readonly TableauWorkbook[];
  options?: BuildLineageOptions;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalid(field: string, message: string, expected: string): never {
  throw new ConfigError(message, {
    code: 'ERR_INVALID_OPTION',
    field: `options.${field}`,
    expected,
  });
}

function checkOptions(options: BuildLineageOptions): void {
  for (const field of ['databaseAliases', 'schemaAliases'] as const) {
    const value: unknown = options[field];
    if (value === undefined) continue;
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.values(value).every((v) => typeof v === 'string' && v !== '')
    ) {
      invalid(
        field,
        `options.${field} must map Tableau names to dbt names`,
        'Record<string, string>',
      );
    }
  }
  for (const field of ['parseCustomSql', 'keepUnmatchedWorkbooks'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'boolean') {
      invalid(field, `options.${field} must be a boolean`, 'boolean');
    }
  }
  if (options.defaultType !== undefined && !EXPOSURE_TYPES.includes(options.defaultType)) {
    invalid(
      'defaultType',
      `options.defaultType must be one of ${EXPOSURE_TYPES.join(', ')}`,
      'a dbt exposure type',
    );
  }
  if (
    options.defaultMaturity !== undefined &&
    !EXPOSURE_MATURITIES.includes(options.defaultMaturity)
  ) {
    invalid(
      'defaultMaturity',
      'options.defaultMaturity must be high, medium or low',
      'high | medium | low',
    );
  }
  if (
    options.tags !== undefined &&
    (!Array.isArray(options.tags) || !options.tags.every((t) => typeof t === 'string'))
  ) {
    invalid('tags', 'options.tags must be an array of strings', 'string[]');
  }
  if (
    options.managedPaths !== undefined &&
    (!Array.isArray(options.managedPaths) ||
      !options.managedPaths.every((t) => typeof t === 'string' && t !== ''))
  ) {
    invalid('managedPaths', 'options.managedPaths must be an array of glob strings', 'string[]');
  }
  for (const field of ['packageName', 'generatedAt'] as const) {
    const value: unknown = options[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      invalid(field, `options.${field} must be a non-empty string`, 'string');
    }
  }
}

/** Oldest refresh time among extracts (null when one was never refreshed): refresh decisions err towards refreshing. */
function oldestRefresh(times: ReadonlyArray<string | null>): string | null {
  let oldest: string | null = null;
  for (const time of times) {
    if (time === null) return null;
    if (oldest === null || Date.parse(time) < Date.parse(oldest)) oldest = time;
  }
  return oldest;
}

interface WorkbookAnalysis {
  workbook: TableauWorkbook;
  dependencies: Map<string, DependencyAccumulator>;
  unmatched: UnmatchedTable[];
  refreshTargets: LineageRefreshTarget[];
  tableCount: number;
  matchedCount: number;
}

function anyMatched(outcomes: readonly TableOutcome[]): boolean {
  return outcomes.some((o) => o.result.kind === 'matched');
}

function analyzeWorkbook(workbook: TableauWorkbook, analyzer: SourceAnalyzer): WorkbookAnalysis {
  const outcomes: TableOutcome[] = [];
  let directMatch = false;
  for (const embedded of workbook.embeddedDatasources) {
    const direct = analyzer.source(embedded);
    directMatch ||= anyMatched(direct);
    outcomes.push(...direct);
  }
  const refreshTargets: LineageRefreshTarget[] = [];
  if (directMatch) {
    const withExtracts = workbook.embeddedDatasources.filter((d) => d.hasExtracts);
    refreshTargets.push({
      kind: 'workbook',
      luid: workbook.luid,
      name: workbook.name,
      hasExtracts: withExtracts.length > 0,
      lastRefreshAt: oldestRefresh(withExtracts.map((d) => d.extractLastRefreshTime)),
    });
  }
  for (const published of workbook.publishedDatasources) {
    const reached = analyzer.published(published.luid, published);
    if (anyMatched(reached)) {
      refreshTargets.push({
        kind: 'datasource',
        luid: published.luid,
        name: published.name,
        hasExtracts: published.hasExtracts,
        lastRefreshAt: published.hasExtracts ? published.extractLastRefreshTime : null,
      });
    }
    outcomes.push(...reached);
  }
  refreshTargets.sort((a, b) => compare(refreshTargetKey(a), refreshTargetKey(b)));

  const dependencies = new Map<string, DependencyAccumulator>();
  const unmatchedByKey = new Map<string, UnmatchedTable>();
  const tables = new Set<string>();
  const matchedTables = new Set<string>();
  for (const { label, result } of outcomes) {
    tables.add(label);
    if (result.kind === 'matched') {
      matchedTables.add(label);
      const existing = dependencies.get(result.node.uniqueId);
      if (existing === undefined) {
        dependencies.set(result.node.uniqueId, {
          node: result.node,
          tables: new Set([label]),
          match: result.match,
        });
      } else {
        existing.tables.add(label);
        if (MATCH_RANK[result.match] < MATCH_RANK[existing.match]) existing.match = result.match;
      }
      continue;
    }
    const key = `${label}\u001f${result.reason}\u001f${result.detail}`;
    if (!unmatchedByKey.has(key)) {
      unmatchedByKey.set(key, {
        table: label,
        reason: result.reason,
        detail: result.detail,
        ...(result.candidates === undefined ? {} : { candidates: result.candidates }),
      });
    }
  }
  const unmatched = [...unmatchedByKey.values()]
    .filter((u) => !matchedTables.has(u.table))
    .sort(
      (a, b) =>
        compare(a.table, b.table) || compare(a.reason, b.reason) || compare(a.detail, b.detail),
    );
  return {
    workbook,
    dependencies,
    unmatched,
    refreshTargets,
    tableCount: tables.size,
    matchedCount: matchedTables.size,
  };
}

function releasedNames(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  managedPaths: string[] | undefined,
): Set<string> {
  const isManaged =
    managedPaths && managedPaths.length > 0 ? picomatch(managedPaths, { dot: true }) : null;
  const urls = new Set(workbooks.map((w) => w.url).filter((u): u is string => u !== null));
  const nodeNames = new Set<string>();
  for (const node of manifest.nodes.values()) nodeNames.add(node.name.toLowerCase());
  const released = new Set<string>();
  for (const exposure of manifest.exposures) {
    const ours =
      (exposure.url !== null && urls.has(exposure.url)) ||
      (isManaged !== null &&
        exposure.originalFilePath !== null &&
        isManaged(exposure.originalFilePath));
    const name = exposure.name.toLowerCase();
    if (ours && !nodeNames.has(name)) released.add(name);
  }
  return released;
}

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
 * Build the exposure lineage of a Tableau site against a dbt manifest (pure, synchronous).
 *
 * Each non-excluded workbook's tables — embedded data sources, published data sources, custom
 * SQL — are resolved and matched onto dbt models, seeds, snapshots and sources (see
 * docs/matching.md). Workbooks reaching at least one dbt node become exposures; the rest are
 * reported in `skippedWorkbooks` (or emitted with `keepUnmatchedWorkbooks`).
 *
 * Refresh targets of an exposure: the workbook itself when one of its embedded data sources reads
 * a matched table directly (`hasExtracts` when any embedded data source has an extract;
 * `lastRefreshAt` the oldest of those extracts), and every published data source that reads a
 * matched table. Published data sources that reach no dbt node are not targets.
 *
 * @throws ConfigError (`ERR_INVALID_OPTION`) on invalid options, duplicate workbook luids,
 *   duplicate or taken override names, or when no package name is known.
 */
export function buildExposureLineage(input: BuildLineageInput): ExposureLineage {
  const { manifest, workbooks } = input;
  const options = input.options ?? {};
  checkOptions(options);
  const packageName = options.packageName ?? manifest.projectName;
  if (packageName === null) {
    invalid(
      'packageName',
      'the manifest has no project name (written by dbt < 1.6): pass options.packageName',
      'the dbt project name',
    );
  }
  const curation = new Curation(options);
  const seen = new Set<string>();
  for (const [i, workbook] of workbooks.entries()) {
    if (seen.has(workbook.luid)) {
      throw new ConfigError(`workbook luid ${workbook.luid} appears twice in the input`, {
        code: 'ERR_INVALID_OPTION',
        field: `workbooks[${i}].luid`,
        expected: 'each workbook once',
      });
    }
    seen.add(workbook.luid);
  }

  const index =
    options.relationIndex ?? buildRelationIndex(filterRelational(manifest.nodes.values()));
  const matcher = new RelationMatcher(index, options);
  const analyzer = new SourceAnalyzer(matcher, { parseCustomSql: options.parseCustomSql ?? false });

  const sorted = [...workbooks].sort((a, b) => compare(a.luid, b.luid));
  const emitted: WorkbookAnalysis[] = [];
  const skipped: SkippedWorkbook[] = [];
  const ambiguous: AmbiguousMatch[] = [];
  let tables = 0;
  let matched = 0;
  for (const workbook of sorted) {
    if (curation.isExcluded(workbook)) {
      skipped.push({
        workbookLuid: workbook.luid,
        workbookName: workbook.name,
        reason: 'excluded',
        unmatchedTables: [],
      });
      continue;
    }
    const analysis = analyzeWorkbook(workbook, analyzer);
    tables += analysis.tableCount;
    matched += analysis.matchedCount;
    for (const u of analysis.unmatched) {
      if (u.reason === 'ambiguous') {
        ambiguous.push({
          workbookLuid: workbook.luid,
          workbookName: workbook.name,
          table: u.table,
          candidates: u.candidates ?? [],
        });
      }
    }
    if (analysis.dependencies.size === 0 && !(options.keepUnmatchedWorkbooks ?? false)) {
      skipped.push({
        workbookLuid: workbook.luid,
        workbookName: workbook.name,
        reason: 'no_matched_tables',
        unmatchedTables: analysis.unmatched,
      });
      continue;
    }
    emitted.push(analysis);
  }

  const names = nameExposures(manifest, workbooks, emitted, curation, options.managedPaths);
  const exposures = emitted.map((analysis) =>
    toExposure(analysis, names.get(analysis.workbook.luid)!, packageName, curation, options),
  );
  exposures.sort((a, b) => compare(a.name, b.name));
  ambiguous.sort((a, b) => compare(a.workbookLuid, b.workbookLuid) || compare(a.table, b.table));

  return {
    version: LINEAGE_VERSION,
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    source: options.source ?? { kind: 'tableau', serverUrl: null, siteName: null },
    dbt: {
      projectName: manifest.projectName,
      adapterType: manifest.adapterType,
      manifestSchemaVersion: manifest.schemaVersion,
      dbtVersion: manifest.dbtVersion,
    },
    exposures,
    ambiguous,
    skippedWorkbooks: skipped,
    stats: { workbooks: workbooks.length, tables, matched, unmatched: tables - matched },
  };
}

/** Defensive: only enabled, non-ephemeral nodes own a relation (the parser already filters). */
function* filterRelational(nodes: Iterable<DbtNode>): Iterable<DbtNode> {
  for (const node of nodes) {
    if (node.enabled && node.materialization !== 'ephemeral') yield node;
  }
}

function nameExposures(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  emitted: readonly WorkbookAnalysis[],
  curation: Curation,
  managedPaths: string[] | undefined,
): Map<string, string> {
  const released = releasedNames(manifest, workbooks, managedPaths);
  const taken = new Set<string>();
  for (const name of manifest.takenNames) if (!released.has(name)) taken.add(name);
  const exposureNames = new Set(
    manifest.exposures.map((e) => e.name.toLowerCase()).filter((n) => !released.has(n)),
  );
  const requests: NameRequest[] = [];
  const fixedOwner = new Map<string, string>();
  for (const { workbook } of emitted) {
    const fixedName = curation.overrideFor(workbook)?.name;
    if (fixedName !== undefined) {
      const other = fixedOwner.get(fixedName);
      if (other !== undefined || exposureNames.has(fixedName)) {
        throw new ConfigError(
          `override name ${JSON.stringify(fixedName)} is used twice (${other === undefined ? 'an exposure in the manifest' : `workbook ${other}`} and workbook ${workbook.luid})`,
          {
            code: 'ERR_INVALID_OPTION',
            field: 'options.overrides',
            expected: 'unique exposure names',
          },
        );
      }
      fixedOwner.set(fixedName, workbook.luid);
      requests.push({ luid: workbook.luid, title: workbook.name, fixedName });
    } else {
      requests.push({ luid: workbook.luid, title: workbook.name });
    }
  }
  return assignExposureNames(requests, { taken });
}

function toExposure(
  analysis: WorkbookAnalysis,
  name: string,
  packageName: string,
  curation: Curation,
  options: BuildLineageOptions,
): LineageExposure {
  const { workbook } = analysis;
  const override = curation.overrideFor(workbook) ?? {};
  const dependsOn = [...analysis.dependencies.values()]
    .map((d) => ({
      uniqueId: d.node.uniqueId,
      ref: renderRef(d.node, { projectName: packageName }),
      tables: [...d.tables].sort(compare),
      match: d.match,
    }))
    .sort((a, b) => compare(a.uniqueId, b.uniqueId));
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
