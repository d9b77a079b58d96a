import t from 'tap';
import { ConfigError } from '../../src/errors.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import type { BuildLineageOptions } from '../../src/lineage/build-options.js';
import { renderExposuresYaml } from '../../src/output/yaml.js';
import {
  customSql,
  embedded,
  manifest,
  node,
  published,
  table,
  workbook,
} from './helpers/builders.js';

const orders = node({
  uniqueId: 'model.shop.orders',
  name: 'orders',
  schema: 'marts',
  identifier: 'orders',
});
const ephemeral = node({
  uniqueId: 'model.shop.eph',
  name: 'eph',
  schema: 'marts',
  identifier: 'eph',
  materialization: 'ephemeral',
});
const disabled = node({
  uniqueId: 'model.shop.off',
  name: 'off',
  schema: 'marts',
  identifier: 'off',
  enabled: false,
});
const m = manifest([orders, ephemeral, disabled]);
const reads = (fullName: string) => [embedded({ tables: [table({ name: 'x', fullName })] })];

const site = [
  workbook({
    luid: 'b',
    name: 'Ops',
    projectName: 'Finance',
    embeddedDatasources: reads('[ANALYTICS].[MARTS].[ORDERS]'),
  }),
  workbook({
    luid: 'a',
    name: 'Draft ops',
    projectName: 'Sandbox',
    embeddedDatasources: reads('[ANALYTICS].[MARTS].[ORDERS]'),
  }),
  workbook({
    luid: 'c',
    name: 'Excel only',
    projectName: 'Finance',
    embeddedDatasources: [
      embedded({
        tables: [table({ name: 'p', fullName: '[p$]', connectionType: 'excel-direct' })],
      }),
    ],
  }),
  workbook({
    luid: 'd',
    name: 'Ephemeral',
    projectName: null,
    embeddedDatasources: reads('[ANALYTICS].[MARTS].[EPH]'),
  }),
];

t.test('output is identical whatever the workbook order', async (t) => {
  const first = buildExposureLineage({ manifest: m, workbooks: site });
  const second = buildExposureLineage({ manifest: m, workbooks: [...site].reverse() });
  t.same(JSON.stringify(second), JSON.stringify(first));
  t.same(
    first.exposures.map((e) => e.name),
    ['draft_ops', 'ops'],
  );
  t.same(
    first.skippedWorkbooks.map((s) => [
      s.workbookLuid,
      s.reason,
      s.unmatchedTables.map((u) => u.reason),
    ]),
    [
      ['c', 'no_matched_tables', ['not_a_warehouse']],
      ['d', 'no_matched_tables', ['no_relation']],
    ],
  );
});

t.test('include/exclude globs, case-insensitive; exclude wins', async (t) => {
  const names = (options: BuildLineageOptions) =>
    buildExposureLineage({ manifest: m, workbooks: site, options }).exposures.map((e) => e.label);
  t.same(names({ includeProjects: ['finance'] }), ['Ops']);
  t.same(names({ excludeProjects: ['SAND*'] }), ['Ops']);
  t.same(names({ includeWorkbooks: ['*OPS'] }), ['Draft ops', 'Ops']);
  t.same(names({ includeWorkbooks: ['*ops'], excludeWorkbooks: ['draft *'] }), ['Ops']);
  t.same(names({ includeProjects: [] }), ['Draft ops', 'Ops']);
  const excluded = buildExposureLineage({
    manifest: m,
    workbooks: site,
    options: { excludeProjects: ['sandbox'] },
  });
  t.same(excluded.skippedWorkbooks[0], {
    workbookLuid: 'a',
    workbookName: 'Draft ops',
    reason: 'excluded',
    unmatchedTables: [],
  });
  t.same(excluded.stats, { workbooks: 4, tables: 3, matched: 1, unmatched: 2 });
});

