/**
 * `sortInPlace`: the allocation-free sort must give what a stable
 * `Array.prototype.sort` gives, below and above its insertion-sort limit, in place.
 */
import fc from 'fast-check';
import t from 'tap';
import { sortInPlace } from '../../src/lineage/compare.js';
import { compareStrings } from '../../src/util/compare.js';

interface Item {
  key: number;
  /** Position before sorting: equal keys must keep this order. */
  at: number;
}

const byKey = (a: Item, b: Item): number => a.key - b.key;

t.test('sortInPlace equals a stable Array.prototype.sort, in place', async (t) => {
  let long = 0;
  fc.assert(
    fc.property(
      // Lengths 0..100 evenly (either side of the insertion-sort limit); few distinct keys, so
      // most arrays have runs of equal keys.
      fc
        .integer({ min: 0, max: 100 })
        .chain((length) =>
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: length, maxLength: length }),
        ),
      (keys) => {
        const items: Item[] = keys.map((key, at) => ({ key, at }));
        const expected = [...items].sort(byKey);
        const array = [...items];
        const returned = sortInPlace(array, byKey);
        if (returned !== array) throw new Error('sortInPlace returned another array');
        if (array.length > 32) long += 1;
        const same =
          array.length === expected.length && array.every((item, i) => item === expected[i]);
        if (!same) {
          throw new Error(
            `keys ${JSON.stringify(keys)}: got ${JSON.stringify(array)}, want ${JSON.stringify(expected)}`,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
  t.ok(long > 200, `${long} arrays were longer than the insertion-sort limit`);
});

t.test('sortInPlace on edge lengths and orders', async (t) => {
  for (const length of [0, 1, 2, 31, 32, 33, 64]) {
    for (const make of [
      (i: number) => i,
      (i: number) => length - i,
      () => 7,
      (i: number) => i % 3,
    ]) {
      const items: Item[] = Array.from({ length }, (_, at) => ({ key: make(at), at }));
      const array = [...items];
      t.equal(sortInPlace(array, byKey), array);
      t.same(array, [...items].sort(byKey), `length ${length}, keys ${make.toString()}`);
    }
  }
  const words = ['pear', 'apple', 'Pear', 'apple', 'fig'];
  t.same(sortInPlace(words, compareStrings), ['Pear', 'apple', 'apple', 'fig', 'pear']);
});
