/**
 * `RelationIndex` on its nested schema → identifier → candidates layout: candidates in manifest
 * order with their normalised database, identifier lookups across schemas, lookups across
 * databases, and collisions only within one database.
 */
import t from 'tap';
import { buildRelationIndex, type RelationIndex } from '../../src/artifacts/relation.js';
import type { DbtNode } from '../../src/artifacts/types.js';
import { node } from '../lineage/helpers/builders.js';

function n(id: string, database: string | null, schema: string, identifier: string): DbtNode {
  return node({ uniqueId: id, name: id, database, schema, identifier });
}

const ids = (nodes: readonly DbtNode[]): string[] => nodes.map((x) => x.uniqueId);
const candidateIds = (index: RelationIndex, schema: string, identifier: string) =>
  index.candidates(schema, identifier).map((c) => [c.node.uniqueId, c.database]);

// Manifest order deliberately interleaves schemas and databases.
const nodes = [
  n('m.prod_orders', 'PROD', 'marts', 'orders'),
  n('m.stg_orders', 'prod', 'staging', 'Orders'),
  n('m.dev_orders', '"Dev"', 'MARTS', 'ORDERS'),
  n('m.lake_orders', null, '[Marts]', '"orders"'),
  n('m.empty_orders', '', 'marts', 'orders'),
  n('m.raw_orders', 'raw', 'raw', 'orders'),
  n('m.customers', 'prod', 'marts', 'customers'),
];

t.test('candidates: every database, manifest order, normalised database', async (t) => {
  const index = buildRelationIndex(nodes);
  t.same(candidateIds(index, 'marts', 'orders'), [
    ['m.prod_orders', 'prod'],
    ['m.dev_orders', 'dev'],
    ['m.lake_orders', ''],
    ['m.empty_orders', ''],
  ]);
  t.same(candidateIds(index, 'staging', 'orders'), [['m.stg_orders', 'prod']]);
  t.same(candidateIds(index, 'MARTS', 'ORDERS'), [], 'parts are used as given (normalised)');
  t.same(candidateIds(index, 'marts', 'nothing'), []);
  t.same(candidateIds(index, 'nothing', 'orders'), []);
  t.equal(index.candidates('x', 'y').length, 0);
  t.ok(Object.isFrozen(index.candidates('x', 'y')), 'the shared empty list cannot be filled');
  t.equal(index.size, nodes.length);
});

t.test('candidates of a case-sensitive index keep case', async (t) => {
  const index = buildRelationIndex(nodes, { caseSensitive: true });
  t.same(candidateIds(index, 'marts', 'orders'), [
    ['m.prod_orders', 'PROD'],
    ['m.empty_orders', ''],
  ]);
  t.same(candidateIds(index, 'MARTS', 'ORDERS'), [['m.dev_orders', 'Dev']]);
  t.same(candidateIds(index, 'Marts', 'orders'), [['m.lake_orders', '']], 'unquoted once');
  t.same(candidateIds(index, 'staging', 'Orders'), [['m.stg_orders', 'prod']]);
  t.same(candidateIds(index, 'staging', 'orders'), []);
});

t.test('getByIdentifier: manifest order across schemas, a fresh array each call', async (t) => {
  const index = buildRelationIndex(nodes);
  const expected = [
    'm.prod_orders',
    'm.stg_orders',
    'm.dev_orders',
    'm.lake_orders',
    'm.empty_orders',
    'm.raw_orders',
  ];
  const first = index.getByIdentifier('ORDERS');
  t.same(ids(first), expected);
  first.reverse();
  first.push(nodes[6]!);
  first.splice(0, 2);
  const second = index.getByIdentifier('"Orders"');
  t.same(ids(second), expected, 'mutating a result does not change the index');
  t.not(second, index.getByIdentifier('orders'), 'each call gets its own array');
  second.length = 0;
  t.same(ids(index.getByIdentifier('orders')), expected);
  t.same(index.getByIdentifier('nothing'), []);
  const none = index.getByIdentifier('nothing');
  none.push(nodes[0]!);
  t.same(index.getByIdentifier('nothing'), [], 'nor does filling an empty result');
  t.same(ids(index.getByIdentifier('customers')), ['m.customers']);

  const cs = buildRelationIndex(nodes, { caseSensitive: true });
  t.same(ids(cs.getByIdentifier('orders')), [
    'm.prod_orders',
    'm.lake_orders',
    'm.empty_orders',
    'm.raw_orders',
  ]);
  t.same(ids(cs.getByIdentifier('ORDERS')), ['m.dev_orders']);
  t.same(ids(cs.getByIdentifier('[Orders]')), ['m.stg_orders']);
});