t.test('overrides by luid or name, defaults, tags, source, generatedAt', async (t) => {
  const lineage = buildExposureLineage({
    manifest: m,
    workbooks: site,
    options: {
      overrides: {
        b: {
          name: 'ops_board',
          label: 'Ops board',
          maturity: 'high',
          type: 'analysis',
          owner: { name: 'Data team', email: 'data@example.com' },
          description: 'Daily ops.',
          tags: ['ops', 'ops'],
        },
        'Draft ops': { exclude: true },
        'Excel only': { label: 'never used' },
      },
      defaultMaturity: 'low',
      defaultType: 'application',
      tags: ['bi', 'tableau'],
      keepUnmatchedWorkbooks: true,
      source: { kind: 'snapshot', serverUrl: 'https://tableau.example.com', siteName: 'acme' },
      generatedAt: '2024-06-01T00:00:00Z',
      packageName: 'reporting',
    },
  });
  t.equal(lineage.generatedAt, '2024-06-01T00:00:00Z');
  t.same(lineage.source, {
    kind: 'snapshot',
    serverUrl: 'https://tableau.example.com',
    siteName: 'acme',
  });
  t.same(
    lineage.exposures.map((e) => [
      e.name,
      e.uniqueId,
      e.label,
      e.type,
      e.maturity,
      e.owner,
      e.description,
      e.tags,
      e.dependsOn.length,
    ]),
    [
      [
        'ephemeral',
        'exposure.reporting.ephemeral',
        'Ephemeral',
        'application',
        'low',
        { name: 'Tableau' },
        'Tableau workbook "Ephemeral".',
        ['bi', 'tableau'],
        0,
      ],
      [
        'excel_only',
        'exposure.reporting.excel_only',
        'never used',
        'application',
        'low',
        { name: 'Tableau' },
        'Tableau workbook "Excel only" in project "Finance".',
        ['bi', 'tableau'],
        0,
      ],
      [
        'ops_board',
        'exposure.reporting.ops_board',
        'Ops board',
        'analysis',
        'high',
        { name: 'Data team', email: 'data@example.com' },
        'Daily ops.',
        ['ops'],
        1,
      ],
    ],
  );
  // packageName differs from the manifest's project: refs name the package
  t.same(lineage.exposures[2]?.dependsOn[0]?.ref, {
    kind: 'ref',
    package: 'shop',
    name: 'orders',
    version: null,
  });
  t.not(lineage.dbt.packageName, 'shop');
  t.match(renderExposuresYaml(lineage), "- ref('shop', 'orders')");
});

t.test('owner and description fall back sensibly', async (t) => {
  const lineage = buildExposureLineage({
    manifest: m,
    workbooks: [
      workbook({
        luid: '1',
        name: 'One',
        description: '  Revenue by day.  ',
        owner: { name: null, email: ' ', username: 'jdoe' },
        embeddedDatasources: reads('analytics.marts.orders'),
      }),
      workbook({
        luid: '2',
        name: 'Two',
        owner: { name: ' ', email: 'x@example.com', username: null },
        embeddedDatasources: reads('analytics.marts.orders'),
      }),
    ],
  });
  t.same(
    lineage.exposures.map((e) => [e.owner, e.description]),
    [
      [{ name: 'jdoe' }, 'Revenue by day.'],
      [{ name: 'Tableau', email: 'x@example.com' }, 'Tableau workbook "Two" in project "Default".'],
    ],
  );
});

t.test('names of exposures this library manages are not taken', async (t) => {
  const withExposures = manifest([orders], {
    exposures: [
      {
        uniqueId: 'exposure.shop.ops',
        name: 'ops',
        packageName: 'shop',
        label: 'Ops',
        type: 'dashboard',
        url: 'https://t/wb/1',
        originalFilePath: 'models/tableau/exposures.yml',
        dependsOn: [],
      },
      {
        uniqueId: 'exposure.shop.sales',
        name: 'sales',
        packageName: 'shop',
        label: null,
        type: null,
        url: null,
        originalFilePath: 'models/tableau/exposures.yml',
        dependsOn: [],
      },
      {
        uniqueId: 'exposure.shop.hand',
        name: 'hand',
        packageName: 'shop',
        label: null,
        type: null,
        url: null,
        originalFilePath: 'models/hand.yml',
        dependsOn: [],
      },
    ],
  });
  const wbs = [
    workbook({
      luid: '1',
      name: 'Ops',
      url: 'https://t/wb/1',
      embeddedDatasources: reads('analytics.marts.orders'),
    }),
    workbook({ luid: '2', name: 'Sales', embeddedDatasources: reads('analytics.marts.orders') }),
    workbook({ luid: '3', name: 'Hand', embeddedDatasources: reads('analytics.marts.orders') }),
  ];
  const names = (managedPaths?: string[]) =>
    buildExposureLineage({
      manifest: withExposures,
      workbooks: wbs,
      options: managedPaths ? { managedPaths } : {},
    }).exposures.map((e) => e.name);
  t.match(names(), ['hand_', 'ops', 'sales_']);
  t.match(names(['models/tableau/**']), ['hand_', 'ops', 'sales']);
  t.throws(
    () =>
      buildExposureLineage({
        manifest: withExposures,
        workbooks: wbs,
        options: { overrides: { '3': { name: 'hand' } } },
      }),
    { code: 'ERR_INVALID_OPTION', field: 'options.overrides' },
  );
});

