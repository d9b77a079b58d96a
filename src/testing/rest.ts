/**
 * The REST half of the mock server: response bodies in Tableau's two formats, and the handlers of
 * server info, sign-in and sign-out, extract refresh triggers, job polls and collections. Each
 * handler returns what to answer (status, headers, body); the HTTP layer (server.ts) applies
 * faults and writes it.
 *
 * Codes Tableau documents are used as documented (401000, 401001, 401002, 409090, 409093). Codes
 * this mock had to choose are assumptions: 404000 (unknown route or site, or a REST version the
 * server does not support), 404006 (workbook not found), 404011 (data source not found), 404031
 * (job not found), 400000 (malformed sign-in body).
 */
import type { MockGraphQLBody } from './graphql.js';
import { jobState, type MockState, type MockTarget, targetKey } from './state.js';

// ---------------------------------------------------------------------------------------------
// Requests and answers

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

/** A Tableau error answer in the request's body format. */
export function errorAnswer(
  format: BodyFormat,
  status: number,
  code: string,
  summary: string,
  detail: string,
): MockAnswer {
  return { status, body: renderError(format, code, summary, detail) };
}

// ---------------------------------------------------------------------------------------------
// Bodies, in Tableau's two formats: XML (the default, shaped like the recorded payloads in
// fixtures/tableau/rest) and JSON (when the request sends `Accept: application/json`). In JSON,
// XML attributes become string-valued properties (as in Tableau's JSON error body, whose `code` is
// a string) and repeated elements become arrays under the singular name
// (`{"collections":{"collection":[…]}}`).

/** The body format a request asked for. */
export type BodyFormat = 'xml' | 'json';

/** A rendered body with its content type. */
export interface RenderedBody {
  contentType: string;
  text: string;
}

const XML_HEAD =
  '<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<tsResponse xmlns="http://tableau.com/api" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://tableau.com/api https://help.tableau.com/samples/en-us/rest_api/ts-api_3_24.xsd">';

/** Escape text for an XML attribute or element. */
function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A neutral element tree rendered to either format. */
export interface MockElement {
  name: string;
  attributes?: Record<string, string | number | boolean | null | undefined>;
  children?: MockElement[];
  text?: string;
  /** In JSON, render children of this name as an array under it (repeated elements). */
  repeated?: boolean;
}

function attributesOf(element: MockElement): [string, string][] {
  return Object.entries(element.attributes ?? {})
    .filter(
      (entry): entry is [string, string | number | boolean] =>
        entry[1] !== null && entry[1] !== undefined,
    )
    .map(([k, v]) => [k, String(v)]);
}

function toXml(element: MockElement, indent: string): string {
  const attrs = attributesOf(element)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const children = element.children ?? [];
  if (children.length === 0 && element.text === undefined)
    return `${indent}<${element.name}${attrs} />`;
  if (children.length === 0)
    return `${indent}<${element.name}${attrs}>${escapeXml(element.text ?? '')}</${element.name}>`;
  const inner = children.map((c) => toXml(c, `${indent}  `)).join('\n');
  return `${indent}<${element.name}${attrs}>\n${inner}\n${indent}</${element.name}>`;
}

function toJson(element: MockElement): unknown {
  if (
    element.text !== undefined &&
    (element.children ?? []).length === 0 &&
    attributesOf(element).length === 0
  ) {
    return element.text;
  }
  const out: Record<string, unknown> = Object.fromEntries(attributesOf(element));
  // An element with attributes and text: Tableau's JSON puts the text under `value`
  // (`"productVersion": { "value": "2023.3.0", "build": "20233.23.1017.0948" }`).
  if (element.text !== undefined) out.value = element.text;
  const children = element.children ?? [];
  if (element.repeated) {
    const groups = new Map<string, unknown[]>();
    for (const c of children) groups.set(c.name, [...(groups.get(c.name) ?? []), toJson(c)]);
    for (const [name, values] of groups) out[name] = values;
  } else {
    for (const c of children) out[c.name] = toJson(c);
  }
  return out;
}

/** Render the children of `<tsResponse>` in the requested format. */
function renderTsResponse(format: BodyFormat, children: MockElement[]): RenderedBody {
  if (format === 'json') {
    const out: Record<string, unknown> = {};
    for (const c of children) out[c.name] = toJson(c);
    return { contentType: 'application/json;charset=UTF-8', text: JSON.stringify(out) };
  }
  const inner = children.map((c) => toXml(c, '  ')).join('\n');
  return {
    contentType: 'application/xml;charset=UTF-8',
    text: `${XML_HEAD}\n${inner}\n</tsResponse>\n`,
  };
}

