/** Readers of untyped Metadata API values: a wrong type reads as absent, never as a crash. */

/** The value when it is a string, else null. */
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The object items of a raw list (null items and a missing list are skipped). */
export function list<T>(value: (T | null)[] | null | undefined): T[] {
  return Array.isArray(value)
    ? value.filter((v): v is T => v !== null && typeof v === 'object')
    : [];
}

/** The object without its null and undefined members (so a spread does not erase known values). */
export function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}
