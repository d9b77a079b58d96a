/**
 * `dbt-auto-exposures snapshot --out <file>`: list the workbooks (same filters as sync) and save
 * them, so `sync --snapshot <file>` works offline and a listing can be attached to a bug report.
 */
import { resolve } from 'node:path';
import { writeTableauSnapshot } from '../../index.js';
import { plainText } from '../../util/terminal-text.js';
import { isIncompleteWarning, listFromTableau } from '../listing.js';
import { EXIT } from '../report-error.js';
import type { CommandContext } from '../run.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { usageError } from '../usage-error.js';

export async function runSnapshot({ io, flags }: CommandContext): Promise<number> {
  if (typeof flags.out !== 'string') {
    throw usageError(
      'snapshot: --out <file> is required',
      'pass --out tableau-snapshot.json',
      '--out',
    );
  }
  const out = resolve(io.cwd, flags.out);
  const settings = await resolveSettings(flags, io);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const listing = await listFromTableau(settings, io);
  await writeTableauSnapshot(out, listing.workbooks, {
    source: {
      serverUrl: settings.tableau.serverUrl ?? null,
      siteName: settings.tableau.siteName ?? null,
      ...(io.now === undefined ? {} : { fetchedAt: io.now().toISOString() }),
    },
  });
  io.stdout.write(`wrote ${listing.workbooks.length} workbooks to ${out}\n`);
  for (const warning of listing.warnings) {
    io.stderr.write(
      `warning: Tableau: ${plainText(`${warning.code ?? 'WARNING'}: ${warning.message}`)}\n`,
    );
  }
  if (listing.warnings.some(isIncompleteWarning)) {
    io.stderr.write('the listing may be incomplete (see the warnings above)\n');
    return EXIT.failed;
  }
  return EXIT.ok;
}