t.test(
  'refresh targets: the workbook when an embedded source reads a match, published sources that do',
  async (t) => {
    const lineage = buildExposureLineage({
      manifest: m,
      workbooks: [
        workbook({
          luid: 'w',
          name: 'W',
          embeddedDatasources: [
            embedded({
              hasExtracts: true,
              extractLastRefreshTime: '2024-01-02T00:00:00Z',
              tables: [table({ name: 'o', fullName: 'analytics.marts.orders' })],
            }),
            embedded({ hasExtracts: true, extractLastRefreshTime: '2024-01-01T00:00:00Z' }),
            embedded({ hasExtracts: false }),
          ],
          publishedDatasources: [
            published({
              luid: 'p1',
              name: 'P1',
              hasExtracts: false,
              extractLastRefreshTime: '2024-01-05T00:00:00Z',
              tables: [table({ name: 'o', fullName: '[MARTS].[ORDERS]' })],
            }),
            published({
              luid: 'p2',
              name: 'P2',
              hasExtracts: true,
              tables: [table({ name: 'n', fullName: '[MARTS].[NOPE]' })],
            }),
          ],
        }),
        workbook({
          luid: 'v',
          name: 'V',
          embeddedDatasources: [
            embedded({
              hasExtracts: true,
              extractLastRefreshTime: null,
              tables: [table({ name: 'o', fullName: 'analytics.marts.orders' })],
            }),
            embedded({ hasExtracts: true, extractLastRefreshTime: '2024-01-01T00:00:00Z' }),
          ],
          // the same published source as W: analysed once, reported for both
          publishedDatasources: [
            published({
              luid: 'p1',
              name: 'P1',
              tables: [table({ name: 'o', fullName: '[MARTS].[ORDERS]' })],
            }),
          ],
        }),
      ],
    });
    t.same(
      lineage.exposures.map((e) => e.refreshTargets),
      [
        [
          { kind: 'datasource', luid: 'p1', name: 'P1', hasExtracts: false, lastRefreshAt: null },
          { kind: 'workbook', luid: 'v', name: 'V', hasExtracts: true, lastRefreshAt: null },
        ],
        [
          { kind: 'datasource', luid: 'p1', name: 'P1', hasExtracts: false, lastRefreshAt: null },
          {
            kind: 'workbook',
            luid: 'w',
            name: 'W',
            hasExtracts: true,
            lastRefreshAt: '2024-01-01T00:00:00Z',
          },
        ],
      ],
    );
    t.same(lineage.exposures[1]?.dependsOn[0]?.tables, [
      '[MARTS].[ORDERS]',
      'analytics.marts.orders',
    ]);
    t.same(lineage.exposures[1]?.dependsOn[0]?.match, 'exact');
  },
);

t.test('custom SQL: Tableau tables, opt-in parsing, unsupported, files', async (t) => {
  const sqlWorkbook = workbook({
    luid: 'q',
    name: 'Q',
    embeddedDatasources: [
      embedded({
        customSql: [
          customSql({
            name: 'Tableau parsed',
            query: 'x',
            databaseName: 'ANALYTICS',
            tables: [
              table({
                name: 'ORDERS',
                fullName: '[MARTS].[ORDERS]',
                databaseName: null,
                connectionType: null,
              }),
            ],
          }),
          customSql({
            name: 'Ours',
            query:
              'select * from marts.orders o join &quot;MARTS&quot;.unknown u on 1=1 join bare b on 1=1',
            databaseName: 'analytics',
            isUnsupported: true,
          }),
          customSql({ name: 'Broken', query: 'selec nothing' }),
          customSql({ name: 'No table', query: 'select 1' }),
          customSql({
            name: 'File',
            query: 'select * from [Sheet1$]',
            connectionType: 'excel-direct',
          }),
        ],
      }),
    ],
  });
  const off = buildExposureLineage({ manifest: m, workbooks: [sqlWorkbook] }).exposures[0];
  t.same(
    off?.dependsOn.map((d) => [d.uniqueId, d.match, d.tables]),
    [['model.shop.orders', 'custom_sql', ['[MARTS].[ORDERS]']]],
  );
  t.same(
    off?.unmatchedTables.map((u) => [u.table, u.reason, u.detail]),
    [
      [
        'custom SQL "Broken"',
        'unsupported_custom_sql',
        'Tableau listed no tables for this custom SQL; set parseCustomSql: true to parse the query text here',
      ],
      [
        'custom SQL "File"',
        'not_a_warehouse',
        'excel-direct connection: custom SQL over a file or extract',
      ],
      [
        'custom SQL "No table"',
        'unsupported_custom_sql',
        'Tableau listed no tables for this custom SQL; set parseCustomSql: true to parse the query text here',
      ],
      [
        'custom SQL "Ours"',
        'unsupported_custom_sql',
        'Tableau could not parse this custom SQL; set parseCustomSql: true to parse the query text here',
      ],
    ],
  );
  const on = buildExposureLineage({
    manifest: m,
    workbooks: [sqlWorkbook],
    options: { parseCustomSql: true },
  }).exposures[0];
  t.same(
    on?.dependsOn.map((d) => [d.uniqueId, d.match, d.tables]),
    [['model.shop.orders', 'custom_sql', ['[MARTS].[ORDERS]', 'marts.orders']]],
  );
  t.same(
    on?.unmatchedTables.map((u) => [u.table, u.reason]),
    [
      ['MARTS.unknown', 'no_relation'],
      ['bare', 'no_relation'],
      ['custom SQL "Broken"', 'unsupported_custom_sql'],
      ['custom SQL "File"', 'not_a_warehouse'],
      ['custom SQL "No table"', 'unsupported_custom_sql'],
    ],
  );
  t.match(
    on?.unmatchedTables[2]?.detail,
    /^the SQL parser rejected the query in every grammar tried \(Snowflake, PostgresQL, Redshift, Trino, TransactSQL\): Expected /,
  );
  t.equal(on?.unmatchedTables[4]?.detail, 'the query reads no table');
});

