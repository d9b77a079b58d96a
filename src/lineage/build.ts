/**
 * `buildExposureLineage`: manifest + Tableau workbooks → the exposure lineage object. Pure and
 * deterministic: the same inputs in any order give the same JSON.
 */
import { packageNames } from '../artifacts/manifest.js';
import { buildRelationIndex } from '../artifacts/relation.js';
import type { DbtNode, Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import { compareStrings } from '../util/compare.js';
import { SourceAnalyzer } from './analyze.js';
import { type BuildLineageInput, checkOptions } from './build-options.js';
import { Curation } from './curation.js';
import { RelationMatcher } from './match.js';
import { nameExposures } from './name-exposures.js';
import { renderRef } from './refs.js';
import { normalizeTags, toExposure } from './to-exposure.js';
import {
  type AmbiguousMatch,
  type ExposureLineage,
  LINEAGE_VERSION,
  type SkippedWorkbook,
} from './types.js';
import { analyzeWorkbook, type WorkbookAnalysis } from './workbook-analysis.js';

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
    options.relationIndex ?? buildRelationIndex(relationalNodes(manifest.nodes.values()));
  const matcher = new RelationMatcher(index, options);
  const analyzer = new SourceAnalyzer(matcher, {
    parseCustomSql: options.parseCustomSql ?? false,
    // Called once per node reached (the analyzer keeps the result in the node's slot).
    renderRef: (node) => renderRef(node, { projectName: packageName }),
  });

  const sorted = [...workbooks].sort((a, b) => compareStrings(a.luid, b.luid));
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
    if (analysis.dependencies.length === 0 && !(options.keepUnmatchedWorkbooks ?? false)) {
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
  const context = {
    packageName,
    curation,
    options,
    defaultTags: normalizeTags(options.tags ?? ['tableau']),
  };
  const exposures = emitted.map((analysis) =>
    toExposure(analysis, names.get(analysis.workbook.luid)!, context),
  );
  exposures.sort((a, b) => compareStrings(a.name, b.name));
  ambiguous.sort(
    (a, b) => compareStrings(a.workbookLuid, b.workbookLuid) || compareStrings(a.table, b.table),
  );

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
    stats: {
      workbooks: workbooks.length,
      tables,
      matched,
      unmatched: tables - matched,
      ...(analyzer.customSqlStats.queries === 0
        ? {}
        : { customSql: { ...analyzer.customSqlStats } }),
    },
  };
}

/** No root project known: a coded error naming the manifest's packages, one of which it is. */
function unknownRootProject(manifest: Manifest): never {
  const candidates = packageNames(manifest.resourceTypes.keys());
  throw new ConfigError(
    `${manifest.path ?? 'the manifest'} names no root project: no metadata.project_name (dbt < 1.6), and metadata.project_id is the MD5 of none of its packages (${candidates.join(', ') || 'none'}); pass options.packageName (CLI: matching.packageName in the config file), the name in the project's dbt_project.yml`,
    {
      code: 'ERR_INVALID_OPTION',
      field: 'options.packageName',
      expected: 'the name of the dbt project the exposures belong to',
      details: { candidates },
    },
  );
}

/** Defensive: only enabled, non-ephemeral nodes own a relation (the parser already filters). */
function relationalNodes(nodes: Iterable<DbtNode>): DbtNode[] {
  const out: DbtNode[] = [];
  for (const node of nodes) {
    if (node.enabled && node.materialization !== 'ephemeral') out.push(node);
  }
  return out;
}
