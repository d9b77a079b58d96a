/**
 * Which redirects the client follows (it asks fetch for `redirect: 'manual'` and decides here).
 * Credentials must never leave the server's origin, so:
 *
 * - a redirect within the same origin (scheme, host and port) is followed;
 * - the "pod" redirect is followed once per client, only for the requests that open a session
 *   (server info, sign-in): HTTP 301, 302, 307 or 308 from Tableau Cloud's generic host
 *   (`online.tableau.com` or a `*.online.tableau.com` host) to an `https://*.online.tableau.com`
 *   host, for the very same API path. Loopback hosts stand in for Tableau Cloud in tests (and may
 *   keep plain http only when the original was plain http);
 * - anything else (another host, https → http, a Location with credentials, 303) is refused.
 */
import { isLoopbackHost } from './settings.js';

/** `event` of the logger warning given when the client moves to Tableau Cloud's pod. */
export const POD_REDIRECT_EVENT = 'tableau_pod_redirect';

/** What to do with a 3xx answer. */
export type RedirectDecision =
  | { follow: 'same-origin'; url: string }
  | { follow: 'pod'; url: string; origin: string }
  | { follow: false; to: string | null; why: string };

/** Statuses that redirect (and carry a Location). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses of the pod redirect (TSC re-POSTs the sign-in on 301; 307/308 keep the method by definition). */
const POD_STATUSES = new Set([301, 302, 307, 308]);

/** Whether `status` is a redirect the client must decide on. */
export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** Tableau Cloud's hosts: the generic `online.tableau.com` and its pods (`10az.online.tableau.com`). */
function isTableauCloudHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'online.tableau.com' || host.endsWith('.online.tableau.com');
}

function podHostsAllowed(from: URL, to: URL): boolean {
  if (isTableauCloudHost(from.hostname) && to.hostname.toLowerCase() !== 'online.tableau.com') {
    return isTableauCloudHost(to.hostname) && to.protocol === 'https:';
  }
  if (isLoopbackHost(from.hostname) && isLoopbackHost(to.hostname)) {
    return to.protocol === 'https:' || (from.protocol === 'http:' && to.protocol === 'http:');
  }
  return false;
}

/**
 * Decide on a redirect of the request to `from` (whose API path, after the base URL, is
 * `apiPath`). `opensSession`: the request is server info or sign-in and the client has not moved
 * to a pod yet.
 */
export function decideRedirect(input: {
  from: string;
  status: number;
  location: string | null;
  apiPath: string;
  opensSession: boolean;
}): RedirectDecision {
  const from = new URL(input.from);
  let to: URL;
  try {
    if (input.location === null || input.location.trim() === '') throw new Error('no Location');
    to = new URL(input.location.trim(), from);
  } catch {
    return { follow: false, to: null, why: 'without a usable Location header' };
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    return { follow: false, to: null, why: `to a ${to.protocol} URL` };
  }
  if (to.username !== '' || to.password !== '') {
    return { follow: false, to: to.origin, why: 'to a URL carrying credentials' };
  }
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    return { follow: false, to: to.origin, why: 'from https to plain http' };
  }
  if (to.origin === from.origin) return { follow: 'same-origin', url: to.href };
  const samePath = `${to.pathname}${to.search}` === input.apiPath;
  if (
    input.opensSession &&
    POD_STATUSES.has(input.status) &&
    samePath &&
    podHostsAllowed(from, to)
  ) {
    return { follow: 'pod', url: to.href, origin: to.origin };
  }
  return { follow: false, to: to.origin, why: 'to another origin' };
}
