/**
 * `dbt-auto-exposures sync`: Tableau (or a snapshot file) + the manifest → exposures YAML in the
 * dbt project, the lineage JSON, optionally the manifest with exposures injected. Prints what
 * changed since the last sync and every unmatched table with its reason.
 *
 * Safety: every file is written atomically; a listing that fails writes nothing; a listing that
 * came back with warnings (possibly incomplete) keeps every exposure of the previous sync; a sync
 * that would remove every exposure needs --allow-empty; and a name that a hand-written exposure in
 * the project's resource paths already uses fails the sync before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  buildExposureLineage,
  ConfigError,
  diffLineage,
  type ExposureLineage,
  injectExposures,
  type LineageDiff,
  type LineageSource,
  loadLineage,
  loadManifest,
  loadTableauSnapshot,
  recoverSyncOutputs,
  type TableauWarning,
  type TableauWorkbook,
  writeSyncOutputs,
} from '../../index.js';
import { compareStrings } from '../../util/compare.js';
import { numberFlag } from '../args.js';
import { type CommandContext, runCommand, warnAboutArtifacts } from '../command.js';
import type { CliIo } from '../io.js';
import {
  hasSelection,
  isExposureSelected,
  resolveSelection,
  selectionGraph,
} from '../selection.js';
import { type CliSettings, describeSettings, resolveSettings } from '../settings.js';
import { findCommand } from '../specs.js';
import {
  countWorkbooksWithoutTables,
  newUnmatchedTables,
  renderSyncSummary,
  type SyncChanges,
  type SyncSummary,
  syncSummaryJson,
} from '../sync-summary.js';
import { isIncompleteWarning, listFromTableau } from '../tableau.js';

async function previousLineage(
  path: string,
  { io, console }: CommandContext,
): Promise<ExposureLineage | null> {
  try {
    return await loadLineage(path, { signal: io.signal });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing =
      code === 'ERR_LINEAGE_READ' &&
      (error as { details?: { code?: string } }).details?.code === 'ENOENT';
    if (!missing) {
      console.warn(
        `the previous lineage ${path} cannot be read (${(error as Error).message}); changes are reported against nothing`,
        { path },
      );
    }
    return null;
  }
}

/** The journal an interrupted sync leaves in the exposures directory (docs/outputs.md). */
const JOURNAL_FILE = '.dbt-auto-exposures.journal.json';

/**
 * Before anything else, a sync killed while switching its files is completed and the temporary
 * files of killed syncs removed, so even a sync that fails later leaves one complete set.
 * `--check` writes nothing: it only says that an interrupted sync is pending.
 */
async function completeInterruptedSync(
  settings: CliSettings,
  { check, lockTimeoutMs }: { check: boolean; lockTimeoutMs: number | undefined },
  { io, console }: CommandContext,
): Promise<number> {
  const journal = join(settings.exposuresPath, JOURNAL_FILE);
  if (check) {
    if ((await readText(journal)) === null) return 0;
    console.warn(`an interrupted sync left ${journal}; the next sync completes its files`);
    return 1;
  }
  const otherFiles = [settings.lineagePath];
  if (settings.injectManifestPath !== null) otherFiles.push(settings.injectManifestPath);
  const recovery = await recoverSyncOutputs(settings.exposuresPath, {
    otherFiles,
    lockTimeoutMs,
    signal: io.signal,
  });
  let warnings = 0;
  if (recovery.journal?.readable === false) {
    console.warn(`${journal} could not be read; a successful sync rewrites every output`);
    warnings += 1;
  } else if (recovery.journal !== null) {
    const { journal: done } = recovery;
    console.status(
      `completed the file switch of a sync interrupted at ${done.startedAt ?? 'an unknown time'} (pid ${done.pid ?? '?'})`,
    );
    for (const file of done.missing) {
      console.warn(
        `${file} could not be completed (its staged file is missing); a successful sync rewrites it`,
        { file },
      );
      warnings += 1;
    }
  }
  return warnings;
}

