/** Aborts: the one `ERR_ABORTED` error, and a sleep that an abort cuts short. */
import { DbtAutoExposuresError } from '../errors.js';

/** `ERR_ABORTED` from a user or client signal. Never retried. */
export function abortError(
  operation: string,
  signal: AbortSignal | undefined,
): DbtAutoExposuresError {
  const reason: unknown = signal?.reason;
  return new DbtAutoExposuresError('ERR_ABORTED', `${operation} was aborted`, {
    details: { operation },
    ...(reason instanceof Error && reason.name !== 'AbortError' ? { cause: reason } : {}),
  });
}

/** Resolves after `ms`, or rejects with `ERR_ABORTED` when a signal fires first. */
export function sleep(
  ms: number,
  signals: (AbortSignal | undefined)[],
  operation: string,
): Promise<void> {
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise((resolve, reject) => {
    const fired = active.find((s) => s.aborted);
    if (fired) {
      reject(abortError(operation, fired));
      return;
    }
    const onAbort = (event: Event): void => {
      clearTimeout(timer);
      for (const s of active) s.removeEventListener('abort', onAbort);
      reject(abortError(operation, event.target as AbortSignal));
    };
    const timer = setTimeout(() => {
      for (const s of active) s.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    for (const s of active) s.addEventListener('abort', onAbort, { once: true });
  });
}
