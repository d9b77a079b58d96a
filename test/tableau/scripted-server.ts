/**
 * A tiny scripted HTTP server on 127.0.0.1 for the request-path tests (the client-level tests use
 * the mock Tableau server). Each request is answered by `handler`; `'drop'` destroys the socket.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Handler = (
  request: SeenRequest,
  index: number,
) => ScriptedAnswer | 'drop' | 'hang' | Promise<ScriptedAnswer | 'drop' | 'hang'>;

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
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
      void Promise.resolve(handler(seen, requests.length - 1)).then(async (answer) => {
        if (answer === 'drop') {
          req.socket.destroy();
          return;
        }
        if (answer === 'hang') return;
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        res.writeHead(answer.status ?? 200, {
          'content-type': 'application/json',
          ...answer.headers,
        });
        res.end(answer.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger that keeps every line and its data. */
export function captureLogger(): {
  lines: { level: string; message: string; data: unknown }[];
  logger: {
    debug(m: string, d?: unknown): void;
    info(m: string, d?: unknown): void;
    warn(m: string, d?: unknown): void;
    error(m: string, d?: unknown): void;
  };
} {
  const lines: { level: string; message: string; data: unknown }[] = [];
  const at = (level: string) => (message: string, data?: unknown) => {
    lines.push({ level, message, data });
  };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

/** `assertNoSecrets` wants a plain `notOk(value, message)`; tap's is variadic. */
export function asserter(t: Test): { notOk(value: unknown, message?: string): void } {
  return { notOk: (value, message) => void t.notOk(value, message ?? '') };
}
