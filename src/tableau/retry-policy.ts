/** Which failures are worth another attempt, and how long the server asks us to wait. */
import { TableauApiError } from '../errors.js';

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), capped at
 * `capMs`; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, capMs: number, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, Math.round(ms)), capMs);
}

/**
 * Whether a failed attempt is retried: network errors, timeouts and retryable statuses; never a
 * TLS certificate failure (see `tls-certificate.ts`).
 */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof TableauApiError)) return false;
  if (error.details?.tlsCode !== undefined) return false;
  if (error.code === 'ERR_TABLEAU_NETWORK' || error.code === 'ERR_TABLEAU_TIMEOUT') return true;
  return (
    error.code === 'ERR_TABLEAU_API' &&
    error.status !== undefined &&
    isRetryableStatus(error.status)
  );
}
