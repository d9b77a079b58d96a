import t from 'tap';
import {
  buildRelationIndex,
  normalizeIdentifier,
  normalizePartsFast,
  relationKey,
  splitQualifiedName,
} from '../../src/artifacts/relation.js';
import type { DbtNode } from '../../src/artifacts/types.js';

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

t.test(
  'normalizePartsFast: the parts normalizeIdentifier gives, or null when one pass could differ',
  async (t) => {
    // Same as splitting then normalising part by part.
    for (const text of [
      '[DB].[SCHEMA].[Orders]',
      'DB.Schema.T',
      '"db"."s"."My T"',
      '`p`.`d`.`T`',
    ]) {
      const expected = splitQualifiedName(text)!.map((p) => normalizeIdentifier(p));
      t.same(normalizePartsFast(text), expected, text);
    }
    t.same(normalizePartsFast('DB.S.T', { caseSensitive: true }), ['DB', 'S', 'T']);
    // Declines: padded or still-quoted parts (normalize trims / unquotes again), non-ASCII text
    // (lower-casing the whole name can differ from lower-casing each part: final sigma), non-names.
    t.equal(normalizePartsFast('[DB].[S].[ORDERS ]'), null);
    t.equal(normalizePartsFast('[DB].[S].["x"]'), null);
    t.equal(normalizePartsFast('db.s.\u03a3'), null);
    t.equal(normalizePartsFast(''), null);
    t.equal(normalizePartsFast("read_csv('x')"), null);
  },
);

t.test('normalizeIdentifier and relationKey fold case and quotes', async (t) => {
  t.equal(normalizeIdentifier('"Orders"'), 'orders');
  t.equal(normalizeIdentifier('"Orders"', { caseSensitive: true }), 'Orders');
  t.equal(normalizeIdentifier('[My Table]'), 'my table');
  t.equal(relationKey('DB', '[S]', '"T"'), relationKey('db', 's', 't'));
  t.not(relationKey(null, 's', 't'), relationKey('db', 's', 't'));
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

t.test('RelationIndex lookups and collisions', async (t) => {
  const index = buildRelationIndex([
    node('model.p.a', 'DB', 'MARTS', 'orders'),
    node('model.p.b', 'db', 'marts', 'ORDERS'),
    node('model.p.c', 'DB', 'STAGING', 'customers'),
    node('model.p.d', 'OTHER', 'STAGING', 'customers'),
  ]);
  t.equal(index.size, 4);
  t.same(
    index.get('db', 'marts', 'orders').map((n) => n.uniqueId),
    ['model.p.a', 'model.p.b'],
  );
  t.same(
    index.collisions().map((c) => c.uniqueIds),
    [['model.p.a', 'model.p.b']],
  );
  t.equal(index.getBySchemaIdentifier('staging', 'customers').kind, 'ambiguous');
  t.equal(index.getBySchemaIdentifier('x', 'y').kind, 'none');
  const unique = index.getBySchemaIdentifier('STAGING', 'CUSTOMERS');
  t.equal(unique.kind, 'ambiguous');
  t.equal(index.getByIdentifier('Customers').length, 2);
  const cs = buildRelationIndex(
    { nodes: new Map([['model.p.a', node('model.p.a', 'DB', 'S', 'T')]]) },
    { caseSensitive: true },
  );
  t.equal(cs.get('db', 's', 't').length, 0);
  const u = cs.getBySchemaIdentifier('S', 'T');
  t.equal(u.kind === 'unique' ? u.node.uniqueId : null, 'model.p.a');
});

t.test('RelationIndex lookups on parts normalised once', async (t) => {
  const index = buildRelationIndex([
    node('model.p.a', 'DB', 'MARTS', 'orders'),
    node('model.p.n', null, 'MARTS', 'nodb'),
    node('model.p.c', 'DB', 'STAGING', 'customers'),
    node('model.p.d', 'OTHER', 'STAGING', 'customers'),
  ]);
  t.equal(index.normalize(' [MARTS] '), 'marts');
  t.equal(index.normalize('"Orders"'), 'orders');
  t.same(
    index.getNormalized('db', 'marts', 'orders').map((n) => n.uniqueId),
    ['model.p.a'],
  );
  t.same(index.getNormalized('DB', 'MARTS', 'ORDERS'), [], 'parts are used as given');
  t.same(
    index.getNormalized('', 'marts', 'nodb').map((n) => n.uniqueId),
    ['model.p.n'],
    'a node without a database is found under the empty database',
  );
  const one = index.getBySchemaIdentifierNormalized('marts', 'orders');
  t.equal(one.kind === 'unique' ? one.node.uniqueId : null, 'model.p.a');
  const two = index.getBySchemaIdentifierNormalized('staging', 'customers');
  t.same(two.kind === 'ambiguous' ? two.nodes.map((n) => n.uniqueId) : null, [
    'model.p.c',
    'model.p.d',
  ]);
  t.equal(index.getBySchemaIdentifierNormalized('STAGING', 'CUSTOMERS').kind, 'none');
  const cs = buildRelationIndex([node('model.p.a', 'DB', 'S', 'T')], { caseSensitive: true });
  t.equal(cs.normalize('[S]'), 'S');
  t.equal(cs.getNormalized('DB', 'S', 'T').length, 1);
});
