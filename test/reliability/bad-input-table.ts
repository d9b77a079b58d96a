/**
 * The bad-input corpus, as data: each entry is generated at test time in a scratch directory (no
 * big or binary file is committed), goes through the public entry point that reads it, and must
 * give a coded error naming the file/field, or a correct and safe result. Run by
 * bad-inputs.test.ts; counted in docs/reliability.md (doc-counts.test.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import { loadManifest, parseManifest } from '../../src/artifacts/manifest.js';
import { loadRunResults, parseRunResults } from '../../src/artifacts/run-results.js';
import type { Manifest } from '../../src/artifacts/types.js';
import type { ErrorCode } from '../../src/errors.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import { isValidExposureName } from '../../src/lineage/naming.js';
import type { ExposureLineage } from '../../src/lineage/types.js';
import { loadLineage } from '../../src/output/lineage-file.js';
import { writeSyncOutputs } from '../../src/output/sync-outputs.js';
import { renderExposuresYaml } from '../../src/output/yaml.js';
import { loadTableauSnapshot, parseTableauSnapshot } from '../../src/tableau/snapshot.js';
import type { TableauTable, TableauWorkbook } from '../../src/tableau/types.js';
import { createFakeRefresher } from '../../src/testing/fake-refresher.js';
import * as build from '../lineage/helpers/builders.js';
import { exampleManifest, exampleRunResults } from './harness.js';

const manifestText = await readFile(exampleManifest, 'utf8');
const manifest: Manifest = await loadManifest(exampleManifest);
const runResultsText = await readFile(exampleRunResults, 'utf8');

const DEEP = 100_000;
const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

function table(name: string, schema = 'MARTS', db = 'ANALYTICS'): TableauTable {
  return build.table({ name, fullName: `[${db}].[${schema}].[${name}]`, schema, databaseName: db });
}

function workbook(over: Partial<TableauWorkbook> & { name: string }): TableauWorkbook {
  return build.workbook({
    luid: over.luid ?? `wb-${over.name.length}-${over.name.slice(0, 8)}`,
    projectName: 'Sales',
    projectLuid: 'p1',
    embeddedDatasources: [
      build.embedded({ name: 'ds', hasExtracts: true, tables: [table('ORDERS')] }),
    ],
    ...over,
  });
}

function lineageOf(workbooks: TableauWorkbook[]): ExposureLineage {
  return buildExposureLineage({ manifest, workbooks, options: {} });
}

/** `{% raw %}x{% endraw %}` → x: what dbt shows for a Jinja-protected string. */
const unraw = (v: unknown) =>
  typeof v === 'string' ? v.replace(/^\{% raw %\}([\s\S]*)\{% endraw %\}$/, '$1') : v;

type Outcome = { code: ErrorCode; field?: RegExp } | { ok: (t: Test, value: unknown) => void };

export interface BadInput {
  name: string;
  /** The entry point it goes through. */
  through: string;
  run(dir: string): Promise<unknown>;
  expect: Outcome;
}

const file = async (dir: string, name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
};

const YAML_LIKE_NAMES = [
  '{{ env_var("DBT_SECRET") }}',
  "{% macro x() %}{{ run_query('drop table x') }}{% endmacro %}",
  '- name: injected\n  type: ml',
  'key: value # comment',
  '!!python/object:os.system',
  'yes',
  'null',
  '"quoted" & \'single\'',
  '---\n...',
  '*alias',
  'tab\tand\u0000nul\u0007bell',
  'emoji 📊 and RTL \u202e and ZWJ \u200d',
];

