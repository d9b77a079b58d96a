/**
 * `RelationMatcher.matchExactName`, the fast path for complete three-part names, against the
 * general path `matcher.match(resolveTableauTable(table))`: whenever the fast path answers, the
 * general path matches the same node with `exact`; and it does answer for plain names of a
 * relation that exactly one node builds (so the fast path is really taken).
 */
import fc from 'fast-check';
import t from 'tap';
import { buildRelationIndex, type RelationIndex } from '../../src/artifacts/relation.js';
import type { DbtNode } from '../../src/artifacts/types.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import { type MatchOptions, RelationMatcher } from '../../src/lineage/match.js';
import { resolveTableauTable } from '../../src/lineage/tableau-relation.js';
import { embedded, manifest, node, table, workbook } from './helpers/builders.js';

const RUNS = 3000;

// Name parts from a small pool so relations collide often: case pairs, dots, quote characters,
// spaces (inside and at the edges), non-ASCII letters (Σ lower-cases to σ, or to ς at the end
// of a word; the Kelvin sign K lower-cases to ASCII k), and parts that are themselves quoted.
const PLAIN_BASES = ['a', 'A', 'b', 'Ab', 'aB', 'k', 'c', 'Orders', 'x_1', 'D'];
const ASCII_BASES = ['a.b', 'A.B', 'a"b', 'a`b', 'a]b', 'a b', 'a ', ' a', '"a"', '[a]', '`A`'];
const OTHER_BASES = ['K', 'Σ', 'σ', 'ς', 'aΣ', 'aς', 'é', 'É'];
const base = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAIN_BASES) },
  { weight: 2, arbitrary: fc.constantFrom(...ASCII_BASES) },
  { weight: 2, arbitrary: fc.constantFrom(...OTHER_BASES) },
);

type Style = 'bare' | '"' | '`' | '[';
const style = fc.constantFrom<Style>('bare', 'bare', '"', '`', '[');

function quote(style: Exclude<Style, 'bare'>, value: string): string {
  const close = style === '[' ? ']' : style;
  return `${style}${value.split(close).join(close + close)}${close}`;
}

/** A part spelled in a style (a bare spelling is used as is, even when it will not parse). */
function spell(style: Style, value: string): string {
  return style === 'bare' ? value : quote(style, value);
}

/** A name part of a dbt node: its value, and how dbt stores it (as is, or quoted once). */
interface Part {
  value: string;
  stored: string;
}
const part: fc.Arbitrary<Part> = fc
  .tuple(style, base)
  .map(([s, value]) => ({ value, stored: spell(s, value) }));

interface NodeSpec {
  database: Part | null | '';
  schema: Part;
  identifier: Part;
  resourceType: DbtNode['resourceType'];
  access: DbtNode['access'];
}

const nodeSpec: fc.Arbitrary<NodeSpec> = fc.record({
  database: fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom<null | ''>(null, '') },
    { weight: 6, arbitrary: part },
  ),
  schema: part,
  identifier: part,
  resourceType: fc.constantFrom<DbtNode['resourceType']>('model', 'model', 'seed', 'source'),
  access: fc.constantFrom<DbtNode['access']>('private', 'protected', 'public', null),
});

/** Nodes, some repeated into another database and some on the very same relation. */
const nodeSpecs = fc
  .tuple(
    fc.array(nodeSpec, { minLength: 1, maxLength: 8 }),
    fc.array(fc.tuple(fc.nat(), fc.option(part, { nil: null })), { maxLength: 4 }),
  )
  .map(([specs, copies]) => {
    const out = [...specs];
    for (const [i, database] of copies) {
      const from = specs[i % specs.length]!;
      out.push({ ...from, database: database ?? from.database });
    }
    return out;
  });

function storedDatabase(database: NodeSpec['database']): string | null {
  return database === null || database === '' ? database : database.stored;
}

function toNodes(specs: readonly NodeSpec[]): DbtNode[] {
  return specs.map((s, i) =>
    node({
      uniqueId: `${s.resourceType}.p.n${i}`,
      name: `n${i}`,
      database: storedDatabase(s.database),
      schema: s.schema.stored,
      identifier: s.identifier.stored,
      resourceType: s.resourceType,
      access: s.resourceType === 'model' ? s.access : null,
    }),
  );
}

