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
import { ConfigError } from '../../errors.js';
import {
  buildExposureLineage,
  diffLineage,
  loadManifest,
  loadTableauSnapshot,
} from '../../index.js';
import type { ExposureLineage, LineageSource } from '../../lineage/types.js';
import type { LineageDiff } from '../../output/diff.js';
import { checkExposureNames, type UnscannedYamlFile } from '../../output/exposure-scan.js';
import { injectExposures } from '../../output/inject.js';
import { loadLineage, renderLineage } from '../../output/lineage-file.js';
import { JOURNAL_FILE } from '../../output/output-journal.js';
import { recoverSyncOutputs, writeSyncOutputs } from '../../output/sync-outputs.js';
import { DEFAULT_EXPOSURES_FILE, renderExposuresYaml } from '../../output/yaml.js';
import type { TableauWarning, TableauWorkbook } from '../../tableau/types.js';
import { jsonLine, plainText } from '../../util/terminal-text.js';
import { warnAboutArtifacts } from '../artifact-warnings.js';
import { numberFlag } from '../flag-values.js';
import { painter, useColor } from '../io.js';
import { isIncompleteWarning, listFromTableau } from '../listing.js';
import { EXIT } from '../report-error.js';
import type { CommandContext } from '../run.js';
import { type CliSettings, describeSettings, resolveSettings } from '../settings.js';
import {
  countWorkbooksWithoutTables,
  renderSyncSummary,
  type SyncChanges,
  type SyncSummary,
  syncSummaryJson,
} from '../sync-summary.js';

async function previousLineage(
  path: string,
  io: CommandContext['io'],
): Promise<ExposureLineage | null> {
  try {
    return await loadLineage(path, { signal: io.signal });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing =
      code === 'ERR_LINEAGE_READ' &&
      (error as { details?: { code?: string } }).details?.code === 'ENOENT';
    if (!missing) {
      io.stderr.write(
        `warning: the previous lineage ${path} cannot be read (${plainText((error as Error).message)}); changes are reported against nothing\n`,
      );
    }
    return null;
  }
}

/**
 * Before anything else, a sync killed while switching its files is completed and the temporary
 * files of killed syncs removed, so even a sync that fails later leaves one complete set.
 * `--check` writes nothing: it only says that an interrupted sync is pending.
 */
