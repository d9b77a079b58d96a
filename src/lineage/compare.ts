/** Above this length `sortInPlace` hands over to `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 32;

/**
 * Stable in-place sort, like `array.sort(order)`. Lineage sorts tens of thousands of short lists
 * (each exposure's dependencies and tables); `Array.prototype.sort` allocates a work area per
 * call, insertion sort on a short list allocates nothing.
 */
export function sortInPlace<T>(array: T[], order: (a: T, b: T) => number): T[] {
  const n = array.length;
  if (n < 2) return array;
  if (n > INSERTION_SORT_MAX) return array.sort(order);
  for (let i = 1; i < n; i += 1) {
    const item = array[i]!;
    let j = i - 1;
    while (j >= 0 && order(array[j]!, item) > 0) {
      array[j + 1] = array[j]!;
      j -= 1;
    }
    array[j + 1] = item;
  }
  return array;
}
