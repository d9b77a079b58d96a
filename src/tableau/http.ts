/**
 * The one request path to Tableau, shared by REST and the Metadata API: injectable fetch,
 * per-request timeout, abort signals, bounded retries with exponential backoff that honour
 * `Retry-After`, Tableau error bodies (XML or JSON) parsed into `TableauApiError`, and debug lines
 * that never carry a secret. Authentication is the session's business (it passes headers in).
 *
 * Retried: network errors, timeouts, HTTP 408, 429 and 5xx. Never retried: a user abort, any
 * other status, a body that is not what Tableau sends, a body over `maxResponseBytes`, a refused
 * redirect, a `Retry-After` longer than `maxRetryAfterMs` or past the request's deadline.
 *
 * Redirects are never left to fetch (`redirect: 'manual'`): `redirects.ts` decides, so that
 * credentials never reach another origin. Everything a server sends is masked for known secrets
 * before it is parsed (the sign-in answer excepted: it brings the new session token).
 */
import pRetry from 'p-retry';
import { DbtAutoExposuresError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { abortError, sleep } from './abort.js';
import { httpFactsOf } from './api-error-facts.js';
import { BodyTooLarge, readBodyCapped } from './body-reader.js';
import { type Redactor, redactUrl } from './redact.js';
import { decideRedirect, isRedirectStatus, POD_REDIRECT_EVENT } from './redirects.js';
import { looksLikeHtml, parseBody, parseTableauErrorBody } from './response-bodies.js';
import { isRetryableError, parseRetryAfter } from './retry-policy.js';
import { tlsCertificateCode } from './tls-certificate.js';

/** The part of a fetch `Response` the client reads. */
export interface FetchResponseLike {
  status: number;
  statusText?: string;
  headers: { get(name: string): string | null };
  /** The body stream (node-fetch: a Node stream; global fetch: a web stream); read under the cap. */
  body?: unknown;
  /** The final URL, when the fetch reports it (a redirect followed despite `redirect: 'manual'`). */
  url?: string;
  /** Whether the fetch followed a redirect (it must not). */
  redirected?: boolean;
  text(): Promise<string>;
}

/** The part of a fetch `RequestInit` the client sends. */
export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Always `'manual'`: the client decides on redirects itself. */
  redirect: 'manual';
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
  /** Largest response body read, in bytes. */
  maxResponseBytes: number;
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
  /**
   * The request opens a session (server info, sign-in): it may follow Tableau Cloud's redirect to
   * its pod. `sign-in`: its answer carries the new session token, so it is not masked.
   */
  opensSession?: 'server-info' | 'sign-in' | undefined;
  /**
   * Milliseconds this request may take in all, retries and waits included: an attempt is cut at
   * the deadline, and a retry that would start after it is not made.
   */
  budgetMs?: number | undefined;
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

/** Redirects followed within one attempt (same origin, or the pod), before giving up. */
const MAX_REDIRECTS = 5;

let defaultFetch: Promise<FetchLike> | undefined;

/** node-fetch, imported on first use so that users who inject a fetch never load it. */
function loadDefaultFetch(): Promise<FetchLike> {
  defaultFetch ??= import('node-fetch').then((module) => module.default as unknown as FetchLike);
  return defaultFetch;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** An error that ends the retries, saying why. */
function notRetried(error: TableauApiError, why: string): TableauApiError {
  return new TableauApiError(error.code, `${error.message}; not retried: ${why}`, {
    ...httpFactsOf(error),
    details: { ...error.details, notRetriedBecause: why },
  });
}

/** Create the request path for one server. */
export function createHttpClient(config: HttpConfig): HttpClient {
  const { redactor, logger } = config;
  // The origin every request goes to; moves once, to Tableau Cloud's pod (see redirects.ts).
  let baseUrl = config.baseUrl;
  let movedToPod = false;
  const debug = (message: string, data: Record<string, unknown>): void => {
    logger?.debug?.(redactor.redactString(message), redactor.redact(data));
  };

  async function attempt(
    request: HttpRequest,
    attemptNumber: number,
    deadline: number | undefined,
  ): Promise<HttpResponse> {
    const fetchImpl = config.fetch ?? (await loadDefaultFetch());
    const userSignals = [request.signal, config.signal];
    let url = `${baseUrl}${request.path}`;
    const shownPath = redactUrl(request.path, redactor);
    const where = `${request.method} ${shownPath}`;
    const fields = (): { method: string; url: string } => ({
      method: request.method,
      url: redactUrl(url, redactor),
    });
    // An attempt never outlives the request's deadline (retries only start before it).
    const timeoutMs =
      deadline === undefined
        ? config.timeoutMs
        : Math.max(1, Math.min(config.timeoutMs, Math.round(deadline - performance.now())));
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    // Aborted to drop a body the client will not read (a redirect's, one over the cap); one per hop.
    let discard = new AbortController();
    const hopSignal = (): AbortSignal =>
      AbortSignal.any([
        timeout.signal,
        discard.signal,
        ...userSignals.filter((s): s is AbortSignal => s !== undefined),
      ]);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    const init: FetchInitLike = {
      method: request.method,
      headers,
      signal: hopSignal(),
      redirect: 'manual',
    };
    if (request.body !== undefined) {
      init.body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const redirectError = (status: number | undefined, message: string, to: string | null) =>
      new TableauApiError('ERR_TABLEAU_REDIRECT', `${request.operation}: ${where} ${message}`, {
        ...fields(),
        status,
        details: { attempt: attemptNumber, from: originOf(url), to },
      });
    let status: number;
    let raw: string;
    let contentType: string;
    let retryAfter: string | null;
    try {
      let response: FetchResponseLike;
      for (let hops = 0; ; hops++) {
        response = await fetchImpl(url, init);
        const reported =
          typeof response.url === 'string' && response.url !== '' ? response.url : url;
        if (response.redirected === true || originOf(reported) !== originOf(url)) {
          discard.abort();
          throw redirectError(
            response.status,
            `was redirected by the fetch option to ${originOf(reported)}; a fetch passed to ` +
              "createTableauClient must honour redirect: 'manual' (the client decides on redirects)",
            originOf(reported),
          );
        }
        if (!isRedirectStatus(response.status)) break;
        discard.abort();
        const decision = decideRedirect({
          from: url,
          status: response.status,
          location: response.headers.get('location'),
          apiPath: request.path,
          opensSession: request.opensSession !== undefined && !movedToPod,
        });
        if (decision.follow === false) {
          throw redirectError(
            response.status,
            `was redirected (HTTP ${response.status}) from ${originOf(url)} ${decision.why}` +
              `${decision.to === null ? '' : ` (${decision.to})`}; not followed, nothing was sent ` +
              `there. Redirects are followed only within ${originOf(url)}, and for sign-in from ` +
              "Tableau Cloud's generic host to its pod. If the new address is right, set serverUrl to it",
            decision.to,
          );
        }
        if (hops + 1 >= MAX_REDIRECTS) {
          throw redirectError(
            response.status,
            `was redirected ${MAX_REDIRECTS} times in a row; stopping`,
            originOf(decision.url),
          );
        }
        if (decision.follow === 'pod') {
          const from = baseUrl;
          baseUrl = decision.origin;
          movedToPod = true;
          logger?.warn?.(
            redactor.redactString(
              `Tableau redirected the ${request.operation} request from ${originOf(from)} to its pod ${decision.origin} ` +
                `(HTTP ${response.status}); this client now talks to ${decision.origin} only. ` +
                `Set serverUrl to ${decision.origin} to skip the redirect.`,
            ),
            {
              event: POD_REDIRECT_EVENT,
              from: originOf(from),
              to: decision.origin,
              status: response.status,
            },
          );
        }
        debug(`${where} ${response.status} redirect followed`, {
          method: request.method,
          path: shownPath,
          status: response.status,
          to: originOf(decision.url),
          attempt: attemptNumber,
        });
        url = decision.url;
        discard = new AbortController();
        init.signal = hopSignal();
      }
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      retryAfter = response.headers.get('retry-after');
      raw = await readBodyCapped(response, config.maxResponseBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        discard.abort();
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE_TOO_LARGE',
          `${request.operation}: ${where} answered a body of ${
            error.declared === undefined ? 'more than' : `${error.declared} bytes, over`
          } ${config.maxResponseBytes} bytes (maxResponseBytes); not read further, not retried`,
          {
            ...fields(),
            details: {
              attempt: attemptNumber,
              maxResponseBytes: config.maxResponseBytes,
              ...(error.declared === undefined ? {} : { declaredBytes: error.declared }),
            },
          },
        );
      }
      if (error instanceof TableauApiError) throw error;
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
          `${request.operation}: ${where} failed: the TLS certificate of ${new URL(url).host} ` +
            `could not be verified (${tls}). Certificate checks stay on. If the server uses a private ` +
            'or corporate CA, trust it: set NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or pass a `fetch` ' +
            'option whose agent has the CA (e.g. node-fetch with `agent: new https.Agent({ ca })`)',
          { ...fields(), details: { attempt: attemptNumber, tlsCode: tls } },
        );
      }
      throw new TableauApiError(
        timedOut ? 'ERR_TABLEAU_TIMEOUT' : 'ERR_TABLEAU_NETWORK',
        timedOut
          ? `${request.operation}: ${where} got no complete response within ${timeoutMs} ms`
          : `${request.operation}: ${where} failed: ${reason}`,
        { ...fields(), details: { attempt: attemptNumber } },
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
    const success = status >= 200 && status < 300;
    // Known secrets a server echoes never get further than this (the sign-in's token excepted).
    const text =
      success && request.opensSession === 'sign-in' ? raw : redactor.redactKnownSecrets(raw);
    if (success) {
      try {
        return { status, body: parseBody(text, contentType) };
      } catch (error) {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${request.operation}: ${where} answered HTTP ${status} with ${(error as Error).message}`,
          { ...fields(), status },
        );
      }
    }
    const parsed = parseTableauErrorBody(text);
    const shown = (value: string | undefined): string | undefined =>
      value === undefined ? undefined : redactor.redactString(value);
    const tableauCode = shown(parsed?.tableauCode);
    const summary = shown(parsed?.summary);
    const detail = shown(parsed?.detail);
    const tableauPart = parsed
      ? ` (Tableau ${[tableauCode, summary].filter(Boolean).join(' ')}${detail ? `: ${detail}` : ''})`
      : looksLikeHtml(text.trim())
        ? ' (an HTML page, not a Tableau API error)'
        : '';
    const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
    throw new TableauApiError(
      'ERR_TABLEAU_API',
      `${request.operation}: ${where} answered HTTP ${status}${tableauPart}`,
      {
        ...fields(),
        status,
        tableauCode,
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
    const deadline =
      request.budgetMs === undefined ? undefined : performance.now() + request.budgetMs;
    let attempts = 0;
    try {
      return await pRetry(
        (attemptNumber) => {
          attempts = attemptNumber;
          return attempt(request, attemptNumber, deadline);
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
            const failed = error as TableauApiError;
            const backoff = Math.min(
              config.retryMinDelayMs * 2 ** retriesConsumed,
              config.retryMaxDelayMs,
            );
            const asked = failed.details?.retryAfterMs;
            if (typeof asked === 'number' && asked > config.maxRetryAfterMs) {
              throw notRetried(
                failed,
                `Tableau asked to retry after ${asked} ms, more than maxRetryAfterMs (${config.maxRetryAfterMs} ms)`,
              );
            }
            const wait = typeof asked === 'number' ? Math.max(backoff, asked) : backoff;
            if (deadline !== undefined && performance.now() + wait >= deadline) {
              throw notRetried(failed, `a retry in ${wait} ms would pass the deadline`);
            }
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
