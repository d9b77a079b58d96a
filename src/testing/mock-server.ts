/**
 * `createMockTableauServer`: a real `node:http` server on 127.0.0.1 (port 0) that answers like
 * Tableau (REST sign-in/out, serverinfo, refresh, jobs, collections, and the Metadata API queries
 * of `src/tableau/queries.ts`), with fault injection and counters. See
 * docs/testing-with-the-mock-server.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DbtAutoExposuresError } from '../errors.js';
import { type RefreshTarget, refreshTargetKey } from '../tableau/types.js';
import type { MockAnswer } from './mock-answer.js';
import type { MockFault, MockFaultSpec, MockRoute } from './mock-faults.js';
import { handle } from './mock-handlers.js';
import { jobState, type MockJobPlan, type MockJobState } from './mock-jobs.js';
import { type BodyFormat, renderError, renderHtmlError } from './mock-rest-bodies.js';
import { matchRoute } from './mock-routes.js';
import {
  MOCK_TOKEN_NAME,
  MOCK_TOKEN_SECRET,
  type MockToken,
  SessionBook,
} from './mock-sessions.js';
import { type MockCounters, type MockRequestRecord, MockState } from './mock-state.js';
import { resolveMockSite } from './resolve-mock-site.js';
import type { MockSite, MockSiteInput, MockWorkbookInput } from './site-model.js';

/** Options of `createMockTableauServer`. Every option has a default. */
export interface MockTableauServerOptions {
  /** The site's contentUrl, or contentUrl/luid/name. Default: `siteModel.contentUrl` or "mock". */
  site?: string | { contentUrl: string; luid?: string; name?: string };
  /** The workbooks to serve (e.g. `TableauWorkbook[]` from a snapshot). Exclusive with `siteModel`. */
  workbooks?: MockWorkbookInput[];
  /** A whole site (projects, published data sources, collections). Exclusive with `workbooks`. */
  siteModel?: MockSiteInput;
  /** Latest REST API version the server supports (serverinfo). Default "3.28". */
  apiVersion?: string;
  /** productVersion in serverinfo. Default "2025.3.0". */
  productVersion?: string;
  /** Accepted personal access tokens. Default: one, `MOCK_TOKEN_NAME` / `MOCK_TOKEN_SECRET`. */
  tokens?: MockToken[];
  /** Session token for the n-th sign-in (1-based). Default: `mock-session-<n>-<random hex>`. */
  issueSessionToken?: (n: number) => string;
  /** A session expires after this many authenticated requests. Default: never. */
  sessionRequestLimit?: number;
  /** Server clock (epoch ms) for jobs and refresh times. Default `Date.now`. */
  now?: () => number;
  /** Default plan of every refresh job (see `MockJobPlan`). */
  jobPlan?: MockJobPlan;
  /** Plans per target, by `refreshTargetKey` (`workbook:<luid>` / `datasource:<luid>`). */
  jobPlans?: Record<string, MockJobPlan>;
  /** Faults per route (`*` = every route). */
  faults?: Partial<Record<MockRoute | '*', MockFaultSpec>>;
  /** Largest GraphQL `first` honoured. Default 1000. */
  maxPageSize?: number;
  /** Objects per GraphQL response before NODE_LIMIT_EXCEEDED. Default 20000. */
  nodeLimit?: number;
}

