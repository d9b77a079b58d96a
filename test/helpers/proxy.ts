/**
 * A forward proxy for the transport tests, written with node:http and node:net on 127.0.0.1:
 * CONNECT requests become byte tunnels (https through a proxy), absolute-form requests
 * (`GET http://host/path`, plain http through a proxy) are forwarded. It records where each
 * tunnel went, the headers the proxy itself was sent, the plain requests, and every tunnelled byte.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Test } from 'tap';

export interface ForwardProxy {
  url: string;
  /** `host:port` of every CONNECT, in order. */
  tunnels: string[];
  /** Headers of every CONNECT request. */
  connectHeaders: IncomingMessage['headers'][];
  /** Plain (absolute-form) requests: method, full URL, headers. */
  plain: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** Every byte that went through the tunnels, both ways. */
  bytes(): Buffer;
}

export async function startProxy(t: Pick<Test, 'teardown'>): Promise<ForwardProxy> {
  const tunnels: string[] = [];
  const connectHeaders: IncomingMessage['headers'][] = [];
  const plain: ForwardProxy['plain'] = [];
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    plain.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const upstream = httpRequest(
      req.url ?? '',
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    connectHeaders.push(req.headers);
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    connectHeaders,
    plain,
    bytes: () => Buffer.concat(chunks),
  };
}
