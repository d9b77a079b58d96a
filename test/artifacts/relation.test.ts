import t from 'tap';
import { splitQualifiedName } from '../../src/artifacts/relation-name.js';
import type { DbtNode } from '../../src/artifacts/types.js';
import { normalizeIdentifier, RelationIndex } from '../../src/lineage/relation.js';

t.test('splitQualifiedName handles every quoting style', async (t) => {
  t.same(splitQualifiedName('[DB].[SCHEMA].[TABLE]'), ['DB', 'SCHEMA', 'TABLE']);
  t.same(splitQualifiedName('"postgres"."dbt"."order_dynamics"'), [
    'postgres',
    'dbt',
    'order_dynamics',
  ]);
  t.same(splitQualifiedName('`your-project`.`jaffle_shop`.`daily_orders`'), [
    'your-project',
    'jaffle_shop',
    'daily_orders',
  ]);
  t.same(splitQualifiedName('finance_db.raw.stg_customers'), [
    'finance_db',
    'raw',
    'stg_customers',
  ]);
  t.same(splitQualifiedName('"a.b"."c""d"'), ['a.b', 'c"d']);
  t.same(splitQualifiedName('[we]]ird].[t]'), ['we]ird', 't']);
  t.same(splitQualifiedName('orders'), ['orders']);
  t.equal(splitQualifiedName("read_csv('./seeds/raw.csv')"), null);
  t.equal(splitQualifiedName(''), null);
  t.equal(splitQualifiedName('a..b'), null);
  t.equal(splitQualifiedName('a.'), null);
  t.equal(splitQualifiedName('"unterminated'), null);
  t.equal(splitQualifiedName('"a"b'), null);
});

t.test('normalizeIdentifier folds case and quotes', async (t) => {
  t.equal(normalizeIdentifier('"Orders"'), 'orders');
  t.equal(normalizeIdentifier(' [My Table] '), 'my table');
  t.equal(normalizeIdentifier('"a.b"'), 'a.b');
  t.equal(normalizeIdentifier('"a"."b"'), '"a"."b"', 'two parts are not one quoted part');
});

const node = (
  id: string,
  database: string | null,
  schema: string,
  identifier: string,
): DbtNode => ({
  uniqueId: id,
  resourceType: 'model',
  packageName: 'p',
  name: identifier,
  sourceName: null,
  database,
  schema,
  identifier,
  relationName: null,
  materialization: 'table',
  version: null,
  latestVersion: null,
  access: null,
  enabled: true,
  tags: [],
  fqn: ['p', identifier],
  originalFilePath: null,
  description: null,
});

t.test('RelationIndex: by identifier, every schema and database, manifest order', async (t) => {
  const disabled = { ...node('model.p.x', 'DB', 'MARTS', 'orders'), enabled: false };
  const ephemeral = { ...node('model.p.e', 'DB', 'MARTS', 'orders'), materialization: 'ephemeral' };
  const index = new RelationIndex([
    node('model.p.a', 'DB', 'MARTS', 'orders'),
    node('model.p.b', 'db', 'marts', '"ORDERS"'),
    node('model.p.c', 'DB', 'STAGING', 'customers'),
    node('model.p.d', 'OTHER', 'STAGING', 'customers'),
    node('model.p.n', null, 'MARTS', 'nodb'),
    disabled,
    ephemeral,
  ]);
  const ids = (list: readonly { node: DbtNode }[]) => list.map((c) => c.node.uniqueId);
  t.same(ids(index.withIdentifier('orders')), ['model.p.a', 'model.p.b'], 'enabled relations only');
  t.same(ids(index.withIdentifier('customers')), ['model.p.c', 'model.p.d']);
  t.same(ids(index.withIdentifier('missing')), []);
  t.same(ids(index.withIdentifier('ORDERS')), [], 'lookups take normalised parts');
  t.same(
    index.withIdentifier('customers').map((c) => [c.schema, c.database]),
    [
      ['staging', 'db'],
      ['staging', 'other'],
    ],
    'schemas and databases normalised',
  );
  t.same(index.withIdentifier('nodb')[0]?.database, '', 'no database: the empty string');
  t.equal(index.withIdentifier('nodb')[0]?.ref, undefined, 'references are made on first match');
});
