import t from 'tap';
import {
  CUSTOM_SQL_QUERY,
  chunkLuids,
  DEFAULT_WORKBOOKS_PAGE_SIZE,
  MAX_LUIDS_PER_QUERY,
  PUBLISHED_DATASOURCE_REFRESH_TIMES_QUERY,
  PUBLISHED_DATASOURCES_QUERY,
  WORKBOOK_REFRESH_TIMES_QUERY,
  workbooksQuery,
  workbooksQueryVariables,
} from '../../src/tableau/queries.js';
import { readQuery } from '../../src/testing/graphql.js';

/** The workbooks document for a server with every feature (Cloud). */
const WORKBOOKS_QUERY = workbooksQuery({ projectLuid: true });

const documents = {
  WORKBOOKS_QUERY,
  PUBLISHED_DATASOURCES_QUERY,
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
    'upstreamDatasources { luid }',
    'extractLastUpdateTime extractLastRefreshTime',
    'database { name connectionType }',
    'filter: $filter',
  ]) {
    t.ok(WORKBOOKS_QUERY.includes(field), `has ${field}`);
  }
  t.notMatch(workbooksQuery({ projectLuid: false }), /projectLuid/, 'no projectLuid before 2022.3');
  t.match(PUBLISHED_DATASOURCES_QUERY, /upstreamTables \{/);
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

t.test(
  'workbooksQueryVariables: the page, and the filter without empty or repeated entries',
  async (t) => {
    t.same(workbooksQueryVariables({ first: DEFAULT_WORKBOOKS_PAGE_SIZE, after: null }), {
      first: DEFAULT_WORKBOOKS_PAGE_SIZE,
      after: null,
      filter: null,
    });
    t.same(
      workbooksQueryVariables(
        { first: 10, after: 'abc' },
        { projectLuidWithin: ['p1', 'p2', 'p1'], luidWithin: [], nameWithin: ['A'] },
      ),
      { first: 10, after: 'abc', filter: { projectLuidWithin: ['p1', 'p2'], nameWithin: ['A'] } },
    );
    t.same(
      workbooksQueryVariables({ first: 1, after: null }, { luidWithin: [] }).filter,
      null,
      'empty filter is null',
    );
  },
);

t.test('chunkLuids: deduplicated, order kept, at most MAX_LUIDS_PER_QUERY each', async (t) => {
  t.same(chunkLuids(['b', 'a', 'b']), [['b', 'a']]);
  t.same(chunkLuids([]), []);
  const many = Array.from({ length: MAX_LUIDS_PER_QUERY + 1 }, (_, i) => `l${i}`);
  t.equal(chunkLuids([...many, ...many]).length, 2);
  t.equal(chunkLuids(many)[0]?.length, MAX_LUIDS_PER_QUERY);
  t.same(chunkLuids(many)[1], [`l${MAX_LUIDS_PER_QUERY}`]);
});
