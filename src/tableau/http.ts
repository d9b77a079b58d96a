/**
 * The one request path to Tableau, shared by REST and the Metadata API: injectable fetch (default
 * node-fetch through the environment's proxy, see transport.ts), a `User-Agent` on every request,
 * per-request timeout, abort signals, bounded retries with exponential backoff that
 * honour `Retry-After`, redirects decided here, response bodies read under a byte cap, Tableau
 * error bodies (JSON or XML) parsed into `TableauApiError`, and debug lines that never carry a
 * secret. Authentication is the session's business (it passes headers in).
 *
 * Retried: network errors, timeouts, HTTP 408, 429 and 5xx. Never retried: a user abort, a TLS
 * certificate failure, any other status, a body that is not what Tableau sends, a body over
 * `maxResponseBytes`, a refused redirect, a `Retry-After` longer than `maxRetryAfterMs` or past
 * the request's deadline.
 *
 * Everything a server sends is masked for known secrets before it is parsed (the sign-in answer
 * excepted: it brings the new session token).
 */
import { setTimeout as delay } from 'node:timers/promises';
import pRetry from 'p-retry';
import {
  abortedError,
  DbtAutoExposuresError,
  TableauApiError,
  type TableauErrorFields,
} from '../errors.js';
import type { Logger } from '../log/types.js';
import { type Redactor, redactUrl } from './redact.js';
import { isLoopbackHost } from './settings.js';
import { defaultFetch, USER_AGENT } from './transport.js';
import { POD_REDIRECT_EVENT } from './types.js';

/** The part of a fetch `Response` the client reads. */
export interface FetchResponseLike {
  status: number;
  statusText?: string | undefined;
  headers: { get(name: string): string | null };
  /** The body stream (node-fetch: a Node stream; global fetch: a web stream); read under the cap. */
  body?: unknown;
  /** The final URL, when the fetch reports it (a redirect followed despite `redirect: 'manual'`). */
  url?: string | undefined;
  /** Whether the fetch followed a redirect (it must not). */
  redirected?: boolean | undefined;
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

/** A successful response: status and the parsed JSON body (null when empty). */
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

// ---------------------------------------------------------------------------------------------
// Redirects. The client asks fetch for `redirect: 'manual'` and decides here, so that credentials
// never leave the server's origin:
// - a redirect within the same origin (scheme, host and port) is followed;
// - the "pod" redirect is followed once per client, only for the requests that open a session
//   (server info, sign-in): HTTP 301, 302, 307 or 308 from Tableau Cloud's generic host
//   (`online.tableau.com` or a `*.online.tableau.com` host) to an `https://*.online.tableau.com`
//   host, for the very same API path. Loopback hosts stand in for Tableau Cloud in tests (and may
//   keep plain http only when the original was plain http);
// - anything else (another host, https → http, a Location with credentials, 303) is refused.

/** What to do with a 3xx answer. */
type RedirectDecision =
  | { follow: 'same-origin'; url: string }
  | { follow: 'pod'; url: string; origin: string }
  | { follow: false; to: string | null; why: string };

/** Statuses that redirect (and carry a Location). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses of the pod redirect (TSC re-POSTs the sign-in on 301; 307/308 keep the method by definition). */
const POD_STATUSES = new Set([301, 302, 307, 308]);

/** Tableau Cloud's hosts: the generic `online.tableau.com` and its pods (`10az.online.tableau.com`). */
function isTableauCloudHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'online.tableau.com' || host.endsWith('.online.tableau.com');
}

function podHostsAllowed(from: URL, to: URL): boolean {
  if (isTableauCloudHost(from.hostname) && to.hostname.toLowerCase() !== 'online.tableau.com') {
    return isTableauCloudHost(to.hostname) && to.protocol === 'https:';
  }
  if (isLoopbackHost(from.hostname) && isLoopbackHost(to.hostname)) {
    return to.protocol === 'https:' || (from.protocol === 'http:' && to.protocol === 'http:');
  }
  return false;
}

/**
 * Decide on a redirect of the request to `from` (whose API path, after the base URL, is
 * `apiPath`). `opensSession`: the request is server info or sign-in and the client has not moved
 * to a pod yet.
 */
