/**
 * What `sync` prints: where the workbooks came from, what changed since the last sync, every
 * table that matched nothing (with the reason and what to do), workbooks left out, warnings, and
 * the files written. The troubleshooting dbt Cloud users do by hand in GraphiQL, printed.
 */
import { relative } from 'node:path';
import type {
  ExposureLineage,
  TableauWarning,
  TableauWorkbook,
  UnmatchedTable,
  UnscannedYamlFile,
} from '../index.js';
import { compareStrings } from '../util/compare.js';
import type { Line } from './console.js';
import type { ColorName } from './io.js';

/** The warning a snapshot's tables in a shape not read produce (docs/tableau.md). */
const UNREAD_TABLES = 'UNREAD_TABLES';

/** The changes since the last sync, by exposure name. */
export interface SyncChanges {
  added: string[];
  removed: string[];
  changed: { name: string; details: string[] }[];
}

export interface SyncSummary {
  /** "Tableau <url> site …" or "snapshot <file>". */
  from: string;
  lineage: ExposureLineage;
  changes: SyncChanges;
  /** No previous lineage file: everything is new. */
  firstSync: boolean;
  warnings: TableauWarning[];
  /** The listing had warnings: exposures of the previous sync were kept. */
  partial: boolean;
  written: string[];
  /** --check: nothing written; `written` lists what would change. */
  check: boolean;
  /** YAML files the hand-written exposure check could not read or parse. */
  unscanned: UnscannedYamlFile[];
  /** Workbooks read with no table and no custom SQL in any data source. */
  workbooksWithoutTables: number;
  /** `matching.parseCustomSql` is on. */
  parseCustomSql: boolean;
  /** Unmatched tables the previous sync did not have (what --warn-error fails on). */
  newUnmatched: UnmatchedTableOf[];
  /** --warn-error is on. */
  warnError: boolean;
}

/** An unmatched table with the exposure (or skipped workbook) it belongs to. */
export interface UnmatchedTableOf extends UnmatchedTable {
  /** Exposure name, or the workbook name when the workbook has no exposure. */
  of: string;
}

/** Every unmatched table of a lineage: of its exposures, then of the workbooks left out. */
export function unmatchedTables(lineage: ExposureLineage): UnmatchedTableOf[] {
  return [
    ...lineage.exposures.flatMap((e) => e.unmatchedTables.map((t) => ({ of: e.name, ...t }))),
    ...lineage.skippedWorkbooks.flatMap((w) =>
      w.unmatchedTables.map((t) => ({ of: w.workbookName, ...t })),
    ),
  ];
}

/** Unmatched tables of `next` that `previous` did not have (by owner, table and reason). */
export function newUnmatchedTables(
  previous: ExposureLineage | null,
  next: ExposureLineage,
): UnmatchedTableOf[] {
  const key = (t: UnmatchedTableOf) => `${t.of}\u0000${t.table}\u0000${t.reason}`;
  const known = new Set((previous === null ? [] : unmatchedTables(previous)).map(key));
  return unmatchedTables(next).filter((t) => !known.has(key(t)));
}

/** How many unmatched tables per reason, most frequent first. */
export function unmatchedByReason(lineage: ExposureLineage): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of unmatchedTables(lineage)) counts.set(t.reason, (counts.get(t.reason) ?? 0) + 1);
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || compareStrings(a.reason, b.reason));
}

/** Workbooks whose data sources hold no table and no custom SQL: nothing to match. */
export function countWorkbooksWithoutTables(workbooks: readonly TableauWorkbook[]): number {
  const empty = (ds: { tables: readonly unknown[]; customSql: readonly unknown[] }) =>
    ds.tables.length === 0 && ds.customSql.length === 0;
  return workbooks.filter(
    (wb) => wb.embeddedDatasources.every(empty) && wb.publishedDatasources.every(empty),
  ).length;
}