t.test('ambiguous tables are listed per workbook', async (t) => {
  const twinA = node({ uniqueId: 'model.shop.a', name: 'a', schema: 's', identifier: 't' });
  const twinB = node({
    uniqueId: 'model.pkg.b',
    name: 'b',
    packageName: 'pkg',
    database: 'other',
    schema: 's',
    identifier: 't',
  });
  const lineage = buildExposureLineage({
    manifest: manifest([twinA, twinB, orders]),
    workbooks: [
      workbook({
        luid: 'w',
        name: 'W',
        embeddedDatasources: [
          embedded({
            tables: [
              table({ name: 't', fullName: '[S].[T]' }),
              table({ name: 'o', fullName: '[MARTS].[ORDERS]' }),
            ],
          }),
        ],
      }),
    ],
  });
  t.same(lineage.ambiguous, [
    {
      workbookLuid: 'w',
      workbookName: 'W',
      table: '[S].[T]',
      candidates: ['model.pkg.b', 'model.shop.a'],
    },
  ]);
  t.same(
    lineage.exposures[0]?.dependsOn.map((d) => [d.uniqueId, d.match]),
    [['model.shop.orders', 'schema_identifier']],
  );
});

t.test('bad options and input fail with coded errors naming the field', async (t) => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ databaseAliases: ['x'] }, 'options.databaseAliases'],
    [{ schemaAliases: { a: 1 } }, 'options.schemaAliases'],
    [{ parseCustomSql: 'yes' }, 'options.parseCustomSql'],
    [{ defaultType: 'report' }, 'options.defaultType'],
    [{ defaultMaturity: 'mature' }, 'options.defaultMaturity'],
    [{ tags: 'tableau' }, 'options.tags'],
    [{ managedPaths: [''] }, 'options.managedPaths'],
    [{ packageName: '' }, 'options.packageName'],
    [{ includeProjects: 'Finance' }, 'options.includeProjects'],
    [{ overrides: [] }, 'options.overrides'],
    [{ overrides: { x: null } }, 'options.overrides["x"]'],
    [{ overrides: { x: { name: 'Bad Name' } } }, 'options.overrides["x"].name'],
    [{ overrides: { x: { label: 3 } } }, 'options.overrides["x"].label'],
    [{ overrides: { x: { type: 'report' } } }, 'options.overrides["x"].type'],
    [{ overrides: { x: { maturity: 'x' } } }, 'options.overrides["x"].maturity'],
    [{ overrides: { x: { owner: { email: 'a@b' } } } }, 'options.overrides["x"].owner'],
    [{ overrides: { x: { tags: [1] } } }, 'options.overrides["x"].tags'],
    [{ overrides: { x: { exclude: 'yes' } } }, 'options.overrides["x"].exclude'],
    [{ overrides: { a: { name: 'same' }, b: { name: 'same' } } }, 'options.overrides'],
  ];
  for (const [options, field] of bad) {
    t.throws(
      () => buildExposureLineage({ manifest: m, workbooks: site, options: options as never }),
      { code: 'ERR_INVALID_OPTION', field },
      field,
    );
  }
  t.throws(
    () => buildExposureLineage({ manifest: manifest([], { projectName: null }), workbooks: [] }),
    { code: 'ERR_INVALID_OPTION', field: 'options.packageName' },
  );
  const error = t.throws(() =>
    buildExposureLineage({ manifest: m, workbooks: [site[0]!, site[0]!] }),
  );
  t.ok(error instanceof ConfigError);
  t.match(error, { code: 'ERR_INVALID_OPTION', field: 'workbooks[1].luid' });
});