const aliases: fc.Arbitrary<MatchOptions> = fc.oneof(
  { weight: 9, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        databaseAliases: fc.dictionary(base, base, { minKeys: 1, maxKeys: 2 }),
        schemaAliases: fc.dictionary(base, base, { minKeys: 1, maxKeys: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
);

type CaseChange = 'same' | 'upper' | 'lower';
const caseChange = fc.constantFrom<CaseChange>('same', 'same', 'same', 'same', 'upper', 'lower');
function changeCase(value: string, change: CaseChange): string {
  return change === 'upper'
    ? value.toUpperCase()
    : change === 'lower'
      ? value.toLowerCase()
      : value;
}

/**
 * A part of a full name: the value (or dbt's stored spelling of it) in a style, maybe quoted
 * twice (`["x"]`), in another case, padded inside the quotes or around the part.
 */
const namePart = (p: Part) =>
  fc
    .record({
      value: fc.oneof({ weight: 5, arbitrary: fc.constant(p.value) }, fc.constant(p.stored)),
      style,
      inner: fc.oneof(
        { weight: 12, arbitrary: fc.constant<Style>('bare') },
        fc.constantFrom<Style>('"', '`', '['),
      ),
      change: caseChange,
      padInside: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, fc.constant(' ')),
      padOutside: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, fc.constant(' ')),
    })
    .map(({ value, style, inner, change, padInside, padOutside }) => {
      const text = changeCase(spell(inner, value), change);
      const spelled = style === 'bare' ? text : quote(style, `${padInside}${text}${padInside}`);
      return `${padOutside}${spelled}${padOutside}`;
    });

/** A part of a full name in one style and maybe another case, nothing else. */
const cleanPart = (p: Part) =>
  fc.tuple(style, caseChange).map(([s, change]) => spell(s, changeCase(p.value, change)));

/**
 * Full names in every spelling: mostly a node's own relation (3 parts; or 2 without the
 * database; or 4 behind a server name), else parts of several nodes, or odd strings.
 */
function fullNames(specs: readonly NodeSpec[]): fc.Arbitrary<string> {
  const own = fc
    .tuple(fc.constantFrom(...specs), fc.constantFrom(3, 3, 3, 3, 2, 4), fc.boolean())
    .chain(([s, count, clean]) => {
      const database =
        s.database === null || s.database === '' ? { value: 'x', stored: 'x' } : s.database;
      const parts = [database, s.schema, s.identifier];
      const chosen =
        count === 2
          ? parts.slice(1)
          : count === 4
            ? [{ value: 'srv', stored: 'srv' }, ...parts]
            : parts;
      return fc.tuple(...chosen.map(clean ? cleanPart : namePart));
    });
  const pool = specs.flatMap((s) => [s.schema, s.identifier]);
  const mixed = fc
    .array(fc.constantFrom(...pool), { minLength: 1, maxLength: 4 })
    .chain((parts) => fc.tuple(...parts.map(namePart)));
  return fc.oneof(
    { weight: 20, arbitrary: own.map((spelled) => spelled.join('.')) },
    { weight: 2, arbitrary: mixed.map((spelled) => spelled.join('.')) },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom('a', 'A', 'Σ', '.', '"', '`', '[', ']', ' ', '\t'),
        maxLength: 12,
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '.', 'a..b', '[a].[b].', '"a"b.c.d') },
  );
}

/** The general path for a warehouse table with this `fullName` (other fields as given). */
function general(
  matcher: RelationMatcher,
  fullName: string,
  other: { name: string; schema: string | null; databaseName: string | null },
) {
  const resolved = resolveTableauTable({ ...other, fullName, connectionType: 'snowflake' });
  return resolved.kind === 'relation' ? matcher.match(resolved) : resolved;
}

const otherFields = fc.record({
  name: base,
  schema: fc.option(base, { nil: null }),
  databaseName: fc.option(base, { nil: null }),
});

/** The general answer must be this very node, matched `exact`. */
function checkAgreement(
  index: RelationIndex,
  options: MatchOptions,
  fullName: string,
  other: { name: string; schema: string | null; databaseName: string | null },
): void {
  const matcher = new RelationMatcher(index, options);
  const fast = matcher.matchExactName(fullName);
  if (fast === undefined) return;
  const result = general(matcher, fullName, other);
  if (result.kind !== 'matched' || result.match !== 'exact' || result.node !== fast) {
    throw new Error(
      `matchExactName(${JSON.stringify(fullName)}) gave ${fast.uniqueId} but the general path gave ${JSON.stringify(
        result.kind === 'matched' ? { match: result.match, node: result.node.uniqueId } : result,
      )}`,
    );
  }
}

const scenario = fc
  .tuple(nodeSpecs, fc.boolean(), aliases)
  .chain(([specs, caseSensitive, options]) => {
    return fc.record({
      specs: fc.constant(specs),
      caseSensitive: fc.constant(caseSensitive),
      options: fc.constant(options),
      fullName: fullNames(specs),
      other: otherFields,
    });
  });