/** A running mock server. */
export interface MockTableauServer {
  /** `http://127.0.0.1:<port>` — pass as `serverUrl` (loopback http is allowed by the client). */
  readonly url: string;
  readonly port: number;
  /** The site's contentUrl (pass as `siteName`) and luid. */
  readonly siteName: string;
  readonly siteLuid: string;
  readonly apiVersion: string;
  /** The served site (live: refresh jobs update its extract refresh times). */
  readonly site: MockSite;
  /** A copy of the counters. */
  readonly counters: MockCounters;
  /** A copy of the request log (method, route, path, status — never headers or bodies). */
  readonly requests: MockRequestRecord[];
  /** Number of live sessions. */
  readonly activeSessions: number;
  /** Add a fault to a route at runtime (a bare fault hits once; see `MockFaultRule`). */
  inject(route: MockRoute | '*', spec: MockFaultSpec): void;
  /** Remove faults (of one route, or all). */
  clearFaults(route?: MockRoute | '*'): void;
  /** Set the plan of future jobs of a target (`null` target = the default plan). */
  setJobPlan(target: Pick<RefreshTarget, 'kind' | 'luid'> | null, plan: MockJobPlan): void;
  /** The state of every job now, in creation order. */
  jobs(): MockJobState[];
  /** Set a target's extract refresh time (a workbook: all its embedded extracts). */
  setExtractRefreshTime(target: Pick<RefreshTarget, 'kind' | 'luid'>, iso: string | null): void;
  /** End every session (their tokens then get 401000). */
  expireSessions(): void;
  /** Zero the counters and the request log. */
  resetCounters(): void;
  /** Stop the server and close open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function formatOf(req: IncomingMessage): BodyFormat {
  return String(req.headers.accept ?? '').includes('application/json') ? 'json' : 'xml';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function faultAnswer(fault: MockFault, format: BodyFormat): MockAnswer | null {
  const retryAfter = (value: number | string | undefined): Record<string, string> =>
    value === undefined ? {} : { 'retry-after': String(value) };
  if (fault.kind === 'rate-limit') {
    return {
      status: 429,
      headers: retryAfter(fault.retryAfter),
      body: renderHtmlError(429, 'Too Many Requests'),
    };
  }
  if (fault.kind === 'status') {
    const body = fault.html
      ? renderHtmlError(fault.status, 'Service Error')
      : renderError(
          format,
          `${fault.status}000`,
          'Internal Server Error',
          `Injected failure (HTTP ${fault.status})`,
        );
    return { status: fault.status, headers: retryAfter(fault.retryAfter), body };
  }
  return null;
}

function applyGraphQLFault(answer: MockAnswer, fault: MockFault): void {
  if (fault.kind !== 'graphql-errors' || answer.graphql === undefined) return;
  const errors = fault.errors ?? [
    { message: 'Reached time limit of PT5S for query execution.', path: null, extensions: null },
  ];
  const body = answer.graphql;
  if (fault.partial === false) {
    answer.graphql = { data: null, errors };
    return;
  }
  // Partial data: half of the nodes, the real pageInfo, plus the errors.
  for (const value of Object.values(body.data ?? {})) {
    const conn = value as { nodes?: unknown[] };
    if (Array.isArray(conn.nodes))
      conn.nodes = conn.nodes.slice(0, Math.floor(conn.nodes.length / 2));
  }
  body.errors = [...(body.errors ?? []), ...errors];
}

/** Start a mock Tableau server on 127.0.0.1 with an ephemeral port. */
export async function createMockTableauServer(
  options: MockTableauServerOptions = {},
): Promise<MockTableauServer> {
  if (options.workbooks !== undefined && options.siteModel !== undefined) {
    throw new DbtAutoExposuresError(
      'ERR_INVALID_OPTION',
      'Give either workbooks or siteModel, not both',
      {
        field: 'workbooks',
        expected: 'workbooks or siteModel',
      },
    );
  }
  const siteOption = typeof options.site === 'string' ? { contentUrl: options.site } : options.site;
  const input: MockSiteInput = {
    ...(options.siteModel ?? {}),
    workbooks: options.workbooks ?? options.siteModel?.workbooks ?? [],
  };
  if (siteOption !== undefined) {
    input.contentUrl = siteOption.contentUrl;
    if (siteOption.luid !== undefined) input.luid = siteOption.luid;
    if (siteOption.name !== undefined) input.name = siteOption.name;
  }
  const site = resolveMockSite(input);
  const state = new MockState({
    site,
    sessions: new SessionBook(
      options.tokens ?? [{ name: MOCK_TOKEN_NAME, secret: MOCK_TOKEN_SECRET }],
      options.issueSessionToken,
      options.sessionRequestLimit ?? Number.POSITIVE_INFINITY,
    ),
    limits: { maxPageSize: options.maxPageSize ?? 1000, nodeLimit: options.nodeLimit ?? 20000 },
    now: options.now ?? Date.now,
    apiVersion: options.apiVersion ?? '3.28',
    productVersion: options.productVersion ?? '2025.3.0',
    defaultJobPlan: options.jobPlan ?? {},
  });
  for (const [key, plan] of Object.entries(options.jobPlans ?? {})) state.jobPlans.set(key, plan);
  for (const [route, spec] of Object.entries(options.faults ?? {})) {
    if (spec !== undefined) state.faults.add(route as MockRoute | '*', spec);
  }

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const matched = matchRoute(method, url.pathname);
    const format = formatOf(req);
    const body = await readBody(req);
    state.countRequest(matched.route);
    const record = (status: number): void =>
      state.record({ method, route: matched.route, path: url.pathname, status });

    let fault = state.faults.next(matched.route);
    if (fault !== null) state.counters.faults += 1;
    if (fault?.kind === 'latency') {
      await sleep(fault.ms);
      fault = null;
    }
    if (fault?.kind === 'drop') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'expire-session') {
      const token = req.headers['x-tableau-auth'];
      state.sessions.end(Array.isArray(token) ? token[0] : token);
    }
    state.settleJobs();
    const answer =
      (fault === null ? null : faultAnswer(fault, format)) ??
      handle(
        state,
        { method, path: url.pathname, query: url.searchParams, headers: req.headers, body, format },
        matched,
      );
    if (fault !== null) applyGraphQLFault(answer, fault);
    const rendered =
      answer.graphql !== undefined
        ? { contentType: 'application/json;charset=UTF-8', text: JSON.stringify(answer.graphql) }
        : answer.body;
    record(answer.status);
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    if (rendered === null) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const bytes = Buffer.from(rendered.text, 'utf8');
    headers['content-type'] = rendered.contentType;
    headers['content-length'] = String(bytes.length);
    if (fault?.kind === 'truncate') {
      res.writeHead(answer.status, headers);
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(answer.status, headers).end(bytes);
  };

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((cause: unknown) => {
      // A bug in the mock must be visible to the test, not hang it.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`mock server failure: ${cause instanceof Error ? cause.message : String(cause)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    siteName: site.contentUrl,
    siteLuid: site.luid,
    apiVersion: state.apiVersion,
    site,
    get counters() {
      return structuredClone(state.counters);
    },
    get requests() {
      return state.log.map((r) => ({ ...r }));
    },
    get activeSessions() {
      return state.sessions.size;
    },
    inject: (route, spec) => state.faults.add(route, spec),
    clearFaults: (route) => state.faults.clear(route),
    setJobPlan: (target, plan) => {
      if (target === null) state.defaultJobPlan = plan;
      else state.jobPlans.set(refreshTargetKey(target), plan);
    },
    jobs: () => {
      state.settleJobs();
      return [...state.jobs.values()].map((job) => jobState(job, state.now()));
    },
    setExtractRefreshTime: (target, iso) => state.setRefreshTime(target, iso),
    expireSessions: () => state.sessions.endAll(),
    resetCounters: () => state.resetCounters(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