function customSqlLine(summary: SyncSummary): string | null {
  const stats = summary.lineage.stats.customSql;
  if (stats === undefined) return null;
  const queries = `${stats.queries} custom SQL ${stats.queries === 1 ? 'query' : 'queries'}`;
  if (!summary.parseCustomSql) {
    return `${queries} Tableau listed no tables for: not parsed (set matching.parseCustomSql: true to parse them here).`;
  }
  const rate = Math.round((stats.parsed / stats.queries) * 100);
  return `Parsed ${stats.parsed} of ${queries} Tableau listed no tables for (${rate}%).`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function unmatchedLine(table: UnmatchedTable): string {
  const candidates =
    table.candidates === undefined || table.candidates.length === 0
      ? ''
      : ` (candidates: ${table.candidates.join(', ')})`;
  return `${table.table} — ${table.reason}: ${table.detail}${candidates}`;
}

/** The number of exposures added, removed or changed. */
export function changeCount(changes: SyncChanges): number {
  return changes.added.length + changes.removed.length + changes.changed.length;
}

function colored(color: ColorName, text: string): Line {
  return { color, text };
}

/** The lines `sync` prints (made plain text and coloured by the console). */
export function renderSyncSummary(summary: SyncSummary, cwd: string): Line[] {
  const { lineage, changes } = summary;
  // Lines hold names typed by Tableau users: each is made plain text, then coloured.
  const out: Line[] = [];
  const { stats } = lineage;
  out.push(`Read ${plural(stats.workbooks, 'workbook')} from ${summary.from}.`);
  if (summary.workbooksWithoutTables > 0) {
    const unread = summary.warnings.some((w) => w.code === UNREAD_TABLES);
    out.push(
      `${summary.workbooksWithoutTables} of them had no readable tables${unread ? '; some tables of the input were not read (see the warnings below)' : ''}.`,
    );
  }
  out.push(
    `Matched ${stats.matched} of ${plural(stats.tables, 'table')} onto dbt nodes: ${plural(lineage.exposures.length, 'exposure')}.`,
  );
  const sql = customSqlLine(summary);
  if (sql !== null) out.push(sql);

  out.push('');
  if (summary.firstSync) {
    out.push(`First sync: ${plural(changes.added.length, 'exposure')} added.`);
  } else if (changeCount(changes) === 0) {
    out.push('No changes since the last sync.');
  } else {
    out.push(
      `Changes since the last sync: ${changes.added.length} added, ${changes.removed.length} removed, ${changes.changed.length} changed.`,
    );
  }
  for (const name of changes.added) out.push(colored('green', `  + ${name}`));
  for (const name of changes.removed) out.push(colored('red', `  - ${name}`));
  for (const { name, details } of changes.changed) {
    out.push(colored('yellow', `  ~ ${name}`));
    for (const d of details) out.push(`      ${d}`);
  }

  const unmatched = lineage.exposures.filter((e) => e.unmatchedTables.length > 0);
  const unmatchedCount = unmatched.reduce((n, e) => n + e.unmatchedTables.length, 0);
  if (unmatchedCount > 0) {
    out.push('');
    out.push(`Unmatched tables (${unmatchedCount}), by exposure:`);
    for (const e of unmatched) {
      out.push(`  ${e.name} (${e.label}):`);
      for (const table of e.unmatchedTables) out.push(`    ${unmatchedLine(table)}`);
    }
  }
  if (lineage.skippedWorkbooks.length > 0) {
    out.push('');
    out.push(`Workbooks without an exposure (${lineage.skippedWorkbooks.length}):`);
    for (const w of lineage.skippedWorkbooks) {
      out.push(`  ${w.workbookName} — ${w.reason}`);
      for (const table of w.unmatchedTables) out.push(`    ${unmatchedLine(table)}`);
    }
  }
  if (lineage.ambiguous.length > 0) {
    out.push('');
    out.push(`Ambiguous tables (${lineage.ambiguous.length}), not matched:`);
    for (const a of lineage.ambiguous) {
      out.push(`  ${a.workbookName}: ${a.table} could be ${a.candidates.join(' or ')}`);
    }
  }
  if (unmatchedCount + lineage.skippedWorkbooks.length + lineage.ambiguous.length > 0) {
    out.push(
      colored(
        'dim',
        '  (how to fix: docs/matching.md — e.g. matching.databaseAliases in the config file)',
      ),
    );
  }

  if (summary.warnings.length > 0) {
    out.push('');
    out.push(colored('yellow', `Tableau warnings (${summary.warnings.length}):`));
    for (const w of summary.warnings) out.push(`  ${w.code ?? 'WARNING'}: ${w.message}`);
  }
  if (summary.partial) {
    out.push(
      colored(
        'yellow',
        'The listing may be incomplete: exposures of the previous sync were kept, none removed. Exit code 1.',
      ),
    );
  }

  const rel = (p: string) => {
    const r = relative(cwd, p);
    return r.startsWith('..') ? p : r;
  };
  if (summary.unscanned.length > 0) {
    out.push('');
    out.push(
      colored(
        'yellow',
        `YAML files not checked for hand-written exposures (${summary.unscanned.length}):`,
      ),
    );
    for (const u of summary.unscanned) out.push(`  ${rel(u.file)} — ${u.reason}`);
    out.push(colored('dim', '  (dbt parse will report them; fix them and sync again)'));
  }

  out.push('');
  if (summary.check) {
    out.push(
      summary.written.length === 0
        ? 'Check: the outputs are up to date.'
        : `Check: ${plural(summary.written.length, 'file')} would change (nothing written):`,
    );
  } else {
    out.push(
      summary.written.length === 0 ? 'Nothing to write: the outputs are up to date.' : 'Wrote:',
    );
  }
  for (const path of summary.written) out.push(`  ${rel(path)}`);

  // Last, so a long run ends with the counts: what to fix first.
  const byReason = unmatchedByReason(lineage);
  if (byReason.length > 0) {
    out.push('');
    out.push(
      `Unmatched tables by reason: ${byReason.map((r) => `${r.reason} ${r.count}`).join(', ')}.`,
    );
    const fresh = summary.newUnmatched.length;
    if (fresh > 0 && (!summary.firstSync || summary.warnError)) {
      out.push(
        colored(
          summary.warnError ? 'red' : 'yellow',
          `${fresh} new unmatched table${fresh === 1 ? '' : 's'} (not in the previous sync)${summary.warnError ? '; --warn-error: exit 1' : ''}.`,
        ),
      );
    }
  }
  return out;
}

/** The one JSON line `sync --json` prints. */
export function syncSummaryJson(summary: SyncSummary): Record<string, unknown> {
  const { lineage } = summary;
  return {
    from: summary.from,
    stats: lineage.stats,
    workbooksWithoutTables: summary.workbooksWithoutTables,
    exposures: lineage.exposures.map((e) => e.name),
    firstSync: summary.firstSync,
    added: summary.changes.added,
    removed: summary.changes.removed,
    changed: summary.changes.changed,
    unmatched: lineage.exposures.flatMap((e) =>
      e.unmatchedTables.map((t) => ({ exposure: e.name, ...t })),
    ),
    skippedWorkbooks: lineage.skippedWorkbooks,
    ambiguous: lineage.ambiguous,
    warnings: summary.warnings,
    partial: summary.partial,
    check: summary.check,
    files: summary.written,
    unscannedYaml: summary.unscanned,
    unmatchedByReason: unmatchedByReason(lineage),
    newUnmatched: summary.newUnmatched,
  };
}
