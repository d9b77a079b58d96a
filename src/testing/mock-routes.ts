/** The routes the mock server knows: request method and path to a route and its parameters. */
import type { MockRoute } from './mock-faults.js';

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
