/**
 * Shared pieces of the reliability suite: the example site on the mock server (real HTTP on
 * 127.0.0.1) signed into with the sentinel secrets, a client with small timeouts and retry delays,
 * a log capture, scratch directories, and a byte-exact picture of a directory (to prove a failed
 * run left the previous outputs untouched and no temporary file behind).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Test } from 'tap';
import { createTableauClient, type TableauHttpClient } from '../../src/tableau/client.js';
import type { TableauClientOptions } from '../../src/tableau/settings.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import {
  createMockTableauServer,
  type MockTableauServer,
  type MockTableauServerOptions,
} from '../../src/testing/index.js';
import {
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';

/** The example dbt project and its Tableau site (7 workbooks, 5 projects). */
export const exampleProject = join(repoRoot, 'examples', 'jaffle-tableau');
export const exampleManifest = join(exampleProject, 'target', 'manifest.json');
export const exampleRunResults = join(exampleProject, 'target', 'run_results.json');

/** Names of the example site's workbooks, sorted (written by hand from tableau-site.json). */
export const EXAMPLE_WORKBOOKS = [
  'Customer Health',
  'Executive KPIs',
  'Finance Forecast',
  'Marketing Spend',
  'Ops Live Monitor',
  'Refund Tracker',
  'Sales Overview',
];

/** Client timeouts of the suite: every bound on elapsed time is derived from these. */
export const TIMEOUT_MS = 1500;
export const RETRIES = 2;
export const RETRY_MAX_DELAY_MS = 20;

export async function exampleSite(): Promise<MockSiteInput> {
  return JSON.parse(
    await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
  ) as MockSiteInput;
}

/** Session token of the n-th sign-in: every one carries the sentinel. */
export function sentinelSessionToken(n: number): string {
  return n === 1 ? SENTINEL_SESSION_TOKEN : `${SENTINEL_SESSION_TOKEN}-${n}`;
}

/** The mock server with the example site (or `options`), accepting only the sentinel token. */
export async function startMock(
  t: Pick<Test, 'teardown'>,
  options: MockTableauServerOptions = {},
): Promise<MockTableauServer> {
  const mock = await createMockTableauServer({
    ...(options.workbooks === undefined && options.siteModel === undefined
      ? { siteModel: await exampleSite() }
      : {}),
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: sentinelSessionToken,
    ...options,
  });
  t.teardown(() => mock.close());
  return mock;
}

export interface LogLine {
  level: string;
  message: string;
  data: unknown;
}

/** A logger that keeps every line (level, message, data). */
export function captureLogger(): {
  lines: LogLine[];
  logger: Required<NonNullable<TableauClientOptions['logger']>>;
} {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, data?: unknown) => {
    lines.push({ level, message, data });
  };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

/** Client options for the mock with the suite's small timeouts. */
export function clientOptions(
  mock: Pick<MockTableauServer, 'url' | 'siteName'>,
  extra: Partial<TableauClientOptions> = {},
): TableauClientOptions {
  return {
    serverUrl: mock.url,
    siteName: mock.siteName,
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
    timeoutMs: TIMEOUT_MS,
    retries: RETRIES,
    retryMinDelayMs: 5,
    retryMaxDelayMs: RETRY_MAX_DELAY_MS,
    maxRetryAfterMs: 2000,
    pageSize: 2,
    ...extra,
  };
}

export function client(
  mock: MockTableauServer,
  extra: Partial<TableauClientOptions> = {},
): TableauHttpClient {
  return createTableauClient(clientOptions(mock, extra));
}

/** Sign in (one Metadata API call) so that later counters show only the operation's requests. */
export async function warmUp(c: Pick<TableauHttpClient, 'getLastRefreshTimes'>): Promise<void> {
  await c.getLastRefreshTimes([
    { kind: 'workbook', luid: '1a2b3c4d-0000-4000-8000-00000000e003', name: 'Customer Health' },
  ]);
}

/**
 * Sign in directly with the same personal access token, as another process would: Tableau then
 * ends the first client's session (one session per token).
 */
export async function signInElsewhere(mock: MockTableauServer): Promise<void> {
  const response = await fetch(`${mock.url}/api/${mock.apiVersion}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      credentials: {
        site: { contentUrl: mock.siteName },
        personalAccessTokenName: SENTINEL_TOKEN_NAME,
        personalAccessTokenSecret: SENTINEL_SECRET,
      },
    }),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`sign-in elsewhere answered ${response.status}`);
}

/** What a promise rejected with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A fresh scratch directory, removed after the test. */
export async function scratch(t: Pick<Test, 'teardown'>, prefix = 'dae-rel-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir` (relative path → exact text), sorted: compare with `t.same`. */
export async function pictureOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    out[relative(dir, file)] = (await readFile(file)).toString('latin1');
  }
  return out;
}

/** A picture with the mock server's ephemeral port replaced, to compare runs on two servers. */
export function withoutPort(picture: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(picture).map(([k, v]) => [k, v.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')]),
  );
}

/** Files under `dir` that look like leftovers of an interrupted write. */
export async function leftovers(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((name) => /\.tmp$|\.tmp-|~$/.test(String(name))).map(String);
}
