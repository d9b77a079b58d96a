/**
 * The mutable state behind one mock server: sessions (one live session per token, as Tableau
 * enforces), refresh jobs (whose state is a function of the injectable clock), counters and the
 * request log, with the operations the route handlers and the test-facing handle share.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectedAppBook } from './connected-app.js';
import type { MockSite } from './site.js';

/** A refresh target of the mock: a workbook (its embedded extracts) or a published data source. */
export interface MockTarget {
  kind: 'workbook' | 'datasource';
  luid: string;
  name: string;
}

/** The key of a target in counters and job plans: `workbook:<luid>` / `datasource:<luid>`. */
export function targetKey(target: Pick<MockTarget, 'kind' | 'luid'>): string {
  return `${target.kind}:${target.luid}`;
}

/** The routes of the mock server, for counters and faults (`*` = every route). */
export type MockRoute =
  | 'serverinfo'
  | 'signin'
  | 'signout'
  | 'graphql'
  | 'collections'
  | 'collection-items'
  | 'projects'
  | 'refresh-workbook'
  | 'refresh-datasource'
  | 'job'
  | 'unknown';

/** Every route name, in a stable order. */
const MOCK_ROUTES: readonly MockRoute[] = [
  'serverinfo',
  'signin',
  'signout',
  'graphql',
  'collections',
  'collection-items',
  'projects',
  'refresh-workbook',
  'refresh-datasource',
  'job',
  'unknown',
];

// ---------------------------------------------------------------------------------------------
// Sessions: a new sign-in with the same personal access token ends the previous session (its
// token then gets 401000), as Tableau documents; connected-app sessions are independent of each
// other, however many are open for one app and user.

/** A personal access token the mock server accepts. Names and secrets are case-sensitive. */
export interface MockToken {
  name: string;
  secret: string;
}

/** Default token name (used when `tokens` is not given). */
export const MOCK_TOKEN_NAME = 'mock-token';
/** Default token secret (used when `tokens` is not given). Not a real secret. */
export const MOCK_TOKEN_SECRET = 'mock-token-secret';

interface MockSession {
  /** The personal access token it was opened with; null for a connected-app session. */
  tokenName: string | null;
  requests: number;
}

/** The live sessions of one server. */
export class SessionBook {
  readonly #byToken = new Map<string, MockSession>();
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
    const token = this.#open(name);
    this.#byName.set(name, token);
    return token;
  }

  /** Open a connected-app session (its JWT already verified); other sessions stay live. */
  openConnectedAppSession(): string {
    return this.#open(null);
  }

  #open(tokenName: string | null): string {
    this.#issued += 1;
    const token = this.#issue(this.#issued);
    this.#byToken.set(token, { tokenName, requests: 0 });
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
    if (session.tokenName !== null && this.#byName.get(session.tokenName) === token) {
      this.#byName.delete(session.tokenName);
    }
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

// ---------------------------------------------------------------------------------------------
// Refresh jobs: queued for `queuedMs`, then in progress for `runMs`, then finished with the planned
// outcome (finishCode 0 success, 1 failed with notes, 2 cancelled), or in progress forever (`hang`).

/** How a refresh job behaves. */
export interface MockJobPlan {
  /** Default "success". */
  outcome?: 'success' | 'failed' | 'cancelled' | 'hang' | undefined;
  /** Time spent queued, in ms of the server clock. Default 50. */
  queuedMs?: number | undefined;
  /** Time spent running, in ms of the server clock. Default 100. */
  runMs?: number | undefined;
  /** Tableau's failure notes (for "failed"). Default: a realistic driver error. */
  notes?: string | undefined;
  /**
   * An incremental refresh: on success it moves `extractLastUpdateTime` only (Tableau's
   * `extractLastRefreshTime` is the last FULL refresh). Default false.
   */
  incremental?: boolean | undefined;
}

/** Default plan values. */
const DEFAULT_JOB_PLAN = {
  outcome: 'success',
  queuedMs: 50,
  runMs: 100,
  notes:
    'com.tableausoftware.nativeapi.dll.DataSourceException: The database returned an error: relation does not exist',
  incremental: false,
} as const satisfies ResolvedJobPlan;

/** A plan with every field set. */
type ResolvedJobPlan = { [K in keyof MockJobPlan]-?: Exclude<MockJobPlan[K], undefined> };

/** A job as created. */
export interface MockJob {
  id: string;
  target: MockTarget;
  createdAtMs: number;
  plan: ResolvedJobPlan;
  /** Whether its success has been applied to the site's refresh times. */
  applied: boolean;
}

/** A job as reported at some time. */
export interface MockJobState {
  id: string;
  status: 'queued' | 'in_progress' | 'success' | 'failed' | 'cancelled';
  progress: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  finishCode: number | null;
  notes: string | null;
}

