/**
 * The body-size matrix: a hostile body (1 GB declared, 1 GB chunked, endless, endless on a 503)
 * read through each fetch the client may be given (node-fetch, its default, and the global
 * fetch, undici's web streams) stops at `maxResponseBytes` with a coded error, one request per
 * listing, and resident memory bounded. bounds.slow.test.ts runs every case at the default cap
 * (64 MiB); bounds.test.ts runs the covering subset (`BODY_FACETS`: every body, every fetch) at a
 * small cap, and one case at the default cap.
 */
import type { ServerResponse } from 'node:http';
import type { Test } from 'tap';
import { createTableauClient, type FetchLike } from '../../src/index.js';
import { TABLEAU_DEFAULTS } from '../../src/tableau/settings.js';
import type { Facet } from '../helpers/covering.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { captureLogger, clientOptions, startMock } from './harness.js';
import { pathOf, type SeenRequest, startHostile } from './hostile.js';

/** Resident memory above which a body test fails (the bound docs/reliability.md states). */
const RSS_BOUND_BYTES = 300 * 1024 * 1024;
const GB = 1024 * 1024 * 1024;

/** Write `total` bytes (null: without end) in 1 MiB chunks, with or without Content-Length. */
function bigBody(total: number | null, declared: boolean, status = 200) {
  return (res: ServerResponse): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(declared && total !== null ? { 'content-length': String(total) } : {}),
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const pump = (): void => {
      while (!closed && (total === null || sent < total)) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  };
}

/** Run `action`, sampling the resident set size; returns its outcome and the peak growth. */
async function measured<T>(
  action: () => Promise<T>,
): Promise<{ outcome: unknown; rssGrowth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  let outcome: unknown;
  try {
    outcome = await action();
  } catch (error) {
    outcome = error;
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { outcome, rssGrowth: peak - before };
}

export const isGraphql = (r: SeenRequest): boolean => pathOf(r) === '/api/metadata/graphql';

const BODIES = [
  { name: '1 GB with Content-Length', total: GB, declared: true, status: 200 },
  { name: '1 GB chunked', total: GB, declared: false, status: 200 },
  { name: 'endless chunked', total: null, declared: false, status: 200 },
  { name: 'endless chunked, on a 503', total: null, declared: false, status: 503 },
];

const FETCHES: { name: string; fetch: FetchLike | undefined }[] = [
  { name: 'node-fetch', fetch: undefined },
  { name: 'the global fetch (undici)', fetch: globalThis.fetch as unknown as FetchLike },
];

export interface BodyCase {
  body: (typeof BODIES)[number];
  fetch: (typeof FETCHES)[number];
}

/** Every body through every fetch. */
export const BODY_CASES: BodyCase[] = BODIES.flatMap((body) =>
  FETCHES.map((fetch) => ({ body, fetch })),
);

export const BODY_FACETS: Facet<BodyCase>[] = [(c) => c.body.name, (c) => c.fetch.name];

export function bodyCaseName(c: BodyCase, maxResponseBytes: number): string {
  const cap =
    maxResponseBytes === TABLEAU_DEFAULTS.maxResponseBytes
      ? 'the default cap'
      : `a ${maxResponseBytes / 2 ** 20} MiB cap`;
  return `${c.body.name} body through ${c.fetch.name}, ${cap}: coded, one request, memory bounded`;
}

/** Run one case with `maxResponseBytes` (given to the client unless it is the default). */
export async function runBodyCase(
  t: Test,
  { body, fetch }: BodyCase,
  maxResponseBytes: number,
): Promise<void> {
  const mock = await startMock(t);
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) => (isGraphql(r) ? bigBody(body.total, body.declared, body.status) : 'forward'),
  });
  const log = captureLogger();
  const client = createTableauClient(
    clientOptions(
      { url: origin.url, siteName: mock.siteName },
      {
        logger: log.logger,
        timeoutMs: 60_000,
        ...(fetch.fetch === undefined ? {} : { fetch: fetch.fetch }),
        ...(maxResponseBytes === TABLEAU_DEFAULTS.maxResponseBytes ? {} : { maxResponseBytes }),
      },
    ),
  );
  const { outcome, rssGrowth } = await measured(() => client.listWorkbooks());
  t.match(outcome, { code: 'ERR_TABLEAU_RESPONSE_TOO_LARGE' });
  t.match((outcome as Error).message, `${maxResponseBytes} bytes (maxResponseBytes)`);
  if (body.declared) t.match(outcome, { details: { declaredBytes: GB } });
  // Workbooks, published data sources and custom SQL are listed at once: one request each at
  // most (the first failure stops the others), none retried.
  const graphqlRequests = origin.requests.filter(isGraphql).length;
  t.ok(graphqlRequests >= 1 && graphqlRequests <= 3, 'one request per listing, not retried');
  t.ok(rssGrowth < RSS_BOUND_BYTES, `resident memory grew ${Math.round(rssGrowth / 2 ** 20)} MiB`);
  assertNoSecrets(t, outcome, log.lines);
}
