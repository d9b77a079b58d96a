/**
 * The redirect matrix: every redirect status (301, 302, 303, 307, 308) on every kind of request
 * (server info, sign-in, GraphQL, REST refresh, job polling, sign-out) to every kind of target,
 * and what must come of it. redirects.slow.test.ts runs every case; redirects.test.ts runs the
 * covering subset (`REDIRECT_FACETS`): every operation, status and target, every operation with
 * every outcome it can have, and the pod rule's 303 and pod statuses on each session-opening
 * request.
 */
import type { Test } from 'tap';
import { createTableauClient, type TableauClientOptions } from '../../src/index.js';
import type { Facet } from '../helpers/covering.js';
import { assertNoSecrets, renderAll, SENTINELS } from '../helpers/secrets.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import { type HostileServer, pathOf, type SeenRequest, startHostile } from './hostile.js';

export const CUSTOMER_HEALTH = {
  kind: 'workbook' as const,
  luid: '1a2b3c4d-0000-4000-8000-00000000e003',
  name: 'Customer Health',
};

type Client = ReturnType<typeof createTableauClient>;

export interface Operation {
  name: string;
  /** The request the origin redirects. */
  matches(request: SeenRequest): boolean;
  /** Opens the session (may move to the pod). */
  opensSession: boolean;
  run(client: Client): Promise<unknown>;
}

export const OPERATIONS: Operation[] = [
  {
    name: 'server info',
    matches: (r) => r.method === 'GET' && pathOf(r).endsWith('/serverinfo'),
    opensSession: true,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'sign-in',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signin'),
    opensSession: true,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'GraphQL',
    matches: (r) => pathOf(r) === '/api/metadata/graphql',
    opensSession: false,
    run: (c) => c.listWorkbooks(),
  },
  {
    name: 'REST refresh',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/refresh'),
    opensSession: false,
    run: (c) => c.refresh(CUSTOMER_HEALTH),
  },
  {
    name: 'job polling',
    matches: (r) => r.method === 'GET' && pathOf(r).includes('/jobs/'),
    opensSession: false,
    run: async (c) => {
      const trigger = await c.refresh(CUSTOMER_HEALTH);
      if (trigger.status !== 'queued') throw new Error('expected a job');
      return c.waitForJob(trigger.jobId, { timeoutMs: 5000, pollIntervalMs: 10 });
    },
  },
  {
    name: 'sign-out',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signout'),
    opensSession: false,
    run: async (c) => {
      await c.getLastRefreshTimes([CUSTOMER_HEALTH]);
      await c.signOut();
    },
  },
];

export const STATUSES = [301, 302, 303, 307, 308];

export interface Target {
  name: string;
  location(origin: HostileServer, other: HostileServer, path: string): string;
  /** Followed within the origin; `pod`: followed to the other host when the pod rule allows. */
  kind: 'same-origin' | 'pod' | 'refused';
}

export const TARGETS: Target[] = [
  { name: 'same origin', kind: 'same-origin', location: (o, _x, p) => `${o.url}/moved${p}` },
  { name: 'same origin, relative', kind: 'same-origin', location: (_o, _x, p) => `/moved${p}` },
  { name: 'other host, same path', kind: 'pod', location: (_o, x, p) => `${x.url}${p}` },
  { name: 'other host, other path', kind: 'refused', location: (_o, x) => `${x.url}/collect` },
  {
    name: 'other host with credentials',
    kind: 'refused',
    location: (_o, x, p) => `${x.url.replace('://', '://user:pw@')}${p}`,
  },
  {
    name: 'a public host',
    kind: 'refused',
    location: (_o, _x, p) => `https://collector.invalid${p}`,
  },
];

/** Whether the pod rule applies: a session-opening request, a status that re-sends the POST. */
function followsToPod(op: Operation, status: number): boolean {
  return op.opensSession && status !== 303;
}

export interface RedirectCase {
  op: Operation;
  status: number;
  target: Target;
  outcome: 'same-origin' | 'pod' | 'refused';
}