/** A Tableau error body (`<error code><summary/><detail/></error>`). */
export function renderError(
  format: BodyFormat,
  code: string,
  summary: string,
  detail: string,
): RenderedBody {
  return renderTsResponse(format, [
    {
      name: 'error',
      attributes: { code },
      children: [
        { name: 'summary', text: summary },
        { name: 'detail', text: detail },
      ],
    },
  ]);
}

/** An HTML error page, as a load balancer or Tableau Cloud's rate limiter sends. */
export function renderHtmlError(status: number, title: string): RenderedBody {
  return {
    contentType: 'text/html;charset=UTF-8',
    text: `<!DOCTYPE html>\n<html><head><title>${status} ${escapeXml(title)}</title></head><body><h1>${status} ${escapeXml(title)}</h1><p>The server could not complete your request.</p></body></html>\n`,
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers

/** The first REST API version with Collections methods. */
const COLLECTIONS_MIN_API_VERSION = '3.28';

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

/** Answer a request that needs a session but has none (or an expired one): 401000. */
export function unauthorized(state: MockState, req: MockRequest): MockAnswer {
  state.counters.unauthorized += 1;
  return errorAnswer(
    req.format,
    401,
    '401000',
    'Unauthorized Access',
    'No authentication credentials were provided',
  );
}

/** Answer server info (no session needed). */
export function handleServerInfo(state: MockState, req: MockRequest): MockAnswer {
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      {
        name: 'serverInfo',
        children: [
          {
            name: 'productVersion',
            attributes: { build: `${state.productVersion.split('.').slice(0, 2).join('')}.0.0` },
            text: state.productVersion,
          },
          { name: 'restApiVersion', text: state.apiVersion },
        ],
      },
    ]),
  };
}

/** Answer a sign-out: 204, or 401002 for a token that is no live session. */
export function handleSignOut(state: MockState, req: MockRequest): MockAnswer {
  if (!state.sessions.end(authToken(req))) {
    return errorAnswer(
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

/** Answer a job poll. */
export function handleJob(state: MockState, req: MockRequest, jobId: string): MockAnswer {
  state.bump(state.counters.jobPolls, jobId);
  const element = jobElement(state, jobId);
  if (element === null)
    return errorAnswer(
      req.format,
      404,
      '404031',
      'Not Found',
      `Job '${jobId}' could not be found.`,
    );
  return { status: 200, body: renderTsResponse(req.format, [element]) };
}

/** The session token a request carries, if any. */
export function authToken(req: MockRequest): string | undefined {
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
  /** A connected app's token (`credentials.jwt`). */
  jwt: string | undefined;
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
          jwt?: unknown;
          site?: { contentUrl?: unknown };
        };
      };
      const c = parsed.credentials;
      if (c === undefined || c === null) return null;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return {
        name: str(c.personalAccessTokenName),
        secret: str(c.personalAccessTokenSecret),
        jwt: str(c.jwt),
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
    jwt: xmlAttribute(req.body, 'credentials', 'jwt'),
    site: xmlAttribute(req.body, 'site', 'contentUrl'),
  };
}

/** Tableau's answer to a refused sign-in (401001), with `detail` when the mock knows why. */
function signInError(state: MockState, req: MockRequest, detail?: string): MockAnswer {
  state.counters.failedSignIns += 1;
  const generic = 'Error signing in to Tableau Server';
  return errorAnswer(
    req.format,
    401,
    '401001',
    'Signin Error',
    detail === undefined ? generic : `${generic} (${detail})`,
  );
}

/**
 * Answer a sign-in: a personal access token pair, or a connected app's JWT (verified, see
 * connected-app.ts), for the right site; else 401001.
 */
export function handleSignIn(state: MockState, req: MockRequest): MockAnswer {
  const credentials = parseSignIn(req);
  if (credentials === null) {
    return errorAnswer(
      req.format,
      400,
      '400000',
      'Bad Request',
      'The sign-in request body is not valid',
    );
  }
  if (credentials.site !== state.site.contentUrl) return signInError(state, req);
  let token: string | null = null;
  let userId = '';
  if (credentials.jwt !== undefined) {
    const verdict = state.connectedApps.verify(credentials.jwt);
    if (!verdict.ok) {
      state.bump(state.counters.rejectedJwts, verdict.rejection);
      return signInError(state, req, verdict.detail);
    }
    token = state.sessions.openConnectedAppSession();
    userId = `user-${verdict.username}`;
  } else if (credentials.name !== undefined && credentials.secret !== undefined) {
    token = state.sessions.signIn(credentials.name, credentials.secret);
    userId = `user-${credentials.name}`;
  }
  if (token === null) return signInError(state, req);
  state.counters.signIns += 1;
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      {
        name: 'credentials',
        attributes: { token, estimatedTimeToExpiration: '1:59:59' },
        children: [
          { name: 'site', attributes: { id: state.site.luid, contentUrl: state.site.contentUrl } },
          { name: 'user', attributes: { id: userId } },
        ],
      },
    ]),
  };
}