/** ISO time without milliseconds, as Tableau writes it. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The fields of a plan that are given (a field set to `undefined` is not). */
function givenFields(plan: MockJobPlan | undefined): MockJobPlan {
  return Object.fromEntries(Object.entries(plan ?? {}).filter(([, value]) => value !== undefined));
}

/** Complete a partial plan with the defaults. */
function resolveJobPlan(plan: MockJobPlan = {}): ResolvedJobPlan {
  // Field by field: a field given as `undefined` takes its default too.
  return {
    outcome: plan.outcome ?? DEFAULT_JOB_PLAN.outcome,
    queuedMs: plan.queuedMs ?? DEFAULT_JOB_PLAN.queuedMs,
    runMs: plan.runMs ?? DEFAULT_JOB_PLAN.runMs,
    notes: plan.notes ?? DEFAULT_JOB_PLAN.notes,
    incremental: plan.incremental ?? DEFAULT_JOB_PLAN.incremental,
  };
}

/** When the job finishes (ms), or null if it never does. */
function jobEndMs(job: MockJob): number | null {
  if (job.plan.outcome === 'hang') return null;
  return job.createdAtMs + job.plan.queuedMs + job.plan.runMs;
}

/** The state of a job at `nowMs`. */
export function jobState(job: MockJob, nowMs: number): MockJobState {
  const startMs = job.createdAtMs + job.plan.queuedMs;
  const endMs = jobEndMs(job);
  const base = { id: job.id, createdAt: isoSeconds(job.createdAtMs) };
  if (nowMs < startMs) {
    return {
      ...base,
      status: 'queued',
      progress: 0,
      startedAt: null,
      completedAt: null,
      finishCode: null,
      notes: null,
    };
  }
  if (endMs === null || nowMs < endMs) {
    const progress =
      endMs === null
        ? 50
        : Math.min(99, Math.floor(((nowMs - startMs) / Math.max(1, endMs - startMs)) * 100));
    return {
      ...base,
      status: 'in_progress',
      progress,
      startedAt: isoSeconds(startMs),
      completedAt: null,
      finishCode: null,
      notes: null,
    };
  }
  const outcome = job.plan.outcome as 'success' | 'failed' | 'cancelled';
  return {
    ...base,
    status: outcome,
    progress: 100,
    startedAt: isoSeconds(startMs),
    completedAt: isoSeconds(endMs),
    finishCode: outcome === 'success' ? 0 : outcome === 'failed' ? 1 : 2,
    notes: outcome === 'failed' ? job.plan.notes : null,
  };
}

/** Whether the job is queued or running at `nowMs` (a new refresh of its target gets 409093). */
function jobActive(job: MockJob, nowMs: number): boolean {
  const endMs = jobEndMs(job);
  return endMs === null || nowMs < endMs;
}

// ---------------------------------------------------------------------------------------------
// Counters, the request log, and the state object

/** Counters tests assert on. Read them through `server.counters` (a copy). */
export interface MockCounters {
  /** Requests per route (every request, including faulted and rejected ones). */
  requests: Record<MockRoute, number>;
  /** All requests. */
  total: number;
  /** Successful sign-ins. */
  signIns: number;
  /** Rejected sign-ins (401001). */
  failedSignIns: number;
  /** Connected-app tokens refused at sign-in, by reason (`expired`, `replayed-jti`, …; see `MockJwtRejection`). */
  rejectedJwts: Record<string, number>;
  signOuts: number;
  /** Requests answered 401000 (no, unknown or expired session). */
  unauthorized: number;
  /** GraphQL requests per top-level connection field. */
  graphql: Record<string, number>;
  /**
   * Objects answered per top-level connection field (the connection, its pageInfo, every node and
   * nested object): what Tableau's node limit counts.
   */
  graphqlNodes: Record<string, number>;
  /** GraphQL documents rejected by schema validation (a field, argument or type the version lacks). */
  invalidDocuments: number;
  /** Refresh calls per target (`workbook:<luid>` / `datasource:<luid>`), including rejected ones. */
  refreshCalls: Record<string, number>;
  /** Job status polls per job id. */
  jobPolls: Record<string, number>;
  /** Faults applied. */
  faults: number;
}

/** One line of the request log (no headers, no bodies: nothing secret). */
export interface MockRequestRecord {
  method: string;
  route: MockRoute;
  path: string;
  status: number;
  /** The address the request arrived at: the server's `url`, or its `podUrl` (see the `pod` option). */
  origin: string;
  /** Whether it carried an `X-Tableau-Auth` header (never its value). */
  sessionToken: boolean;
}

