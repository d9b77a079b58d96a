/**
 * `buildExposureLineage`: manifest + Tableau workbooks → the exposure lineage object. Pure and
 * deterministic: the same inputs in any order give the same lineage. It is built in the lineage
 * file's canonical form (keys in the order of types.ts, every list sorted), so it is written as is.
 */
import { packageNames } from '../artifacts/manifest.js';
import type { Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { TableauWorkbook } from '../tableau/types.js';
import { compareStrings } from '../util/compare.js';
import { type BuildLineageInput, type BuildLineageOptions, checkOptions } from './build-options.js';
import { Curation } from './curation.js';
import { MATCH_RANK, Matcher, type TableOutcome } from './match.js';
import { nameExposures } from './naming.js';
import { RelationIndex } from './relation.js';
import {
  type AmbiguousMatch,
  type ExposureLineage,
  LINEAGE_VERSION,
  type LineageDependency,
  type LineageExposure,
  type LineageRefreshTarget,
  type SkippedWorkbook,
  type UnmatchedTable,
} from './types.js';

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
 * The result is plain data; objects inside it may be shared between exposures (the same
 * unmatched entry in two workbooks), so treat it as read-only.
 *
 * @throws ConfigError (`ERR_INVALID_OPTION`) on invalid options, duplicate workbook luids,
 *   duplicate or taken override names, or when no root project is known (no `packageName`, no
 *   `metadata.project_name`, and `metadata.project_id` matches no package; `details.candidates`
 *   lists the packages).
 */
export function buildExposureLineage(input: BuildLineageInput): ExposureLineage {
  const { manifest, workbooks } = input;
  const options = input.options ?? {};
  checkOptions(options);
  const packageName = options.packageName ?? manifest.projectName ?? unknownRootProject(manifest);
  const curation = new Curation(options);
  checkUniqueLuids(workbooks);
  const matcher = new Matcher(new RelationIndex(manifest.nodes.values()), {
    ...options,
    parseCustomSql: options.parseCustomSql ?? false,
  });

  const emitted: Array<{ workbook: TableauWorkbook; reached: WorkbookLineage }> = [];
  const skippedWorkbooks: SkippedWorkbook[] = [];
  const ambiguous: AmbiguousMatch[] = [];
  let tables = 0;
  let matched = 0;
  for (const workbook of workbooks) {
    if (curation.isExcluded(workbook)) {
      skippedWorkbooks.push(skipped(workbook, 'excluded', []));
      continue;
    }
    const reached = readWorkbook(workbook, matcher);
    tables += reached.tableCount;
    matched += reached.matchedCount;
    for (const u of reached.unmatched) {
      if (u.reason !== 'ambiguous') continue;
      ambiguous.push({
        workbookLuid: workbook.luid,
        workbookName: workbook.name,
        table: u.table,
        candidates: u.candidates ?? [],
      });
    }
    if (reached.dependencies.length === 0 && options.keepUnmatchedWorkbooks !== true) {
      skippedWorkbooks.push(skipped(workbook, 'no_matched_tables', reached.unmatched));
    } else {
      emitted.push({ workbook, reached });
    }
  }

  const names = nameExposures(
    manifest,
    workbooks,
    emitted.map((e) => e.workbook),
    curation,
    options.managedPaths,
  );
  const defaultTags = sortedTags(options.tags ?? ['tableau']);
  const exposures = emitted.map(({ workbook, reached }) =>
    toExposure(workbook, reached, names.get(workbook.luid)!, {
      packageName,
      curation,
      options,
      defaultTags,
    }),
  );
  // The input order decides nothing: every list is sorted here.
  exposures.sort((a, b) => compareStrings(a.name, b.name));
  skippedWorkbooks.sort((a, b) => compareStrings(a.workbookLuid, b.workbookLuid));
  ambiguous.sort(
    (a, b) => compareStrings(a.workbookLuid, b.workbookLuid) || compareStrings(a.table, b.table),
  );

  const source = options.source ?? { kind: 'tableau', serverUrl: null, siteName: null };
  const { customSqlStats } = matcher;
  return {
    version: LINEAGE_VERSION,
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    source: { kind: source.kind, serverUrl: source.serverUrl, siteName: source.siteName },
    dbt: {
      projectName: manifest.projectName,
      packageName,
      adapterType: manifest.adapterType,
      manifestSchemaVersion: manifest.schemaVersion,
      dbtVersion: manifest.dbtVersion,
    },
    exposures,
    ambiguous,
    skippedWorkbooks,
    stats: {
      workbooks: workbooks.length,
      tables,
      matched,
      unmatched: tables - matched,
      ...(customSqlStats.queries === 0
        ? {}
        : { customSql: { queries: customSqlStats.queries, parsed: customSqlStats.parsed } }),
    },
  };
}

/** No root project known: a coded error naming the manifest's packages, one of which it is. */
function unknownRootProject(manifest: Manifest): never {
  const candidates = packageNames(manifest.resourceTypes.keys());
  throw new ConfigError(
    'ERR_INVALID_OPTION',
    `${manifest.path ?? 'the manifest'} names no root project: no metadata.project_name (dbt < 1.6), and metadata.project_id is the MD5 of none of its packages (${candidates.join(', ') || 'none'}); pass options.packageName (CLI: matching.packageName in the config file), the name in the project's dbt_project.yml`,
    {
      field: 'options.packageName',
      expected: 'the name of the dbt project the exposures belong to',
      details: { candidates },
    },
  );
}

function checkUniqueLuids(workbooks: readonly TableauWorkbook[]): void {
  const seen = new Set<string>();
  for (const [i, workbook] of workbooks.entries()) {
    if (seen.has(workbook.luid)) {
      throw new ConfigError(
        'ERR_INVALID_OPTION',
        `workbook luid ${workbook.luid} appears twice in the input`,
        {
          field: `workbooks[${i}].luid`,
          expected: 'each workbook once',
        },
      );
    }
    seen.add(workbook.luid);
  }
}

function skipped(
  workbook: TableauWorkbook,
  reason: SkippedWorkbook['reason'],
  unmatchedTables: UnmatchedTable[],
): SkippedWorkbook {
  return { workbookLuid: workbook.luid, workbookName: workbook.name, reason, unmatchedTables };
}

/** What one workbook reaches, each list sorted. */
interface WorkbookLineage {
  dependencies: LineageDependency[];
  unmatched: UnmatchedTable[];
  refreshTargets: LineageRefreshTarget[];
  /** Distinct table labels, and those of them that matched. */
  tableCount: number;
  matchedCount: number;
}

/**
 * One workbook's outcomes, gathered as they come: one dependency per dbt node (with every label
 * that led to it, and the most direct match kind), and the misses; labels are counted at the end.
 */
class WorkbookTables {
  /** Dependencies by their node's unique id. */
  readonly #dependencies = new Map<string, LineageDependency>();
  /** Misses as they come (duplicates removed at the end). */
  readonly #misses: UnmatchedTable[] = [];

  /** Add one outcome; true when it matched. */
  add(outcome: TableOutcome): boolean {
    if (outcome.kind === 'unmatched') {
      this.#misses.push(outcome.entry);
      return false;
    }
    const { node, label, match } = outcome;
    const dependency = this.#dependencies.get(node.uniqueId);
    if (dependency === undefined) {
      const tables = [label];
      this.#dependencies.set(node.uniqueId, {
        uniqueId: node.uniqueId,
        ref: outcome.ref,
        tables,
        match,
      });
      return true;
    }
    if (!dependency.tables.includes(label)) dependency.tables.push(label);
    if (match !== dependency.match && MATCH_RANK[match] < MATCH_RANK[dependency.match]) {
      dependency.match = match;
    }
    return true;
  }

  /** Add several outcomes; true when one matched. */
  addAll(outcomes: readonly TableOutcome[]): boolean {
    let any = false;
    for (const outcome of outcomes) if (this.add(outcome)) any = true;
    return any;
  }

  result(refreshTargets: LineageRefreshTarget[]): WorkbookLineage {
    // The default sort compares UTF-16 code units, as compareStrings does, without a callback.
    const dependencies = [...this.#dependencies.keys()]
      .sort()
      .map((uniqueId) => this.#dependencies.get(uniqueId)!);
    const matchedLabels = new Set<string>();
    for (const d of dependencies) {
      for (const label of d.tables) matchedLabels.add(label);
      if (d.tables.length > 1) d.tables.sort(compareStrings);
    }
    // A label that matched somewhere in the workbook is not a miss; each miss is listed once.
    const misses = this.#misses.filter((u) => !matchedLabels.has(u.table)).sort(compareMisses);
    const unmatched = misses.filter((u, i) => i === 0 || compareMisses(misses[i - 1]!, u) !== 0);
    let unmatchedLabels = 0;
    for (const [i, u] of unmatched.entries()) {
      if (i === 0 || u.table !== unmatched[i - 1]!.table) unmatchedLabels += 1;
    }
    return {
      dependencies,
      unmatched,
      refreshTargets,
      tableCount: matchedLabels.size + unmatchedLabels,
      matchedCount: matchedLabels.size,
    };
  }
}

function compareMisses(a: UnmatchedTable, b: UnmatchedTable): number {
  return (
    compareStrings(a.table, b.table) ||
    compareStrings(a.reason, b.reason) ||
    compareStrings(a.detail, b.detail)
  );
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

/** Match every table of a workbook (embedded, published, custom SQL) and gather the outcome. */
function readWorkbook(workbook: TableauWorkbook, matcher: Matcher): WorkbookLineage {
  const tables = new WorkbookTables();
  let directMatch = false;
  for (const embedded of workbook.embeddedDatasources) {
    for (const table of embedded.tables) if (tables.add(matcher.table(table))) directMatch = true;
    for (const sql of embedded.customSql) {
      if (tables.addAll(matcher.customSql(sql))) directMatch = true;
    }
  }
  const refreshTargets: LineageRefreshTarget[] = [];
  for (const published of workbook.publishedDatasources) {
    if (tables.addAll(matcher.published(published.luid, published))) {
      refreshTargets.push({
        kind: 'datasource',
        luid: published.luid,
        name: published.name,
        hasExtracts: published.hasExtracts,
        lastRefreshAt: published.hasExtracts ? published.extractLastRefreshTime : null,
      });
    }
  }
  // Sorted by `kind:luid` (`refreshTargetKey`): data sources by luid, then the workbook.
  refreshTargets.sort((a, b) => compareStrings(a.luid, b.luid));
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
  return tables.result(refreshTargets);
}

/** Tags as exposures carry them: distinct, sorted. */
function sortedTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort(compareStrings);
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

/** What every exposure of one build shares. */
interface ExposureContext {
  packageName: string;
  curation: Curation;
  options: BuildLineageOptions;
  /** `options.tags` (default `['tableau']`), de-duplicated and sorted once per build. */
  defaultTags: readonly string[];
}

/** The exposure of a workbook: overrides first, then options, then defaults. */
function toExposure(
  workbook: TableauWorkbook,
  reached: WorkbookLineage,
  name: string,
  { packageName, curation, options, defaultTags }: ExposureContext,
): LineageExposure {
  const override = curation.overrideFor(workbook) ?? {};
  const owner = override.owner
    ? override.owner.email === undefined
      ? { name: override.owner.name }
      : { name: override.owner.name, email: override.owner.email }
    : ownerOf(workbook);
  return {
    name,
    uniqueId: `exposure.${packageName}.${name}`,
    label: override.label ?? workbook.name,
    type: override.type ?? options.defaultType ?? 'dashboard',
    maturity: override.maturity ?? options.defaultMaturity ?? 'medium',
    url: workbook.url,
    owner,
    description: override.description ?? describe(workbook),
    tags: override.tags ? sortedTags(override.tags) : defaultTags.slice(),
    meta: {
      tableau: {
        workbookLuid: workbook.luid,
        projectName: workbook.projectName,
        updatedAt: workbook.updatedAt,
        projectLuid: workbook.projectLuid,
        vizportalUrlId: workbook.vizportalUrlId,
      },
    },
    dependsOn: reached.dependencies,
    refreshTargets: reached.refreshTargets,
    unmatchedTables: reached.unmatched,
  };
}
