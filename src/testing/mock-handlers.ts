/**
 * Route handlers of the mock server: `handle` sends each route to its handler (sign-in, refresh and
 * collections have files of their own). Each returns what to answer (status, headers, body); the
 * HTTP layer (mock-server.ts) applies faults and writes it.
 *
 * Codes Tableau documents are used as documented (401000, 401001, 401002, 409090, 409093). Codes
 * this mock had to choose are assumptions: 404000 (unknown route or site, or a REST version the
 * server does not support), 404006 (workbook not found), 404011 (data source not found), 404031
 * (job not found), 400000 (malformed sign-in body).
 */
import { errorAnswer, type MockAnswer, type MockRequest } from './mock-answer.js';
import { handleCollections } from './mock-collections.js';
import { answerGraphQL } from './mock-graphql.js';
import { handleRefresh, jobElement } from './mock-refresh-handlers.js';
import { renderTsResponse } from './mock-rest-bodies.js';
import { compareVersions, type MatchedRoute } from './mock-routes.js';
import { authToken, handleSignIn } from './mock-sign-in.js';
import type { MockState } from './mock-state.js';

function unauthorized(state: MockState, req: MockRequest): MockAnswer {
  state.counters.unauthorized += 1;
  return errorAnswer(
    req.format,
    401,
    '401000',
    'Unauthorized Access',
    'No authentication credentials were provided',
  );
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
  if (!state.sessions.use(authToken(req))) return unauthorized(state, req);
  if (route === 'graphql') return handleGraphQL(state, req);
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
  state.bump(state.counters.jobPolls, luid);
  const element = jobElement(state, luid);
  if (element === null)
    return errorAnswer(req.format, 404, '404031', 'Not Found', `Job '${luid}' could not be found.`);
  return { status: 200, body: renderTsResponse(req.format, [element]) };
}
