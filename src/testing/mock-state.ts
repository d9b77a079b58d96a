/**
 * The mutable state behind one mock server: the site, sessions, jobs, faults and counters, with
 * the operations the HTTP layer and the test-facing handle share.
 */
import { type RefreshTarget, refreshTargetKey } from '../tableau/types.js';
import { FaultBook, MOCK_ROUTES, type MockRoute } from './mock-faults.js';
import type { MockGraphQLLimits } from './mock-graphql.js';
import {
  isoSeconds,
  jobActive,
  jobEndMs,
  type MockJob,
  type MockJobPlan,
  resolveJobPlan,
} from './mock-jobs.js';
import type { SessionBook } from './mock-sessions.js';
import type { MockSite } from './site-model.js';

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
  signOuts: number;
  /** Requests answered 401000 (no, unknown or expired session). */
  unauthorized: number;
  /** GraphQL requests per top-level connection field. */
  graphql: Record<string, number>;
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
}

export function emptyCounters(): MockCounters {
  return {
    requests: Object.fromEntries(MOCK_ROUTES.map((r) => [r, 0])) as Record<MockRoute, number>,
    total: 0,
    signIns: 0,
    failedSignIns: 0,
    signOuts: 0,
    unauthorized: 0,
    graphql: {},
    refreshCalls: {},
    jobPolls: {},
    faults: 0,
  };
}

/** Everything the server knows. */
export class MockState {
  readonly site: MockSite;
  readonly sessions: SessionBook;
  readonly faults = new FaultBook();
  readonly jobs = new Map<string, MockJob>();
  readonly jobPlans = new Map<string, MockJobPlan>();
  readonly limits: MockGraphQLLimits;
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
    limits: MockGraphQLLimits;
    now: () => number;
    apiVersion: string;
    productVersion: string;
    defaultJobPlan: MockJobPlan;
  }) {
    this.site = init.site;
    this.sessions = init.sessions;
    this.limits = init.limits;
    this.now = init.now;
    this.apiVersion = init.apiVersion;
    this.productVersion = init.productVersion;
    this.defaultJobPlan = init.defaultJobPlan;
  }

  /** The refresh target with that kind and luid, or null. */
  findTarget(
    kind: RefreshTarget['kind'],
    luid: string,
  ): (RefreshTarget & { hasExtracts: boolean }) | null {
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
  activeJob(target: RefreshTarget): MockJob | undefined {
    const key = refreshTargetKey(target);
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (refreshTargetKey(job.target) === key && jobActive(job, now)) return job;
    }
    return undefined;
  }

  /** Create a job for a target (ids are deterministic: the n-th job of the server). */
  createJob(target: RefreshTarget): MockJob {
    this.#jobCount += 1;
    const id = `00000000-0000-4000-8000-${String(this.#jobCount).padStart(12, '0')}`;
    const plan = resolveJobPlan({
      ...this.defaultJobPlan,
      ...this.jobPlans.get(refreshTargetKey(target)),
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
      if (job.plan.outcome === 'success') this.setRefreshTime(job.target, isoSeconds(end));
    }
  }

  /** Set a target's extract refresh time (a workbook: each of its embedded extracts). */
  setRefreshTime(target: Pick<RefreshTarget, 'kind' | 'luid'>, iso: string | null): void {
    if (target.kind === 'workbook') {
      const wb = this.site.workbooks.find((w) => w.luid === target.luid);
      for (const ds of wb?.embeddedDatasources ?? []) {
        if (ds.hasExtracts) ds.extractLastRefreshTime = iso;
      }
      return;
    }
    const ds = this.site.publishedDatasources.find((d) => d.luid === target.luid);
    if (ds !== undefined) ds.extractLastRefreshTime = iso;
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
