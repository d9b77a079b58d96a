/**
 * A tiny concurrency limiter (no dependency): at most `concurrency` tasks run at once, the others
 * start in submission order as slots free up.
 */

/** Runs a task when a slot is free; resolves or rejects with the task's own outcome. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A limiter allowing `concurrency` (an integer ≥ 1, validated by the caller) tasks at once. */
export function createLimiter(concurrency: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the next waiter, so a task submitted meanwhile
  // can never slip in and exceed the limit.
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) active -= 1;
    else next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
