/**
 * The one string order of the library: UTF-16 code units, locale-independent, so sorted output is
 * byte-identical on every machine.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
