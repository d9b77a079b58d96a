/**
 * The one way a zod failure becomes words: the JSON path of the first offending field, what was
 * expected there (the schema's error message) and what was found (described, never echoed whole).
 */
import type { z } from 'zod';

/** One step of a JSON path. */
export type PathSegment = string | number;

/** What is wrong with a value, for an error message and the error's fields. */
export interface FieldProblem {
  /** JSON path of the offending field: `nodes["model.x.y"].schema`, `results[3]`. */
  field: string;
  /** What the schema expected there, in words. */
  expected: string;
  /** What was there, described. */
  got: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['nodes', 'model.x.y', 'schema']` → `nodes["model.x.y"].schema`; `['results', 3]` → `results[3]`. */
export function formatJsonPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(the top level)' : out;
}

/** How a value looks, for "got …" in messages (never a long value itself). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (typeof value === 'string') {
    return value.length > 40 ? 'a string' : `the string ${JSON.stringify(value)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/**
 * The first problem zod found in `value`, whose own path in the document is `basePath`.
 * `error` is the `ZodError` of `schema.safeParse(value)`.
 */
export function firstProblem(
  error: z.ZodError,
  value: unknown,
  basePath: readonly PathSegment[] = [],
): FieldProblem {
  const issue = error.issues[0];
  const relative = (issue?.path ?? []).filter(
    (p): p is PathSegment => typeof p === 'string' || typeof p === 'number',
  );
  return {
    field: formatJsonPath([...basePath, ...relative]),
    expected: issue?.message ?? 'a valid value',
    got: describeValue(valueAt(value, relative)),
  };
}