t.test('whenever matchExactName answers, the general path matches that node exactly', async (t) => {
  let answered = 0;
  fc.assert(
    fc.property(scenario, ({ specs, caseSensitive, options, fullName, other }) => {
      const index = buildRelationIndex(toNodes(specs), { caseSensitive });
      checkAgreement(index, options, fullName, other);
      if (new RelationMatcher(index, options).matchExactName(fullName) !== undefined) answered += 1;
    }),
    { numRuns: RUNS },
  );
  // Guards the generator: the fast path must be reached often enough for the property to bite.
  t.ok(answered > RUNS / 20, `the fast path answered in ${answered} of ${RUNS} runs`);
});

t.test('a part padded inside its quotes is not the padded dbt name', async (t) => {
  // dbt stores the identifier quoted with a trailing space; the index keeps that space, while
  // the general path trims every part of a Tableau name before looking it up.
  const padded = node({
    uniqueId: 'model.p.padded',
    name: 'padded',
    database: 'db',
    schema: 's',
    identifier: '"t "',
  });
  const matcher = new RelationMatcher(buildRelationIndex([padded]));
  for (const fullName of ['db.s.[t ]', '"db"."s"."t "']) {
    const result = general(matcher, fullName, { name: 't', schema: null, databaseName: null });
    t.equal(
      result.kind,
      'unmatched',
      `general path: ${fullName} does not build ${padded.identifier}`,
    );
    t.equal(matcher.matchExactName(fullName), undefined, `fast path agrees for ${fullName}`);
  }
  // And a padded database: `[ ]` is the empty database to the general path.
  const spaced = node({
    uniqueId: 'model.p.spaced',
    name: 'spaced',
    database: '[ ]',
    schema: 's',
    identifier: 't',
  });
  const other = new RelationMatcher(buildRelationIndex([spaced]));
  const result = general(other, '[ ].s.t', { name: 't', schema: null, databaseName: null });
  t.not(result.kind === 'matched' && result.node, spaced, 'general path: not the [ ] database');
  t.equal(other.matchExactName('[ ].s.t'), undefined, 'fast path agrees for [ ].s.t');
});

t.test('lineage for a padded quoted name is what the general path gives', async (t) => {
  // Before the fast path (db3d2c0^) this table was unmatched: `[ORDERS ]` is the part `ORDERS `,
  // normalised to `orders`, and no node builds analytics.marts.orders.
  const padded = node({
    uniqueId: 'source.shop.raw.orders',
    resourceType: 'source',
    sourceName: 'raw',
    name: 'orders',
    database: 'analytics',
    schema: 'marts',
    identifier: '"ORDERS "',
    access: null,
  });
  const lineage = buildExposureLineage({
    manifest: manifest([padded]),
    options: { keepUnmatchedWorkbooks: true },
    workbooks: [
      workbook({
        luid: 'wb-1',
        name: 'Padded',
        embeddedDatasources: [
          embedded({
            tables: [table({ name: 'ORDERS', fullName: '[ANALYTICS].[MARTS].[ORDERS ]' })],
          }),
        ],
      }),
    ],
  });
  const exposure = lineage.exposures[0]!;
  t.same(exposure.dependsOn, []);
  t.same(exposure.unmatchedTables, [
    {
      table: '[ANALYTICS].[MARTS].[ORDERS ]',
      reason: 'no_relation',
      detail: 'no dbt model, seed, snapshot or source builds ANALYTICS.MARTS.ORDERS ',
    },
  ]);
  t.same(lineage.stats, { workbooks: 1, tables: 1, matched: 0, unmatched: 1 });
});

t.test(
  'lower-casing the whole name is not lower-casing each part (Greek final sigma)',
  async (t) => {
    // `Σ` lower-cases to `ς` at the end of a word and to `σ` alone: in `db.s.Σ` it ends the word
    // `s.Σ`, so lower-casing the whole name gives `ς` while the part alone gives `σ`.
    t.equal('db.s.Σ'.toLowerCase(), 'db.s.ς');
    t.equal('Σ'.toLowerCase(), 'σ');
    const finalSigma = node({
      uniqueId: 'model.p.final_sigma',
      name: 'final_sigma',
      database: 'db',
      schema: 's',
      identifier: 'ς',
    });
    const matcher = new RelationMatcher(buildRelationIndex([finalSigma]));
    const result = general(matcher, 'db.s.Σ', { name: 'Σ', schema: null, databaseName: null });
    t.equal(result.kind, 'unmatched', 'general path: db.s.Σ is db.s.σ, not db.s.ς');
    t.equal(matcher.matchExactName('db.s.Σ'), undefined, 'fast path agrees');
    const same = general(matcher, 'db.s.ς', { name: 'ς', schema: null, databaseName: null });
    t.equal(same.kind === 'matched' && same.node, finalSigma, 'general path: db.s.ς is the node');
  },
);

