import t from 'tap';
import { DbtAutoExposuresError } from '../../src/errors.js';
import {
  CUSTOM_SQL_QUERY,
  chunkLuids,
  customSqlQueryVariables,
  DEFAULT_CUSTOM_SQL_PAGE_SIZE,
  DEFAULT_WORKBOOKS_PAGE_SIZE,
  MAX_LUIDS_PER_QUERY,
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
  refreshTimesQueryVariables,
  WORKBOOK_REFRESH_TIMES_QUERY,
  WORKBOOKS_QUERY,
  workbooksQueryVariables,
} from '../../src/tableau/queries.js';
import { readQuery } from '../../src/testing/graphql.js';

const documents = {
  WORKBOOKS_QUERY,
  CUSTOM_SQL_QUERY,
  WORKBOOK_REFRESH_TIMES_QUERY,
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
};

t.test('documents are named, and paginate with variables only', async (t) => {
  for (const [name, doc] of Object.entries(documents)) {
    t.match(doc, /^query DbtAutoExposures\w+\(\$/, `${name}: a named operation with variables`);
    t.match(doc, /first: \$first, after: \$after/, `${name}: cursor pagination through variables`);
    t.match(doc, /pageInfo \{ hasNextPage endCursor \}/, `${name}: asks for pageInfo`);
    t.match(doc, /totalCount/, `${name}: asks for totalCount`);
    t.notMatch(doc, /orderBy/, `${name}: relies on the default id order`);
    t.notMatch(doc, /\$\{/, `${name}: no unexpanded template placeholder`);
  }
});

t.test('the workbooks query asks for every field lineage needs', async (t) => {
  for (const field of [
    'luid',
    'vizportalUrlId',
    'projectLuid',
    'owner { name email username }',
    'tags { name }',
    'embeddedDatasources {',
    'upstreamDatasources { id luid name }',
    'extractLastRefreshTime',
    'database { name connectionType }',
    'filter: $filter',
  ]) {
    t.ok(WORKBOOKS_QUERY.includes(field), `has ${field}`);
  }
  t.match(CUSTOM_SQL_QUERY, /isUnsupportedCustomSql/);
  t.match(CUSTOM_SQL_QUERY, /downstreamWorkbooks \{ luid name \}/);
  t.match(CUSTOM_SQL_QUERY, /\.\.\. on EmbeddedDatasource \{ workbook \{ luid name \} \}/);
  t.match(WORKBOOK_REFRESH_TIMES_QUERY, /filter: \{ luidWithin: \$luids \}/);
  t.match(PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY, /filter: \{ luidWithin: \$luids \}/);
});

t.test(
  'each document parses as GraphQL, asking one connection with its page arguments',
  async (t) => {
    const variables = { first: 3, after: 'c', filter: { nameWithin: ['x'] }, luids: ['l'] };
    const read = (document: string) => {
      const { field, arguments: args } = readQuery(document, variables);
      return { field, args };
    };
    t.same(read(WORKBOOKS_QUERY), {
      field: 'workbooksConnection',
      args: { first: 3, after: 'c', filter: { nameWithin: ['x'] } },
    });
    t.same(read(WORKBOOK_REFRESH_TIMES_QUERY), {
      field: 'workbooksConnection',
      args: { first: 3, after: 'c', filter: { luidWithin: ['l'] } },
    });
    t.same(read(CUSTOM_SQL_QUERY), {
      field: 'customSQLTablesConnection',
      args: { first: 3, after: 'c' },
    });
    t.same(read(PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY), {
      field: 'publishedDatasourcesConnection',
      args: { first: 3, after: 'c', filter: { luidWithin: ['l'] } },
    });
  },
);

t.test('workbooksQueryVariables', async (t) => {
  t.same(workbooksQueryVariables(), {
    first: DEFAULT_WORKBOOKS_PAGE_SIZE,
    after: null,
    filter: null,
  });
  t.same(
    workbooksQueryVariables({
      first: 10,
      after: 'abc',
      filter: { projectLuidWithin: ['p1', 'p2', 'p1'], luidWithin: [], nameWithin: ['A'] },
    }),
    { first: 10, after: 'abc', filter: { projectLuidWithin: ['p1', 'p2'], nameWithin: ['A'] } },
  );
  t.same(
    workbooksQueryVariables({ filter: { luidWithin: [] } }).filter,
    null,
    'empty filter is null',
  );
  for (const bad of [0, -1, 1.5, 1001, Number.NaN]) {
    t.throws(() => workbooksQueryVariables({ first: bad }), {
      code: 'ERR_INVALID_OPTION',
      field: 'first',
    });
  }
  t.equal(workbooksQueryVariables({ first: 1000 }).first, 1000, 'upper bound accepted');
});

t.test('customSqlQueryVariables', async (t) => {
  t.same(customSqlQueryVariables(), { first: DEFAULT_CUSTOM_SQL_PAGE_SIZE, after: null });
  t.same(customSqlQueryVariables({ first: 5, after: 'c' }), { first: 5, after: 'c' });
});

t.test('refreshTimesQueryVariables and chunkLuids', async (t) => {
  t.same(refreshTimesQueryVariables(['b', 'a', 'b']), { luids: ['b', 'a'], first: 2, after: null });
  t.same(refreshTimesQueryVariables(['a'], { first: 7, after: 'x' }), {
    luids: ['a'],
    first: 7,
    after: 'x',
  });
  const err = t.throws(() => refreshTimesQueryVariables([]));
  t.ok(err instanceof DbtAutoExposuresError);
  t.match(err, { code: 'ERR_INVALID_OPTION', field: 'luids' });
  const many = Array.from({ length: MAX_LUIDS_PER_QUERY + 1 }, (_, i) => `l${i}`);
  t.throws(() => refreshTimesQueryVariables(many), { code: 'ERR_INVALID_OPTION' });
  t.same(chunkLuids(['a', 'b', 'c', 'a', 'd'], 2), [
    ['a', 'b'],
    ['c', 'd'],
  ]);
  t.same(chunkLuids([]), []);
  t.equal(chunkLuids(many).length, 2);
  t.equal(chunkLuids(many)[1]?.length, 1);
  t.throws(() => chunkLuids(['a'], 0), { code: 'ERR_INVALID_OPTION', field: 'size' });
});
