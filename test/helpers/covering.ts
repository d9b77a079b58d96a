/**
 * Covering subsets of test matrices. A long matrix (every operation × status × target, say) runs
 * in full in its `*.slow.test.ts` file; `npm test` runs the subset picked here from the same
 * table, in which every value of every facet occurs at least once. Facets are the matrix's
 * dimensions plus any combination a rule singles out (a facet returns `undefined` for cases it
 * does not concern).
 */

/** What a facet says about a case: a value to cover, or `undefined` for none. */
export type Facet<T> = (item: T) => string | undefined;

/**
 * The cases, in table order, that together show every value of every facet: greedily the case
 * covering the most values not shown yet, the earliest on a tie. Deterministic.
 */
export function covering<T>(cases: readonly T[], facets: readonly Facet<T>[]): T[] {
  const valuesOf = cases.map((item) =>
    facets.flatMap((facet, i) => {
      const value = facet(item);
      return value === undefined ? [] : [`${i}:${value}`];
    }),
  );
  const missing = new Set(valuesOf.flat());
  const picked = new Set<number>();
  while (missing.size > 0) {
    let best = -1;
    let bestGain = 0;
    valuesOf.forEach((values, index) => {
      const gain = values.filter((value) => missing.has(value)).length;
      if (gain > bestGain) {
        best = index;
        bestGain = gain;
      }
    });
    picked.add(best);
    for (const value of valuesOf[best] ?? []) missing.delete(value);
  }
  return cases.filter((_, index) => picked.has(index));
}
