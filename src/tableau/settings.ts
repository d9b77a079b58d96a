/**
 * Connection settings: validated up front, before any network call, with errors that name the
 * option and say what was expected. Values are case-sensitive and never trimmed: a stray space in
 * a copied token name is an error, not something silently "fixed".
 */
import { ConfigError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import type { FetchLike } from './http.js';
import { DEFAULT_WORKBOOKS_PAGE_SIZE, MAX_PAGE_SIZE } from './queries.js';

/** Options of `createTableauClient`. Defaults are listed on each field and in docs/tableau.md. */
export interface TableauClientOptions {
  /**
   * Tableau host, as dbt Cloud asks for it: a bare host (`10az.online.tableau.com`, https is
   * implied) or a URL (`https://tableau.example.com`, optionally with a path prefix when Tableau
   * Server sits behind a reverse proxy). `http://` is refused unless the host is loopback or
   * `allowInsecureHttp` is set.
   */
  serverUrl: string;
  /** The site's contentUrl (the part after `/site/` in the browser URL); `""` = default site on Server. */
  siteName: string;
  /** Personal access token name. Give it with `tokenSecret`, or give `connectedApp` instead. */
  tokenName?: string | undefined;
  /** Personal access token secret. Never logged, never put in an error. */
  tokenSecret?: string | undefined;
  /**
   * A connected app (direct trust) to sign in with instead of a personal access token: the client
   * mints a fresh JWT for every sign-in. Exactly one of `connectedApp` and `tokenName`/`tokenSecret`.
   */
  connectedApp?: ConnectedAppOptions | undefined;
  /** Pin the REST API version (`"3.22"`); default: the server's own, from `serverinfo`. Minimum 3.6. */
  apiVersion?: string | undefined;
  /** A WHATWG-compatible fetch; default: node-fetch. */
  fetch?: FetchLike | undefined;
  /** Per-request timeout in ms (response headers and body). Default 30000. */
  timeoutMs?: number | undefined;
  /** Retries after a failed attempt (network, timeout, 408, 429, 5xx). Default 4 (5 attempts). */
  retries?: number | undefined;
  /** First retry delay in ms, doubled each retry. Default 500. */
  retryMinDelayMs?: number | undefined;
  /** Longest retry delay in ms. Default 30000. */
  retryMaxDelayMs?: number | undefined;
  /**
   * Longest `Retry-After` waited for, in ms. Default 60000. A server asking for longer fails the
   * request at once (not retried) instead of holding the run.
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * Largest response body read, in bytes, counted while it streams in. Default 67108864 (64 MiB).
   * A larger body fails with `ERR_TABLEAU_RESPONSE_TOO_LARGE`, not retried.
   */
  maxResponseBytes?: number | undefined;
  /** Most pages one listing (workbooks, custom SQL, refresh times, REST lists) reads. Default 10000. */
  maxListingPages?: number | undefined;
  /** Most nodes (items) one listing collects. Default 1000000. */
  maxListingNodes?: number | undefined;
  /** Aborts every call made by this client. Default: none. */
  signal?: AbortSignal | undefined;
  /** Receives debug lines (method, redacted path, status, attempt, ms) and warnings. Default: silent. */
  logger?: Logger | undefined;
  /** Allow `http://` to a non-loopback host (sends the token in clear text). Default false. */
  allowInsecureHttp?: boolean | undefined;
  /**
   * Metadata API page size (`first`) of listings, 1..1000, used for every page (halved
   * automatically on time/node limits). Default: the first page asks 100, later pages what fits
   * in Tableau's 20,000-node limit at the size measured so far (at most 1000).
   */
  pageSize?: number | undefined;
}

/** A Tableau connected app (direct trust) and the Tableau user it signs in as. */
export interface ConnectedAppOptions {
  /** The connected app's client ID (the JWT's `iss`). */
  clientId: string;
  /** The ID of one of its secrets (the JWT header's `kid`). */
  secretId: string;
  /** That secret's value (signs the JWT). Never logged, never put in an error. */
  secretValue: string;
  /** The Tableau user the session acts as (the JWT's `sub`; on Tableau Cloud an email address). */
  username: string;
  /** Scopes (`scp`). Default: `DEFAULT_CONNECTED_APP_SCOPES`, what this library calls. */
  scopes?: string[] | undefined;
}

/**
 * The scopes this library needs: read content (REST GETs and, from Tableau Cloud October 2023 /
 * Server 2023.3, the Metadata API), run extract refreshes, read refresh jobs. See docs/tableau.md.
 */
export const DEFAULT_CONNECTED_APP_SCOPES: readonly string[] = [
  'tableau:content:read',
  'tableau:tasks:run',
  'tableau:jobs:read',
];

/** How the client signs in. */
export type TableauAuth =
  | { kind: 'personal-access-token'; tokenName: string; tokenSecret: string }
  | {
      kind: 'connected-app';
      clientId: string;
      secretId: string;
      secretValue: string;
      username: string;
      scopes: string[];
    };

/** Validated settings (defaults applied). */
export interface TableauSettings {
  /** `https://host[:port][/prefix]`, no trailing slash. */
  baseUrl: string;
  /** Host as given, for browser URLs and messages. */
  host: string;
  siteName: string;
  auth: TableauAuth;
  apiVersion: string | undefined;
  timeoutMs: number;
  retries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryAfterMs: number;
  maxResponseBytes: number;
  maxListingPages: number;
  maxListingNodes: number;
  pageSize: number;
  /** `pageSize` was given: every page uses it (else pages are sized from the node budget). */
  fixedPageSize: boolean;
}

/** Defaults of the numeric options. */
export const TABLEAU_DEFAULTS = {
  timeoutMs: 30_000,
  retries: 4,
  retryMinDelayMs: 500,
  retryMaxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  // Sized from real payloads: a Metadata API page is bounded by Tableau's 20,000-node limit
  // (≈ 6 MB of JSON at ≈ 300 bytes a node); 64 MiB leaves room for long custom SQL texts.
  maxResponseBytes: 64 * 1024 * 1024,
  // 10,000 pages hold 1,000,000 workbooks at the default page size, 10,000 at a page size of 1.
  maxListingPages: 10_000,
  maxListingNodes: 1_000_000,
  pageSize: DEFAULT_WORKBOOKS_PAGE_SIZE,
} as const;

/** Lowest REST API version that supports personal access tokens. */
export const MIN_API_VERSION = '3.6';

/** Lowest REST API version that signs in with a connected app's JWT (Tableau Server 2022.3). */
export const CONNECTED_APP_MIN_API_VERSION = '3.17';

function fail(field: string, message: string, expected: string): never {
  throw new ConfigError('ERR_TABLEAU_CONFIG', `Tableau setting ${field}: ${message}`, {
    field,
    expected,
  });
}

/** A server URL as it may be shown: any user info (`user:password@`) masked. */
export function shownServerUrl(raw: string): string {
  return raw
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1[REDACTED]@')
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1[REDACTED]@');
}

function requireString(field: string, value: unknown, allowEmpty: boolean, echo: boolean): string {
  if (typeof value !== 'string') fail(field, `expected a string, got ${typeof value}`, 'a string');
  if (!allowEmpty && value.length === 0) fail(field, 'must not be empty', 'a non-empty string');
  if (value !== value.trim()) {
    const shown = echo
      ? ` (${JSON.stringify(field === 'serverUrl' ? shownServerUrl(value) : value)})`
      : '';
    fail(
      field,
      `has leading or trailing whitespace${shown}; values are case-sensitive and used exactly as given`,
      'the value without surrounding whitespace',
    );
  }
  return value;
}

/** Loopback hosts, where plain http does not expose the token on a network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

function parseServerUrl(
  raw: string,
  allowInsecureHttp: boolean,
): { baseUrl: string; host: string } {
  const expected = 'a host like 10az.online.tableau.com or an https:// URL';
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `https://${raw}`);
  } catch {
    fail(
      'serverUrl',
      `${JSON.stringify(shownServerUrl(raw))} is not a valid host or URL`,
      expected,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail('serverUrl', `scheme ${url.protocol} is not supported`, expected);
  }
  if (url.username !== '' || url.password !== '') {
    fail('serverUrl', 'must not contain credentials', expected);
  }
  if (url.search !== '' || url.hash !== '') {
    fail(
      'serverUrl',
      `${JSON.stringify(shownServerUrl(raw))} has a query or #fragment; give only the host (the browser address ` +
        'of a site page is not the server URL)',
      expected,
    );
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    fail(
      'serverUrl',
      `http:// to ${url.hostname} would send the token in clear text; use https:// or set ` +
        'allowInsecureHttp: true',
      'an https:// URL',
    );
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  return { baseUrl: `${url.protocol}//${url.host}${prefix}`, host: url.host };
}

function positiveInteger(field: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(field, `expected an integer >= ${min}, got ${String(value)}`, `an integer >= ${min}`);
  }
  return value;
}

function pageSizeOption(value: unknown): number {
  const size = positiveInteger('pageSize', value, TABLEAU_DEFAULTS.pageSize, 1);
  if (size > MAX_PAGE_SIZE) {
    fail(
      'pageSize',
      `expected at most ${MAX_PAGE_SIZE}, got ${size}`,
      `an integer 1..${MAX_PAGE_SIZE}`,
    );
  }
  return size;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor;
}

/** Whether REST API version `version` is at least `minimum` (`"3.28" >= "3.6"`). */
export function apiVersionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

const AUTH_EXPECTED =
  'either tokenName and tokenSecret (a personal access token) or connectedApp, not both';

function resolveConnectedApp(value: unknown): TableauAuth {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('connectedApp', 'expected an object', '{ clientId, secretId, secretValue, username }');
  }
  const app = value as Record<string, unknown>;
  const clientId = requireString('connectedApp.clientId', app.clientId, false, true);
  const secretId = requireString('connectedApp.secretId', app.secretId, false, true);
  const secretValue = requireString('connectedApp.secretValue', app.secretValue, false, false);
  const username = requireString('connectedApp.username', app.username, false, true);
  let scopes = [...DEFAULT_CONNECTED_APP_SCOPES];
  if (app.scopes !== undefined) {
    const expected = 'a non-empty list of scopes like "tableau:content:read"';
    if (!Array.isArray(app.scopes) || app.scopes.length === 0) {
      fail('connectedApp.scopes', 'expected a non-empty list', expected);
    }
    scopes = app.scopes.map((scope, i) => {
      if (typeof scope !== 'string' || !/^tableau:\S+$/.test(scope)) {
        fail(
          `connectedApp.scopes[${i}]`,
          `${JSON.stringify(scope)} is not a Tableau scope`,
          expected,
        );
      }
      return scope;
    });
  }
  return { kind: 'connected-app', clientId, secretId, secretValue, username, scopes };
}

