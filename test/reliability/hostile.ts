/**
 * Hostile servers for the security tests: an HTTP (or HTTPS, with the loopback test certificate)
 * server on a loopback address of choice that records every request it receives and answers by
 * a rule: a scripted answer (a redirect, an echo of secrets, an endless body) or `forward` to the
 * mock Tableau server behind it (a request under `/moved/` is forwarded without that prefix, so
 * a same-origin redirect can be followed). Other loopback addresses stand in for other hosts.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import nodeFetch from 'node-fetch';
import type { Test } from 'tap';
import type { FetchLike } from '../../src/index.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

/** The loopback certificate (CA:TRUE, for 127.0.0.1–127.0.0.4 and localhost) and its key. */
export const TLS_CERT_PATH = join(repoFixtures, 'tls', 'loopback-cert.pem');
const TLS = {
  cert: readFileSync(TLS_CERT_PATH),
  key: readFileSync(join(repoFixtures, 'tls', 'loopback-key.pem')),
};

/** A fetch (node-fetch) that trusts the loopback certificate, for https test servers. */
export const trustingFetch: FetchLike = (url, init) =>
  nodeFetch(url, {
    ...init,
    agent: url.startsWith('https:') ? new HttpsAgent({ ca: TLS.cert }) : undefined,
  }) as unknown as ReturnType<FetchLike>;

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the server answers one request. */
export type Reply =
  | 'forward'
  | { status?: number; headers?: Record<string, string>; body?: string }
  /** Write the answer yourself (streams, endless bodies). */
  | ((res: ServerResponse) => void);

export type Rule = (request: SeenRequest, server: HostileServer) => Reply | Promise<Reply>;

export interface HostileServer {
  /** `http(s)://127.0.0.x:port` */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export interface HostileOptions {
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string;
  tls?: boolean;
  /** Base URL of the mock server requests are forwarded to. */
  upstream?: string;
  /** Default: forward everything. */
  rule?: Rule;
}

async function forward(upstream: string, request: SeenRequest, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of ['x-tableau-auth', 'content-type', 'accept']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const path = request.url.replace(/^\/moved(?=\/)/, '');
  const answer = await fetch(`${upstream}${path}`, {
    method: request.method,
    headers,
    ...(request.method === 'GET' ? {} : { body: request.body }),
  });
  const body = await answer.text();
  res.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/json',
  });
  res.end(body);
}

export async function startHostile(
  t: Pick<Test, 'teardown'>,
  options: HostileOptions = {},
): Promise<HostileServer> {
  const requests: SeenRequest[] = [];
  const rule: Rule = options.rule ?? (() => 'forward');
  let self: HostileServer | undefined;
  const handler = (req: import('node:http').IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      void (async () => {
        const reply = await rule(seen, self as HostileServer);
        if (reply === 'forward') {
          if (options.upstream === undefined) {
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end('{"error":{"code":"404000","summary":"Not found"}}');
            return;
          }
          await forward(options.upstream, seen, res);
          return;
        }
        if (typeof reply === 'function') {
          reply(res);
          return;
        }
        res.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        res.end(reply.body ?? '');
      })().catch(() => res.destroy());
    });
  };
  const server = options.tls ? createHttpsServer(TLS, handler) : createHttpServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  self = {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  t.teardown(() => self?.close());
  return self;
}

/** The path of a request without its query. */
export function pathOf(request: SeenRequest): string {
  return request.url.split('?')[0] ?? '';
}
