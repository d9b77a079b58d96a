/** Sign-in and session tokens of the mock server (JSON or XML sign-in bodies, as Tableau takes). */
import { errorAnswer, type MockAnswer, type MockRequest } from './mock-answer.js';
import { renderTsResponse } from './mock-rest-bodies.js';
import type { MockState } from './mock-state.js';

/** The session token a request carries, if any. */
export function authToken(req: MockRequest): string | undefined {
  const value = req.headers['x-tableau-auth'];
  return Array.isArray(value) ? value[0] : value;
}

function xmlAttribute(xml: string, element: string, attribute: string): string | undefined {
  const tag = new RegExp(`<${element}\\b([^>]*)>`).exec(xml)?.[1] ?? '';
  const raw = new RegExp(`\\b${attribute}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  const value = raw?.[1] ?? raw?.[2];
  return value
    ?.replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface SignInCredentials {
  name: string | undefined;
  secret: string | undefined;
  site: string | undefined;
}

function parseSignIn(req: MockRequest): SignInCredentials | null {
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.includes('json') || req.body.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(req.body) as {
        credentials?: {
          personalAccessTokenName?: unknown;
          personalAccessTokenSecret?: unknown;
          site?: { contentUrl?: unknown };
        };
      };
      const c = parsed.credentials;
      if (c === undefined || c === null) return null;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return {
        name: str(c.personalAccessTokenName),
        secret: str(c.personalAccessTokenSecret),
        site: str(c.site?.contentUrl),
      };
    } catch {
      return null;
    }
  }
  if (!/<credentials\b/.test(req.body)) return null;
  return {
    name: xmlAttribute(req.body, 'credentials', 'personalAccessTokenName'),
    secret: xmlAttribute(req.body, 'credentials', 'personalAccessTokenSecret'),
    site: xmlAttribute(req.body, 'site', 'contentUrl'),
  };
}

/** Answer a sign-in: a session token for the right credentials and site, else 401001. */
export function handleSignIn(state: MockState, req: MockRequest): MockAnswer {
  const credentials = parseSignIn(req);
  if (credentials === null) {
    return errorAnswer(
      req.format,
      400,
      '400000',
      'Bad Request',
      'The sign-in request body is not valid',
    );
  }
  const token =
    credentials.name !== undefined &&
    credentials.secret !== undefined &&
    credentials.site === state.site.contentUrl
      ? state.sessions.signIn(credentials.name, credentials.secret)
      : null;
  if (token === null) {
    state.counters.failedSignIns += 1;
    return errorAnswer(
      req.format,
      401,
      '401001',
      'Signin Error',
      'Error signing in to Tableau Server',
    );
  }
  state.counters.signIns += 1;
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      {
        name: 'credentials',
        attributes: { token, estimatedTimeToExpiration: '1:59:59' },
        children: [
          { name: 'site', attributes: { id: state.site.luid, contentUrl: state.site.contentUrl } },
          { name: 'user', attributes: { id: `user-${credentials.name}` } },
        ],
      },
    ]),
  };
}
