import t from 'tap';
import {
  isWarehouseConnection,
  resolveTableauName,
  tableauTableLabel,
} from '../../src/lineage/relation.js';
import type { TableauTable } from '../../src/tableau/types.js';
import { table } from './helpers/builders.js';

/** A table's relation as the matcher reads it (the database beside the name fills a gap). */
function resolveTableauTable(t: TableauTable) {
  const relation = resolveTableauName(t, t.databaseName);
  return relation === null ? { kind: 'unparseable' } : { kind: 'relation', ...relation };
}

t.test('every observed fullName form resolves to database, schema, identifier', async (t) => {
  const cases: Array<[Parameters<typeof table>[0], [string | null, string | null, string]]> = [
    [{ name: 'T', fullName: '[DB].[SCHEMA].[T]' }, ['DB', 'SCHEMA', 'T']],
    [{ name: 'T', fullName: '[SCHEMA].[T]', databaseName: 'DB' }, ['DB', 'SCHEMA', 'T']],
    [{ name: 'ORDERS', fullName: '[PUBLIC].[ORDERS]' }, [null, 'PUBLIC', 'ORDERS']],
    [{ name: 'T', fullName: 'DB.SCHEMA.T' }, ['DB', 'SCHEMA', 'T']],
    [{ name: 'customer', fullName: 'customer', schema: '' }, [null, null, 'customer']],
    [
      { name: 'customer', fullName: 'customer', schema: 'public', databaseName: 'pg' },
      ['pg', 'public', 'customer'],
    ],
    [{ name: 'address', fullName: '[address]', schema: 'public' }, [null, 'public', 'address']],
    // schema field disagrees with fullName: fullName wins
    [{ name: 'actor', fullName: '[public].[actor]', schema: 'public1' }, [null, 'public', 'actor']],
    // schema inside the name (redshift), no brackets
    [
      {
        name: 'datawarehouse.client',
        fullName: 'datawarehouse.client',
        connectionType: 'redshift',
      },
      [null, 'datawarehouse', 'client'],
    ],
    // name carries more qualifiers than fullName
    [{ name: 'ds.tbl', fullName: '[tbl]', databaseName: 'proj' }, ['proj', 'ds', 'tbl']],
    // name disagrees with fullName: fullName wins
    [{ name: 'other.thing', fullName: '[s].[tbl]' }, [null, 's', 'tbl']],
    // no fullName: the name is used
    [
      { name: 'dataset.table', databaseName: 'my project', connectionType: 'bigquery' },
      ['my project', 'dataset', 'table'],
    ],
    // database and schema bracketed together
    [{ name: 'CYCLE', fullName: '[DEV_DB.LONDON].[CYCLE]' }, ['DEV_DB', 'LONDON', 'CYCLE']],
    // four parts (linked server): the last three
    [{ name: 't', fullName: '[srv].[db].[dbo].[t]' }, ['db', 'dbo', 't']],
    // quoted parts keep their dots
    [{ name: 't', fullName: '"my.db"."s"."t"' }, ['my.db', 's', 't']],
    // whitespace-only database name is no database
    [{ name: 't', fullName: '[s].[t]', databaseName: '  ' }, [null, 's', 't']],
  ];
  for (const [fields, [database, schema, identifier]] of cases) {
    t.same(
      resolveTableauTable(table(fields)),
      { kind: 'relation', database, schema, identifier },
      JSON.stringify(fields),
    );
  }
});

t.test('unparseable names', async (t) => {
  t.same(resolveTableauTable(table({ name: '', fullName: '' })), { kind: 'unparseable' });
  t.same(resolveTableauTable(table({ name: "read_csv('x')", fullName: null })), {
    kind: 'unparseable',
  });
  t.same(resolveTableauTable(table({ name: 'x', fullName: '[a.].[b]' })), {
    kind: 'relation',
    database: null,
    schema: 'a.',
    identifier: 'b',
  });
});

t.test('non-warehouse connections', async (t) => {
  for (const type of [
    'excel-direct',
    'EXCEL-DIRECT',
    'textscan',
    'hyper',
    'dataengine',
    'webdata-direct:marketo-marketo',
    'google-sheets',
    'ogrdirect',
  ]) {
    t.notOk(isWarehouseConnection(type), type);
  }
  for (const type of [
    null,
    'snowflake',
    'postgres',
    'bigquery',
    'sqlserver',
    'redshift',
    'databricks',
  ]) {
    t.ok(isWarehouseConnection(type), String(type));
  }
});

t.test('labels prefer fullName', async (t) => {
  t.equal(
    tableauTableLabel({ name: 'ORDERS', fullName: '[PUBLIC].[ORDERS]' }),
    '[PUBLIC].[ORDERS]',
  );
  t.equal(tableauTableLabel({ name: 'ORDERS', fullName: ' ' }), 'ORDERS');
  t.equal(tableauTableLabel({ name: 'ORDERS', fullName: null }), 'ORDERS');
});
