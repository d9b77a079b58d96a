/**
 * One authenticated session per client, signed in with a personal access token or a connected app
 * (a fresh JWT for every sign-in, renewals included). A personal access token can hold one session
 * only: signing in again ends the previous session. So concurrent calls share ONE sign-in promise, an
 * expired session (HTTP 401, code 401000) is renewed once by whichever call notices first (the
 * others reuse the renewal) and the request replayed once, and nothing ever signs in per request.
 *
 * A renewed session that Tableau rejects (401) before it answered anything is not renewed again:
 * the token is being refused, so every call waiting on it, and every later call of the client,
 * fails with `ERR_TABLEAU_AUTH` (at most one re-sign-in per expiry, however many calls are in
 * flight). A session that worked and then expired is renewed as usual.
 *
 * The REST API version is the server's own (`GET /api/{MIN}/serverinfo`, no auth needed) unless
 * pinned. A caller's abort signal stops that caller's wait, never the shared sign-in others use.
 */
import { abortedError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { type HttpClient, type HttpRequest, type HttpResponse, httpFactsOf } from './http.js';
import { mintConnectedAppJwt } from './jwt.js';
import type { Redactor } from './redact.js';
import {
  apiVersionAtLeast,
  CONNECTED_APP_MIN_API_VERSION,
  MIN_API_VERSION,
  type TableauSettings,
} from './settings.js';

/** What an authenticated request needs to build its path. */
/** The hint of a Tableau too old for this library. */
const UPGRADE_SERVER = `this library needs Tableau Cloud, or Tableau Server 2019.4 or later (REST API ${MIN_API_VERSION})`;

export interface SessionInfo {
  apiVersion: string;
  siteLuid: string;
  userLuid: string | null;
}

interface SignedIn extends SessionInfo {
  token: string;
  /** Signed in to replace an expired session. */
  renewal: boolean;
  /** Tableau answered a request made with it (so a later 401 is an expiry, not a refusal). */
  proven: boolean;
}

/** An authenticated request: the path may depend on the API version and site luid. */
export interface AuthedRequest extends Omit<HttpRequest, 'path'> {
  path: string | ((session: SessionInfo) => string);
}

/** What `GET /api/{v}/serverinfo` says (no auth needed). */
export interface ServerInfo {
  /** The newest REST API version the server speaks (`"3.21"`). */
  restApiVersion: string;
  /** The Tableau release (`"2023.3.0"`), or null when the answer has none. */
  productVersion: string | null;
}

/** The session of one client. */
export interface Session {
  /** REST API version in use (negotiated once, or pinned). */
  apiVersion(signal?: AbortSignal): Promise<string>;
  /** The server's serverinfo, read once per client (also when the API version is pinned). */
  serverInfo(signal?: AbortSignal): Promise<ServerInfo>;
  /** Sign in if needed; the site and user of the session. */
  info(signal?: AbortSignal): Promise<SessionInfo>;
  /** Send a request with the session token; renews an expired session once and replays. */
  request(request: AuthedRequest): Promise<HttpResponse>;
  /** End the session (no-op when not signed in). The next call signs in again. */
  signOut(signal?: AbortSignal): Promise<void>;
}

/** Dependencies of the session. */
export interface SessionDeps {
  http: HttpClient;
  settings: TableauSettings;
  redactor: Redactor;
  logger?: Logger | undefined;
}

/** Wait for a shared promise, but let this caller's signal stop this caller's wait. */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(operation, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(operation, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function stringAt(value: unknown, ...path: string[]): string | null {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : null;
}

/** An expired or missing session: 401 with 401000, or a bare 401 (the Metadata API sends no code). */
export function isSessionExpired(error: unknown): error is TableauApiError {
  return (
    error instanceof TableauApiError &&
    error.code === 'ERR_TABLEAU_API' &&
    error.status === 401 &&
    (error.tableauCode === undefined || error.tableauCode === '401000')
  );
}

/** Create the session of one client (nothing is sent until the first call). */
export function createSession(deps: SessionDeps): Session {
  const { http, settings, redactor, logger } = deps;
  let infoPromise: Promise<ServerInfo> | undefined;
  let current: Promise<SignedIn> | undefined;
  /** The 401 that rejected a renewed session: once set, every call fails with ERR_TABLEAU_AUTH. */
  let refusedBy: TableauApiError | undefined;
  const debug = (message: string, data: Record<string, unknown>): void => {
    logger?.debug?.(redactor.redactString(message), redactor.redact(data));
  };

  function negotiateVersion(): Promise<string> {
    if (settings.apiVersion !== undefined) return Promise.resolve(settings.apiVersion);
    return readServerInfo().then((info) => info.restApiVersion);
  }

  function readServerInfo(): Promise<ServerInfo> {
    infoPromise ??= (async () => {
      let response: HttpResponse;
      try {
        response = await http.request({
          method: 'GET',
          path: `/api/${MIN_API_VERSION}/serverinfo`,
          operation: 'read server info',
          opensSession: 'server-info',
        });
      } catch (error) {
        // Tableau answers a version it does not know with a Tableau 404: the server is too old.
        if (error instanceof TableauApiError && error.status === 404 && error.tableauCode) {
          throw new TableauApiError(
            'ERR_TABLEAU_UNSUPPORTED',
            `Tableau does not accept REST API ${MIN_API_VERSION}, the first version with personal ` +
              `access tokens (${error.message})`,
            {
              status: 404,
              tableauCode: error.tableauCode,
              method: 'GET',
              url: error.url,
              hint: UPGRADE_SERVER,
              cause: error,
            },
          );
        }
        throw error;
      }
      const version = stringAt(response.body, 'serverInfo', 'restApiVersion');
      if (version === null || !/^\d+\.\d+$/.test(version)) {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          'read server info: the serverinfo answer has no serverInfo.restApiVersion',
          { method: 'GET', url: `/api/${MIN_API_VERSION}/serverinfo` },
        );
      }
      if (!apiVersionAtLeast(version, MIN_API_VERSION)) {
        throw new TableauApiError(
          'ERR_TABLEAU_UNSUPPORTED',
          `Tableau REST API ${version} is older than ${MIN_API_VERSION}, the first version with ` +
            'personal access tokens',
          { details: { apiVersion: version }, hint: UPGRADE_SERVER },
        );
      }
      // JSON gives `{ "value": "2023.3.0", "build": "…" }` (XML's element text), or a plain string.
      const productVersion =
        stringAt(response.body, 'serverInfo', 'productVersion', 'value') ??
        stringAt(response.body, 'serverInfo', 'productVersion');
      debug(`Tableau REST API version ${version}, product version ${productVersion ?? 'unknown'}`, {
        apiVersion: version,
        productVersion,
      });
      return { restApiVersion: version, productVersion };
    })();
    // A failed read is not cached: the next call tries again.
    infoPromise.catch(() => {
      infoPromise = undefined;
    });
    return infoPromise;
  }

  /** The sign-in body's credentials: the token pair, or a freshly minted JWT (registered as a secret). */
  function credentials(apiVersion: string): Record<string, unknown> {
    const site = { contentUrl: settings.siteName };
    const auth = settings.auth;
    if (auth.kind === 'personal-access-token') {
      return {
        site,
        personalAccessTokenName: auth.tokenName,
        personalAccessTokenSecret: auth.tokenSecret,
      };
    }
    if (!apiVersionAtLeast(apiVersion, CONNECTED_APP_MIN_API_VERSION)) {
      throw new TableauApiError(
        'ERR_TABLEAU_UNSUPPORTED',
        `Tableau REST API ${apiVersion} cannot sign in with a connected app (JWT); that needs REST ` +
          `API ${CONNECTED_APP_MIN_API_VERSION} (Tableau Server 2022.3) or later. Use a personal access token`,
        {
          field: 'connectedApp',
          details: { apiVersion },
          hint: 'sign in with a personal access token, or upgrade Tableau Server to 2022.3 or later',
        },
      );
    }
    const jwt = mintConnectedAppJwt(auth, Date.now());
    redactor.add(jwt);
    return { site, jwt };
  }

  /** Who signed in, in words, for errors: the token name, or the connected app and its user. */
  function signer(): string {
    const auth = settings.auth;
    return auth.kind === 'personal-access-token'
      ? `personal access token ${JSON.stringify(auth.tokenName)}`
      : `connected app ${JSON.stringify(auth.clientId)} as user ${JSON.stringify(auth.username)}`;
  }

  /** The one-sentence hint of a refused sign-in, per sign-in method (names, never values). */
  function refusedSignInHint(): string {
    return settings.auth.kind === 'personal-access-token'
      ? "check the token name and secret (both case-sensitive), that the token is not expired or revoked, and that siteName is the site's contentUrl"
      : "check the connected app's client ID, secret ID and secret value, the username, and that siteName is the site's contentUrl";
  }

  /** What to check after Tableau refused a sign-in, per sign-in method. */
  function signInHint(): string {
    if (settings.auth.kind === 'personal-access-token') {
      return (
        'Check that the token name and secret are exact (both case-sensitive), that the token ' +
        'is not expired or revoked (unused tokens expire after 15 days), and that siteName is ' +
        'the site\'s contentUrl (the part after /site/ in the browser URL; "" for the default site).'
      );
    }
    return (
      'Check that the connected app is enabled and its client ID, secret ID and secret value are ' +
      'exact (case-sensitive), that the user exists on the site with a site role that may sign in ' +
      '(usernames are case-sensitive; an email address on Tableau Cloud), that the connected app ' +
      "allows the scopes asked for, that this machine's clock is right (the JWT expires 5 minutes " +
      "after it is made), and that siteName is the site's contentUrl."
    );
  }

  async function signIn(renewal: boolean): Promise<SignedIn> {
    const apiVersion = await negotiateVersion();
    let response: HttpResponse;
    try {
      response = await http.request({
        method: 'POST',
        path: `/api/${apiVersion}/auth/signin`,
        operation: 'sign in',
        opensSession: 'sign-in',
        body: { credentials: credentials(apiVersion) },
      });
    } catch (error) {
      if (error instanceof TableauApiError && error.status === 401) {
        throw new TableauApiError(
          'ERR_TABLEAU_AUTH',
          `Tableau refused the sign-in with ${signer()} ` +
            `on site ${JSON.stringify(settings.siteName)}${error.tableauCode ? ` (${error.tableauCode}${error.summary ? ` ${error.summary}` : ''})` : ''}. ` +
            signInHint(),
          // No `field`: Tableau answers a wrong site name and a wrong token alike.
          { ...httpFactsOf(error), hint: refusedSignInHint() },
        );
      }
      throw error;
    }
    const token = stringAt(response.body, 'credentials', 'token');
    if (token !== null) redactor.add(token);
    const siteLuid = stringAt(response.body, 'credentials', 'site', 'id');
    if (token === null || token === '' || siteLuid === null) {
      throw new TableauApiError(
        'ERR_TABLEAU_RESPONSE',
        'sign in: the answer has no credentials.token or credentials.site.id',
        { method: 'POST', url: `/api/${apiVersion}/auth/signin` },
      );
    }
    const userLuid = stringAt(response.body, 'credentials', 'user', 'id');
    debug(`signed in to Tableau site ${JSON.stringify(settings.siteName)}`, {
      siteLuid,
      apiVersion,
    });
    return { token, siteLuid, userLuid, apiVersion, renewal, proven: false };
  }

  function ensure(renewal = false): Promise<SignedIn> {
    if (refusedBy) return Promise.reject(refusal(refusedBy, 'sign in'));
    if (current) return current;
    const attempt = signIn(renewal);
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  }

  /** Renew after `stale` expired, unless another call already did (then reuse its sign-in). */
  function renew(stale: Promise<SignedIn>): Promise<SignedIn> {
    if (current === stale) current = undefined;
    return ensure(true);
  }

  /** `ERR_TABLEAU_AUTH` for `operation`, after Tableau rejected a renewed session (`cause401`). */
  function refusal(cause401: TableauApiError, operation: string): TableauApiError {
    const pat = settings.auth.kind === 'personal-access-token';
    return new TableauApiError(
      'ERR_TABLEAU_AUTH',
      `${operation}: Tableau rejected the session right after signing in again (HTTP 401); not ` +
        'signing in once more. ' +
        (pat
          ? 'The token may have been revoked, or another process keeps signing in with the same ' +
            'personal access token (one session per token): give each process its own token, or ' +
            'use a connected app (several sessions at once)'
          : 'The connected app may have been disabled or its secret revoked'),
      {
        ...httpFactsOf(cause401),
        field: pat ? 'tokenName' : 'connectedApp',
        hint: pat
          ? 'give each process its own personal access token, or sign in with a connected app'
          : 'check that the connected app is enabled and its secret still valid',
      },
    );
  }

  /** Tableau rejected a renewed session it never accepted: stop signing in for this client. */
  function refuse(error: TableauApiError, operation: string): TableauApiError {
    refusedBy ??= error;
    return refusal(error, operation);
  }

  async function send(request: AuthedRequest, session: SignedIn): Promise<HttpResponse> {
    const path = typeof request.path === 'function' ? request.path(session) : request.path;
    try {
      const response = await http.request({
        ...request,
        path,
        headers: { ...request.headers, 'x-tableau-auth': session.token },
      });
      session.proven = true;
      return response;
    } catch (error) {
      // Any answer from Tableau but a 401 shows it accepted the session.
      if (error instanceof TableauApiError && error.status !== undefined && error.status !== 401) {
        session.proven = true;
      }
      throw error;
    }
  }

  return {
    apiVersion(signal) {
      return raceSignal(negotiateVersion(), signal, 'read server info');
    },

    serverInfo(signal) {
      return raceSignal(readServerInfo(), signal, 'read server info');
    },

    async info(signal) {
      const { apiVersion, siteLuid, userLuid } = await raceSignal(ensure(), signal, 'sign in');
      return { apiVersion, siteLuid, userLuid };
    },

    async request(request) {
      if (refusedBy) throw refusal(refusedBy, request.operation);
      const used = ensure();
      const session = await raceSignal(used, request.signal, request.operation);
      try {
        return await send(request, session);
      } catch (error) {
        if (!isSessionExpired(error)) throw error;
        if (refusedBy) throw refusal(refusedBy, request.operation);
        if (session.renewal && !session.proven) throw refuse(error, request.operation);
        debug(`${request.operation}: session expired, signing in again`, {
          operation: request.operation,
        });
        const renewed = await raceSignal(renew(used), request.signal, request.operation);
        try {
          return await send(request, renewed);
        } catch (replayError) {
          if (isSessionExpired(replayError) && !renewed.proven) {
            throw refuse(replayError, request.operation);
          }
          throw replayError;
        }
      }
    },

    async signOut(signal) {
      const pending = current;
      if (!pending) return;
      let session: SignedIn;
      try {
        session = await raceSignal(pending, signal, 'sign out');
      } catch (error) {
        if (error instanceof TableauApiError) return; // the sign-in failed: nothing to end
        throw error;
      }
      if (current === pending) current = undefined;
      try {
        await http.request({
          method: 'POST',
          path: `/api/${session.apiVersion}/auth/signout`,
          headers: { 'x-tableau-auth': session.token },
          operation: 'sign out',
          signal,
        });
      } catch (error) {
        // An already-ended session is signed out as far as anyone can tell.
        if (error instanceof TableauApiError && error.status === 401) return;
        throw error;
      }
      debug('signed out of Tableau', { siteLuid: session.siteLuid });
    },
  };
}
