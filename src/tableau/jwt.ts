/**
 * The JSON Web Token of a Tableau connected app (direct trust), minted fresh for every sign-in:
 * HS256 over the connected app's secret value, with the claims Tableau documents for REST API
 * sign-in (header `kid` = secret id and `iss` = client id; payload `iss`, `sub` = the Tableau
 * username, `aud` = "tableau", `exp` at most 10 minutes ahead, a unique `jti`, `scp` = scopes).
 * Sources: docs/tableau.md ("Connected apps"). The token is a credential: the caller registers it
 * with the redactor before sending it anywhere.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** What a connected app signs with. */
export interface ConnectedAppCredentials {
  clientId: string;
  secretId: string;
  secretValue: string;
  username: string;
  scopes: readonly string[];
}

/**
 * Seconds a minted token is valid. Tableau refuses an `exp` more than 10 minutes ahead; 5 minutes
 * leaves room for a clock that runs a little ahead of Tableau's (as dagster-tableau does).
 */
export const JWT_LIFETIME_SECONDS = 300;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A signed token for one sign-in, valid from `nowMs` for `JWT_LIFETIME_SECONDS`. */
export function mintConnectedAppJwt(app: ConnectedAppCredentials, nowMs: number): string {
  const header = { alg: 'HS256', typ: 'JWT', kid: app.secretId, iss: app.clientId };
  const payload = {
    iss: app.clientId,
    sub: app.username,
    aud: 'tableau',
    exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_SECONDS,
    jti: randomUUID(),
    scp: [...app.scopes],
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', app.secretValue).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