/** The sign-in method: a personal access token or a connected app, exactly one. */
function resolveAuth(options: TableauClientOptions): TableauAuth {
  const hasToken = options.tokenName !== undefined || options.tokenSecret !== undefined;
  if (options.connectedApp !== undefined) {
    if (hasToken) {
      fail('connectedApp', 'given together with tokenName/tokenSecret', AUTH_EXPECTED);
    }
    return resolveConnectedApp(options.connectedApp);
  }
  if (!hasToken) {
    fail(
      'tokenName',
      'no credentials: neither a personal access token nor a connected app',
      AUTH_EXPECTED,
    );
  }
  return {
    kind: 'personal-access-token',
    tokenName: requireString('tokenName', options.tokenName, false, true),
    tokenSecret: requireString('tokenSecret', options.tokenSecret, false, false),
  };
}

/** Validate `createTableauClient` options. Throws `ConfigError` (`ERR_TABLEAU_CONFIG`). */
export function resolveTableauSettings(options: TableauClientOptions): TableauSettings {
  if (options === null || typeof options !== 'object') {
    fail('options', 'expected an object', 'an options object');
  }
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  if (typeof allowInsecureHttp !== 'boolean') {
    fail('allowInsecureHttp', 'expected a boolean', 'true or false');
  }
  const serverUrl = requireString('serverUrl', options.serverUrl, false, true);
  const { baseUrl, host } = parseServerUrl(serverUrl, allowInsecureHttp);
  const siteName = requireString('siteName', options.siteName, true, true);
  if (/[\s/#?]/.test(siteName)) {
    fail(
      'siteName',
      `${JSON.stringify(siteName)} is not a site contentUrl; give the part after /site/ in the ` +
        'browser URL, not the display name',
      'the site contentUrl',
    );
  }
  if (siteName === '' && /\.online\.tableau\.com$/i.test(new URL(baseUrl).hostname)) {
    fail(
      'siteName',
      'Tableau Cloud has no default site; give the site contentUrl (the part after /site/)',
      'the site contentUrl',
    );
  }
  const auth = resolveAuth(options);
  let apiVersion: string | undefined;
  if (options.apiVersion !== undefined) {
    apiVersion = requireString('apiVersion', options.apiVersion, false, true);
    if (!/^\d+\.\d+$/.test(apiVersion) || !apiVersionAtLeast(apiVersion, MIN_API_VERSION)) {
      fail(
        'apiVersion',
        `${JSON.stringify(apiVersion)} is not a REST API version >= ${MIN_API_VERSION}`,
        `a version like "3.22" (>= ${MIN_API_VERSION}, needed for personal access tokens)`,
      );
    }
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    fail('fetch', 'expected a function', 'a fetch-compatible function');
  }
  const retryMinDelayMs = positiveInteger(
    'retryMinDelayMs',
    options.retryMinDelayMs,
    TABLEAU_DEFAULTS.retryMinDelayMs,
    0,
  );
  const retryMaxDelayMs = positiveInteger(
    'retryMaxDelayMs',
    options.retryMaxDelayMs,
    Math.max(TABLEAU_DEFAULTS.retryMaxDelayMs, retryMinDelayMs),
    retryMinDelayMs,
  );
  return {
    baseUrl,
    host,
    siteName,
    auth,
    apiVersion,
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, TABLEAU_DEFAULTS.timeoutMs, 1),
    retries: positiveInteger('retries', options.retries, TABLEAU_DEFAULTS.retries, 0),
    retryMinDelayMs,
    retryMaxDelayMs,
    maxRetryAfterMs: positiveInteger(
      'maxRetryAfterMs',
      options.maxRetryAfterMs,
      TABLEAU_DEFAULTS.maxRetryAfterMs,
      0,
    ),
    maxResponseBytes: positiveInteger(
      'maxResponseBytes',
      options.maxResponseBytes,
      TABLEAU_DEFAULTS.maxResponseBytes,
      1,
    ),
    maxListingPages: positiveInteger(
      'maxListingPages',
      options.maxListingPages,
      TABLEAU_DEFAULTS.maxListingPages,
      1,
    ),
    maxListingNodes: positiveInteger(
      'maxListingNodes',
      options.maxListingNodes,
      TABLEAU_DEFAULTS.maxListingNodes,
      1,
    ),
    pageSize: pageSizeOption(options.pageSize),
    fixedPageSize: options.pageSize !== undefined,
  };
}

