/**
 * The echo table: routes of a Tableau session, and every error shape a server can put text in,
 * each filled with the secrets the client holds (token secret, session token) and a URL with a
 * password. Shared by the library (echo-secrets.test.ts) and CLI (echo-secrets-cli.test.ts) tests.
 */
import type { MockJobPlan } from '../../src/testing/index.js';
import { SENTINEL_SECRET, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import { pathOf, type Reply, type SeenRequest } from './hostile.js';

/** The password of the URL the server echoes (`https://svc:<password>@proxy.example.com/`). */
export const URL_PASSWORD = 'URLPASS-3c9e51a0-do-not-log';
/** Shows the echoed text did flow through (redacted) to what the test inspects. */
export const MARKER = 'ECHO-MARKER';

export type RouteId = 'signin' | 'graphql' | 'refresh' | 'job' | 'signout';

export interface EchoRoute {
  id: RouteId;
  name: string;
  matches(request: SeenRequest): boolean;
}

export const ECHO_ROUTES: EchoRoute[] = [
  {
    id: 'signin',
    name: 'sign-in',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signin'),
  },
  { id: 'graphql', name: 'Metadata API', matches: (r) => pathOf(r) === '/api/metadata/graphql' },
  {
    id: 'refresh',
    name: 'REST refresh',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/refresh'),
  },
  {
    id: 'job',
    name: 'job polling',
    matches: (r) => r.method === 'GET' && pathOf(r).includes('/jobs/'),
  },
  {
    id: 'signout',
    name: 'sign-out',
    matches: (r) => r.method === 'POST' && pathOf(r).endsWith('/auth/signout'),
  },
];

/**
 * The echoed text: the token secret, the session token the request carried (or, for the job
 * notes set up front, the first one the mock issues) and a URL with a password.
 */
export function echo(session: string): string {
  return `${MARKER} secret ${SENTINEL_SECRET} session ${session} proxy https://svc:${URL_PASSWORD}@proxy.example.com/`;
}

/** The session token a request carried ('' for sign-in: a token the client never had is no secret of it). */
function sessionOf(request: SeenRequest): string {
  const token = request.headers['x-tableau-auth'];
  return typeof token === 'string' ? token : '';
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function restJson(status: number, code: string | null): (request: SeenRequest) => Reply {
  return (request) => {
    const text = echo(sessionOf(request));
    return {
      status,
      body: JSON.stringify({ error: { code: code ?? text, summary: text, detail: text } }),
    };
  };
}

function restXml(status: number, code: string | null): (request: SeenRequest) => Reply {
  return (request) => {
    const text = xmlEscape(echo(sessionOf(request)));
    return {
      status,
      headers: { 'content-type': 'application/xml;charset=utf-8' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="http://tableau.com/api">' +
        `<error code="${code ?? text}"><summary>${text}</summary><detail>${text}</detail></error></tsResponse>`,
    };
  };
}

/** Empty connections for every query the client sends (workbooks, custom SQL, refresh times). */
const EMPTY_DATA = {
  workbooksConnection: {
    nodes: [],
    totalCount: 0,
    pageInfo: { hasNextPage: false, endCursor: null },
  },
  customSQLTablesConnection: {
    nodes: [],
    totalCount: 0,
    pageInfo: { hasNextPage: false, endCursor: null },
  },
  publishedDatasourcesConnection: {
    nodes: [],
    totalCount: 0,
    pageInfo: { hasNextPage: false, endCursor: null },
  },
};

function graphql(severity: 'ERROR' | 'WARNING', data: unknown, bare = false) {
  return (request: SeenRequest): Reply => {
    const text = echo(sessionOf(request));
    const entry = bare ? text : { message: text, extensions: { code: text, severity } };
    return { status: 200, body: JSON.stringify({ errors: [entry], data }) };
  };
}

export interface EchoCase {
  name: string;
  routes: RouteId[];
  /** The answer on the route (absent: the mock answers, set up by `jobPlan`). */
  reply?: (request: SeenRequest) => Reply;
  jobPlan?: Partial<MockJobPlan>;
  /** Routes where the answer is rightly dropped (a 401 on sign-out: already signed out). */
  unseenOn?: RouteId[];
}

const ALL: RouteId[] = ['signin', 'graphql', 'refresh', 'job', 'signout'];

export const ECHO_CASES: EchoCase[] = [
  { name: 'REST JSON 400, code echoed', routes: ALL, reply: restJson(400, null) },
  { name: 'REST XML 400, code echoed', routes: ALL, reply: restXml(400, null) },
  {
    name: 'REST JSON 401 (401000)',
    routes: ALL,
    reply: restJson(401, '401000'),
    unseenOn: ['signout'],
  },
  {
    name: 'REST XML 401 (401001)',
    routes: ALL,
    reply: restXml(401, '401001'),
    unseenOn: ['signout'],
  },
  { name: 'REST JSON 404', routes: ALL, reply: restJson(404, '404006') },
  { name: 'REST JSON 409 (409093, already queued)', routes: ALL, reply: restJson(409, '409093') },
  { name: 'REST XML 409 (409090, not refreshable)', routes: ALL, reply: restXml(409, '409090') },
  { name: 'REST JSON 500 (retried)', routes: ALL, reply: restJson(500, null) },
  { name: 'REST XML 503 (retried)', routes: ALL, reply: restXml(503, '503000') },
  { name: 'GraphQL errors, no data', routes: ['graphql'], reply: graphql('ERROR', null) },
  {
    name: 'GraphQL errors with partial data',
    routes: ['graphql'],
    reply: graphql('ERROR', EMPTY_DATA),
  },
  {
    name: 'GraphQL errors as bare strings',
    routes: ['graphql'],
    reply: graphql('ERROR', null, true),
  },
  { name: 'GraphQL warnings', routes: ['graphql'], reply: graphql('WARNING', EMPTY_DATA) },
  {
    name: 'job notes of a failed job',
    routes: ['job'],
    // Each client here is the mock's first sign-in, so it holds this token.
    jobPlan: { outcome: 'failed', notes: echo(SENTINEL_SESSION_TOKEN) },
  },
];
