import t from 'tap';
import { buildRelationIndex } from '../../src/artifacts/relation.js';
import { RelationMatcher } from '../../src/lineage/match.js';
import { node } from './helpers/builders.js';

const orders = node({
  uniqueId: 'model.shop.orders',
  name: 'orders',
  schema: 'marts',
  identifier: 'orders',
});
const ordersDev = node({
  uniqueId: 'model.other.orders',
  name: 'orders',
  packageName: 'other',
  database: 'dev',
  schema: 'marts',
  identifier: 'orders',
});
const rawOrders = node({
  uniqueId: 'source.shop.raw.orders',
  resourceType: 'source',
  sourceName: 'raw',
  name: 'orders',
  schema: 'raw',
  identifier: 'orders_v0',
});
const priv = node({
  uniqueId: 'model.shop.secret',
  name: 'secret',
  schema: 'marts',
  identifier: 'secret',
  access: 'private',
});
const twinA = node({
  uniqueId: 'model.shop.twin_a',
  name: 'twin_a',
  schema: 'marts',
  identifier: 'twin',
});
const twinB = node({
  uniqueId: 'model.shop.twin_b',
  name: 'twin_b',
  schema: 'marts',
  identifier: 'twin',
});
const noDb = node({
  uniqueId: 'model.shop.spark',
  name: 'spark',
  database: null,
  schema: 'lake',
  identifier: 'spark',
});

const matcher = new RelationMatcher(
  buildRelationIndex([orders, ordersDev, rawOrders, priv, twinA, twinB, noDb]),
  {
    databaseAliases: { PROD_ANALYTICS: 'analytics' },
    schemaAliases: { Reporting: 'marts' },
  },
);

t.test('exact matches are case-insensitive and go through aliases', async (t) => {
  t.same(matcher.match({ database: 'ANALYTICS', schema: 'MARTS', identifier: 'ORDERS' }), {
    kind: 'matched',
    node: orders,
    match: 'exact',
  });
  t.same(matcher.match({ database: 'prod_analytics', schema: 'REPORTING', identifier: 'Orders' }), {
    kind: 'matched',
    node: orders,
    match: 'exact',
  });
  t.same(matcher.match({ database: 'ANALYTICS', schema: 'RAW', identifier: 'ORDERS_V0' }), {
    kind: 'matched',
    node: rawOrders,
    match: 'exact',
  });
  t.same(matcher.applyAliases({ database: 'x', schema: 'y', identifier: 'z' }), {
    database: 'x',
    schema: 'y',
    identifier: 'z',
  });
});

t.test('without a database: schema.identifier only when unique', async (t) => {
  t.same(matcher.match({ database: null, schema: 'raw', identifier: 'orders_v0' }), {
    kind: 'matched',
    node: rawOrders,
    match: 'schema_identifier',
  });
  const ambiguous = matcher.match({ database: null, schema: 'marts', identifier: 'orders' });
  t.equal(ambiguous.kind === 'unmatched' && ambiguous.reason, 'ambiguous');
  t.same(ambiguous.kind === 'unmatched' && ambiguous.candidates, [
    'model.other.orders',
    'model.shop.orders',
  ]);
  t.match(
    ambiguous.kind === 'unmatched' && ambiguous.detail,
    /model\.other\.orders, model\.shop\.orders; not guessing/,
  );
});

t.test('one relation built by two nodes is ambiguous, never a pick', async (t) => {
  const result = matcher.match({ database: 'analytics', schema: 'marts', identifier: 'twin' });
  t.same(result.kind === 'unmatched' && [result.reason, result.candidates], [
    'ambiguous',
    ['model.shop.twin_a', 'model.shop.twin_b'],
  ]);
});

t.test('database mismatch names the relation dbt builds and the alias to add', async (t) => {
  const result = matcher.match({ database: 'STAGING', schema: 'RAW', identifier: 'ORDERS_V0' });
  t.same(result.kind === 'unmatched' && [result.reason, result.candidates], [
    'database_mismatch',
    ['analytics.raw.orders_v0'],
  ]);
  t.match(
    result.kind === 'unmatched' && result.detail,
    'Tableau reads STAGING.RAW.ORDERS_V0 but dbt builds analytics.raw.orders_v0; if they are the same table, add databaseAliases: { "STAGING": "analytics" }',
  );
  const two = matcher.match({ database: 'qa', schema: 'marts', identifier: 'orders' });
  t.same(two.kind === 'unmatched' && [two.reason, two.candidates], [
    'database_mismatch',
    ['analytics.marts.orders', 'dev.marts.orders'],
  ]);
});

t.test('a dbt node without a database matches on schema.identifier', async (t) => {
  t.same(matcher.match({ database: 'hive_metastore', schema: 'lake', identifier: 'spark' }), {
    kind: 'matched',
    node: noDb,
    match: 'schema_identifier',
  });
});

t.test('no relation, and no schema', async (t) => {
  const none = matcher.match({ database: 'analytics', schema: 'marts', identifier: 'nope' });
  t.same(none, {
    kind: 'unmatched',
    reason: 'no_relation',
    detail: 'no dbt model, seed, snapshot or source builds analytics.marts.nope',
  });
  const bare = matcher.match({ database: null, schema: null, identifier: 'orders' });
  t.same(bare.kind === 'unmatched' && [bare.reason, bare.candidates], [
    'no_relation',
    ['analytics.marts.orders', 'dev.marts.orders'],
  ]);
  t.match(
    bare.kind === 'unmatched' && bare.detail,
    /no schema for orders; not matched on the name alone/,
  );
  const nothing = matcher.match({ database: 'db', schema: null, identifier: 'zzz' });
  t.same(nothing, {
    kind: 'unmatched',
    reason: 'no_relation',
    detail: 'Tableau gives no schema for db.zzz and no dbt relation has that name',
  });
});

t.test('private models are reported, not referenced', async (t) => {
  const result = matcher.match({ database: 'analytics', schema: 'marts', identifier: 'secret' });
  t.same(result.kind === 'unmatched' && [result.reason, result.candidates], [
    'private_model',
    ['model.shop.secret'],
  ]);
  t.match(result.kind === 'unmatched' && result.detail, /private model; exposures cannot ref it/);
});

t.test('long candidate lists are shortened in the detail only', async (t) => {
  const many = Array.from({ length: 7 }, (_, i) =>
    node({
      uniqueId: `model.p${i}.t`,
      name: 't',
      packageName: `p${i}`,
      database: `d${i}`,
      schema: 's',
      identifier: 't',
    }),
  );
  const m = new RelationMatcher(buildRelationIndex(many));
  const result = m.match({ database: null, schema: 's', identifier: 't' });
  t.equal(result.kind === 'unmatched' && result.candidates?.length, 7);
  t.match(result.kind === 'unmatched' && result.detail, /model\.p4\.t and 2 more/);
});