t.test('getNormalized and get across databases', async (t) => {
  const index = buildRelationIndex(nodes);
  t.same(ids(index.getNormalized('prod', 'marts', 'orders')), ['m.prod_orders']);
  t.same(ids(index.getNormalized('dev', 'marts', 'orders')), ['m.dev_orders']);
  t.same(
    ids(index.getNormalized('', 'marts', 'orders')),
    ['m.lake_orders', 'm.empty_orders'],
    'null and empty databases are both the empty database',
  );
  t.same(index.getNormalized('raw', 'marts', 'orders'), []);
  t.same(index.getNormalized('PROD', 'marts', 'orders'), [], 'parts are used as given');
  t.same(ids(index.get('[PROD]', '"MARTS"', 'Orders')), ['m.prod_orders']);
  t.same(ids(index.get(null, 'marts', 'orders')), ['m.lake_orders', 'm.empty_orders']);
  t.same(ids(index.get('', 'marts', 'orders')), ['m.lake_orders', 'm.empty_orders']);
  const result = index.getNormalized('prod', 'marts', 'orders');
  result.push(nodes[1]!);
  t.same(ids(index.getNormalized('prod', 'marts', 'orders')), ['m.prod_orders']);

  const cs = buildRelationIndex(nodes, { caseSensitive: true });
  t.same(ids(cs.getNormalized('PROD', 'marts', 'orders')), ['m.prod_orders']);
  t.same(cs.getNormalized('prod', 'marts', 'orders'), []);
  t.same(ids(cs.get('"Dev"', 'MARTS', 'ORDERS')), ['m.dev_orders']);
});

t.test('getBySchemaIdentifier sees every database', async (t) => {
  const index = buildRelationIndex(nodes);
  const marts = index.getBySchemaIdentifier('MARTS', 'orders');
  t.same(marts.kind === 'ambiguous' ? ids(marts.nodes) : marts, [
    'm.prod_orders',
    'm.dev_orders',
    'm.lake_orders',
    'm.empty_orders',
  ]);
  const staging = index.getBySchemaIdentifierNormalized('staging', 'orders');
  t.same(staging.kind === 'unique' ? staging.node.uniqueId : staging, 'm.stg_orders');
  t.same(index.getBySchemaIdentifierNormalized('staging', 'customers'), { kind: 'none' });
});

t.test('collisions: several nodes on one relation in one database only', async (t) => {
  const index = buildRelationIndex(nodes);
  t.same(
    index.collisions(),
    [
      {
        key: '\u001fmarts\u001forders',
        relation: '[Marts]."orders"',
        uniqueIds: ['m.empty_orders', 'm.lake_orders'],
      },
    ],
    'prod/dev/none share marts.orders without colliding; null and empty databases collide',
  );

  const twins = buildRelationIndex([
    n('m.b', 'db', 's', 't'),
    n('m.other_db', 'other', 's', 't'),
    n('m.a', 'DB', 'S', 'T'),
    n('m.c', '"db"', '[s]', '`t`'),
    n('m.x', 'db', 's', 'x'),
    n('m.y', 'a', 'z', 'y'),
    n('m.y2', 'a', 'Z', 'Y'),
  ]);
  t.same(twins.collisions(), [
    { key: 'a\u001fz\u001fy', relation: 'a.z.y', uniqueIds: ['m.y', 'm.y2'] },
    { key: 'db\u001fs\u001ft', relation: 'db.s.t', uniqueIds: ['m.a', 'm.b', 'm.c'] },
  ]);

  const elsewhere = buildRelationIndex([
    n('m.one', 'db1', 's', 't'),
    n('m.two', 'db2', 's', 't'),
    n('m.three', null, 's', 't'),
  ]);
  t.same(elsewhere.collisions(), [], 'the same relation in different databases is no collision');

  const cs = buildRelationIndex(
    [n('m.upper', 'db', 's', 'T'), n('m.lower', 'db', 's', 't'), n('m.again', 'db', 's', '"t"')],
    { caseSensitive: true },
  );
  t.same(cs.collisions(), [
    { key: 'db\u001fs\u001ft', relation: 'db.s.t', uniqueIds: ['m.again', 'm.lower'] },
  ]);
  const ci = buildRelationIndex([n('m.upper', 'db', 's', 'T'), n('m.lower', 'db', 's', 't')]);
  t.same(ci.collisions(), [
    { key: 'db\u001fs\u001ft', relation: 'db.s.T', uniqueIds: ['m.lower', 'm.upper'] },
  ]);
});
