/**
 * Route handlers of the mock server. Each returns what to answer (status, headers, body); the
 * HTTP layer (mock-server.ts) applies faults and writes it.
 *
 * Codes Tableau documents are used as documented (401000, 401001, 401002, 409090, 409093). Codes
 * this mock had to choose are assumptions: 404000 (unknown route or site, or a REST version the
 * server does not support), 404006 (workbook not found), 404011 (data source not found), 404031
 * (job not found), 400000 (malformed sign-in body).
 */
import { type RefreshTarget, refreshTargetKey } from '../tableau/types.js';
import type { MockRoute } from './mock-faults.js';
import { answerGraphQL, type MockGraphQLBody } from './mock-graphql.js';
import { jobState } from './mock-jobs.js';
import {
  type BodyFormat,
  type MockElement,
  type RenderedBody,
  renderError,
  renderTsResponse,
} from './mock-rest-bodies.js';
import type { MockState } from './mock-state.js';

/** A parsed request. */
export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  format: BodyFormat;
}

/** What to answer. */
export interface MockAnswer {
  status: number;
  headers?: Record<string, string>;
  body: RenderedBody | null;
  /** Set for GraphQL answers, so GraphQL faults can edit them. */
  graphql?: MockGraphQLBody;
}

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

/** The first REST API version with Collections methods. */
export const COLLECTIONS_MIN_API_VERSION = '3.28';

/** Find the route of a request (method mismatches count as unknown). */
export function matchRoute(method: string, path: string): MatchedRoute {
  for (const [pattern, routeMethod, route] of ROUTES) {
    const m = pattern.exec(path);
    if (m === null || method !== routeMethod) continue;
    if (route === 'graphql') return { route, version: null, params: [] };
    return { route, version: m[1] ?? null, params: m.slice(2).map((p) => decodeURIComponent(p)) };
  }
  return { route: 'unknown', version: null, params: [] };
}

