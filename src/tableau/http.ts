/**
 * The one request path to Tableau, shared by REST and the Metadata API: injectable fetch,
 * per-request timeout, abort signals, bounded retries with exponential backoff that honour
 * `Retry-After`, Tableau error bodies (XML or JSON) parsed into `TableauApiError`, and debug lines
 * that never carry a secret. Authentication is the session's business (it passes headers in).
 *
 * Retried: network errors, timeouts, HTTP 408, 429 and 5xx. Never retried: a user abort, any
 * other status, a body that is not what Tableau sends.
 */
import pRetry from 'p-retry';
import { DbtAutoExposuresError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { type Redactor, redactUrl } from './redact.js';
import { type XmlSyntaxError, xmlDocumentToJson } from './xml.js';

/** The part of a fetch `Response` the client reads. */
export interface FetchResponseLike {
  status: number;
  statusText?: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of a fetch `RequestInit` the client sends. */
export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** A WHATWG-compatible fetch (global `fetch`, node-fetch, undici, or a test double). */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/** Settings of the request path. */
export interface HttpConfig {
  /** `https://host[:port][/prefix]`, no trailing slash. */
  baseUrl: string;
  fetch?: FetchLike | undefined;
  timeoutMs: number;
  retries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryAfterMs: number;
  /** Client-wide abort signal. */
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  redactor: Redactor;
}

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, starting with `/api/`. */
  path: string;
  headers?: Record<string, string>;
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** What the request does, in words, for errors and logs (`sign in`, `refresh workbook X`). */
  operation: string;
}

/** A successful response: status and the parsed body (JSON, XML in Tableau's JSON form, or null). */
export interface HttpResponse {
  status: number;
  body: unknown;
}

/** Sends requests to one Tableau server. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

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

interface ParsedTableauError {
  tableauCode?: string;
  summary?: string;
  detail?: string;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { value?: unknown }).value === 'string'
  ) {
    return (value as { value: string }).value;
  }
  return undefined;
}

/** Tableau's `{error:{code,summary,detail}}` (JSON) or `<error code><summary/><detail/></error>` (XML). */
export function parseTableauErrorBody(raw: string): ParsedTableauError | null {
  const body = raw.trim();
  let parsed: unknown;
  try {
    if (body.startsWith('{')) parsed = JSON.parse(body);
    else if (body.startsWith('<') && !looksLikeHtml(body)) parsed = xmlDocumentToJson(body);
    else return null;
  } catch {
    return null;
  }
  const root = parsed as { error?: unknown; tsResponse?: { error?: unknown } };
  const error = (root.error ?? root.tsResponse?.error) as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object') return null;
  const out: ParsedTableauError = {};
  const code = text(error.code);
  const summary = text(error.summary);
  const detail = text(error.detail);
  if (code !== undefined) out.tableauCode = code;
  if (summary !== undefined) out.summary = summary;
  if (detail !== undefined) out.detail = detail;
  return out;
}

function looksLikeHtml(body: string): boolean {
  return /^<(!doctype\s+html|html[\s>])/i.test(body);
}

/** Parse a success body: JSON, Tableau XML (to its JSON form), empty → null; anything else fails. */
function parseBody(raw: string, contentType: string): unknown {
  const body = raw.trim();
  if (body === '') return null;
  if (looksLikeHtml(body) || contentType.includes('text/html')) {
    throw new Error('an HTML page instead of an API response');
  }
  if (body.startsWith('<')) {
    try {
      // Tableau's JSON bodies are its XML bodies without the <tsResponse> envelope.
      const document = xmlDocumentToJson(body);
      return document.tsResponse ?? document;
    } catch (error) {
      throw new Error(`malformed or truncated XML (${(error as XmlSyntaxError).message})`);
    }
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new Error('malformed or truncated JSON');
  }
}

/** TLS certificate failures (Node/OpenSSL codes): a retry cannot fix them, the caller's trust store can. */
const TLS_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS certificate code of a fetch error (node-fetch sets `code`, undici its `cause.code`). */
export function tlsCertificateCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CERTIFICATE_CODES.has(code)) return code;
    current = current.cause;
  }
  return null;
}

let defaultFetch: Promise<FetchLike> | undefined;

/** node-fetch, imported on first use so that users who inject a fetch never load it. */
function loadDefaultFetch(): Promise<FetchLike> {
  defaultFetch ??= import('node-fetch').then((module) => module.default as unknown as FetchLike);
  return defaultFetch;
}

