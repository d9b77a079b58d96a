import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { LineageError } from '../../src/errors.js';
import {
  checkExposureNames,
  findExposureNameClashes,
  findHandWrittenExposures,
} from '../../src/output/exposure-scan.js';
import { GENERATED_MARKER } from '../../src/output/yaml.js';
import { exposure, lineage } from './sample-lineage.js';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dae-scan-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function put(root: string, path: string, text: string): Promise<string> {
  const file = join(root, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const DASHBOARDS = `version: 2
exposures:
  - name: Sales_Overview
    type: dashboard
    owner: { name: BI }
  - name: weekly_report
    type: analysis
    owner: { name: Finance }
`;

t.test('finds hand-written exposures, skipping generated files and other files', async (t) => {
  const root = await tempDir(t);
  const dashboards = await put(root, 'models/marts/dashboards.yml', DASHBOARDS);
  const yaml = await put(
    root,
    'models/apps.yaml',
    'version: 2\nexposures:\n  - name: crm_app\n    type: application\n',
  );
  await put(
    root,
    'models/exposures/tableau_exposures.yml',
    `${GENERATED_MARKER}\nversion: 2\nexposures:\n  - name: sales_overview\n`,
  );
  await put(root, 'models/staging/schema.yml', 'version: 2\nmodels:\n  - name: stg_orders\n');
  await put(root, 'models/notes.txt', 'exposures:\n  - name: not_yaml\n');
  await put(root, 'models/upper.YML', 'exposures:\n  - name: upper_case_extension\n');
  await put(root, 'dbt_packages/pkg/models/pkg.yml', 'exposures:\n  - name: from_package\n');
  await put(root, 'models/node_modules/x/x.yml', 'exposures:\n  - name: from_node_modules\n');

  const scan = await findHandWrittenExposures([join(root, 'models'), root]);
  t.same(scan.exposures, [
    { name: 'crm_app', file: yaml, field: 'exposures[0].name', line: 3 },
    { name: 'Sales_Overview', file: dashboards, field: 'exposures[0].name', line: 3 },
    { name: 'weekly_report', file: dashboards, field: 'exposures[1].name', line: 6 },
  ]);
  t.same(scan.unscanned, []);
  // apps.yaml, dashboards.yml, tableau_exposures.yml, schema.yml (each once, though both roots
  // hold them); not the .txt, the .YML, nor anything under dbt_packages or node_modules.
  t.equal(scan.filesScanned, 4);
});

t.test('a single file, a missing path and a string argument', async (t) => {
  const root = await tempDir(t);
  const file = await put(root, 'one.yml', DASHBOARDS);
  const scan = await findHandWrittenExposures([file, join(root, 'missing'), join(file, 'below')]);
  t.same(
    scan.exposures.map((e) => e.name),
    ['Sales_Overview', 'weekly_report'],
  );
  t.same(scan.unscanned, []);
  t.same((await findHandWrittenExposures(file)).exposures.length, 2);
  const txt = await put(root, 'one.txt', DASHBOARDS);
  t.same((await findHandWrittenExposures(txt)).exposures, [], 'a non-YAML file is not read');
});

t.test('YAML forms dbt accepts: flow style, anchors, quoted keys, repeated keys', async (t) => {
  const root = await tempDir(t);
  // Plain words a YAML 1.1 resolver may read as numbers or booleans are names as written.
  await put(
    root,
    'words.yml',
    'exposures:\n  - name: e0\n  - name: 1_000\n  - name: |-\n      block_name\n',
  );
  await put(root, 'flow.yml', '{version: 2, exposures: [{name: flow_one, type: dashboard}]}\n');
  await put(
    root,
    'anchors.yml',
    'x-base: &base\n  name: anchored\n  type: dashboard\nexposures:\n  - *base\n  - <<: *base\n    name: merged\n',
  );
  await put(root, 'quoted.yml', '"exposures":\n  - "name": "quoted_name"\n');
  await put(
    root,
    'repeated.yml',
    'version: 2\nversion: 2\nexposures:\n  - name: after_repeated_key\n',
  );
  const scan = await findHandWrittenExposures(root);
  t.same(scan.unscanned, []);
  t.same(scan.exposures.map((e) => e.name).sort(), [
    '1_000',
    'after_repeated_key',
    'anchored',
    'block_name',
    'e0',
    'flow_one',
    'merged',
    'quoted_name',
  ]);
});

t.test('entries that name no exposure are ignored', async (t) => {
  const root = await tempDir(t);
  // dbt_project.yml-style config: `exposures:` is a mapping, not a list of exposures.
  await put(root, 'config.yml', 'exposures:\n  my_project:\n    +enabled: true\n');
  await put(
    root,
    'odd.yml',
    'exposures:\n  - just a string\n  - name: ~\n  - name: ""\n  - type: dashboard\n  - name: kept\n',
  );
  await put(root, 'list.yml', '- exposures\n- name: top_level_list\n');
  await put(root, 'empty.yml', '# exposures: none yet\n');
  const scan = await findHandWrittenExposures(root);
  t.same(
    scan.exposures.map((e) => [e.name, e.field]),
    [['kept', 'exposures[4].name']],
  );
  t.same(scan.unscanned, []);
});

t.test('a file that is not valid YAML is skipped and reported, not fatal', async (t) => {
  const root = await tempDir(t);
  const broken = await put(
    root,
    'broken.yml',
    'version: 2\nexposures:\n  - name: inside_broken\n    owner: {name: [unclosed\n',
  );
  const twoDocs = await put(root, 'two.yml', 'exposures: []\n---\nexposures: []\n');
  // Broken YAML that does not mention exposures is not even parsed (dbt parse reports it).
  await put(root, 'other-broken.yml', 'models: [unclosed\n');
  await put(
    root,
    'risk.yml',
    'models:\n  - name: risk\n    description: credit exposures by desk\n    meta: {unclosed\n',
  );
  await put(root, 'good.yml', DASHBOARDS);
  const scan = await findHandWrittenExposures(root);
  t.same(
    scan.exposures.map((e) => e.name),
    ['Sales_Overview', 'weekly_report'],
  );
  t.same(
    scan.unscanned.map((u) => u.file),
    [broken, twoDocs],
  );
  t.match(scan.unscanned[0]!.reason, /^line \d+: /);
  t.match(scan.unscanned[1]!.reason, /multiple documents/i);
});

t.test('symbolic links: a linked file is read, a linked directory is not followed', async (t) => {
  const root = await tempDir(t);
  const target = await put(root, 'shared/dashboards.yml', DASHBOARDS);
  await mkdir(join(root, 'models'));
  await symlink(target, join(root, 'models', 'linked.yml'));
  await symlink(join(root, 'shared'), join(root, 'models', 'shared_dir'));
  await symlink('..', join(root, 'models', 'loop'));
  await symlink(join(root, 'nowhere.yml'), join(root, 'models', 'dangling.yml'));
  const scan = await findHandWrittenExposures(join(root, 'models'));
  t.same(
    scan.exposures.map((e) => [e.name, e.file]),
    [
      ['Sales_Overview', join(root, 'models', 'linked.yml')],
      ['weekly_report', join(root, 'models', 'linked.yml')],
    ],
  );
  t.same(scan.unscanned, []);
});

t.test('an unreadable path is reported', async (t) => {
  const root = await tempDir(t);
  // A name longer than the file system allows: stat fails with ENAMETOOLONG, not ENOENT.
  const scan = await findHandWrittenExposures(join(root, 'x'.repeat(300)));
  t.equal(scan.unscanned.length, 1);
  t.match(scan.unscanned[0]!.reason, /ENAMETOOLONG/);
});

t.test('an aborted scan rejects', async (t) => {
  const root = await tempDir(t);
  await put(root, 'a.yml', DASHBOARDS);
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await t.rejects(findHandWrittenExposures(root, { signal: controller.signal }), /stop/);
});

t.test('findExposureNameClashes compares names case-insensitively', async (t) => {
  const ours = [
    exposure('weekly_report', { label: 'Weekly Report' }),
    exposure('sales_overview', { label: 'Sales Overview' }),
    exposure('unique_one'),
  ];
  const hand = [
    { name: 'Sales_Overview', file: '/p/b.yml', line: 3 },
    { name: 'WEEKLY_REPORT', file: '/p/a.yml' },
    { name: 'sales_overview', file: '/p/a.yml', line: 9 },
  ];
  t.same(findExposureNameClashes(ours, hand), [
    {
      name: 'sales_overview',
      workbookName: 'Sales Overview',
      workbookLuid: 'luid-sales_overview',
      handWritten: hand[2],
    },
    {
      name: 'sales_overview',
      workbookName: 'Sales Overview',
      workbookLuid: 'luid-sales_overview',
      handWritten: hand[0],
    },
    {
      name: 'weekly_report',
      workbookName: 'Weekly Report',
      workbookLuid: 'luid-weekly_report',
      handWritten: hand[1],
    },
  ]);
  t.same(findExposureNameClashes(ours, [{ name: 'other', file: '/p/c.yml' }]), []);
});

t.test(
  'checkExposureNames: a clash is ERR_EXPOSURE_NAME_TAKEN naming file, name, workbook',
  async (t) => {
    const root = await tempDir(t);
    const file = await put(root, 'models/dashboards.yml', DASHBOARDS);
    const l = lineage([
      exposure('sales_overview', { label: 'Sales Overview' }),
      exposure('weekly_report', { label: 'Weekly Report' }),
      exposure('fine'),
    ]);
    const error = await checkExposureNames(l, { paths: [root] }).catch((e: unknown) => e);
    t.ok(error instanceof LineageError);
    const e = error as LineageError;
    t.equal(e.code, 'ERR_EXPOSURE_NAME_TAKEN');
    t.equal(e.file, file);
    t.equal(e.field, 'exposures[0].name');
    t.match(e.message, 'Exposure name "sales_overview" for Tableau workbook "Sales Overview"');
    t.match(e.message, `hand-written exposure "Sales_Overview" in ${file}:3`);
    t.match(e.message, `(1 more: "weekly_report" in ${file}:6)`);
    t.match(e.message, 'nothing was written');
    t.match(e.hint, /the overrides option.*luid-sales_overview.*rename or remove/);
    t.same(e.details?.clashes, [
      {
        name: 'sales_overview',
        workbookName: 'Sales Overview',
        workbookLuid: 'luid-sales_overview',
        handWrittenName: 'Sales_Overview',
        file,
        field: 'exposures[0].name',
        line: 3,
      },
      {
        name: 'weekly_report',
        workbookName: 'Weekly Report',
        workbookLuid: 'luid-weekly_report',
        handWrittenName: 'weekly_report',
        file,
        field: 'exposures[1].name',
        line: 6,
      },
    ]);
    t.same(JSON.parse(JSON.stringify(e)).code, 'ERR_EXPOSURE_NAME_TAKEN');
  },
);

t.test('checkExposureNames: no clash, explicit names, no paths, bad options', async (t) => {
  const root = await tempDir(t);
  const broken = await put(root, 'broken.yml', 'exposures: [unclosed\n');
  await put(root, 'dashboards.yml', DASHBOARDS);
  const l = lineage([exposure('fine')]);
  t.same(await checkExposureNames(l, { paths: [root] }), {
    unscanned: [
      { file: broken, reason: (await findHandWrittenExposures(broken)).unscanned[0]!.reason },
    ],
  });
  t.same(await checkExposureNames(l), { unscanned: [] }, 'nothing to scan by default');
  t.same(
    await checkExposureNames(lineage([]), { paths: [root] }),
    { unscanned: [] },
    'no exposure to write: the project is not read',
  );
  // Names given explicitly count without any scan.
  await t.rejects(checkExposureNames(l, { exposures: [{ name: 'FINE', file: 'elsewhere.yml' }] }), {
    code: 'ERR_EXPOSURE_NAME_TAKEN',
    file: 'elsewhere.yml',
  });
  for (const bad of [{ paths: 'models' }, { paths: [''] }, { paths: [3] }]) {
    await t.rejects(checkExposureNames(l, bad as never), {
      code: 'ERR_INVALID_OPTION',
      field: 'handWrittenExposures.paths',
    });
  }
  for (const bad of [{ exposures: {} }, { exposures: [{ name: 'x' }] }, { exposures: [null] }]) {
    await t.rejects(checkExposureNames(l, bad as never), {
      code: 'ERR_INVALID_OPTION',
      field: 'handWrittenExposures.exposures',
    });
  }
});