/** Compare dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function error(
  format: BodyFormat,
  status: number,
  code: string,
  summary: string,
  detail: string,
): MockAnswer {
  return { status, body: renderError(format, code, summary, detail) };
}

function unauthorized(state: MockState, req: MockRequest): MockAnswer {
  state.counters.unauthorized += 1;
  return error(
    req.format,
    401,
    '401000',
    'Unauthorized Access',
    'No authentication credentials were provided',
  );
}

function authToken(req: MockRequest): string | undefined {
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

function handleSignIn(state: MockState, req: MockRequest): MockAnswer {
  const credentials = parseSignIn(req);
  if (credentials === null) {
    return error(req.format, 400, '400000', 'Bad Request', 'The sign-in request body is not valid');
  }
  const token =
    credentials.name !== undefined &&
    credentials.secret !== undefined &&
    credentials.site === state.site.contentUrl
      ? state.sessions.signIn(credentials.name, credentials.secret)
      : null;
  if (token === null) {
    state.counters.failedSignIns += 1;
    return error(req.format, 401, '401001', 'Signin Error', 'Error signing in to Tableau Server');
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

function jobElement(state: MockState, jobId: string): MockElement | null {
  const job = state.jobs.get(jobId);
  if (job === undefined) return null;
  const s = jobState(job, state.now());
  const children: MockElement[] = [
    { name: job.target.kind, attributes: { id: job.target.luid, name: job.target.name } },
  ];
  if (s.notes !== null) children.push({ name: 'notes', text: s.notes });
  return {
    name: 'job',
    attributes: {
      id: s.id,
      mode: 'Asynchronous',
      type: 'RefreshExtract',
      progress: s.progress,
      createdAt: s.createdAt,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
      finishCode: s.finishCode,
    },
    children: [{ name: 'extractRefreshJob', children }],
  };
}

function handleRefresh(
  state: MockState,
  req: MockRequest,
  kind: RefreshTarget['kind'],
  luid: string,
): MockAnswer {
  const label = kind === 'workbook' ? 'workbook' : 'datasource';
  state.bump(state.counters.refreshCalls, refreshTargetKey({ kind, luid }));
  const target = state.findTarget(kind, luid);
  if (target === null) {
    return kind === 'workbook'
      ? error(req.format, 404, '404006', 'Not Found', `Workbook '${luid}' could not be found.`)
      : error(req.format, 404, '404011', 'Not Found', `Datasource '${luid}' could not be found.`);
  }
  if (!target.hasExtracts) {
    return error(
      req.format,
      409,
      '409090',
      'Bad Request',
      `Extract operation for the ${label} '${target.name}' is not allowed.. (Extract operation for the ${label} is not allowed.)`,
    );
  }
  if (state.activeJob(target) !== undefined) {
    return error(
      req.format,
      409,
      '409093',
      'Resource Conflict',
      `Job for '${target.name}' is already queued. Not queuing a duplicate.`,
    );
  }
  const job = state.createJob(target);
  const element = jobElement(state, job.id) as MockElement;
  // The trigger response carries only id, mode, type and createdAt (as in the recorded payloads).
  const { id, mode, type, createdAt } = element.attributes ?? {};
  return {
    status: 202,
    body: renderTsResponse(req.format, [
      {
        name: 'job',
        attributes: { id, mode, type, createdAt },
        children: [
          {
            name: 'extractRefreshJob',
            children: [{ name: kind, attributes: { id: target.luid, name: target.name } }],
          },
        ],
      },
    ]),
  };
}

function handleCollections(
  state: MockState,
  req: MockRequest,
  version: string,
  collectionLuid?: string,
): MockAnswer {
  const effective = compareVersions(version, state.apiVersion) < 0 ? version : state.apiVersion;
  if (compareVersions(effective, COLLECTIONS_MIN_API_VERSION) < 0) {
    return error(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `Collections need REST API ${COLLECTIONS_MIN_API_VERSION} or later (this request uses ${effective})`,
    );
  }
  const pageSize = Math.min(1000, Math.max(1, Number(req.query.get('pageSize') ?? 100) || 100));
  const pageNumber = Math.max(1, Number(req.query.get('pageNumber') ?? 1) || 1);
  const page = <T>(all: T[]): T[] => all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const pagination = (total: number): MockElement => ({
    name: 'pagination',
    attributes: { pageNumber, pageSize, totalAvailable: total },
  });
  if (collectionLuid === undefined) {
    const all = state.site.collections;
    return {
      status: 200,
      body: renderTsResponse(req.format, [
        pagination(all.length),
        {
          name: 'collections',
          repeated: true,
          children: page(all).map((c) => ({
            name: 'collection',
            attributes: {
              id: c.luid,
              name: c.name,
              description: c.description,
              ownerId: c.ownerLuid,
            },
          })),
        },
      ]),
    };
  }
  const collection = state.site.collections.find((c) => c.luid === collectionLuid);
  if (collection === undefined) {
    return error(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `Collection '${collectionLuid}' could not be found.`,
    );
  }
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      pagination(collection.items.length),
      {
        name: 'collectionItems',
        repeated: true,
        children: page(collection.items).map((item) => ({
          name: 'item',
          attributes: {
            type: item.type,
            id: item.luid,
            name: state.findTarget(item.type === 'workbook' ? 'workbook' : 'datasource', item.luid)
              ?.name,
          },
        })),
      },
    ]),
  };
}

function handleGraphQL(state: MockState, req: MockRequest): MockAnswer {
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
    state.limits,
  );
  state.bump(state.counters.graphql, connection ?? 'unknown');
  return { status: 200, body: null, graphql: body };
}

/** Handle a request that got past faults. */
export function handle(state: MockState, req: MockRequest, matched: MatchedRoute): MockAnswer {
  const { route, version, params } = matched;
  if (route === 'unknown') {
    return error(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `No resource at ${req.method} ${req.path}`,
    );
  }
  if (version !== null && compareVersions(version, state.apiVersion) > 0) {
    return error(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `REST API version ${version} is not supported by this server (latest ${state.apiVersion})`,
    );
  }
  if (route === 'serverinfo') {
    return {
      status: 200,
      body: renderTsResponse(req.format, [
        {
          name: 'serverInfo',
          children: [
            {
              name: 'productVersion',
              attributes: { build: '20254.0.0' },
              text: state.productVersion,
            },
            { name: 'restApiVersion', text: state.apiVersion },
          ],
        },
      ]),
    };
  }
  if (route === 'signin') return handleSignIn(state, req);
  if (route === 'signout') {
    if (!state.sessions.end(authToken(req))) {
      return error(
        req.format,
        401,
        '401002',
        'Unauthorized Access',
        'Invalid authentication credentials were provided.',
      );
    }
    state.counters.signOuts += 1;
    return { status: 204, body: null };
  }
  if (!state.sessions.use(authToken(req))) return unauthorized(state, req);
  if (route === 'graphql') return handleGraphQL(state, req);
  const [siteLuid = '', luid = ''] = params;
  if (siteLuid !== state.site.luid) {
    return error(
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
  state.bump(state.counters.jobPolls, luid);
  const element = jobElement(state, luid);
  if (element === null)
    return error(req.format, 404, '404031', 'Not Found', `Job '${luid}' could not be found.`);
  return { status: 200, body: renderTsResponse(req.format, [element]) };
}
