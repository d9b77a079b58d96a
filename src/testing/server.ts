/**
 * `createMockTableauServer`: a real `node:http` server on 127.0.0.1 (port 0) that answers like
 * Tableau (REST sign-in/out, serverinfo, refresh, jobs, collections, and Metadata API queries),
 * with fault injection and counters. This file holds the HTTP layer: routing, faults, and the
 * test-facing handle. See docs/testing-with-the-mock-server.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { DbtAutoExposuresError } from '../errors.js';
import { answerGraphQL, type MockGraphQLError, type MockGraphQLLimits } from './graphql.js';
import {
  authToken,
  type BodyFormat,
  compareVersions,
  errorAnswer,
  handleCollections,
  handleJob,
  handleRefresh,
  handleServerInfo,
  handleSignIn,
  handleSignOut,
  type MockAnswer,
  type MockRequest,
  renderError,
  renderHtmlError,
  unauthorized,
} from './rest.js';
import {
  type MockSite,
  type MockSiteInput,
  type MockWorkbookInput,
  resolveMockSite,
} from './site.js';
import {
  jobState,
  MOCK_TOKEN_NAME,
  MOCK_TOKEN_SECRET,
  type MockCounters,
  type MockJobPlan,
  type MockJobState,
  type MockRequestRecord,
  type MockRoute,
  MockState,
  type MockTarget,
  type MockToken,
  SessionBook,
  targetKey,
} from './state.js';

/** Options of `createMockTableauServer`. Every option has a default. */
export interface MockTableauServerOptions {
  /** The site's contentUrl, or contentUrl/luid/name. Default: `siteModel.contentUrl` or "mock". */
  site?: string | { contentUrl: string; luid?: string; name?: string };
  /** The workbooks to serve (e.g. `TableauWorkbook[]` from a snapshot). Exclusive with `siteModel`. */
  workbooks?: MockWorkbookInput[];
  /** A whole site (projects, published data sources, collections). Exclusive with `workbooks`. */
  siteModel?: MockSiteInput;
  /** Latest REST API version the server supports (serverinfo). Default "3.28". */
  apiVersion?: string | undefined;
  /** productVersion in serverinfo. Default "2025.3.0". */
  productVersion?: string;
  /** Accepted personal access tokens. Default: one, `mock-token` / `mock-token-secret` (see `token`). */
  tokens?: MockToken[];
  /** Session token for the n-th sign-in (1-based). Default: `mock-session-<n>-<random hex>`. */
  issueSessionToken?: (n: number) => string;
  /** A session expires after this many authenticated requests. Default: never. */
  sessionRequestLimit?: number;
  /** Server clock (epoch ms) for jobs and refresh times. Default `Date.now`. */
  now?: () => number;
  /** Default plan of every refresh job (see `MockJobPlan`). */
  jobPlan?: MockJobPlan;
  /** Plans per target, by `workbook:<luid>` / `datasource:<luid>`. */
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
  /** The first accepted token (by default `mock-token` / `mock-token-secret`): pass its name and secret as `tokenName` / `tokenSecret`. */
  readonly token: MockToken;
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
  setJobPlan(target: Pick<MockTarget, 'kind' | 'luid'> | null, plan: MockJobPlan): void;
  /** The state of every job now, in creation order. */
  jobs(): MockJobState[];
  /** Set a target's extract refresh time (a workbook: all its embedded extracts). */
  setExtractRefreshTime(target: Pick<MockTarget, 'kind' | 'luid'>, iso: string | null): void;
  /** End every session (their tokens then get 401000). */
  expireSessions(): void;
  /** Zero the counters and the request log. */
  resetCounters(): void;
  /** Stop the server and close open connections. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Faults. A rule attaches a fault to a route and says which of that route's requests it hits: it
// skips the first `after` requests, then hits every `every`-th one, at most `times` times (default
// once). Rules are checked in the order they were added; the first one that hits applies.

/** A fault. */
export type MockFault =
  /** Delay the answer (the request is then handled normally). */
  | { kind: 'latency'; ms: number }
  /** Answer 429 with Tableau Cloud's HTML page; `retryAfter` (seconds or an HTTP date) sets `Retry-After`. */
  | { kind: 'rate-limit'; retryAfter?: number | string }
  /** Answer this status (500, 502, 503, 408…) with a Tableau error body, or an HTML page with `html`. */
  | { kind: 'status'; status: number; html?: boolean; retryAfter?: number | string }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Send the headers and half of the real body, then destroy the socket. */
  | { kind: 'truncate' }
  /** End the caller's session before handling the request (it then gets 401000). */
  | { kind: 'expire-session' }
  /** GraphQL only: add errors to the real answer (partial data) or replace the data (`partial: false`). */
  | { kind: 'graphql-errors'; errors?: MockGraphQLError[]; partial?: boolean };

/** When a fault hits. */
export interface MockFaultSchedule {
  /** Requests of the route let through before the rule can hit. Default 0. */
  after?: number;
  /** Hit every n-th request after that. Default 1 (each one). */
  every?: number;
  /** How many times the rule hits. Default 1; `Infinity` for a permanent fault. */
  times?: number;
}

/** A fault with its schedule. */
export interface MockFaultRule extends MockFaultSchedule {
  fault: MockFault;
}

/** A fault (hits once), a rule, or a list of rules. */
export type MockFaultSpec = MockFault | MockFaultRule | (MockFault | MockFaultRule)[];

interface ActiveRule {
  route: MockRoute | '*';
  rule: Required<MockFaultSchedule> & { fault: MockFault };
  seen: number;
  hits: number;
}

function toRule(spec: MockFault | MockFaultRule): MockFaultRule {
  return 'fault' in spec ? spec : { fault: spec };
}

/** The fault rules of one server. */
class FaultBook {
  readonly #rules: ActiveRule[] = [];