async function completeInterruptedSync(
  settings: CliSettings,
  { check, lockTimeoutMs }: { check: boolean; lockTimeoutMs: number | undefined },
  io: CommandContext['io'],
): Promise<void> {
  const journal = join(settings.exposuresPath, JOURNAL_FILE);
  if (check) {
    if ((await readText(journal)) !== null) {
      io.stderr.write(
        `warning: an interrupted sync left ${journal}; the next sync completes its files\n`,
      );
    }
    return;
  }
  const otherFiles = [settings.lineagePath];
  if (settings.injectManifestPath !== null) otherFiles.push(settings.injectManifestPath);
  const recovery = await recoverSyncOutputs(settings.exposuresPath, {
    otherFiles,
    lockTimeoutMs,
    signal: io.signal,
  });
  if (recovery.journal?.readable === false) {
    io.stderr.write(
      `warning: ${journal} could not be read; a successful sync rewrites every output\n`,
    );
  } else if (recovery.journal !== null) {
    const { journal: done } = recovery;
    io.stderr.write(
      `completed the file switch of a sync interrupted at ${done.startedAt ?? 'an unknown time'} (pid ${done.pid ?? '?'})\n`,
    );
    for (const file of done.missing) {
      io.stderr.write(
        `warning: ${file} could not be completed (its staged file is missing); a successful sync rewrites it\n`,
      );
    }
  }
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
  const exposures = [...next.exposures, ...kept].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return { ...next, exposures };
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
  const listing = await listFromTableau(settings, io);
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

/** The outputs a sync would write (--check): YAML files and the lineage JSON that differ. */
async function wouldChange(
  settings: CliSettings,
  next: ExposureLineage,
  yamlOptions: { groupBy: 'none' | 'project'; dbtVersion: string },
): Promise<string[]> {
  const rendered = renderExposuresYaml(next, yamlOptions);
  const files =
    typeof rendered === 'string' ? new Map([[DEFAULT_EXPOSURES_FILE, rendered]]) : rendered;
  const changed: string[] = [];
  for (const [name, text] of files) {
    const path = join(settings.exposuresPath, name);
    if ((await readText(path)) !== text) changed.push(path);
  }
  if ((await readText(settings.lineagePath)) !== renderLineage(next)) {
    changed.push(settings.lineagePath);
  }
  return changed;
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

export async function runSync(context: CommandContext): Promise<number> {
  const { io, flags } = context;
  const settings = await resolveSettings(flags, io);
  if (flags.verbose === true) io.stderr.write(describeSettings(settings));
  if (!settings.hasDbtProject) {
    throw new ConfigError(`no dbt_project.yml in ${settings.projectDir}`, {
      file: resolve(settings.projectDir, 'dbt_project.yml'),
      details: {
        hint: 'run from your dbt project, or pass --project-dir <dir> (or DBT_PROJECT_DIR)',
      },
    });
  }
  const signal = io.signal;
  const check = flags.check === true;
  const seconds = numberFlag(flags, 'lock-timeout', { min: 0 });
  const lockTimeoutMs = seconds === undefined ? undefined : Math.round(seconds * 1000);
  await completeInterruptedSync(settings, { check, lockTimeoutMs }, io);
  const manifest = await loadManifest(settings.manifestPath, { signal });
  warnAboutArtifacts(io, [manifest]);
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
  const previous = await previousLineage(settings.lineagePath, io);
  const partial = warnings.some(isIncompleteWarning);
  const next = partial ? keepPrevious(previous, built) : built;

  if (
    next.exposures.length === 0 &&
    (previous?.exposures.length ?? 0) > 0 &&
    flags['allow-empty'] !== true
  ) {
    throw new ConfigError(
      `the listing matched no exposure, and the previous sync had ${previous!.exposures.length}: nothing was written`,
      {
        code: 'ERR_CONFIG',
        details: {
          hint: "check the filters and the token user's permissions; if removing every exposure is intended, pass --allow-empty",
        },
      },
    );
  }

  const yamlOptions = { groupBy: settings.groupBy, dbtVersion: manifest.dbtVersion };
  // Hand-written exposures in every directory dbt reads properties YAML from (the output
  // directory is always scanned too): a name they use would make dbt parse fail.
  const nameCheck = flags['skip-name-check'] === true ? false : { paths: settings.resourcePaths };
  let written: string[];
  let unscanned: UnscannedYamlFile[] = [];
  if (check) {
    if (nameCheck !== false) {
      const paths = [settings.exposuresPath, ...nameCheck.paths];
      ({ unscanned } = await checkExposureNames(next, { paths, signal }));
    }
    written = await wouldChange(settings, next, yamlOptions);
  } else {
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
    const outputs = await writeSyncOutputs(settings.exposuresPath, next, {
      ...yamlOptions,
      lineagePath: settings.lineagePath,
      extraFiles,
      lockTimeoutMs,
      signal,
      handWrittenExposures: nameCheck,
    });
    unscanned = outputs.unscanned;
    written = [...outputs.written, ...outputs.removed];
  }

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
  };
  if (flags.json === true) {
    io.stdout.write(`${jsonLine(syncSummaryJson(summary))}\n`);
  } else {
    io.stdout.write(renderSyncSummary(summary, painter(useColor(io.env, io.stdout)), io.cwd));
  }
  if (partial) return EXIT.failed;
  if (check && written.length > 0) return EXIT.failed;
  return EXIT.ok;
}
