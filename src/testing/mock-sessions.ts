/**
 * PAT sessions of the mock server, enforcing Tableau's rule: one live session per token. A new
 * sign-in with the same token ends the previous session (its token then gets 401000).
 */
import { randomBytes } from 'node:crypto';

/** A personal access token the mock server accepts. Names and secrets are case-sensitive. */
export interface MockToken {
  name: string;
  secret: string;
}

/** Default token name (used when `tokens` is not given). */
export const MOCK_TOKEN_NAME = 'mock-token';
/** Default token secret (used when `tokens` is not given). Not a real secret. */
export const MOCK_TOKEN_SECRET = 'mock-token-secret';

interface Session {
  tokenName: string;
  requests: number;
}

/** The live sessions of one server. */
export class SessionBook {
  readonly #byToken = new Map<string, Session>();
  readonly #byName = new Map<string, string>();
  readonly #tokens: MockToken[];
  readonly #issue: (n: number) => string;
  readonly #requestLimit: number;
  #issued = 0;

  constructor(
    tokens: MockToken[],
    issue: ((n: number) => string) | undefined,
    requestLimit: number,
  ) {
    this.#tokens = tokens;
    this.#issue = issue ?? ((n) => `mock-session-${n}-${randomBytes(12).toString('hex')}`);
    this.#requestLimit = requestLimit;
  }

  /** Sign in; returns the session token, or null when the name/secret pair is unknown. */
  signIn(name: string, secret: string): string | null {
    if (!this.#tokens.some((t) => t.name === name && t.secret === secret)) return null;
    const previous = this.#byName.get(name);
    if (previous !== undefined) this.#byToken.delete(previous);
    this.#issued += 1;
    const token = this.#issue(this.#issued);
    this.#byToken.set(token, { tokenName: name, requests: 0 });
    this.#byName.set(name, token);
    return token;
  }

  /**
   * Check a session token for one request. Counts the request; a session past the request limit
   * expires. Returns whether the token is (still) valid.
   */
  use(token: string | undefined): boolean {
    if (token === undefined) return false;
    const session = this.#byToken.get(token);
    if (session === undefined) return false;
    session.requests += 1;
    if (session.requests > this.#requestLimit) {
      this.end(token);
      return false;
    }
    return true;
  }

  /** End a session (sign-out or expiry). Returns whether it existed. */
  end(token: string | undefined): boolean {
    if (token === undefined) return false;
    const session = this.#byToken.get(token);
    if (session === undefined) return false;
    this.#byToken.delete(token);
    if (this.#byName.get(session.tokenName) === token) this.#byName.delete(session.tokenName);
    return true;
  }

  /** End every session. */
  endAll(): void {
    this.#byToken.clear();
    this.#byName.clear();
  }

  /** Number of live sessions. */
  get size(): number {
    return this.#byToken.size;
  }
}
