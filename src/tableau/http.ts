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
import { abortError, sleep } from './abort.js';
import { httpFactsOf } from './api-error-facts.js';
import { type Redactor, redactUrl } from './redact.js';
import { looksLikeHtml, parseBody, parseTableauErrorBody } from './response-bodies.js';
import { isRetryableError, parseRetryAfter } from './retry-policy.js';
import { tlsCertificateCode } from './tls-certificate.js';

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
          shouldRetry: ({ error }) => isRetryableError(error),
          onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
            if (retriesLeft <= 0 || !isRetryableError(error)) return;
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
      if (attempts > 1 && error instanceof TableauApiError && isRetryableError(error)) {
        throw new TableauApiError(
          error.code,
          `${error.message}; gave up after ${attempts} attempts`,
          { ...httpFactsOf(error), details: { ...error.details, attempts } },
        );
      }
      throw error;
    }
  }

  return { request };
}
