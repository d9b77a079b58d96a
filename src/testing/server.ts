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
import { ConnectedAppBook, MOCK_CONNECTED_APP, type MockConnectedApp } from './connected-app.js';
import { answerGraphQL, type MockGraphQLError, type MockGraphQLLimits } from './graphql.js';
import {
  authToken,
  type BodyFormat,
  compareVersions,
  errorAnswer,
  handleCollections,
  handleJob,
  handleProjects,
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
import { isMockTableauVersion, type MockTableauVersion, schemaFor } from './schema.js';
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
  site?:
    | string
    | { contentUrl: string; luid?: string | undefined; name?: string | undefined }
    | undefined;
  /** The workbooks to serve (e.g. `TableauWorkbook[]` from a snapshot). Exclusive with `siteModel`. */
  workbooks?: MockWorkbookInput[] | undefined;
  /** A whole site (projects, published data sources, collections). Exclusive with `workbooks`. */
  siteModel?: MockSiteInput | undefined;
  /**
   * The Tableau release simulated: `"cloud"` (default) or a Tableau Server release such as
   * `"2021.4"`, `"2022.1"`, `"2023.3"`. Every GraphQL document is validated against Tableau's
   * published Metadata API schema as that release serves it (fields newer than it are rejected),
   * and serverinfo reports its versions (see `apiVersion`, `productVersion`).
   */
  tableauVersion?: MockTableauVersion | undefined;
  /** Latest REST API version the server supports (serverinfo). Default: the release's (Cloud "3.28"). */
  apiVersion?: string | undefined;
  /** productVersion in serverinfo. Default: the release's (`"2023.3.0"`; Cloud "2025.3.0"). */
  productVersion?: string | undefined;
  /**
   * The token's user is no site administrator: a `customSQLTablesConnection` query without a
   * `filter` answers Tableau's FILTER_REQUIRED error. Default false.
   */
  filterRequired?: boolean | undefined;
  /** Accepted personal access tokens. Default: one, `mock-token` / `mock-token-secret` (see `token`). */
  tokens?: MockToken[] | undefined;
  /** Trusted connected apps (direct trust). Default: one, `MOCK_CONNECTED_APP` (see `connectedApp`). */
  connectedApps?: MockConnectedApp[] | undefined;
  /** Session token for the n-th sign-in (1-based). Default: `mock-session-<n>-<random hex>`. */
  issueSessionToken?: ((n: number) => string) | undefined;
  /** A session expires after this many authenticated requests. Default: never. */
  sessionRequestLimit?: number | undefined;
  /** Server clock (epoch ms) for jobs and refresh times. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** The plan of every refresh job (see `MockJobPlan`). Default: each field at its own default. */
  jobPlan?: MockJobPlan | undefined;
  /** Plans per target, by `workbook:<luid>` / `datasource:<luid>`. */
  jobPlans?: Record<string, MockJobPlan> | undefined;
  /** Faults per route (`*` = every route). */
  faults?: Partial<Record<MockRoute | '*', MockFaultSpec | undefined>> | undefined;
  /** Largest GraphQL `first` honoured. Default 1000. */
  maxPageSize?: number | undefined;
  /** Objects per GraphQL response before NODE_LIMIT_EXCEEDED. Default 20000. */
  nodeLimit?: number | undefined;
  /**
   * Tableau Cloud's generic host in front of the site's pod. The server then also listens on
   * `host` (default `"127.0.0.3"`, another loopback address standing in for the pod's host), given
   * as `podUrl`, which serves everything. At `url` (the generic host) it answers serverinfo itself
   * and every other request, the sign-in first, with a redirect (`status`, default 301) to the same
   * path and query at the pod. Default: no pod, `url` serves everything.
   */
  pod?: MockPodOptions | undefined;
}

/** The `pod` option of `createMockTableauServer`. */
export interface MockPodOptions {
  /** Loopback address the pod listens on. Default `"127.0.0.3"`. */
  host?: string | undefined;
  /**
   * Status of the redirects from the generic host. Default 301, the status Tableau's own Python
   * client (tableauserverclient) follows for a sign-in at `online.tableau.com`.
   */
  status?: 301 | 302 | 307 | 308 | undefined;
}