function decideRedirect(input: {
  from: string;
  status: number;
  location: string | null;
  apiPath: string;
  opensSession: boolean;
}): RedirectDecision {
  const from = new URL(input.from);
  let to: URL;
  try {
    if (input.location === null || input.location.trim() === '') throw new Error('no Location');
    to = new URL(input.location.trim(), from);
  } catch {
    return { follow: false, to: null, why: 'without a usable Location header' };
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    return { follow: false, to: null, why: `to a ${to.protocol} URL` };
  }
  if (to.username !== '' || to.password !== '') {
    return { follow: false, to: to.origin, why: 'to a URL carrying credentials' };
  }
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    return { follow: false, to: to.origin, why: 'from https to plain http' };
  }
  if (to.origin === from.origin) return { follow: 'same-origin', url: to.href };
  const samePath = `${to.pathname}${to.search}` === input.apiPath;
  if (
    input.opensSession &&
    POD_STATUSES.has(input.status) &&
    samePath &&
    podHostsAllowed(from, to)
  ) {
    return { follow: 'pod', url: to.href, origin: to.origin };
  }
  return { follow: false, to: to.origin, why: 'to another origin' };
}

// ---------------------------------------------------------------------------------------------
// Response bodies: read under a byte cap counted while the bytes arrive (a declared Content-Length
// over the cap fails before anything is read; a body that grows past it fails at the first chunk
// over it), then parsed.

/** Thrown when the body is over the cap; `declared` is the Content-Length when that told first. */
class BodyTooLarge extends Error {
  readonly declared: number | undefined;

  constructor(declared?: number) {
    super('response body over the cap');
    this.declared = declared;
  }
}

function isChunkSource(value: unknown): value is AsyncIterable<Uint8Array> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * The body as text (UTF-8), or `BodyTooLarge` once more than `maxBytes` arrived. A response
 * without a streaming body (a test double with only `text()`) is measured after reading.
 */
async function readBodyCapped(response: FetchResponseLike, maxBytes: number): Promise<string> {
  const header = response.headers.get('content-length');
  const declared = header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) : null;
  if (declared !== null && declared > maxBytes) throw new BodyTooLarge(declared);
  const body = response.body;
  if (!isChunkSource(body)) {
    const text = await response.text();
    if (Buffer.byteLength(text) > maxBytes) throw new BodyTooLarge();
    return text;
  }
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  // Leaving the loop early (the throw) closes the stream, which ends the download.
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > maxBytes) throw new BodyTooLarge();
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Whether a body is an HTML page (a proxy or login page), not an API answer. */
function looksLikeHtml(body: string): boolean {
  return /^<(!doctype\s+html|html[\s>])/i.test(body);
}

/**
 * A success body: JSON (the client asks for it), empty → null. An HTML page or an XML body (what
 * Tableau sends only when JSON was not asked for) is not an answer the client can read.
 */
function parseBody(raw: string, contentType: string): unknown {
  const body = raw.trim();
  if (body === '') return null;
  if (looksLikeHtml(body) || contentType.includes('text/html')) {
    throw new Error('an HTML page instead of an API response');
  }
  if (body.startsWith('<')) {
    throw new Error('an XML body although JSON was asked for (Accept: application/json)');
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new Error('malformed or truncated JSON');
  }
}

/** What a Tableau error body says. */
export interface TableauErrorBody {
  tableauCode?: string;
  summary?: string;
  detail?: string;
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text
    .replace(/^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
      if (entity[0] !== '#') return XML_ENTITIES[entity] ?? match;
      const hex = entity[1] === 'x' || entity[1] === 'X';
      return String.fromCodePoint(Number.parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10));
    })
    .trim();
}

/**
 * Tableau's XML error (`<error code="…"><summary>…</summary><detail>…</detail></error>`), which
 * some servers and proxies send even when JSON was asked for. Only these three values are read.
 */
function readXmlError(body: string): TableauErrorBody | null {
  const error = /<(?:[\w.-]+:)?error\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?error\s*>)/.exec(
    body,
  );
  if (error === null) return null;
  const out: TableauErrorBody = {};
  const code = /\bcode\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(error[1] ?? '');
  if (code !== null) out.tableauCode = decodeXmlText(code[1] ?? code[2] ?? '');
  for (const name of ['summary', 'detail'] as const) {
    const element = new RegExp(
      `<(?:[\\w.-]+:)?${name}\\b[^>]*>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>`,
    ).exec(error[2] ?? '');
    if (element !== null) out[name] = decodeXmlText(element[1] ?? '');
  }
  return out;
}

