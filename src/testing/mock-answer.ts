/** What a mock route handler reads (the parsed request) and returns (the answer to write). */
import type { MockGraphQLBody } from './mock-graphql.js';
import { type BodyFormat, type RenderedBody, renderError } from './mock-rest-bodies.js';

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
