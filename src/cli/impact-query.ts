/**
 * Impact analysis for `impact` / `lineage` (pure): which exposures sit downstream of a selection of
 * dbt nodes, directly or through any node in between (the manifest's child map), and the text,
 * Markdown and Mermaid renderings of the answer.
 */
import {
  type ExposureLineage,
  type LineageExposure,
  type RunResults,
  renderReference,
} from '../index.js';
import { compareStrings } from '../util/compare.js';
import { plainText } from '../util/terminal-text.js';

export interface ImpactedExposure {
  exposure: LineageExposure;
  /** Its dependencies that are selected or downstream of the selection, sorted. */
  via: string[];
}

/** Nodes a run rebuilt: models, seeds and snapshots with status `success`. */
export function rebuiltNodes(runResults: RunResults): string[] {
  return runResults.results
    .filter((r) => r.status === 'success' && /^(model|seed|snapshot)\./.test(r.uniqueId))
    .map((r) => r.uniqueId)
    .sort(compareStrings);
}

/**
 * Exposures reading any node of `downstream`, sorted by name; an exposure in `chosen` (selected
 * itself, `exposure:name`) is listed with every dependency as `via`.
 */
export function impactedExposures(
  lineage: ExposureLineage,
  downstream: ReadonlySet<string>,
  chosen: ReadonlySet<string> = new Set(),
): ImpactedExposure[] {
  const out: ImpactedExposure[] = [];
  for (const exposure of lineage.exposures) {
    const itself = chosen.has(exposure.uniqueId);
    const via = exposure.dependsOn
      .filter((d) => itself || downstream.has(d.uniqueId))
      .map((d) => renderReference(d.ref, lineage.dbt.packageName))
      .sort(compareStrings);
    if (via.length > 0 || itself) out.push({ exposure, via });
  }
  return out.sort((a, b) => compareStrings(a.exposure.name, b.exposure.name));
}

/** Every exposure, with all its dependencies as `via` (the `lineage` command without a selection). */
export function allExposures(lineage: ExposureLineage): ImpactedExposure[] {
  return impactedExposures(
    lineage,
    new Set(lineage.exposures.flatMap((e) => e.dependsOn.map((d) => d.uniqueId))),
  );
}

function owner(e: LineageExposure): string {
  const { name, email } = e.owner;
  return email === undefined ? name : `${name} <${email}>`;
}

/**
 * Plain text, one block per exposure. `subject` says what was selected (or null for all). Names
 * come from Tableau users: each line is made plain text (no control or bidi characters).
 */
export function renderImpactText(items: ImpactedExposure[], subject: string | null): string {
  const what = items.length === 1 ? '1 exposure' : `${items.length} exposures`;
  const lines = [
    subject === null ? `${what}:` : `${what} depend on ${subject}${items.length ? ':' : '.'}`,
  ];
  for (const { exposure: e, via } of items) {
    lines.push(`  ${e.label} (${e.name}) — ${e.type}, owner ${owner(e)}`);
    if (e.url !== null) lines.push(`    ${e.url}`);
    lines.push(`    reads ${via.join(', ')}`);
  }
  return `${lines.map(plainText).join('\n')}\n`;
}

/**
 * Text shown literally by Markdown renderers (GitHub included): `&`, `<`, `>` as entities (no raw
 * HTML), ASCII punctuation that Markdown or its autolinks act on backslash-escaped (no link,
 * emphasis or table cell break), on one line.
 */
export function markdownText(text: string): string {
  return plainText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~:]/g, (ch) => `\\${ch}`);
}

/** A code span holding `text` literally, safe in a table cell. */
function codeSpan(text: string): string {
  const plain = plainText(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...plain.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = plain.startsWith('`') || plain.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${plain}${pad}${fence}`;
}

/** An http(s) URL as a Markdown link destination, or null when it is not one. */
function linkTarget(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return parsed.href.replace(
    /[()\\\s]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A Markdown table for a pull request comment. Every name is shown as literal text (a workbook
 * named `[x](https://evil.example)` is not a link, `<img …>` is not HTML); the only link is the
 * dashboard's own http(s) URL.
 */
export function renderImpactMarkdown(items: ImpactedExposure[], subject: string | null): string {
  const title =
    subject === null
      ? '### Tableau exposures'
      : `### Tableau exposures downstream of ${markdownText(subject)}`;
  if (items.length === 0) return `${title}\n\nNone.\n`;
  const rows = items.map(({ exposure: e, via }) => {
    const target = e.url === null ? null : linkTarget(e.url);
    const label = target === null ? markdownText(e.label) : `[${markdownText(e.label)}](${target})`;
    const reads = via.map(codeSpan).join(', ');
    return `| ${label} | ${codeSpan(e.name)} | ${reads} | ${markdownText(owner(e))} |`;
  });
  return `${title}\n\n| Dashboard | Exposure | Reads | Owner |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}

/** The lineage restricted to the given exposures (for the Mermaid picture). */
export function restrictLineage(
  lineage: ExposureLineage,
  items: ImpactedExposure[],
): ExposureLineage {
  const keep = new Set(items.map((i) => i.exposure.uniqueId));
  return { ...lineage, exposures: lineage.exposures.filter((e) => keep.has(e.uniqueId)) };
}
