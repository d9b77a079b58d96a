import t from 'tap';
import {
  cleanCustomSql,
  decodeHtmlEntities,
  dialectForConnection,
  parseCustomSqlTables,
} from '../../src/lineage/custom-sql.js';

t.test('cleaning: entities first, then parameters, then doubled angle brackets', async (t) => {
  t.equal(
    decodeHtmlEntities(
      'a &lt; b &gt; c &amp; &quot;d&quot; &#39;e&#39; &#x41; &apos; &bogus; &#0;',
    ),
    "a < b > c & \"d\" 'e' A ' &bogus; &#0;",
  );
  t.equal(decodeHtmlEntities('&amp;lt;'), '&lt;');
  t.equal(
    cleanCustomSql('select * from t where d &gt;= &lt;[Parameters].[Start Date]&gt;;'),
    'select * from t where d >= 0',
  );
  t.equal(
    cleanCustomSql('select * from t where n << <[Parameters].[Max]> and m >> 1'),
    'select * from t where n < 0 and m > 1',
  );
});

t.test('dialects come from the connection type', async (t) => {
  t.equal(dialectForConnection('snowflake'), 'Snowflake');
  t.equal(dialectForConnection('Postgres'), 'PostgresQL');
  t.equal(dialectForConnection('redshift'), 'Redshift');
  t.equal(dialectForConnection('bigquery-jdbc'), 'BigQuery');
  t.equal(dialectForConnection('sqlserver'), 'TransactSQL');
  t.equal(dialectForConnection('mysql'), 'MySQL');
  t.equal(dialectForConnection('databricks'), 'Hive');
  t.equal(dialectForConnection('oracle'), null);
  t.equal(dialectForConnection(null), null);
});

t.test('tables, not CTEs, across subqueries, joins and unions', async (t) => {
  const sql = `WITH recent AS (SELECT * FROM ANALYTICS.MARTS.ORDERS WHERE d &gt; <[Parameters].[Since]>)
    SELECT * FROM recent r JOIN marts.customers c ON r.id = c.id
    WHERE c.id IN (SELECT id FROM "RAW"."VIP")
    UNION ALL SELECT * FROM (SELECT * FROM marts.orders) x`;
  t.same(parseCustomSqlTables(sql, 'snowflake'), {
    ok: true,
    dialect: 'Snowflake',
    tables: [
      // sorted case-insensitively by database, schema, identifier; no database first
      { database: null, schema: 'marts', identifier: 'customers' },
      { database: null, schema: 'marts', identifier: 'orders' },
      { database: null, schema: 'RAW', identifier: 'VIP' },
      { database: 'ANALYTICS', schema: 'MARTS', identifier: 'ORDERS' },
    ],
  });
});

t.test('BigQuery backticks, whole or per part', async (t) => {
  t.same(
    parseCustomSqlTables(
      'select * from `proj.ds.a` join `proj`.`ds`.`b` using (id) join `ds.c` using (id)',
      'bigquery',
    ),
    {
      ok: true,
      dialect: 'BigQuery',
      tables: [
        { database: null, schema: 'ds', identifier: 'c' },
        { database: 'proj', schema: 'ds', identifier: 'a' },
        { database: 'proj', schema: 'ds', identifier: 'b' },
      ],
    },
  );
});

t.test('SQL Server brackets and unqualified names', async (t) => {
  t.same(
    parseCustomSqlTables(
      'select * from [sales].[dbo].[orders] o join customers c on o.c = c.id',
      'sqlserver',
    ),
    {
      ok: true,
      dialect: 'TransactSQL',
      tables: [
        { database: null, schema: null, identifier: 'customers' },
        { database: 'sales', schema: 'dbo', identifier: 'orders' },
      ],
    },
  );
});

t.test('unknown connection types try the retry grammars, PostgreSQL first', async (t) => {
  t.same(parseCustomSqlTables('select * from s.t', 'oracle'), {
    ok: true,
    dialect: 'PostgresQL',
    tables: [{ database: null, schema: 's', identifier: 't' }],
  });
  // QUALIFY: only the Snowflake grammar reads it
  t.same(
    parseCustomSqlTables('select * from s.t qualify row_number() over (order by a) = 1', null),
    {
      ok: true,
      dialect: 'Snowflake',
      tables: [{ database: null, schema: 's', identifier: 't' }],
    },
  );
});

t.test(
  'a grammar that reads the text as something else than a SELECT did not parse it',
  async (t) => {
    // SQL Server's grammar reads `selec nothing` as a variable assignment
    const bad = parseCustomSqlTables('selec nothing', 'sqlserver');
    t.equal(bad.ok, false);
    t.match(bad, { dialect: 'TransactSQL', message: 'not a SELECT statement' });
  },
);

t.test('unparseable SQL reports the parser message', async (t) => {
  const bad = parseCustomSqlTables('selec * frm orders', 'snowflake');
  t.equal(bad.ok, false);
  t.equal(bad.dialect, 'Snowflake');
  t.match(!bad.ok && bad.message, /Expected/);
  t.same(!bad.ok && bad.grammars, ['Snowflake', 'PostgresQL', 'Redshift', 'Trino', 'TransactSQL']);
  const fallback = parseCustomSqlTables('this is not sql', null);
  t.same([fallback.ok, fallback.dialect], [false, null]);
  t.same(parseCustomSqlTables('  ;', 'snowflake'), {
    ok: false,
    dialect: null,
    message: 'the query is empty',
    grammars: [],
  });
});
