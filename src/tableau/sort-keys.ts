/** The orderings normalised Tableau output is sorted by (code-unit order, locale-independent). */

/** Compare two strings by code units. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A comparator over several string keys in turn (null sorts as ""). */
export function byKeys<T>(...keys: ((x: T) => string | null)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const d = cmp(key(a) ?? '', key(b) ?? '');
      if (d !== 0) return d;
    }
    return 0;
  };
}