/** A running mock server. */
export interface MockTableauServer {
  /** `http://127.0.0.1:<port>` — pass as `serverUrl` (loopback http is allowed by the client). */
  readonly url: string;
  readonly port: number;
  /** With the `pod` option, the pod's own address (`http://127.0.0.3:<port>`); otherwise null. */
  readonly podUrl: string | null;
  /** The site's contentUrl (pass as `siteName`) and luid. */
  readonly siteName: string;
  readonly siteLuid: string;
  readonly apiVersion: string;
  /** The simulated release (`"cloud"` or a Tableau Server release). */
  readonly tableauVersion: MockTableauVersion;
  /** The first accepted token (by default `mock-token` / `mock-token-secret`): pass its name and secret as `tokenName` / `tokenSecret`. */
  readonly token: MockToken;
  /** The first trusted connected app and its first user: pass as `connectedApp` (with `username`). */
  readonly connectedApp: MockConnectedApp & { username: string };
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
  | { kind: 'rate-limit'; retryAfter?: number | string | undefined }
  /** Answer this status (500, 502, 503, 408…) with a Tableau error body, or an HTML page with `html`. */
  | {
      kind: 'status';
      status: number;
      html?: boolean | undefined;
      retryAfter?: number | string | undefined;
    }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Send the headers and half of the real body, then destroy the socket. */
  | { kind: 'truncate' }
  /** End the caller's session before handling the request (it then gets 401000). */
  | { kind: 'expire-session' }
  /** GraphQL only: add errors to the real answer (partial data) or replace the data (`partial: false`). */
  | {
      kind: 'graphql-errors';
      errors?: MockGraphQLError[] | undefined;
      partial?: boolean | undefined;
    }
  /**
   * GraphQL only: Tableau Cloud's throttling of the Metadata API: HTTP 200, no data, one error
   * with `extensions.code: "RATE_EXCEEDED"`.
   */
  | { kind: 'rate-exceeded' };

/** When a fault hits. */
export interface MockFaultSchedule {
  /** Requests of the route let through before the rule can hit. Default 0. */
  after?: number | undefined;
  /** Hit every n-th request after that. Default 1 (each one). */
  every?: number | undefined;
  /** How many times the rule hits. Default 1; `Infinity` for a permanent fault. */
  times?: number | undefined;
}

/** A fault with its schedule. */
export interface MockFaultRule extends MockFaultSchedule {
  fault: MockFault;
}

/** A fault (hits once), a rule, or a list of rules. */
export type MockFaultSpec = MockFault | MockFaultRule | (MockFault | MockFaultRule)[];

interface ActiveRule {
  route: MockRoute | '*';
  rule: { after: number; every: number; times: number; fault: MockFault };
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
  [/^\/api\/([\d.]+)\/sites\/([^/]+)\/projects$/, 'GET', 'projects'],
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
  const { connection, body, invalid, nodes } = answerGraphQL(
    state.site,
    (request ?? {}) as Record<string, unknown>,
    limits,
  );
  state.bump(state.counters.graphql, connection ?? 'unknown');
  if (invalid) state.counters.invalidDocuments += 1;
  if (connection !== null) {
    state.counters.graphqlNodes[connection] =
      (state.counters.graphqlNodes[connection] ?? 0) + nodes;
  }
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
  if (route === 'projects') return handleProjects(state, req);
  if (route === 'refresh-workbook') return handleRefresh(state, req, 'workbook', luid);
  if (route === 'refresh-datasource') return handleRefresh(state, req, 'datasource', luid);
  return handleJob(state, req, luid);
}

// ---------------------------------------------------------------------------------------------
// The server

/** The first connected app with the first user it may sign in as (a copy). */
function firstConnectedApp(apps: MockConnectedApp[]): MockConnectedApp & { username: string } {
  const app = apps[0] ?? { ...MOCK_CONNECTED_APP, usernames: [] };
  const usernames = app.usernames ?? MOCK_CONNECTED_APP.usernames;
  return { ...app, usernames: [...usernames], username: usernames[0] ?? '' };
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

/**
 * What Tableau Cloud answers when it throttles the Metadata API (as DataHub reports it: a GraphQL
 * error with code RATE_EXCEEDED; the exact message is not published, this one is the mock's).
 */
const RATE_EXCEEDED_ERROR: MockGraphQLError = {
  message: 'Rate exceeded: too many Metadata API requests. Try again later.',
  path: null,
  extensions: { severity: 'ERROR', code: 'RATE_EXCEEDED', properties: null },
};

function applyGraphQLFault(answer: MockAnswer, fault: MockFault): void {
  if (answer.graphql === undefined) return;
  if (fault.kind === 'rate-exceeded') {
    answer.graphql = { data: null, errors: [RATE_EXCEEDED_ERROR] };
    return;
  }
  if (fault.kind !== 'graphql-errors') return;
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

/**
 * REST API version of each Tableau Server release (Tableau's REST API version table); Cloud is
 * simulated as the newest release.
 */
const SERVER_REST_VERSIONS: Record<string, string> = {
  '2020.4': '3.10',
  '2021.1': '3.11',
  '2021.2': '3.12',
  '2021.3': '3.13',
  '2021.4': '3.14',
  '2022.1': '3.15',
  '2022.2': '3.16',
  '2022.3': '3.17',
  '2023.1': '3.19',
  '2023.2': '3.20',
  '2023.3': '3.21',
  '2024.1': '3.22',
  '2024.2': '3.23',
  '2024.3': '3.24',
  '2025.1': '3.25',
  '2025.2': '3.26',
  '2025.3': '3.27',
};

function releaseVersions(
  version: MockTableauVersion,
  apiVersion: string | undefined,
): { apiVersion: string; productVersion: string } {
  if (version === 'cloud') return { apiVersion: '3.28', productVersion: '2025.3.0' };
  const known = SERVER_REST_VERSIONS[version] ?? apiVersion;
  if (known === undefined) {
    throw new DbtAutoExposuresError(
      'ERR_INVALID_OPTION',
      `No REST API version known for Tableau Server ${version}: give apiVersion too`,
      { field: 'apiVersion', expected: `the REST API version of Tableau Server ${version}` },
    );
  }
  return { apiVersion: known, productVersion: `${version}.0` };
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
  const tableauVersion = options.tableauVersion ?? 'cloud';
  if (!isMockTableauVersion(tableauVersion)) {
    throw new DbtAutoExposuresError(
      'ERR_INVALID_OPTION',
      `tableauVersion ${JSON.stringify(tableauVersion)} is not "cloud" or a Tableau Server release "YYYY.N"`,
      { field: 'tableauVersion', expected: '"cloud" or "YYYY.N" (e.g. "2023.3")' },
    );
  }
  const release = releaseVersions(tableauVersion, options.apiVersion);
  const tokens = options.tokens ?? [{ name: MOCK_TOKEN_NAME, secret: MOCK_TOKEN_SECRET }];
  const apps = options.connectedApps ?? [MOCK_CONNECTED_APP];
  const now = options.now ?? Date.now;
  const state = new MockState({
    site,
    sessions: new SessionBook(
      tokens,
      options.issueSessionToken,
      options.sessionRequestLimit ?? Number.POSITIVE_INFINITY,
    ),
    connectedApps: new ConnectedAppBook(apps, now),
    now,
    apiVersion: options.apiVersion ?? release.apiVersion,
    productVersion: options.productVersion ?? release.productVersion,
    defaultJobPlan: options.jobPlan ?? {},
  });
  const limits: MockGraphQLLimits = {
    maxPageSize: options.maxPageSize ?? 1000,
    nodeLimit: options.nodeLimit ?? 20000,
    // Built on the first GraphQL request (about a second for an old release), once per process.
    schema: () => schemaFor(tableauVersion),
    filterRequired: options.filterRequired ?? false,
  };
  const faults = new FaultBook();
  for (const [key, plan] of Object.entries(options.jobPlans ?? {})) state.jobPlans.set(key, plan);
  for (const [route, spec] of Object.entries(options.faults ?? {})) {
    if (spec !== undefined) faults.add(route as MockRoute | '*', spec);
  }

  // With a pod, the generic host (`url`) serves serverinfo and sends everything else to the pod.
  let podUrl: string | null = null;
  const podStatus = options.pod?.status ?? 301;

  const onRequest = async (
    origin: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const matched = matchRoute(method, url.pathname);
    const format = formatOf(req);
    const body = await readBody(req);
    state.countRequest(matched.route);
    const record = (status: number): void =>
      state.record({
        method,
        route: matched.route,
        path: url.pathname,
        status,
        origin,
        sessionToken: req.headers['x-tableau-auth'] !== undefined,
      });

    if (podUrl !== null && origin !== podUrl && matched.route !== 'serverinfo') {
      record(podStatus);
      res.writeHead(podStatus, { location: `${podUrl}${req.url ?? '/'}` }).end();
      return;
    }

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

  const listen = async (host: string): Promise<{ server: Server; url: string; port: number }> => {
    let origin = '';
    const server = createServer((req, res) => {
      onRequest(origin, req, res).catch((cause: unknown) => {
        // A bug in the mock must be visible to the test, not hang it.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`mock server failure: ${cause instanceof Error ? cause.message : String(cause)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    origin = `http://${host}:${port}`;
    return { server, url: origin, port };
  };
  const generic = await listen('127.0.0.1');
  let pod: Awaited<ReturnType<typeof listen>> | null = null;
  try {
    pod = options.pod === undefined ? null : await listen(options.pod.host ?? '127.0.0.3');
  } catch (error) {
    generic.server.close();
    throw error;
  }
  podUrl = pod?.url ?? null;
  const servers = pod === null ? [generic.server] : [generic.server, pod.server];

  return {
    url: generic.url,
    port: generic.port,
    podUrl,
    siteName: site.contentUrl,
    siteLuid: site.luid,
    apiVersion: state.apiVersion,
    tableauVersion,
    token: { ...(tokens[0] ?? { name: '', secret: '' }) },
    connectedApp: firstConnectedApp(apps),
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
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve, reject) => {
              server.close((err) => (err ? reject(err) : resolve()));
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
