import t from 'tap';
import type { DbtNode } from '../../src/artifacts/types.js';
import { Matcher, type MatchOptions } from '../../src/lineage/match.js';
import { RelationIndex, type RelationParts } from '../../src/lineage/relation.js';
import { node, table } from './helpers/builders.js';

/** The rules over one Tableau table naming `relation` (the database given beside the name). */
function matcherOf(nodes: DbtNode[], options: MatchOptions = {}) {
  const matcher = new Matcher(new RelationIndex(nodes), { ...options, parseCustomSql: false });
  return {
    /** The outcome's kind and node for a Tableau `fullName`. */
    matchName(fullName: string) {
      const outcome = matcher.table(table({ name: 'x', fullName }));
      return outcome.kind === 'matched' ? outcome.node : outcome.entry.reason;
    },
    match(relation: RelationParts) {
      const { database, schema, identifier } = relation;
      const fullName = schema === null ? identifier : `${schema}.${identifier}`;
      const outcome = matcher.table(table({ name: identifier, fullName, databaseName: database }));
      if (outcome.kind === 'matched') {
        return { kind: 'matched', node: outcome.node, match: outcome.match };
      }
      const { reason, detail, candidates } = outcome.entry;
      return candidates === undefined
        ? { kind: 'unmatched', reason, detail }
        : { kind: 'unmatched', reason, detail, candidates };
    },
  };
}

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

const matcher = matcherOf([orders, ordersDev, rawOrders, priv, twinA, twinB, noDb], {
  databaseAliases: { PROD_ANALYTICS: 'analytics' },
  schemaAliases: { Reporting: 'marts' },
});

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
  // dbt builds `orders` in marts, not in staging: another schema is another relation.
  t.same(matcher.match({ database: 'analytics', schema: 'staging', identifier: 'orders' }), {
    kind: 'unmatched',
    reason: 'no_relation',
    detail: 'no dbt model, seed, snapshot or source builds analytics.staging.orders',
  });
  t.same(matcher.match({ database: null, schema: 'staging', identifier: 'orders' }), {
    kind: 'unmatched',
    reason: 'no_relation',
    detail: 'no dbt model, seed, snapshot or source builds staging.orders',
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
  const m = matcherOf(many);
  const result = m.match({ database: null, schema: 's', identifier: 't' });
  t.equal(result.kind === 'unmatched' && result.candidates?.length, 7);
  t.match(result.kind === 'unmatched' && result.detail, /model\.p4\.t and 2 more/);
});

t.test('a part padded inside its quotes is not the padded dbt name', async (t) => {
  // dbt stores the identifier quoted with a trailing space and the index keeps that space, while
  // every part of a Tableau name is trimmed.
  const padded = node({
    uniqueId: 'model.p.padded',
    name: 'padded',
    database: 'db',
    schema: 's',
    identifier: '"t "',
  });
  for (const fullName of ['db.s.[t ]', '"db"."s"."t "']) {
    t.equal(matcherOf([padded]).matchName(fullName), 'no_relation', fullName);
  }
  // `[ ]` is no database to a Tableau name, not the dbt database `[ ]`.
  const spaced = node({
    uniqueId: 'model.p.spaced',
    name: 'spaced',
    database: '[ ]',
    schema: 's',
    identifier: 't',
  });
  t.not(matcherOf([spaced]).matchName('[ ].s.t'), spaced);
});

t.test('each part is lower-cased on its own (Greek final sigma)', async (t) => {
  // `Σ` lower-cases to `ς` at the end of a word and to `σ` alone: lower-casing `db.s.Σ` whole
  // would give `ς`, the part alone gives `σ`.
  t.equal('db.s.Σ'.toLowerCase(), 'db.s.ς');
  const finalSigma = node({
    uniqueId: 'model.p.final_sigma',
    name: 'final_sigma',
    database: 'db',
    schema: 's',
    identifier: 'ς',
  });
  const m = matcherOf([finalSigma]);
  t.equal(m.matchName('db.s.Σ'), 'no_relation', 'db.s.Σ is db.s.σ, not db.s.ς');
  t.equal(m.matchName('db.s.ς'), finalSigma);
});

t.test('the same spelling in one build is decided once, and alike', async (t) => {
  const m = matcherOf([orders, ordersDev]);
  t.equal(m.matchName('[ANALYTICS].[MARTS].[ORDERS]'), orders);
  t.equal(m.matchName('[ANALYTICS].[MARTS].[ORDERS]'), orders);
  t.equal(m.matchName('[DEV].[MARTS].[ORDERS]'), ordersDev, 'another database, another node');
});
