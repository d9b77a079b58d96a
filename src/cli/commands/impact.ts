/**
 * `dbt-auto-exposures impact` and `lineage`: which exposures depend on given dbt nodes, as text,
 * Markdown (for a pull request comment) or Mermaid.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadManifest } from '../../artifacts/manifest.js';
import { loadRunResults } from '../../artifacts/run-results.js';
import { loadLineage } from '../../output/lineage-file.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { plainText } from '../../util/terminal-text.js';
import { warnAboutArtifacts, warnAboutPairing } from '../artifact-warnings.js';
import type { ParsedFlags } from '../flags.js';
import {
  allExposures,
  downstreamClosure,
  type ImpactedExposure,
  impactedExposures,
  rebuiltNodes,
  renderImpactMarkdown,
  renderImpactText,
  restrictLineage,
  selectNodes,
} from '../impact-query.js';
import { EXIT } from '../report-error.js';
import type { CommandContext } from '../run.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { usageError } from '../usage-error.js';

const FORMATS = ['text', 'markdown', 'mermaid'] as const;
type Format = (typeof FORMATS)[number];

function formatOf(flags: ParsedFlags): Format {
  const value = flags.format ?? 'text';
  if (typeof value === 'string' && (FORMATS as readonly string[]).includes(value)) {
    return value as Format;
  }
  throw usageError(
    `--format: expected text, markdown or mermaid, got "${String(value)}"`,
    'pass --format text, --format markdown or --format mermaid',
    '--format',
  );
}

async function selectors(flags: ParsedFlags, cwd: string): Promise<string[] | null> {
  const out: string[] = [];
  let given = false;
  if (Array.isArray(flags.select)) {
    given = true;
    out.push(...flags.select.flatMap((s) => s.split(',')));
  }
  if (typeof flags['select-file'] === 'string') {
    given = true;
    const file = resolve(cwd, flags['select-file']);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw usageError(
        `--select-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        'pass a file with one dbt node name or unique id per line',
        '--select-file',
      );
    }
    out.push(...text.split(/\r?\n/).filter((l) => !l.trim().startsWith('#')));
  }
  return given ? out.map((s) => s.trim()).filter((s) => s !== '') : null;
}

async function runQuery({ io, flags }: CommandContext, requireSelection: boolean): Promise<number> {
  const format = formatOf(flags);
  const settings = await resolveSettings(flags, io);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const signal = io.signal;
  const selected = await selectors(flags, io.cwd);
  const fromRun = typeof flags['run-results'] === 'string';
  if (requireSelection && selected === null && !fromRun) {
    throw usageError(
      'impact: say which dbt nodes changed',
      'pass --select orders,customers, --select-file <file> or --run-results <file>',
      '--select',
    );
  }
  const lineage = await loadLineage(settings.lineagePath, { signal });

  let items: ImpactedExposure[];
  let subject: string | null = null;
  if (selected === null && !fromRun) {
    items = allExposures(lineage);
  } else {
    const manifest = await loadManifest(settings.manifestPath, { signal });
    warnAboutArtifacts(io, [manifest]);
    const ids = new Set<string>();
    const names: string[] = [];
    if (selected !== null) {
      const selection = selectNodes(selected, manifest);
      for (const id of selection.ids) ids.add(id);
      for (const name of selection.unknown) {
        io.stderr.write(
          `warning: no dbt node named "${plainText(name)}" in ${settings.manifestPath}; ignored\n`,
        );
      }
      names.push(...selected.filter((s) => !selection.unknown.includes(s)));
    }
    if (fromRun) {
      const runResults = await loadRunResults(settings.runResultsPath, { signal });
      warnAboutArtifacts(io, [runResults]);
      warnAboutPairing(io, runResults, manifest);
      const rebuilt = rebuiltNodes(runResults);
      for (const id of rebuilt) ids.add(id);
      names.push(`the ${rebuilt.length} node${rebuilt.length === 1 ? '' : 's'} rebuilt by the run`);
    }
    subject = names.length === 0 ? 'nothing known' : names.join(', ');
    items = impactedExposures(lineage, downstreamClosure(ids, manifest));
  }

  const text =
    format === 'text'
      ? renderImpactText(items, subject)
      : format === 'markdown'
        ? renderImpactMarkdown(items, subject)
        : (await import('../../output/mermaid.js')).renderMermaid(restrictLineage(lineage, items));
  const out = flags.out;
  if (typeof out === 'string') {
    const path = resolve(io.cwd, out);
    await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`, { signal });
    io.stderr.write(`wrote ${path}\n`);
  } else {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return EXIT.ok;
}

/** `impact`: a selection is required. */
export function runImpact(context: CommandContext): Promise<number> {
  return runQuery(context, true);
}

/** `lineage`: every exposure, or those over the selection. */
export function runLineage(context: CommandContext): Promise<number> {
  return runQuery(context, false);
}