/** Every operation × status × target, in that order. */
export const REDIRECT_CASES: RedirectCase[] = OPERATIONS.flatMap((op) =>
  STATUSES.flatMap((status) =>
    TARGETS.map((target) => ({
      op,
      status,
      target,
      outcome: target.kind === 'pod' ? (followsToPod(op, status) ? 'pod' : 'refused') : target.kind,
    })),
  ),
);

/** What `npm test` covers of the matrix (see the file comment). */
export const REDIRECT_FACETS: Facet<RedirectCase>[] = [
  (c) => c.op.name,
  (c) => String(c.status),
  (c) => c.target.name,
  (c) => `${c.op.name}: ${c.outcome}`,
  (c) =>
    c.op.opensSession && c.target.kind === 'pod'
      ? `${c.op.name}: ${c.status === 303 ? '303' : 'a pod status'}`
      : undefined,
];

export function redirectCaseName(c: RedirectCase): string {
  return `${c.op.name}, ${c.status} to ${c.target.name}: ${c.outcome}`;
}

export interface Scene {
  origin: HostileServer;
  other: HostileServer;
  log: ReturnType<typeof captureLogger>;
  client: Client;
  redirected: SeenRequest[];
}

/** The mock behind an origin that redirects the first request `op` matches. */
export async function scene(
  t: Test,
  op: Operation,
  status: number,
  target: Target,
  extra: Partial<TableauClientOptions> = {},
): Promise<Scene> {
  const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
  const redirected: SeenRequest[] = [];
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (request, self) => {
      if (redirected.length > 0 || !op.matches(request) || request.url.startsWith('/moved/')) {
        return 'forward';
      }
      redirected.push(request);
      return {
        status,
        headers: { location: target.location(self, other, request.url) },
        body: '<html><body>Moved</body></html>',
      };
    },
  });
  const log = captureLogger();
  const client = createTableauClient({
    ...clientOptions({ url: origin.url, siteName: mock.siteName }, { logger: log.logger }),
    ...extra,
  });
  return { origin, other, log, client, redirected };
}

export function leaks(requests: SeenRequest[]): boolean {
  const text = renderAll(requests);
  return SENTINELS.some((secret) => text.includes(secret));
}

/** Run one case of the matrix and assert its outcome, with no secret anywhere. */
export async function runRedirectCase(t: Test, c: RedirectCase): Promise<void> {
  const { op, status, target, outcome } = c;
  const s = await scene(t, op, status, target);
  let error: unknown;
  try {
    await op.run(s.client);
  } catch (caught) {
    error = caught;
  }
  t.equal(s.redirected.length, 1, 'the origin answered with the redirect');
  if (outcome === 'refused') {
    t.match(error, { code: 'ERR_TABLEAU_REDIRECT', status });
    const message = (error as Error).message;
    t.match(message, new URL(s.origin.url).origin, 'names the origin');
    if (target.name.startsWith('other host')) {
      t.match(message, new URL(s.other.url).origin, 'names the other origin');
    }
    t.match(message, /nothing was sent there/);
    t.equal(s.origin.requests.filter((r) => op.matches(r)).length, 1, 'not retried');
    t.same(s.other.requests, [], 'nothing reached the other host');
  } else {
    t.equal(error, undefined, 'the operation succeeded');
    if (outcome === 'same-origin') {
      t.same(s.other.requests, [], 'nothing reached the other host');
      t.ok(
        s.origin.requests.some((r) => r.url.startsWith('/moved/')),
        'followed',
      );
    } else {
      t.ok(s.other.requests.length > 0, 'the session moved to the pod');
      const after = s.origin.requests.slice(s.origin.requests.indexOf(s.redirected[0]!) + 1);
      t.same(after, [], 'nothing more went to the generic host');
      const warning = s.log.lines.find((l) => l.level === 'warn');
      t.match(warning?.data, {
        event: 'tableau_pod_redirect',
        from: new URL(s.origin.url).origin,
        to: new URL(s.other.url).origin,
      });
    }
  }
  if (outcome !== 'pod') t.notOk(leaks(s.other.requests), 'no secret on the other host');
  assertNoSecrets(t, error, s.log.lines);
}