  /** Add rules for a route. */
  add(route: MockRoute | '*', spec: MockFaultSpec): void {
    for (const item of Array.isArray(spec) ? spec : [spec]) {
      const rule = toRule(item);
      this.#rules.push({
        route,
        rule: {
          after: rule.after ?? 0,
          every: Math.max(1, rule.every ?? 1),
          times: rule.times ?? 1,
          fault: rule.fault,
        },
        seen: 0,
        hits: 0,
      });
    }
  }

  /** Remove every rule (of one route, or all). */
  clear(route?: MockRoute | '*'): void {
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      if (route === undefined || this.#rules[i]?.route === route) this.#rules.splice(i, 1);
    }
  }

  /** The fault hitting this request of `route`, if any (advances every matching rule's count). */
  next(route: MockRoute): MockFault | null {
    let chosen: MockFault | null = null;
    for (const active of this.#rules) {
      if (active.route !== route && active.route !== '*') continue;
      active.seen += 1;
      if (chosen !== null) continue;
      const { after, every, times } = active.rule;
      const position = active.seen - after;
      if (position >= 1 && position % every === 0 && active.hits < times) {
        active.hits += 1;
        chosen = active.rule.fault;
      }
    }
    return chosen;
  }
}

// ---------------------------------------------------------------------------------------------
// Routing: request method and path to a route and its parameters, then to its handler.

/** A route with its path parameters. */
export interface MatchedRoute {
  route: MockRoute;
  version: string | null;
  params: string[];
}

const ROUTES: [RegExp, string, MockRoute][] = [
  [/^\/api\/([\d.]+)\/serverinfo$/, 'GET', 'serverinfo'],
  [/^\/api\/([\d.]+)\/auth\/signin$/, 'POST', 'signin'],
  [/^\/api\/([\d.]+)\/auth\/signout$/, 'POST', 'signout'],
  [/^\/api\/metadata\/graphql$/, 'POST', 'graphql'],
  [/^\/api\/([\d.]+)\/sites\/([^/]+)\/collections$/, 'GET', 'collections'],
  [/^\/api\/([\d.]+)\/sites\/([^/]+)\/collections\/([^/]+)\/items$/, 'GET', 'collection-items'],
  [/^\/api\/([\d.]+)\/sites\/([^/]+)\/workbooks\/([^/]+)\/refresh$/, 'POST', 'refresh-workbook'],
  [
    /^\/api\/([\d.]+)\/sites\/([^/]+)\/datasources\/([^/]+)\/refresh$/,
    'POST',
    'refresh-datasource',
  ],
  [/^\/api\/([\d.]+)\/sites\/([^/]+)\/jobs\/([^/]+)$/, 'GET', 'job'],
];

