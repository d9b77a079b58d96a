/**
 * Property-based tests for the one relation normalisation everything relies on: idempotent, and
 * independent of the quoting style a side used (dbt's double quotes/backticks, Tableau's brackets).
 * The properties assert with node:assert, so a failure throws out of `fc.assert`, which then shrinks
 * it and reports the counterexample and the seed that reproduces it.
 */
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import { splitQualifiedName } from '../../src/artifacts/relation-name.js';
import { normalizeIdentifier } from '../../src/lineage/relation.js';

/** The three parts as the index compares them. */
const relationKey = (database: string, schema: string, identifier: string): string[] =>
  [database, schema, identifier].map(normalizeIdentifier);

// Identifier parts as warehouses allow them when quoted: anything printable, including dots,
// spaces and the quote characters themselves.
// A bare part that itself starts with a quote character is read as quoted (by design: dbt and
// Tableau both hand us quoted parts without saying so), so bare parts here never start with one.
const anyPart = fc
  .string({ minLength: 1, maxLength: 24 })
  .filter((s) => s.trim() === s && s !== '');
const part = anyPart.filter((s) => !/^["`[]/.test(s));

const quoteWith = (style: '"' | '`' | '[', value: string): string => {
  const close = style === '[' ? ']' : style;
  return `${style}${value.split(close).join(close + close)}${close}`;
};

t.test('splitQualifiedName recovers parts from any quoting style', async () => {
  fc.assert(
    fc.property(
      fc.array(anyPart, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('"', '`', '[') as fc.Arbitrary<'"' | '`' | '['>,
      (parts, style) => {
        const text = parts.map((p) => quoteWith(style, p)).join('.');
        deepStrictEqual(splitQualifiedName(text), parts);
      },
    ),
    { numRuns: 300 },
  );
});

t.test('relationKey is independent of quoting style and case', async () => {
  fc.assert(
    fc.property(part, part, part, (db, schema, id) => {
      const plain = relationKey(db, schema, id);
      deepStrictEqual(
        relationKey(quoteWith('[', db), quoteWith('[', schema), quoteWith('[', id)),
        plain,
      );
      deepStrictEqual(
        relationKey(quoteWith('"', db.toUpperCase()), quoteWith('`', schema), id.toUpperCase()),
        relationKey(db.toUpperCase(), schema, id.toUpperCase()),
      );
      deepStrictEqual(
        relationKey(db.toUpperCase(), schema.toUpperCase(), id.toUpperCase()),
        relationKey(db.toLowerCase(), schema.toLowerCase(), id.toLowerCase()),
      );
    }),
    { numRuns: 300 },
  );
});

t.test('normalizeIdentifier is idempotent', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (s) => {
      const once = normalizeIdentifier(s);
      // A value that still looks quoted, or keeps spaces at its ends, after one pass came from a
      // quoted name (`"a""b"`, `" x "`): its real spelling has them, and a second pass would read
      // it as a bare name.
      if (!/^["`[]/.test(once) && once.trim() === once)
        strictEqual(normalizeIdentifier(once), once);
    }),
    { numRuns: 500 },
  );
  // The exemption's cases, as CI met them at random: spaces inside quotes belong to the name.
  t.equal(normalizeIdentifier('" "'), ' ');
  t.equal(normalizeIdentifier('[  Orders ]'), '  orders ');
  t.equal(normalizeIdentifier('  Orders '), 'orders');
});
