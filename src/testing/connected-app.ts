/**
 * Connected apps (direct trust) in the mock: the JWT a sign-in carries is verified the way Tableau
 * documents it, written here from the documentation with `node:crypto` (not from the client's
 * code): header `alg` HS256 with `kid` = a secret id of the app, signature over the secret value,
 * payload `iss` = the client id, `aud` = "tableau", `exp` in the future and at most 10 minutes
 * ahead, a `jti` never seen before, `scp` a list of scopes, `sub` a user of the site.
 *
 * A rejected token gets Tableau's sign-in error (HTTP 401, 401001 "Signin Error") whose detail
 * names the connected-app error code and summary from Tableau's troubleshooting table (5
 * SYSTEM_USER_NOT_FOUND, 16 LOGIN_FAILED, 126 CONNECTED_APP_NOT_FOUND, 127
 * CONNECTED_APP_SECRET_NOT_FOUND, 10083 BAD_JWT, 10084 JWT_PARSE_ERROR). How Tableau's REST API
 * words that detail is not established; the code and summary are.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A connected app the mock trusts. */
export interface MockConnectedApp {
  clientId: string;
  secretId: string;
  secretValue: string;
  /** Tableau users it may sign in as (case-sensitive). Default: `MOCK_USERNAME` only. */
  usernames?: string[] | undefined;
}

/** Default connected app (used when `connectedApps` is not given). Not a real secret. */
export const MOCK_CONNECTED_APP: MockConnectedApp & { usernames: string[] } = {
  clientId: 'mock-client-id',
  secretId: 'mock-secret-id',
  secretValue: 'mock-connected-app-secret-value',
  usernames: ['mock-user@example.com'],
};

/** Why a token was refused (the key of `counters.rejectedJwts`). */
export type MockJwtRejection =
  | 'malformed'
  | 'bad-header'
  | 'unknown-app'
  | 'unknown-secret'
  | 'bad-signature'
  | 'wrong-audience'
  | 'expired'
  | 'expiry-too-far'
  | 'replayed-jti'
  | 'no-scopes'
  | 'unknown-user';

/** The connected-app error Tableau documents for each refusal: code and summary. */
const TABLEAU_ERRORS: Record<MockJwtRejection, [number, string]> = {
  malformed: [10084, 'JWT_PARSE_ERROR'],
  'bad-header': [10083, 'BAD_JWT'],
  'unknown-app': [126, 'CONNECTED_APP_NOT_FOUND'],
  'unknown-secret': [127, 'CONNECTED_APP_SECRET_NOT_FOUND'],
  'bad-signature': [127, 'CONNECTED_APP_SECRET_NOT_FOUND'],
  'wrong-audience': [16, 'LOGIN_FAILED'],
  expired: [16, 'LOGIN_FAILED'],
  'expiry-too-far': [16, 'LOGIN_FAILED'],
  'replayed-jti': [16, 'LOGIN_FAILED'],
  'no-scopes': [16, 'LOGIN_FAILED'],
  'unknown-user': [5, 'SYSTEM_USER_NOT_FOUND'],
};

/** A verified token, or why it was refused with Tableau's words for it. */
export type MockJwtVerdict =
  | { ok: true; clientId: string; username: string; scopes: string[] }
  | { ok: false; rejection: MockJwtRejection; detail: string };

/** Longest validity Tableau accepts (`exp` at most 10 minutes ahead). */
const MAX_LIFETIME_MS = 10 * 60 * 1000;

function decodePart(part: string | undefined): Record<string, unknown> | null {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Verifies sign-in tokens for the mock's connected apps and remembers every `jti` used. */
export class ConnectedAppBook {
  readonly #apps: (MockConnectedApp & { usernames: string[] })[];
  readonly #usedJtis = new Set<string>();
  readonly #now: () => number;

  constructor(apps: MockConnectedApp[], now: () => number) {
    this.#apps = apps.map((app) => ({
      ...app,
      usernames: app.usernames ?? MOCK_CONNECTED_APP.usernames,
    }));
    this.#now = now;
  }

  /** Verify `token`; a verified token's `jti` can never be used again. */
  verify(token: string): MockJwtVerdict {
    const refuse = (rejection: MockJwtRejection, why: string): MockJwtVerdict => {
      const [code, summary] = TABLEAU_ERRORS[rejection];
      return { ok: false, rejection, detail: `connected app error ${code} ${summary}: ${why}` };
    };
    const parts = token.split('.');
    const header = decodePart(parts[0]);
    const payload = decodePart(parts[1]);
    if (parts.length !== 3 || header === null || payload === null || parts[2] === '') {
      return refuse('malformed', 'the JWT is not three base64url parts of JSON');
    }
    if (header.alg !== 'HS256' || typeof header.kid !== 'string') {
      return refuse('bad-header', 'the header needs alg HS256 and kid (the secret id)');
    }
    if (header.iss !== undefined && header.iss !== payload.iss) {
      return refuse('bad-header', 'the header iss differs from the payload iss');
    }
    const app = this.#apps.find((a) => a.clientId === payload.iss);
    if (app === undefined) return refuse('unknown-app', 'no connected app has that client id');
    if (app.secretId !== header.kid) {
      return refuse('unknown-secret', 'the connected app has no secret with that id');
    }
    const expected = createHmac('sha256', app.secretValue)
      .update(`${parts[0]}.${parts[1]}`)
      .digest();
    const given = Buffer.from(parts[2] ?? '', 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return refuse('bad-signature', 'the signature does not match the secret value');
    }
    if (payload.aud !== 'tableau') return refuse('wrong-audience', 'aud must be "tableau"');
    const now = this.#now();
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= now) {
      return refuse('expired', 'the JWT has expired (exp)');
    }
    if (payload.exp * 1000 > now + MAX_LIFETIME_MS) {
      return refuse('expiry-too-far', 'exp is more than 10 minutes ahead');
    }
    if (typeof payload.jti !== 'string' || payload.jti === '' || this.#usedJtis.has(payload.jti)) {
      return refuse('replayed-jti', 'the jti is missing or was already used');
    }
    const scopes = payload.scp;
    if (
      !Array.isArray(scopes) ||
      scopes.length === 0 ||
      !scopes.every((s) => typeof s === 'string')
    ) {
      return refuse('no-scopes', 'scp must list the scopes');
    }
    if (typeof payload.sub !== 'string' || !app.usernames.includes(payload.sub)) {
      return refuse('unknown-user', 'the sub (username) is not a user of the site');
    }
    this.#usedJtis.add(payload.jti);
    return { ok: true, clientId: app.clientId, username: payload.sub, scopes };
  }
}
