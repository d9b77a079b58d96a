import t from 'tap';
import { buildMockSite } from '../../src/testing/index.js';
import { resolveMockSite } from '../../src/testing/site.js';

t.test('buildMockSite is deterministic and realistic', async (t) => {
  const a = buildMockSite({ seed: 3, workbooks: 200 });
  t.same(buildMockSite({ seed: 3, workbooks: 200 }), a, 'same options, same site');
  t.not(
    JSON.stringify(buildMockSite({ seed: 4, workbooks: 200 })),
    JSON.stringify(a),
    'seed matters',
  );
  const site = resolveMockSite(a);
  t.equal(site.workbooks.length, 200);
  t.equal(new Set(site.workbooks.map((w) => w.luid)).size, 200, 'unique luids');
  t.equal(site.publishedDatasources.length, 40);
  t.ok(
    site.projects.some((p) => p.parentLuid !== null),
    'nested projects',
  );
  const embedded = site.workbooks.flatMap((w) => w.embeddedDatasources);
  t.ok(
    embedded.some((d) => d.hasExtracts) && embedded.some((d) => !d.hasExtracts),
    'extracts and live',
  );
  t.ok(
    embedded.some((d) => d.publishedDatasourceLuids.length > 0),
    'published sources used',
  );
  const sql = embedded.flatMap((d) => d.customSql);
  t.ok(
    sql.some((s) => s.tables.length > 0) &&
      sql.some((s) => s.isUnsupported && s.tables.length === 0),
    'parsed and unparsed SQL',
  );
  const types = new Set(embedded.flatMap((d) => d.tables.map((x) => x.connectionType)));
  t.ok(
    types.has('excel-direct') &&
      types.has('webdata-direct:marketo-marketo') &&
      types.has('snowflake'),
  );
  t.ok(
    site.workbooks.some(
      (w) => w.personalSpace && w.projectName === 'Personal Space' && w.projectLuid === null,
    ),
  );
  t.ok(site.workbooks.some((w) => w.tags.length > 0));
  t.equal(site.collections[0]?.items.length, 3);
  t.same(buildMockSite({ workbooks: 0 }).workbooks, []);
  t.equal(resolveMockSite(buildMockSite()).workbooks.length, 20, 'defaults');
});

t.test('resolveMockSite validates hand-written sites', async (t) => {
  t.throws(() => resolveMockSite({ workbooks: [{ luid: '', name: 'x' }] }), {
    code: 'ERR_INVALID_OPTION',
    field: 'workbooks[0].luid',
  });
  t.throws(
    () =>
      resolveMockSite({
        workbooks: [
          { luid: 'a', name: 'x' },
          { luid: 'a', name: 'y' },
        ],
      }),
    { code: 'ERR_INVALID_OPTION', field: 'workbooks[1].luid' },
  );
  t.throws(
    () =>
      resolveMockSite({
        workbooks: [
          {
            luid: 'a',
            name: 'x',
            embeddedDatasources: [{ name: 'e', publishedDatasourceLuids: ['zz'] }],
          },
        ],
      }),
    {
      code: 'ERR_INVALID_OPTION',
      field: 'workbooks[0].embeddedDatasources[0].publishedDatasourceLuids',
    },
  );
  t.throws(
    () =>
      resolveMockSite({
        collections: [{ luid: 'c', name: 'c', items: [{ type: 'datasource', luid: 'zz' }] }],
      }),
    { code: 'ERR_INVALID_OPTION', field: 'collections.c.items' },
  );
  t.throws(
    () =>
      resolveMockSite({
        workbooks: [{ luid: 'a', name: 'x', embeddedDatasources: [{ name: 'e', tables: [{}] }] }],
      }),
    { code: 'ERR_INVALID_OPTION' },
  );
  const site = resolveMockSite({
    contentUrl: '',
    workbooks: [
      {
        luid: 'a',
        name: 'A',
        projectName: 'P',
        publishedDatasources: [{ luid: 'p', name: 'P DS', projectLuid: 'gone' }],
        embeddedDatasources: [
          {
            name: 'e',
            tables: [
              'T',
              'S.T',
              { name: 'X', schema: 'S', connectionType: null },
              { fullName: 'only' },
            ],
          },
        ],
      },
    ],
  });
  t.equal(site.name, 'Default');
  t.equal(site.workbooks[0]?.projectName, 'P');
  t.same(site.workbooks[0]?.publishedDatasourceLuids, ['p']);
  t.same(
    site.workbooks[0]?.embeddedDatasources[0]?.tables.map((x) => [
      x.name,
      x.fullName,
      x.schema,
      x.databaseName,
      x.connectionType,
    ]),
    [
      ['T', '[T]', '', null, 'snowflake'],
      ['T', '[S].[T]', 'S', null, 'snowflake'],
      ['X', '[S].[X]', 'S', null, null],
      ['', 'only', null, null, 'snowflake'],
    ],
  );
});
