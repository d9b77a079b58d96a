/**
 * Shared by the CLI hostile-server tests (`hostile-cli-*.test.ts`): a synced copy of the example
 * project, the CLI's environment for a server URL, route matchers, a one-shot redirect rule, and
 * the case tables whose total docs/reliability.md states ("CLI hostile-server cases tried").
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { MockTableauServer } from '../../src/testing/index.js';
import { spawnCli } from '../cli/helpers.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { ECHO_ROUTES, type RouteId } from './echo-table.js';
import { exampleProject, scratch } from './harness.js';
import { type HostileServer, type Rule, type SeenRequest, TLS_CERT_PATH } from './hostile.js';

/** A copy of the example project (timeouts small, one retry) after a sync straight to the mock. */
export async function syncedProject(t: Test, mock: MockTableauServer): Promise<string> {
  const project = join(await scratch(t), 'jaffle-tableau');
  await cp(exampleProject, project, { recursive: true });
  const config = join(project, 'dbt-auto-exposures.config.yml');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}tableau:\n  retries: 1\n  timeoutSeconds: 5\n`,
  );
  const first = await spawnCli(['sync'], { cwd: project, env: envFor(mock.url, mock) });
  if (first.code !== 0) throw new Error(`setup sync failed: ${first.stderr}`);
  return project;
}

export function envFor(serverUrl: string, mock: MockTableauServer): Record<string, string> {
  return {
    TABLEAU_SERVER_URL: serverUrl,
    TABLEAU_SITE_NAME: mock.siteName,
    TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
    TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
    NODE_EXTRA_CA_CERTS: TLS_CERT_PATH,
  };
}

export const ROUTE = Object.fromEntries(ECHO_ROUTES.map((r) => [r.id, r.matches])) as Record<
  RouteId,
  (r: SeenRequest) => boolean
>;

/** A rule redirecting the first request `matches` accepts to `location(request)`. */
export function redirectOnce(
  matches: (r: SeenRequest) => boolean,
  status: number,
  location: (r: SeenRequest) => string,
): Rule {
  let done = false;
  return (request) => {
    if (done || !matches(request)) return 'forward';
    done = true;
    return { status, headers: { location: location(request) } };
  };
}

export function noSecretReached(t: Test, server: HostileServer): void {
  assertNoSecrets(t, server.requests);
  t.same(server.requests, [], `nothing reached ${server.url}`);
}

/** Sync redirects refused: name, status, route, Location (from the other host and the request). */
export const SYNC_REFUSED: [
  string,
  number,
  RouteId,
  (other: HostileServer, r: SeenRequest) => string,
][] = [
  ['GraphQL 307 to another host', 307, 'graphql', (o, r) => `${o.url}${r.url}`],
  ['GraphQL 301 to another host', 301, 'graphql', (o, r) => `${o.url}${r.url}`],
  ['sign-in 308 to another host, another path', 308, 'signin', (o) => `${o.url}/collect`],
  [
    'sign-in 302 to another host with credentials',
    302,
    'signin',
    (o, r) => `${o.url.replace('://', '://u:p@')}${r.url}`,
  ],
  ['sign-in 303 to another host', 303, 'signin', (o, r) => `${o.url}${r.url}`],
];
/** The other sync cases: https to http, the pod, a sign-out redirect. */
export const SYNC_OTHER_CASES = 3;
/** Refresh redirects refused. */
export const REFRESH_REDIRECTS: [string, RouteId, number][] = [
  ['REST refresh 307 to another host', 'refresh', 307],
  ['job polling 302 to another host', 'job', 302],
];
/** Echo cases: shape (echo-table.ts), route, CLI arguments. */
export const CLI_ECHO: [string, RouteId, string[]][] = [
  ['REST JSON 400, code echoed', 'signin', ['sync']],
  ['REST XML 401 (401001)', 'signin', ['refresh', '--wait']],
  ['REST JSON 400, code echoed', 'graphql', ['sync', '--log-format', 'json']],
  ['GraphQL errors, no data', 'graphql', ['sync']],
  ['GraphQL errors with partial data', 'graphql', ['sync', '--log-format', 'json']],
  ['GraphQL warnings', 'graphql', ['sync']],
  ['GraphQL warnings', 'graphql', ['snapshot', '--out', 'snapshot.json']],
  ['REST XML 400, code echoed', 'graphql', ['refresh', '--wait', '--debug']],
  ['REST JSON 409 (409093, already queued)', 'refresh', ['refresh', '--wait']],
  [
    'REST XML 409 (409090, not refreshable)',
    'refresh',
    ['refresh', '--wait', '--log-format', 'json'],
  ],
  ['REST JSON 500 (retried)', 'refresh', ['refresh', '--log-format', 'json', '--debug']],
  ['REST JSON 401 (401000)', 'refresh', ['refresh', '--wait']],
  ['REST XML 400, code echoed', 'job', ['refresh', '--wait', '--debug']],
  ['job notes of a failed job', 'job', ['refresh', '--wait', '--log-format', 'json', '--debug']],
  ['REST JSON 400, code echoed', 'signout', ['sync']],
];
/** Server URLs with a password (`<password>` stands for it), each tried with every command. */
export const USERINFO_FORMS = [
  (base: string, password: string) => base.replace('://', `://user:${password}@`),
  (_base: string, password: string) => `user:${password}@127.0.0.1`,
  (_base: string, password: string) => `http://user:${password}@bad host`,
  (base: string, password: string) => `${base.replace('://', `://user:${password}@`)}/?x=1`,
];
export const USERINFO_COMMANDS = [
  ['sync', '--verbose'],
  ['refresh', '--verbose'],
  ['snapshot', '--out', 's.json', '--verbose'],
];
/** `--concurrency` from the flag and from the config file. */
export const CONCURRENCY_CASES = 2;

/** Every CLI hostile-server case. */
export function cliCaseCount(): number {
  return (
    SYNC_REFUSED.length +
    SYNC_OTHER_CASES +
    REFRESH_REDIRECTS.length +
    CLI_ECHO.length +
    USERINFO_FORMS.length * USERINFO_COMMANDS.length +
    CONCURRENCY_CASES
  );
}