/** Exposures of `previous` missing from `next` are kept (the listing may have missed them). */
export function keepPrevious(
  previous: ExposureLineage | null,
  next: ExposureLineage,
): ExposureLineage {
  if (previous === null) return next;
  const have = new Set(next.exposures.map((e) => e.uniqueId));
  const kept = previous.exposures.filter((e) => !have.has(e.uniqueId));
  if (kept.length === 0) return next;
  const exposures = [...next.exposures, ...kept].sort((a, b) => compareStrings(a.name, b.name));
  return { ...next, exposures };
}

/**
 * With --select/--exclude, only the selected exposures change: a selected one is taken from
 * this sync (added, updated, or removed when the listing no longer has it), every other one stays
 * as the previous sync wrote it.
 */
export function mergeSelected(
  previous: ExposureLineage | null,
  built: ExposureLineage,
  selected: (uniqueId: string) => boolean,
): ExposureLineage {
  const kept = (previous?.exposures ?? []).filter((e) => !selected(e.uniqueId));
  const taken = built.exposures.filter((e) => selected(e.uniqueId));
  const exposures = [...taken, ...kept].sort((a, b) => compareStrings(a.name, b.name));
  return { ...built, exposures };
}

async function workbooksFor(
  settings: CliSettings,
  snapshot: string | undefined,
  context: CommandContext,
): Promise<{
  workbooks: TableauWorkbook[];
  warnings: TableauWarning[];
  source: LineageSource;
  from: string;
}> {
  const { io } = context;
  if (snapshot !== undefined) {
    const path = resolve(io.cwd, snapshot);
    const warnings: TableauWarning[] = [];
    const workbooks = await loadTableauSnapshot(path, {
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      onWarning: (w) => warnings.push(w),
    });
    return {
      workbooks,
      warnings,
      source: { kind: 'snapshot', serverUrl: null, siteName: null },
      from: `snapshot ${path}`,
    };
  }
  const listing = await listFromTableau(settings, io, context.console);
  const serverUrl = settings.tableau.serverUrl ?? null;
  const siteName = settings.tableau.siteName ?? null;
  return {
    ...listing,
    source: { kind: 'tableau', serverUrl, siteName },
    from: `Tableau ${serverUrl} site "${siteName}"`,
  };
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** The diff as the summary shows it: per changed exposure, the fields and dependencies. */
export function changesOf(diff: LineageDiff): SyncChanges {
  return {
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed.map((c) => {
      const details = [`changed: ${c.fields.join(', ')}`];
      const deps = [
        ...c.dependencies.added.map((d) => `+${d}`),
        ...c.dependencies.removed.map((d) => `-${d}`),
      ];
      if (deps.length > 0) details.push(`depends_on: ${deps.join(' ')}`);
      return { name: c.name, details };
    }),
  };
}

async function sync(context: CommandContext): Promise<number> {
  const { io, flags, origins, console } = context;
  const settings = await resolveSettings(flags, io, origins);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  console.debug('settings in force', { sources: settings.sources });
  if (!settings.hasDbtProject) {
    throw new ConfigError('ERR_CONFIG', `no dbt_project.yml in ${settings.projectDir}`, {
      file: resolve(settings.projectDir, 'dbt_project.yml'),
      hint: 'run from your dbt project, or pass --project-dir <dir> (or DBT_PROJECT_DIR)',
    });
  }
  const signal = io.signal;
  const check = flags.check === true;
  const seconds = numberFlag(flags, 'lock-timeout', { min: 0 });
  const lockTimeoutMs = seconds === undefined ? undefined : Math.round(seconds * 1000);
  let warningCount = await completeInterruptedSync(settings, { check, lockTimeoutMs }, context);
  const manifest = await loadManifest(settings.manifestPath, { signal });
  warningCount += warnAboutArtifacts(console, [manifest]);
  const snapshot = typeof flags.snapshot === 'string' ? flags.snapshot : undefined;
  const { workbooks, warnings, source, from } = await workbooksFor(settings, snapshot, context);

  const managed = relative(settings.projectDir, settings.exposuresPath).split('\\').join('/');
  const built = buildExposureLineage({
    manifest,
    workbooks,
    options: {
      ...settings.matching,
      source,
      managedPaths: [`${managed}/**`],
    },
  });
  const previous = await previousLineage(settings.lineagePath, context);
  const partial = warnings.some(isIncompleteWarning);
  let next = partial ? keepPrevious(previous, built) : built;
  const selectors = flags.select as string[] | undefined;
  const excludes = flags.exclude as string[] | undefined;
  if (hasSelection(selectors, excludes)) {
    const graph = selectionGraph(manifest, [built, previous]);
    const selection = resolveSelection(graph, selectors, excludes);
    next = mergeSelected(previous, next, (id) => isExposureSelected(selection, id));
  }

  if (
    next.exposures.length === 0 &&
    (previous?.exposures.length ?? 0) > 0 &&
    flags['allow-empty'] !== true
  ) {
    throw new ConfigError(
      'ERR_CONFIG',
      `the listing matched no exposure, and the previous sync had ${previous!.exposures.length}: nothing was written`,
      {
        hint: "check the filters and the token user's permissions; if removing every exposure is intended, pass --allow-empty",
      },
    );
  }

  const yamlOptions = { groupBy: settings.groupBy, dbtVersion: manifest.dbtVersion };
  // Hand-written exposures in every directory dbt reads properties YAML from (the output
  // directory is always scanned too): a name they use would make dbt parse fail.
  const nameCheck = flags['skip-name-check'] === true ? false : { paths: settings.resourcePaths };
  const progress = console.progress();
  progress.update(
    `${check ? 'comparing' : 'writing'} the files of ${next.exposures.length} exposures…`,
  );
  const extraFiles =
    settings.injectManifestPath === null
      ? []
      : [
          {
            path: settings.injectManifestPath,
            data: JSON.stringify(
              injectExposures(
                JSON.parse(await readFile(settings.manifestPath, 'utf8')) as unknown,
                next,
              ),
            ),
          },
        ];
  // --check: every check of a sync, and what it would write, without writing.
  const outputs = await writeSyncOutputs(settings.exposuresPath, next, {
    ...yamlOptions,
    lineagePath: settings.lineagePath,
    extraFiles,
    lockTimeoutMs,
    signal,
    handWrittenExposures: nameCheck,
    dryRun: check,
  });
  const { unscanned } = outputs;
  const written = [...outputs.written, ...outputs.removed];
  progress.done();

  const newUnmatched = newUnmatchedTables(previous, next);
  const summary: SyncSummary = {
    from,
    lineage: next,
    changes: changesOf(diffLineage(previous, next)),
    firstSync: previous === null,
    warnings,
    partial,
    written,
    check,
    unscanned,
    workbooksWithoutTables: countWorkbooksWithoutTables(workbooks),
    parseCustomSql: settings.matching.parseCustomSql === true,
    newUnmatched,
    warnError: settings.warnError,
  };
  const data = syncSummaryJson(summary);
  if (console.options.outputJson) console.result('', data);
  else
    console.block(renderSyncSummary(summary, io.cwd), { name: 'SyncSummary', code: 'AE120' }, data);
  warningCount += warnings.length + unscanned.length + newUnmatched.length;
  if (partial) return 1;
  if (check && written.length > 0) return 1;
  if (settings.warnError && warningCount > 0) {
    console.warn(
      `--warn-error: ${warningCount} warning${warningCount === 1 ? '' : 's'} (${newUnmatched.length} new unmatched table${newUnmatched.length === 1 ? '' : 's'}): exit 1`,
      { warnings: warningCount, newUnmatched: newUnmatched.length },
    );
    return 1;
  }
  return 0;
}

export function runSync(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(findCommand('sync')!, argv, io, sync);
}