/** A job as Tableau's `<job>` element, at the mock clock's now; null for an unknown job. */
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

/** Answer a refresh trigger: 202 with a new job, or 404 / 409 as Tableau answers. */
export function handleRefresh(
  state: MockState,
  req: MockRequest,
  kind: MockTarget['kind'],
  luid: string,
): MockAnswer {
  const label = kind === 'workbook' ? 'workbook' : 'datasource';
  state.bump(state.counters.refreshCalls, targetKey({ kind, luid }));
  const target = state.findTarget(kind, luid);
  if (target === null) {
    return kind === 'workbook'
      ? errorAnswer(
          req.format,
          404,
          '404006',
          'Not Found',
          `Workbook '${luid}' could not be found.`,
        )
      : errorAnswer(
          req.format,
          404,
          '404011',
          'Not Found',
          `Datasource '${luid}' could not be found.`,
        );
  }
  if (!target.hasExtracts) {
    return errorAnswer(
      req.format,
      409,
      '409090',
      'Bad Request',
      `Extract operation for the ${label} '${target.name}' is not allowed.. (Extract operation for the ${label} is not allowed.)`,
    );
  }
  if (state.activeJob(target) !== undefined) {
    return errorAnswer(
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

/** Answer a collections listing, or the items of one collection when `collectionLuid` is given. */
export function handleCollections(
  state: MockState,
  req: MockRequest,
  version: string,
  collectionLuid?: string,
): MockAnswer {
  const effective = compareVersions(version, state.apiVersion) < 0 ? version : state.apiVersion;
  if (compareVersions(effective, COLLECTIONS_MIN_API_VERSION) < 0) {
    return errorAnswer(
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
          // A collection's attributes and its `owner` child are those of `collectionType` in
          // Tableau's REST schema 3.28 (ts-api_3_28.xsd); the listing's container is not in it.
          children: page(all).map((c) => ({
            name: 'collection',
            attributes: {
              id: c.luid,
              name: c.name,
              description: c.description,
              totalItemCount: c.items.length,
              permissionedItemCount: c.items.length,
            },
            children:
              c.ownerLuid === null ? [] : [{ name: 'owner', attributes: { id: c.ownerLuid } }],
          })),
        },
      ]),
    };
  }
  const collection = state.site.collections.find((c) => c.luid === collectionLuid);
  if (collection === undefined) {
    return errorAnswer(
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
          // Tableau's reference names an item's type `contentType` in responses (the `type` filter);
          // the container and the other attribute names are this mock's assumption.
          attributes: {
            contentType: item.type,
            id: item.luid,
            name: state.findTarget(item.type === 'workbook' ? 'workbook' : 'datasource', item.luid)
              ?.name,
          },
        })),
      },
    ]),
  };
}

/**
 * Answer Query Projects (`GET /api/{v}/sites/{site}/projects`): every project with its
 * `parentProjectId` (absent on top-level projects), paged with `pageSize` / `pageNumber`, shaped
 * like the recorded `projects-query-response.xml`.
 */
export function handleProjects(state: MockState, req: MockRequest): MockAnswer {
  const pageSize = Math.min(1000, Math.max(1, Number(req.query.get('pageSize') ?? 100) || 100));
  const pageNumber = Math.max(1, Number(req.query.get('pageNumber') ?? 1) || 1);
  const all = state.site.projects;
  const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      {
        name: 'pagination',
        attributes: { pageNumber, pageSize, totalAvailable: all.length },
      },
      {
        name: 'projects',
        repeated: true,
        children: page.map((p) => ({
          name: 'project',
          attributes: {
            id: p.luid,
            name: p.name,
            description: '',
            parentProjectId: p.parentLuid,
            contentPermissions: 'ManagedByOwner',
          },
        })),
      },
    ]),
  };
}