/** Create the request path for one server. */
export function createHttpClient(config: HttpConfig): HttpClient {
  const { redactor, logger } = config;
  const debug = (message: string, data: Record<string, unknown>): void => {
    logger?.debug?.(redactor.redactString(message), redactor.redact(data));
  };

  async function attempt(request: HttpRequest, attemptNumber: number): Promise<HttpResponse> {
    const fetchImpl = config.fetch ?? (await loadDefaultFetch());
    const userSignals = [request.signal, config.signal];
    const url = `${config.baseUrl}${request.path}`;
    const shownUrl = redactUrl(url, redactor);
    const shownPath = redactUrl(request.path, redactor);
    const where = `${request.method} ${shownPath}`;
    const fields = { method: request.method, url: shownUrl };
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), config.timeoutMs);
    const signal = AbortSignal.any([
      timeout.signal,
      ...userSignals.filter((s): s is AbortSignal => s !== undefined),
    ]);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    const init: FetchInitLike = { method: request.method, headers, signal };
    if (request.body !== undefined) {
      init.body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    let status: number;
    let raw: string;
    let contentType: string;
    let retryAfter: string | null;
    try {
      const response = await fetchImpl(url, init);
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      retryAfter = response.headers.get('retry-after');
      raw = await response.text();
    } catch (error) {
      const aborted = userSignals.find((s) => s?.aborted);
      if (aborted) throw abortError(request.operation, aborted);
      const timedOut = timeout.signal.aborted;
      debug(`${where} ${timedOut ? 'timed out' : 'network error'}`, {
        method: request.method,
        path: shownPath,
        status: null,
        attempt: attemptNumber,
        ms: elapsed(),
      });
      const reason = redactor.redactString(error instanceof Error ? error.message : String(error));
      const tls = timedOut ? null : tlsCertificateCode(error);
      if (tls !== null) {
        // Never retried and never worked around: certificate checks stay on.
        throw new TableauApiError(
          'ERR_TABLEAU_NETWORK',
          `${request.operation}: ${where} failed: the TLS certificate of ${new URL(config.baseUrl).host} ` +
            `could not be verified (${tls}). Certificate checks stay on. If the server uses a private ` +
            'or corporate CA, trust it: set NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or pass a `fetch` ' +
            'option whose agent has the CA (e.g. node-fetch with `agent: new https.Agent({ ca })`)',
          { ...fields, details: { attempt: attemptNumber, tlsCode: tls } },
        );
      }
      throw new TableauApiError(
        timedOut ? 'ERR_TABLEAU_TIMEOUT' : 'ERR_TABLEAU_NETWORK',
        timedOut
          ? `${request.operation}: ${where} got no complete response within ${config.timeoutMs} ms`
          : `${request.operation}: ${where} failed: ${reason}`,
        { ...fields, details: { attempt: attemptNumber } },
      );
    } finally {
      clearTimeout(timer);
    }
    debug(`${where} ${status}`, {
      method: request.method,
      path: shownPath,
      status,
      attempt: attemptNumber,
      ms: elapsed(),
    });
    if (status >= 200 && status < 300) {
      try {
        return { status, body: parseBody(raw, contentType) };
      } catch (error) {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${request.operation}: ${where} answered HTTP ${status} with ${(error as Error).message}`,
          { ...fields, status },
        );
      }
    }
    const parsed = parseTableauErrorBody(raw);
    const summary = parsed?.summary;
    const detail = parsed?.detail === undefined ? undefined : redactor.redactString(parsed.detail);
    const tableauPart = parsed
      ? ` (Tableau ${[parsed.tableauCode, summary].filter(Boolean).join(' ')}${detail ? `: ${detail}` : ''})`
      : looksLikeHtml(raw.trim())
        ? ' (an HTML page, not a Tableau API error)'
        : '';
    const retryAfterMs = parseRetryAfter(retryAfter, config.maxRetryAfterMs, Date.now());
    throw new TableauApiError(
      'ERR_TABLEAU_API',
      `${request.operation}: ${where} answered HTTP ${status}${tableauPart}`,
      {
        ...fields,
        status,
        tableauCode: parsed?.tableauCode,
        summary,
        detail,
        details: {
          attempt: attemptNumber,
          ...(retryAfterMs === null ? {} : { retryAfterMs }),
        },
      },
    );
  }

  function isRetryable(error: unknown): boolean {
    if (!(error instanceof TableauApiError)) return false;
    if (error.details?.tlsCode !== undefined) return false;
    if (error.code === 'ERR_TABLEAU_NETWORK' || error.code === 'ERR_TABLEAU_TIMEOUT') return true;
    return (
      error.code === 'ERR_TABLEAU_API' &&
      error.status !== undefined &&
      isRetryableStatus(error.status)
    );
  }

  async function request(request: HttpRequest): Promise<HttpResponse> {
    const signals = [request.signal, config.signal];
    const firedBefore = signals.find((s) => s?.aborted);
    if (firedBefore) throw abortError(request.operation, firedBefore);
    let attempts = 0;
    try {
      return await pRetry(
        (attemptNumber) => {
          attempts = attemptNumber;
          return attempt(request, attemptNumber);
        },
        {
          retries: config.retries,
          factor: 2,
          minTimeout: config.retryMinDelayMs,
          maxTimeout: config.retryMaxDelayMs,
          randomize: false,
          shouldRetry: ({ error }) => isRetryable(error),
          onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
            if (retriesLeft <= 0 || !isRetryable(error)) return;
            const backoff = Math.min(
              config.retryMinDelayMs * 2 ** retriesConsumed,
              config.retryMaxDelayMs,
            );
            const asked = (error as TableauApiError).details?.retryAfterMs;
            const wait = typeof asked === 'number' ? Math.max(backoff, asked) : backoff;
            debug(`${request.method} ${redactUrl(request.path, redactor)} retry in ${wait} ms`, {
              method: request.method,
              path: redactUrl(request.path, redactor),
              attempt: attempts,
              retryInMs: wait,
            });
            // p-retry sleeps `backoff` itself; a longer Retry-After is made up for here.
            if (wait > backoff) await sleep(wait - backoff, signals, request.operation);
          },
          signal: AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined)),
        },
      );
    } catch (error) {
      const aborted = signals.find((s) => s?.aborted);
      if (aborted) {
        if (error instanceof DbtAutoExposuresError && error.code === 'ERR_ABORTED') throw error;
        throw abortError(request.operation, aborted);
      }
      if (attempts > 1 && error instanceof TableauApiError && isRetryable(error)) {
        throw new TableauApiError(
          error.code,
          `${error.message}; gave up after ${attempts} attempts`,
          {
            status: error.status,
            tableauCode: error.tableauCode,
            summary: error.summary,
            detail: error.detail,
            method: error.method,
            url: error.url,
            details: { ...error.details, attempts },
          },
        );
      }
      throw error;
    }
  }

  return { request };
}
