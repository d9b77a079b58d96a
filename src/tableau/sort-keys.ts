/** The orderings normalised Tableau output is sorted by (code-unit order, locale-independent). */
import { compareStrings } from '../util/compare.js';

/** A comparator over several string keys in turn (null sorts as ""). */
export function byKeys<T>(...keys: ((x: T) => string | null)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const d = compareStrings(key(a) ?? '', key(b) ?? '');
      if (d !== 0) return d;
    }
    return 0;
  };
}
