/**
 * `dbt-auto-exposures impact` and `lineage`: which exposures depend on given dbt nodes, as text,
 * Markdown (for a pull request comment), Mermaid or JSON.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type ExposureLineage,
  loadLineage,
  loadManifest,
  loadRunResults,
  type Manifest,
  renderMermaid,
} from '../../index.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { closure } from '../../util/graph.js';
import { choiceFlag, listFlag, type ParsedFlags, usageError } from '../args.js';
import { type CommandContext, runCommand, warnAboutArtifacts } from '../command.js';
import {
  allExposures,
  type ImpactedExposure,
  impactedExposures,
  rebuiltNodes,
  renderImpactMarkdown,
  renderImpactText,
  restrictLineage,
} from '../impact-query.js';
import type { CliIo } from '../io.js';
import { select, selectionGraph } from '../selection.js';
import { describeSettings, resolveSettings } from '../settings.js';
import { findCommand } from '../specs.js';

const FORMATS = ['text', 'markdown', 'mermaid', 'json'] as const;

/** The selectors of --select and --select-file (one per line, `#` comments), or null. */
async function selectors(flags: ParsedFlags, cwd: string): Promise<string[] | null> {
  const given = flags.select as string[] | undefined;
  const file = typeof flags['select-file'] === 'string' ? flags['select-file'] : undefined;
  if (given === undefined && file === undefined) return null;
  const out = [...(given ?? [])];
  if (file !== undefined) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw usageError(
        `--select-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        'pass a file with one dbt selector per line',
        '--select-file',
      );
    }
    out.push(...text.split(/\r?\n/).filter((l) => !l.trim().startsWith('#')));
  }
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** The exposures as data, for --format json / --output json. */
function impactJson(items: ImpactedExposure[], subject: string | null): Record<string, unknown> {
  return {
    selected: subject,
    exposures: items.map(({ exposure: e, via }) => ({
      name: e.name,
      uniqueId: e.uniqueId,
      label: e.label,
      type: e.type,
      url: e.url,
      owner: e.owner,
      reads: via,
    })),
  };
}

async function selectedExposures(
  context: CommandContext,
  lineage: ExposureLineage,
  manifestPath: string,
  runResultsPath: string,
  requireSelection: boolean,
): Promise<{ items: ImpactedExposure[]; subject: string | null }> {
  const { io, flags, console } = context;
  const signal = io.signal;
  const selected = await selectors(flags, io.cwd);
  const excluded =
    listFlag(flags, 'exclude') === undefined ? undefined : (flags.exclude as string[]);
  const fromRun = typeof flags['run-results'] === 'string';
  if (requireSelection && selected === null && !fromRun) {
    throw usageError(
      'impact: say which dbt nodes changed',
      'pass -s orders customers, --select-file <file> or --run-results <file>',
      '--select',
    );
  }
  if (selected === null && !fromRun && excluded === undefined) {
    return { items: allExposures(lineage), subject: null };
  }
  const manifest: Manifest = await loadManifest(manifestPath, { signal });
  warnAboutArtifacts(console, [manifest]);
  const graph = selectionGraph(manifest, [lineage]);
  const start = new Set<string>();
  const names: string[] = [];
  if (selected !== null && selected.length > 0) {
    for (const id of select(graph, selected)) start.add(id);
    names.push(...selected);
  }
  if (fromRun) {
    const runResults = await loadRunResults(runResultsPath, { signal, manifest });
    warnAboutArtifacts(console, [runResults]);
    const rebuilt = rebuiltNodes(runResults);
    for (const id of rebuilt) start.add(id);
    names.push(`the ${rebuilt.length} node${rebuilt.length === 1 ? '' : 's'} rebuilt by the run`);
  }
  if (selected === null && !fromRun) {
    for (const e of lineage.exposures) for (const d of e.dependsOn) start.add(d.uniqueId);
  }
  const out = excluded === undefined ? new Set<string>() : select(graph, excluded, '--exclude');
  for (const id of out) start.delete(id);
  const downstream = closure(start, graph.children);
  const items = impactedExposures(lineage, downstream, start).filter(
    (i) => !out.has(i.exposure.uniqueId),
  );
  return { items, subject: names.length === 0 ? 'every exposure' : names.join(', ') };
}

async function runQuery(context: CommandContext, requireSelection: boolean): Promise<number> {
  const { io, flags, origins, console } = context;
  const format = choiceFlag(flags, 'format', FORMATS) ?? 'text';
  const settings = await resolveSettings(flags, io, origins);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  const signal = io.signal;
  const lineage = await loadLineage(settings.lineagePath, { signal });
  const { items, subject } = await selectedExposures(
    context,
    lineage,
    settings.manifestPath,
    settings.runResultsPath,
    requireSelection,
  );
  const data = impactJson(items, subject);
  const text =
    format === 'text'
      ? renderImpactText(items, subject)
      : format === 'markdown'
        ? renderImpactMarkdown(items, subject)
        : format === 'mermaid'
          ? renderMermaid(restrictLineage(lineage, items))
          : JSON.stringify(data);
  const out = flags.out;
  if (typeof out === 'string') {
    const path = resolve(io.cwd, out);
    await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`, { signal });
    console.status(`wrote ${path}`, { path });
  } else if (format === 'json') {
    console.result(text, data);
  } else {
    console.result(text, { ...data, format, text });
  }
  return 0;
}

/** `impact`: a selection is required. */
export function runImpact(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('impact')!, argv, io, (context) => runQuery(context, true));
}

/** `lineage`: every exposure, or those over the selection. */
export function runLineage(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('lineage')!, argv, io, (context) => runQuery(context, false));
}