export const BAD_INPUTS: BadInput[] = [
  // ---- dbt artifacts through loadManifest / parseManifest / parseRunResults
  {
    name: 'empty manifest file',
    through: 'loadManifest',
    run: async (d) => loadManifest(await file(d, 'manifest.json', '')),
    expect: { code: 'ERR_ARTIFACT_JSON' },
  },
  {
    name: 'truncated manifest',
    through: 'loadManifest',
    run: async (d) =>
      loadManifest(await file(d, 'manifest.json', manifestText.slice(0, manifestText.length / 2))),
    expect: { code: 'ERR_ARTIFACT_JSON' },
  },
  {
    name: 'binary manifest (random bytes)',
    through: 'loadManifest',
    run: async (d) =>
      loadManifest(
        await file(
          d,
          'manifest.json',
          Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
        ),
      ),
    expect: { code: 'ERR_ARTIFACT_JSON' },
  },
  {
    name: 'run_results given as the manifest (wrong artifact kind)',
    through: 'loadManifest',
    run: async (d) => loadManifest(await file(d, 'manifest.json', runResultsText)),
    expect: { code: 'ERR_ARTIFACT_KIND' },
  },
  {
    name: 'manifest given as run_results (wrong artifact kind)',
    through: 'loadRunResults',
    run: async (d) => loadRunResults(await file(d, 'run_results.json', manifestText)),
    expect: { code: 'ERR_ARTIFACT_KIND' },
  },
  {
    name: 'JSON array instead of an object',
    through: 'parseManifest',
    run: async () => parseManifest([1, 2, 3], { path: 'manifest.json' }),
    expect: { code: 'ERR_ARTIFACT_KIND' },
  },
  {
    name: 'wrong type: schema is a number',
    through: 'parseManifest',
    run: async () => {
      const json = JSON.parse(manifestText);
      const id = Object.keys(json.nodes).find((k) => k.startsWith('model.')) as string;
      json.nodes[id].schema = 42;
      return parseManifest(json, { path: 'manifest.json' });
    },
    expect: { code: 'ERR_ARTIFACT_SCHEMA', field: /nodes\[.*\]\.schema/ },
  },
  {
    name: 'missing required field: metadata',
    through: 'parseManifest',
    run: async () => {
      const json = JSON.parse(manifestText);
      delete json.metadata;
      return parseManifest(json, { path: 'manifest.json' });
    },
    expect: { code: 'ERR_ARTIFACT_SCHEMA' },
  },
  {
    name: 'missing required field: results of run_results',
    through: 'parseRunResults',
    run: async () => {
      const json = JSON.parse(runResultsText);
      delete json.results;
      return parseRunResults(json, { path: 'run_results.json' });
    },
    expect: { code: 'ERR_ARTIFACT_SCHEMA', field: /results/ },
  },
  {
    name: 'duplicated unique ids (same key twice in nodes)',
    through: 'loadManifest',
    run: async (d) => {
      const json = JSON.parse(manifestText);
      const id = Object.keys(json.nodes)[0] as string;
      const node = JSON.stringify(json.nodes[id]);
      const text = manifestText.replace('"nodes": {', `"nodes": {${JSON.stringify(id)}: ${node},`);
      return loadManifest(await file(d, 'manifest.json', text));
    },
    expect: {
      ok: (t, value) =>
        t.equal((value as Manifest).nodes.size, manifest.nodes.size, 'one node per unique id'),
    },
  },
  {
    name: `deeply nested JSON (${DEEP} levels) in a manifest`,
    through: 'loadManifest',
    run: async (d) =>
      loadManifest(
        await file(d, 'manifest.json', manifestText.replace('{', `{"deep": ${deepJson(DEEP)},`)),
      ),
    expect: { ok: (t, value) => t.equal((value as Manifest).projectName, manifest.projectName) },
  },
  {
    name: `deeply nested JSON (${DEEP} levels) as run_results`,
    through: 'loadRunResults',
    run: async (d) => loadRunResults(await file(d, 'run_results.json', deepJson(DEEP))),
    expect: { code: 'ERR_ARTIFACT_KIND' },
  },
  // ---- Tableau snapshots
  {
    name: 'empty snapshot file',
    through: 'loadTableauSnapshot',
    run: async (d) => loadTableauSnapshot(await file(d, 'snap.json', '')),
    expect: { code: 'ERR_SNAPSHOT' },
  },
  {
    name: 'binary snapshot',
    through: 'loadTableauSnapshot',
    run: async (d) => loadTableauSnapshot(await file(d, 'snap.json', Uint8Array.from([0, 255, 1]))),
    expect: { code: 'ERR_SNAPSHOT' },
  },
  {
    name: 'manifest given as a snapshot (wrong kind)',
    through: 'loadTableauSnapshot',
    run: async (d) => loadTableauSnapshot(await file(d, 'snap.json', manifestText)),
    expect: { code: 'ERR_SNAPSHOT' },
  },
  {
    name: 'snapshot workbook with a numeric name (wrong type)',
    through: 'parseTableauSnapshot',
    run: async () =>
      parseTableauSnapshot({
        kind: 'dbt-auto-exposures/tableau-snapshot',
        version: 1,
        workbooks: [{ ...workbook({ name: 'x' }), name: 7 }],
      }),
    expect: { code: 'ERR_SNAPSHOT', field: /workbooks\[0\]\.name/ },
  },
  {
    name: `deeply nested JSON (${DEEP} levels) as a snapshot`,
    through: 'loadTableauSnapshot',
    run: async (d) => loadTableauSnapshot(await file(d, 'snap.json', deepJson(DEEP))),
    expect: { code: 'ERR_SNAPSHOT' },
  },
  // ---- lineage JSON
  {
    name: 'empty lineage file',
    through: 'loadLineage',
    run: async (d) => loadLineage(await file(d, 'lineage.json', '')),
    expect: { code: 'ERR_LINEAGE_READ' },
  },
  {
    name: 'lineage of an unknown version',
    through: 'loadLineage',
    run: async (d) => loadLineage(await file(d, 'lineage.json', '{"version": 99}')),
    expect: { code: 'ERR_LINEAGE_VERSION' },
  },
  {
    name: 'lineage with a missing exposures list',
    through: 'loadLineage',
    run: async (d) => loadLineage(await file(d, 'lineage.json', '{"version": 1}')),
    expect: { code: 'ERR_LINEAGE_SCHEMA' },
  },
  {
    name: `deeply nested JSON (${DEEP} levels) as lineage`,
    through: 'loadLineage',
    run: async (d) => loadLineage(await file(d, 'lineage.json', deepJson(DEEP))),
    expect: { code: 'ERR_LINEAGE_SCHEMA' },
  },
  // ---- names and sizes through the lineage and YAML
  ...YAML_LIKE_NAMES.map(
    (name): BadInput => ({
      name: `workbook named ${JSON.stringify(name)}`,
      through: 'buildExposureLineage + renderExposuresYaml',
      run: async () => {
        const lineage = lineageOf([workbook({ name, description: name })]);
        return { lineage, yaml: renderExposuresYaml(lineage) };
      },
      expect: {
        ok: (t, value) => {
          const { lineage, yaml } = value as { lineage: ExposureLineage; yaml: string };
          const exposure = lineage.exposures[0];
          t.ok(exposure && isValidExposureName(exposure.name), 'a valid dbt name');
          const parsed = parseYaml(yaml) as { exposures: Record<string, unknown>[] };
          t.equal(parsed.exposures.length, 1, 'one exposure, nothing injected');
          t.equal(unraw(parsed.exposures[0]?.label), name, 'label survives exactly');
          t.equal(unraw(parsed.exposures[0]?.description), name, 'description survives exactly');
          t.notMatch(
            yaml.replace(/\{% raw %\}[\s\S]*?\{% endraw %\}/g, ''),
            /\{\{|\{%/,
            'no live Jinja',
          );
        },
      },
    }),
  ),
  {
    name: 'a 10 MB workbook name and description',
    through: 'buildExposureLineage + renderExposuresYaml',
    run: async () => {
      const lineage = lineageOf([workbook({ name: TEN_MB, description: TEN_MB })]);
      return { lineage, yaml: renderExposuresYaml(lineage) };
    },
    expect: {
      ok: (t, value) => {
        const { lineage, yaml } = value as { lineage: ExposureLineage; yaml: string };
        t.ok(isValidExposureName(lineage.exposures[0]?.name ?? ''), 'name bounded and valid');
        t.equal(
          (parseYaml(yaml) as { exposures: { label: string }[] }).exposures[0]?.label.length,
          TEN_MB.length,
        );
      },
    },
  },
  {
    name: '100,000 tables in one workbook',
    through: 'buildExposureLineage',
    run: async () =>
      lineageOf([
        workbook({
          name: 'Huge',
          embeddedDatasources: [
            {
              name: 'ds',
              hasExtracts: true,
              extractLastRefreshTime: null,
              tables: [
                table('ORDERS'),
                ...Array.from({ length: 99_999 }, (_, i) => table(`T${i}`, 'NOWHERE')),
              ],
              customSql: [],
              publishedDatasourceLuids: [],
            },
          ],
        }),
      ]),
    expect: {
      ok: (t, value) => {
        const lineage = value as ExposureLineage;
        t.same(
          lineage.exposures[0]?.dependsOn.map((d) => d.uniqueId),
          ['model.jaffle_tableau.orders'],
        );
        t.equal(lineage.stats.tables, 100_000);
      },
    },
  },
  {
    name: 'duplicated workbook luids',
    through: 'buildExposureLineage',
    run: async () =>
      lineageOf([workbook({ name: 'Same', luid: 'dup' }), workbook({ name: 'Same', luid: 'dup' })]),
    expect: { code: 'ERR_INVALID_OPTION', field: /^workbooks\[1\]\.luid$/ },
  },
  {
    name: 'workbook names that collide once slugified',
    through: 'buildExposureLineage',
    run: async () =>
      lineageOf([
        workbook({ name: 'Same', luid: 'a' }),
        workbook({ name: 'same!', luid: 'b' }),
        workbook({ name: 'SAME', luid: 'c' }),
      ]),
    expect: {
      ok: (t, value) => {
        const names = (value as ExposureLineage).exposures.map((e) => e.name);
        t.equal(new Set(names).size, names.length, `unique names: ${names.join(', ')}`);
      },
    },
  },
  ...['../../etc', '../escape', '..', '/abs/path', 'a/../../b', 'C:\\Windows', '.hidden', ''].map(
    (projectName): BadInput => ({
      name: `project ${JSON.stringify(projectName)} used for file grouping`,
      through: 'writeSyncOutputs',
      run: async (dir) => {
        const out = join(dir, 'models', 'exposures');
        const result = await writeSyncOutputs(
          out,
          lineageOf([workbook({ name: 'Wb', projectName })]),
          { groupBy: 'project' },
        );
        return { out, dir, result };
      },
      expect: {
        ok: (t, value) => {
          const { out, result } = value as {
            out: string;
            result: { written: string[] };
          };
          t.equal(result.written.length, 1);
          for (const path of result.written) {
            t.equal(join(path, '..'), out, `${path} stays in the exposures folder`);
            t.match(path.slice(out.length + 1), /^tableau__[a-z0-9_]+\.yml$/);
          }
        },
      },
    }),
  ),
  // ---- active exposures
  {
    name: 'cycle in parent_map',
    through: 'maybeRefresh',
    run: async () => {
      const cyclic: Manifest = {
        ...manifest,
        parentMap: new Map([
          ['model.jaffle_tableau.orders', ['model.jaffle_tableau.stg_orders']],
          ['model.jaffle_tableau.stg_orders', ['model.jaffle_tableau.orders']],
        ]),
      };
      const lineage = lineageOf([workbook({ name: 'Cyclic' })]);
      return maybeRefresh({
        lineage,
        manifest: cyclic,
        runResults: await loadRunResults(exampleRunResults),
        env: { DBT_ACTIVE_EXPOSURES: '1' },
        now: new Date('2026-02-01T00:00:00Z'),
        refresher: createFakeRefresher(),
      });
    },
    expect: {
      ok: (t, value) =>
        t.match((value as { results: unknown[] }).results, [{ exposure: 'cyclic' }]),
    },
  },
  {
    name: 'DBT_ACTIVE_EXPOSURES=maybe',
    through: 'maybeRefresh',
    run: async () =>
      maybeRefresh({
        lineage: lineageOf([]),
        runResults: await loadRunResults(exampleRunResults),
        env: { DBT_ACTIVE_EXPOSURES: 'maybe' },
        refresher: createFakeRefresher(),
      }),
    expect: { code: 'ERR_CONFIG' },
  },
];