/** Find the route of a request (method mismatches count as unknown). */
function matchRoute(method: string, path: string): MatchedRoute {
  for (const [pattern, routeMethod, route] of ROUTES) {
    const m = pattern.exec(path);
    if (m === null || method !== routeMethod) continue;
    if (route === 'graphql') return { route, version: null, params: [] };
    return { route, version: m[1] ?? null, params: m.slice(2).map((p) => decodeURIComponent(p)) };
  }
  return { route: 'unknown', version: null, params: [] };
}

function handleGraphQL(state: MockState, limits: MockGraphQLLimits, req: MockRequest): MockAnswer {
  let request: unknown;
  try {
    request = JSON.parse(req.body);
  } catch {
    const body = { errors: [{ message: 'Invalid JSON in request body' }] };
    return { status: 400, body: { contentType: 'application/json', text: JSON.stringify(body) } };
  }
  const { connection, body } = answerGraphQL(
    state.site,
    (request ?? {}) as Record<string, unknown>,
    limits,
  );
  state.bump(state.counters.graphql, connection ?? 'unknown');
  return { status: 200, body: null, graphql: body };
}

/** Handle a request that got past faults. */
function handle(
  state: MockState,
  limits: MockGraphQLLimits,
  req: MockRequest,
  matched: MatchedRoute,
): MockAnswer {
  const { route, version, params } = matched;
  if (route === 'unknown') {
    return errorAnswer(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `No resource at ${req.method} ${req.path}`,
    );
  }
  if (version !== null && compareVersions(version, state.apiVersion) > 0) {
    return errorAnswer(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `REST API version ${version} is not supported by this server (latest ${state.apiVersion})`,
    );
  }
  if (route === 'serverinfo') return handleServerInfo(state, req);
  if (route === 'signin') return handleSignIn(state, req);
  if (route === 'signout') return handleSignOut(state, req);
  if (!state.sessions.use(authToken(req))) return unauthorized(state, req);
  if (route === 'graphql') return handleGraphQL(state, limits, req);
  const [siteLuid = '', luid = ''] = params;
  if (siteLuid !== state.site.luid) {
    return errorAnswer(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `Site '${siteLuid}' could not be found.`,
    );
  }
  if (route === 'collections') return handleCollections(state, req, version ?? state.apiVersion);
  if (route === 'collection-items')
    return handleCollections(state, req, version ?? state.apiVersion, luid);
  if (route === 'refresh-workbook') return handleRefresh(state, req, 'workbook', luid);
  if (route === 'refresh-datasource') return handleRefresh(state, req, 'datasource', luid);
  return handleJob(state, req, luid);
}

// ---------------------------------------------------------------------------------------------
// The server

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
  const tokens = options.tokens ?? [{ name: MOCK_TOKEN_NAME, secret: MOCK_TOKEN_SECRET }];
  const state = new MockState({
    site,
    sessions: new SessionBook(
      tokens,
      options.issueSessionToken,
      options.sessionRequestLimit ?? Number.POSITIVE_INFINITY,
    ),
    now: options.now ?? Date.now,
    apiVersion: options.apiVersion ?? '3.28',
    productVersion: options.productVersion ?? '2025.3.0',
    defaultJobPlan: options.jobPlan ?? {},
  });
  const limits: MockGraphQLLimits = {
    maxPageSize: options.maxPageSize ?? 1000,
    nodeLimit: options.nodeLimit ?? 20000,
  };
  const faults = new FaultBook();
  for (const [key, plan] of Object.entries(options.jobPlans ?? {})) state.jobPlans.set(key, plan);
  for (const [route, spec] of Object.entries(options.faults ?? {})) {
    if (spec !== undefined) faults.add(route as MockRoute | '*', spec);
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

    let fault = faults.next(matched.route);
    if (fault !== null) state.counters.faults += 1;
    if (fault?.kind === 'latency') {
      await delay(fault.ms);
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
        limits,
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
    token: { ...(tokens[0] ?? { name: '', secret: '' }) },
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
    inject: (route, spec) => faults.add(route, spec),
    clearFaults: (route) => faults.clear(route),
    setJobPlan: (target, plan) => {
      if (target === null) state.defaultJobPlan = plan;
      else state.jobPlans.set(targetKey(target), plan);
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