// Bounds on one listing (a paged Metadata API connection or REST list): a server that keeps
// answering "there is another page" with fresh cursors, or keeps sending full pages, is stopped
// at a known number of pages and nodes instead of running (and growing) forever.

/** The bounds (`createTableauClient` options `maxListingPages`, `maxListingNodes`). */
export interface ListingLimits {
  maxListingPages: number;
  maxListingNodes: number;
}

/**
 * Throws `ERR_TABLEAU_RESPONSE_TOO_LARGE` when a listing read more pages or nodes than allowed.
 * Called after each page with the running totals.
 */
export function checkListingBounds(
  operation: string,
  totals: { pages: number; nodes: number },
  limits: ListingLimits,
): void {
  const over =
    totals.pages > limits.maxListingPages
      ? `more than ${limits.maxListingPages} pages (maxListingPages)`
      : totals.nodes > limits.maxListingNodes
        ? `more than ${limits.maxListingNodes} items (maxListingNodes)`
        : null;
  if (over === null) return;
  throw new TableauApiError(
    'ERR_TABLEAU_RESPONSE_TOO_LARGE',
    `${operation}: the listing ran to ${over}; stopped. If the site is really that large, raise the ` +
      'bound in the client options',
    {
      hint: 'filter the listing (projects, tags), or raise maxListingPages / maxListingNodes',
      details: {
        pages: totals.pages,
        nodes: totals.nodes,
        maxListingPages: limits.maxListingPages,
        maxListingNodes: limits.maxListingNodes,
      },
    },
  );
}
