/** Helpers for tests of the mock server: real HTTP with fetch. */

import type { MockTableauServer } from '../../src/testing/index.js';
import { MOCK_TOKEN_NAME, MOCK_TOKEN_SECRET } from '../../src/testing/state.js';

/** Parsed JSON of a response, navigated freely in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
export type Json = any;

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export function signInBody(
  site: string,
  name = MOCK_TOKEN_NAME,
  secret = MOCK_TOKEN_SECRET,
): string {
  return JSON.stringify({
    credentials: {
      site: { contentUrl: site },
      personalAccessTokenName: name,
      personalAccessTokenSecret: secret,
    },
  });
}

/** Sign in with JSON and return the session token (throws on failure). */
export async function signIn(
  server: MockTableauServer,
  name = MOCK_TOKEN_NAME,
  secret = MOCK_TOKEN_SECRET,
): Promise<string> {
  const res = await fetch(`${server.url}/api/${server.apiVersion}/auth/signin`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: signInBody(server.siteName, name, secret),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const body = (await res.json()) as { credentials: { token: string } };
  return body.credentials.token;
}

/** POST a GraphQL request; returns status and parsed body. */
export async function graphql(
  server: MockTableauServer,
  token: string,
  query: string,
  variables: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}/api/metadata/graphql`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-tableau-auth': token },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** A REST call; `json` selects Accept: application/json. */
export async function rest(
  server: MockTableauServer,
  method: string,
  path: string,
  options: { token?: string; json?: boolean; body?: string; contentType?: string } = {},
): Promise<{ status: number; text: string; headers: Headers; json: Json }> {
  const headers: Record<string, string> = {};
  if (options.json ?? true) headers.accept = 'application/json';
  if (options.token !== undefined) headers['x-tableau-auth'] = options.token;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  const init: RequestInit = { method, headers };
  if (options.body !== undefined) init.body = options.body;
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, headers: res.headers, json };
}
