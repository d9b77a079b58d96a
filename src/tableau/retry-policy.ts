/** Which failures are worth another attempt, and how long the server asks us to wait. */
import { TableauApiError } from '../errors.js';

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date; a past date is 0);
 * null when absent or unreadable. Not capped: the request path refuses waits beyond its bounds.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - nowMs;
  }
  return Math.max(0, Math.round(ms));
}

/**
 * Whether a failed attempt is retried: network errors, timeouts and retryable statuses; never a
 * TLS certificate failure (see `tls-certificate.ts`), nor an error the request path already
 * decided not to retry (`details.notRetriedBecause`).
 */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof TableauApiError)) return false;
  if (error.details?.tlsCode !== undefined) return false;
  if (error.details?.notRetriedBecause !== undefined) return false;
  if (error.code === 'ERR_TABLEAU_NETWORK' || error.code === 'ERR_TABLEAU_TIMEOUT') return true;
  return (
    error.code === 'ERR_TABLEAU_API' &&
    error.status !== undefined &&
    isRetryableStatus(error.status)
  );
}
