/**
 * `sync --snapshot` over a raw Metadata API payload pasted by a user (issue 14), in process: the
 * summary says how many workbooks had no readable tables, reports the custom SQL parse rate, and
 * prints the warning naming the path of tables it did not read (and then keeps the previous
 * exposures, exit 1, as for any listing that may be incomplete). Expectations are written by hand
 * from examples/jaffle-tableau (Snowflake, project jaffle_tableau).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { copyExample, runCli } from './helpers.js';

const sf = (name: string, schema: string, database: string) => ({
  name,
  schema,
  database: { name: database, connectionType: 'snowflake' },
});

const ordersWorkbook = {
  luid: 'wb-orders',
  name: 'Orders Overview',
  projectName: 'Finance',
  // the troubleshooting query's shape: tables on the workbook itself
  upstreamTables: [sf('ORDERS', 'MARTS', 'ANALYTICS'), sf('STRIPE_PAYMENTS', 'JAFFLE', 'RAW')],
};
const customSql = {
  nodes: [
    {
      name: 'Refund search',
      query: "SELECT * FROM MARTS.REFUNDS WHERE REASON ILIKE '%' || <[Parameters].[Reason]> || '%'",
      database: { name: 'ANALYTICS', connectionType: 'snowflake' },
      tables: [],
      downstreamWorkbooks: [{ luid: 'wb-refunds', name: 'Refund Search' }],
    },
    {
      name: 'Top refunds',
      // TOP and ILIKE … || together: no grammar of the parser reads both
      query:
        "SELECT TOP 10 * FROM MARTS.REFUNDS WHERE REASON ILIKE '%' || <[Parameters].[Reason]> || '%'",
      database: { name: 'ANALYTICS', connectionType: 'snowflake' },
      tables: [],
      downstreamWorkbooks: [{ luid: 'wb-refunds', name: 'Refund Search' }],
    },
  ],
};

t.test('a clean payload: parse rate printed, exit 0', async (t) => {
  const project = await copyExample(t);
  const file = join(project, 'pasted.json');
  await writeFile(
    file,
    JSON.stringify({
      data: { workbooks: [ordersWorkbook], customSQLTablesConnection: customSql },
    }),
  );
  const r = await runCli(['sync', '--snapshot', file], { cwd: project });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `Read 2 workbooks from snapshot ${file}.\n`);
  t.notMatch(r.stdout, 'had no readable tables');
  t.match(r.stdout, 'Parsed 1 of 2 custom SQL queries Tableau listed no tables for (50%).\n');
  t.match(r.stdout, /custom SQL "Top refunds" — unsupported_custom_sql: the SQL parser rejected/);
  const yaml = await readFile(
    join(project, 'models', 'exposures', 'tableau_exposures.yml'),
    'utf8',
  );
  for (const ref of ["ref('orders')", "source('jaffle_raw', 'payments')", "ref('refunds')"]) {
    t.match(yaml, `- ${ref}`);
  }
  const json = await runCli(['sync', '--snapshot', file, '--output', 'json'], {
    cwd: project,
  });
  const summary = JSON.parse(json.stdout);
  t.same(summary.stats.customSql, { queries: 2, parsed: 1 });
  t.equal(summary.workbooksWithoutTables, 0);
});

t.test('custom SQL parsing off: the summary says how many were not parsed', async (t) => {
  const project = await copyExample(t);
  const config = join(project, 'dbt-auto-exposures.config.yml');
  const text = await readFile(config, 'utf8');
  await writeFile(config, text.replace('parseCustomSql: true', 'parseCustomSql: false'));
  const file = join(project, 'pasted.json');
  await writeFile(file, JSON.stringify({ data: { customSQLTablesConnection: customSql } }));
  const r = await runCli(['sync', '--snapshot', file], { cwd: project });
  t.equal(r.code, 0, r.stderr);
  t.match(
    r.stdout,
    '2 custom SQL queries Tableau listed no tables for: not parsed (set matching.parseCustomSql: true to parse them here).\n',
  );
});

t.test('tables in a shape not read: counted, warned with the path, exit 1', async (t) => {
  const project = await copyExample(t);
  const file = join(project, 'pasted.json');
  await writeFile(
    file,
    JSON.stringify({
      data: {
        workbooks: [
          ordersWorkbook,
          {
            luid: 'wb-virtual',
            name: 'Virtual Connection Sales',
            upstreamVirtualConnectionTables: [{ name: 'SALES' }],
          },
        ],
      },
    }),
  );
  const r = await runCli(['sync', '--snapshot', file], { cwd: project });
  t.equal(r.code, 1, 'a listing that may be incomplete exits 1');
  t.match(r.stdout, `Read 2 workbooks from snapshot ${file}.\n`);
  t.match(
    r.stdout,
    '1 of them had no readable tables; some tables of the input were not read (see the warnings below).\n',
  );
  t.match(
    r.stdout,
    'UNREAD_TABLES: 1 table at data.workbooks[*].upstreamVirtualConnectionTables[*] reached no workbook (first: SALES at data.workbooks[1].upstreamVirtualConnectionTables[0])',
  );
  t.match(r.stdout, 'The listing may be incomplete');
  const json = await runCli(['sync', '--snapshot', file, '--output', 'json'], {
    cwd: project,
  });
  const summary = JSON.parse(json.stdout);
  t.equal(summary.workbooksWithoutTables, 1);
  t.same(
    summary.warnings.map((w: { code: string; path: string }) => [w.code, w.path]),
    [['UNREAD_TABLES', 'data.workbooks[1].upstreamVirtualConnectionTables[0]']],
  );
});