function emptyCounters(): MockCounters {
  return {
    requests: Object.fromEntries(MOCK_ROUTES.map((r) => [r, 0])) as Record<MockRoute, number>,
    total: 0,
    signIns: 0,
    failedSignIns: 0,
    rejectedJwts: {},
    signOuts: 0,
    unauthorized: 0,
    graphql: {},
    graphqlNodes: {},
    invalidDocuments: 0,
    refreshCalls: {},
    jobPolls: {},
    faults: 0,
  };
}

/** Everything the server knows. */
export class MockState {
  readonly site: MockSite;
  readonly sessions: SessionBook;
  readonly connectedApps: ConnectedAppBook;
  readonly jobs = new Map<string, MockJob>();
  readonly jobPlans = new Map<string, MockJobPlan>();
  readonly now: () => number;
  readonly apiVersion: string;
  readonly productVersion: string;
  defaultJobPlan: MockJobPlan;
  counters = emptyCounters();
  log: MockRequestRecord[] = [];
  #jobCount = 0;

  constructor(init: {
    site: MockSite;
    sessions: SessionBook;
    connectedApps: ConnectedAppBook;
    now: () => number;
    apiVersion: string;
    productVersion: string;
    defaultJobPlan: MockJobPlan;
  }) {
    this.site = init.site;
    this.sessions = init.sessions;
    this.connectedApps = init.connectedApps;
    this.now = init.now;
    this.apiVersion = init.apiVersion;
    this.productVersion = init.productVersion;
    this.defaultJobPlan = init.defaultJobPlan;
  }

  /** The refresh target with that kind and luid, or null. */
  findTarget(
    kind: MockTarget['kind'],
    luid: string,
  ): (MockTarget & { hasExtracts: boolean }) | null {
    if (kind === 'workbook') {
      const wb = this.site.workbooks.find((w) => w.luid === luid);
      return wb === undefined
        ? null
        : {
            kind,
            luid,
            name: wb.name,
            hasExtracts: wb.embeddedDatasources.some((d) => d.hasExtracts),
          };
    }
    const ds = this.site.publishedDatasources.find((d) => d.luid === luid);
    return ds === undefined ? null : { kind, luid, name: ds.name, hasExtracts: ds.hasExtracts };
  }

  /** The queued or running job of a target, if any. */
  activeJob(target: MockTarget): MockJob | undefined {
    const key = targetKey(target);
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (targetKey(job.target) === key && jobActive(job, now)) return job;
    }
    return undefined;
  }

  /** Create a job for a target (ids are deterministic: the n-th job of the server). */
  createJob(target: MockTarget): MockJob {
    this.#jobCount += 1;
    const id = `00000000-0000-4000-8000-${String(this.#jobCount).padStart(12, '0')}`;
    const plan = resolveJobPlan({
      ...givenFields(this.defaultJobPlan),
      ...givenFields(this.jobPlans.get(targetKey(target))),
    });
    const job: MockJob = {
      id,
      target: { kind: target.kind, luid: target.luid, name: target.name },
      createdAtMs: this.now(),
      plan,
      applied: false,
    };
    this.jobs.set(id, job);
    return job;
  }

  /** Apply finished successful jobs to the site's extract refresh times. */
  settleJobs(): void {
    const now = this.now();
    for (const job of this.jobs.values()) {
      const end = jobEndMs(job);
      if (job.applied || end === null || end > now) continue;
      job.applied = true;
      if (job.plan.outcome === 'success') {
        this.setRefreshTime(job.target, isoSeconds(end), job.plan.incremental);
      }
    }
  }

  /**
   * Set a target's extract refresh times (a workbook: each of its embedded extracts): a full
   * refresh sets `extractLastRefreshTime` and `extractLastUpdateTime`, an incremental one only the
   * latter.
   */
  setRefreshTime(
    target: Pick<MockTarget, 'kind' | 'luid'>,
    iso: string | null,
    incremental = false,
  ): void {
    const set = (ds: {
      extractLastRefreshTime: string | null;
      extractLastUpdateTime: string | null;
    }) => {
      if (!incremental) ds.extractLastRefreshTime = iso;
      ds.extractLastUpdateTime = iso;
    };
    if (target.kind === 'workbook') {
      const wb = this.site.workbooks.find((w) => w.luid === target.luid);
      for (const ds of wb?.embeddedDatasources ?? []) {
        if (ds.hasExtracts) set(ds);
      }
      return;
    }
    const ds = this.site.publishedDatasources.find((d) => d.luid === target.luid);
    if (ds !== undefined) set(ds);
  }

  /** Record a request outcome. */
  record(entry: MockRequestRecord): void {
    this.log.push(entry);
  }

  /** Count a request of a route. */
  countRequest(route: MockRoute): void {
    this.counters.requests[route] += 1;
    this.counters.total += 1;
  }

  /** Increment a keyed counter. */
  bump(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  /** Forget counters and the request log. */
  resetCounters(): void {
    this.counters = emptyCounters();
    this.log = [];
  }
}
