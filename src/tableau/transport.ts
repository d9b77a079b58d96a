/**
 * The default transport: node-fetch, through the proxy the environment names for each URL. The
 * standard variables are read at every request (so a test or a long-lived process may change
 * them): `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs, `ALL_PROXY` for both, and
 * `NO_PROXY` (host names, `.domain` suffixes, `host:port`, or `*`) to go direct; each also in
 * lowercase, which wins when both are set. An https request goes through the proxy as a CONNECT
 * tunnel: TLS runs end to end, so the proxy sees the host and port, never a header or a body.
 * Certificates are Node's: a private CA is added with NODE_EXTRA_CA_CERTS (docs/tableau.md).
 */
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import nodeFetch from 'node-fetch';
import { getProxyForUrl } from 'proxy-from-env';
import { ConfigError } from '../errors.js';
import type { FetchLike } from './http.js';

/** The package's version, from its own package.json (found by the package's name, wherever it is built to). */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('dbt-auto-exposures/package.json') as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The `User-Agent` of every request (the version read from package.json once). */
export const USER_AGENT = `dbt-auto-exposures/${packageVersion()}`;

/** One agent per proxy and target scheme, so connections to the proxy are reused. */
const agents = new Map<string, Agent>();

/** The agent for `url`: a proxy agent when the environment names a proxy for it, else Node's default. */
function agentFor(url: string): Agent | undefined {
  const proxy = getProxyForUrl(url);
  if (proxy === '') return undefined;
  const https = url.startsWith('https:');
  if (!URL.canParse(proxy)) {
    // The value is not shown: it may hold the proxy's password.
    const variables = https
      ? 'HTTPS_PROXY, https_proxy or ALL_PROXY'
      : 'HTTP_PROXY, http_proxy or ALL_PROXY';
    throw new ConfigError(
      'ERR_TABLEAU_CONFIG',
      `the proxy in ${variables} is not a valid URL (like http://proxy.example.com:3128)`,
      {
        field: https ? 'HTTPS_PROXY' : 'HTTP_PROXY',
        expected: 'a proxy URL like http://proxy.example.com:3128',
      },
    );
  }
  const key = `${https ? 'https' : 'http'} ${proxy}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = https ? new HttpsProxyAgent(proxy) : new HttpProxyAgent(proxy);
    agents.set(key, agent);
  }
  return agent;
}

/** node-fetch through the environment's proxy. */
export const defaultFetch: FetchLike = (url, init) =>
  nodeFetch(url, { ...init, agent: agentFor(url) }) as unknown as ReturnType<FetchLike>;
