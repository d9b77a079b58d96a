/**
 * `dbt-auto-exposures snapshot --out <file>`: list the workbooks (same filters as sync) and save
 * them, so `sync --snapshot <file>` works offline and a listing can be attached to a bug report.
 * Says how many workbooks Tableau returned that the filters left out, and which filters.
 */
import { resolve } from 'node:path';
import { writeTableauSnapshot } from '../../index.js';
import { usageError } from '../args.js';
import { type CommandContext, runCommand } from '../command.js';
import type { CliIo } from '../io.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { findCommand } from '../specs.js';
import { isIncompleteWarning, listFromTableau } from '../tableau.js';

/** The filters in force, in words, for "left out by …". */
function filterWords(filter: Record<string, unknown>): string {
  const words: string[] = [];
  const list = (key: string, label: string) => {
    const value = filter[key];
    if (Array.isArray(value) && value.length > 0) words.push(`${label} ${value.join(', ')}`);
  };
  list('projects', 'project');
  list('collections', 'collection');
  list('tags', 'tag');
  list('include', 'include-workbook');
  list('exclude', 'exclude-workbook');
  if (filter.includePersonalSpace !== true) words.push('personal spaces left out');
  return words.join('; ');
}

async function snapshot({ io, flags, origins, console }: CommandContext): Promise<number> {
  if (typeof flags.out !== 'string') {
    throw usageError(
      'snapshot: --out <file> is required',
      'pass --out tableau-snapshot.json',
      '--out',
    );
  }
  const out = resolve(io.cwd, flags.out);
  const settings = await resolveSettings(flags, io, origins);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const listing = await listFromTableau(settings, io, console);
  const progress = console.progress();
  progress.update(`writing ${listing.workbooks.length} workbooks to ${out}…`);
  await writeTableauSnapshot(out, listing.workbooks, {
    source: {
      serverUrl: settings.tableau.serverUrl ?? null,
      siteName: settings.tableau.siteName ?? null,
      ...(io.now === undefined ? {} : { fetchedAt: io.now().toISOString() }),
    },
  });
  progress.done();
  const written = listing.workbooks.length;
  const leftOut = listing.fetched === null ? null : Math.max(0, listing.fetched - written);
  for (const warning of listing.warnings) {
    console.warn(`Tableau: ${warning.code ?? 'WARNING'}: ${warning.message}`, { ...warning });
  }
  const incomplete = listing.warnings.some(isIncompleteWarning);
  const why = filterWords(settings.filter as Record<string, unknown>);
  const lines = [`wrote ${written} workbooks to ${out}`];
  if (leftOut !== null && leftOut > 0) {
    lines.push(
      `${leftOut} of the ${listing.fetched} workbooks Tableau listed were left out by the filters (${why})`,
    );
  }
  if (incomplete) lines.push('the listing may be incomplete (see the warnings above)');
  const data = {
    file: out,
    workbooks: written,
    listed: listing.fetched,
    leftOutByFilters: leftOut,
    filters: settings.filter,
    warnings: listing.warnings,
    incomplete,
  };
  if (console.options.outputJson) console.result('', data);
  else console.block(lines, { name: 'SnapshotWritten', code: 'AE110' }, data);
  return incomplete ? 1 : 0;
}

export function runSnapshot(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('snapshot')!, argv, io, snapshot);
}