/** Tableau's `{error:{code,summary,detail}}` (JSON) or its XML form; null for anything else. */
export function parseTableauErrorBody(raw: string): TableauErrorBody | null {
  const body = raw.trim();
  if (body.startsWith('<')) return looksLikeHtml(body) ? null : readXmlError(body);
  if (!body.startsWith('{')) return null;
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    return null;
  }
  if (error === null || typeof error !== 'object') return null;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const fields = error as Record<string, unknown>;
  const out: TableauErrorBody = {};
  const code = text(fields.code);
  const summary = text(fields.summary);
  const detail = text(fields.detail);
  if (code !== undefined) out.tableauCode = code;
  if (summary !== undefined) out.summary = summary;
  if (detail !== undefined) out.detail = detail;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Retries: which failures are worth another attempt, and how long the server asks us to wait.

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
 * TLS certificate failure, nor an error the request path already decided not to retry
 * (`details.notRetriedBecause`).
 */
function isRetryableError(error: unknown): boolean {
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
function tlsCertificateCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CERTIFICATE_CODES.has(code)) return code;
    current = current.cause;
  }
  return null;
}

/** The HTTP facts of `error` (status, Tableau code, summary, detail, method, URL), for a re-raise. */
export function httpFactsOf(error: TableauApiError): TableauErrorFields {
  return {
    status: error.status,
    tableauCode: error.tableauCode,
    summary: error.summary,
    detail: error.detail,
    method: error.method,
    url: error.url,
  };
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** An error that ends the retries, saying why. */
function notRetried(error: TableauApiError, why: string): TableauApiError {
  return new TableauApiError(error.code, `${error.message}; not retried: ${why}`, {
    ...httpFactsOf(error),
    details: { ...error.details, notRetriedBecause: why },
    hint: error.hint,
  });
}

// ---------------------------------------------------------------------------------------------

/** Create the request path for one server. */
export function createHttpClient(config: HttpConfig): HttpClient {
  const { redactor, logger } = config;
  // The origin every request goes to; moves once, to Tableau Cloud's pod (see Redirects above).
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
    const fetchImpl = config.fetch ?? defaultFetch;
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
        : Math.max(1, Math.min(config.timeoutMs, Math.ceil(deadline - performance.now())));
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
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...request.headers,
    };
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
        if (!REDIRECT_STATUSES.has(response.status)) break;
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
      // Coded errors pass as they are (the client's own, and a proxy setting the transport refused).
      if (error instanceof DbtAutoExposuresError) throw error;
      const aborted = userSignals.find((s) => s?.aborted);
      if (aborted) throw abortedError(request.operation, aborted);
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
          {
            ...fields(),
            details: { attempt: attemptNumber, tlsCode: tls },
            hint: "trust the server's CA (NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or a fetch option whose agent has it)",
          },
        );
      }
      throw new TableauApiError(
        timedOut ? 'ERR_TABLEAU_TIMEOUT' : 'ERR_TABLEAU_NETWORK',
        timedOut
          ? `${request.operation}: ${where} got no complete response within ${timeoutMs} ms`
          : `${request.operation}: ${where} failed: ${reason}`,
        {
          ...fields(),
          details: { attempt: attemptNumber },
          hint: timedOut
            ? 'retry, or raise the timeoutMs option'
            : 'check the server URL and that this machine can reach Tableau (proxy, firewall, allowlist)',
        },
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
    const anySignal = AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
    const firedBefore = signals.find((s) => s?.aborted);
    if (firedBefore) throw abortedError(request.operation, firedBefore);
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
            // An abort during this wait rejects; the catch below makes it ERR_ABORTED.
            if (wait > backoff) await delay(wait - backoff, undefined, { signal: anySignal });
          },
          signal: anySignal,
        },
      );
    } catch (error) {
      const aborted = signals.find((s) => s?.aborted);
      if (aborted) {
        if (error instanceof DbtAutoExposuresError && error.code === 'ERR_ABORTED') throw error;
        throw abortedError(request.operation, aborted);
      }
      if (attempts > 1 && error instanceof TableauApiError && isRetryableError(error)) {
        throw new TableauApiError(
          error.code,
          `${error.message}; gave up after ${attempts} attempts`,
          { ...httpFactsOf(error), details: { ...error.details, attempts }, hint: error.hint },
        );
      }
      throw error;
    }
  }

  return { request };
}