// Plain printable-ASCII parts: no quote character first, no padding, and (for the bare
// spelling) nothing that would need quoting.
const PLAIN = /^[A-Za-z0-9_]+$/;
const PLAIN_BRACKETED = /^[A-Za-z0-9_.$ -]+$/;

function onlyNodeOnItsRelation(index: RelationIndex, n: DbtNode): boolean {
  const database = n.database ? index.normalize(n.database) : '';
  return (
    index
      .candidates(index.normalize(n.schema), index.normalize(n.identifier))
      .filter((c) => c.database === database).length === 1
  );
}

const plainWord = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,5}$/);
const plainSpec = fc.record({
  database: fc.constantFrom('analytics', 'ANALYTICS', 'Dev', 'raw'),
  schema: fc.constantFrom('marts', 'MARTS', 'staging', 'Lake'),
  identifier: fc.oneof(fc.constantFrom('orders', 'ORDERS', 'Customers', 'x'), plainWord),
  stored: style,
  resourceType: fc.constantFrom<DbtNode['resourceType']>('model', 'seed', 'source', 'snapshot'),
  access: fc.constantFrom<DbtNode['access']>('private', 'protected', 'public', null),
});

t.test('plain three-part names of a relation one node builds take the fast path', async (t) => {
  let taken = 0;
  fc.assert(
    fc.property(
      fc.array(plainSpec, { minLength: 1, maxLength: 10 }),
      fc.nat(),
      fc.boolean(),
      fc.constantFrom('brackets', 'bare'),
      caseChange,
      (specs, pick, caseSensitive, spelling, change) => {
        const nodes = toNodes(
          specs.map((s) => ({
            database: { value: s.database, stored: spell(s.stored, s.database) },
            schema: { value: s.schema, stored: spell(s.stored, s.schema) },
            identifier: { value: s.identifier, stored: spell(s.stored, s.identifier) },
            resourceType: s.resourceType,
            access: s.access,
          })),
        );
        const index = buildRelationIndex(nodes, { caseSensitive });
        const spec = specs[pick % specs.length]!;
        const target = nodes[pick % specs.length]!;
        const parts = [spec.database, spec.schema, spec.identifier];
        const plain = spelling === 'bare' ? PLAIN : PLAIN_BRACKETED;
        if (!parts.every((p) => plain.test(p))) return;
        const changed = caseSensitive ? parts : parts.map((p) => changeCase(p, change));
        const fullName =
          spelling === 'bare' ? changed.join('.') : changed.map((p) => quote('[', p)).join('.');
        const fast = new RelationMatcher(index).matchExactName(fullName);
        const isPrivate = target.resourceType === 'model' && target.access === 'private';
        if (onlyNodeOnItsRelation(index, target) && !isPrivate) {
          taken += 1;
          if (fast !== target) {
            throw new Error(`${fullName}: fast path gave ${fast?.uniqueId} for ${target.uniqueId}`);
          }
        } else if (fast !== undefined) {
          throw new Error(`${fullName}: fast path answered ${fast.uniqueId} for a shared relation`);
        }
        checkAgreement(index, {}, fullName, { name: 'x', schema: null, databaseName: null });
      },
    ),
    { numRuns: RUNS / 2 },
  );
  t.ok(taken > RUNS / 10, `the fast path was expected in ${taken} runs`);
});

t.test('with aliases configured the fast path never answers', async (t) => {
  const orders = node({
    uniqueId: 'model.p.orders',
    name: 'orders',
    database: 'analytics',
    schema: 'marts',
    identifier: 'orders',
  });
  const index = buildRelationIndex([orders]);
  t.equal(new RelationMatcher(index).matchExactName('[ANALYTICS].[MARTS].[ORDERS]'), orders);
  t.equal(new RelationMatcher(index).matchExactName('analytics.marts.orders'), orders);
  for (const options of [
    { databaseAliases: { PROD: 'analytics' } },
    { schemaAliases: { REPORTING: 'marts' } },
  ]) {
    t.equal(
      new RelationMatcher(index, options).matchExactName('[ANALYTICS].[MARTS].[ORDERS]'),
      undefined,
      JSON.stringify(options),
    );
  }
});
