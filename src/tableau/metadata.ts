/**
 * The Metadata API (GraphQL) over the session: one query, and cursor pagination.
 *
 * - `errors` next to partial `data` (Tableau's time limit or node limit) are not fatal at first:
 *   the page is asked again with half the page size, down to 1, and only then fails with
 *   `ERR_TABLEAU_GRAPHQL`, which keeps the partial data (`error.partialData`).
 * - Errors with `extensions.severity: "WARNING"` (e.g. `PERMISSIONS_MODE_SWITCHED`) are passed to
 *   `onWarning` and the logger, never thrown.
 * - Pagination loops on `pageInfo.hasNextPage` (the last page may still carry a cursor), fails
 *   on a repeated cursor, and stops at `maxListingPages` pages or `maxListingNodes` nodes
 *   (`ERR_TABLEAU_RESPONSE_TOO_LARGE`) instead of looping forever.
 * - Every string of the answer that can reach an error or a log (messages, codes, partial data)
 *   is redacted; an answer of the wrong shape is `ERR_TABLEAU_RESPONSE`.
 */
import { TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { checkListingBounds, type ListingLimits } from './listing-limits.js';
import { METADATA_GRAPHQL_PATH, type MetadataConnectionField } from './queries.js';
import type { RawConnection, RawGraphQLError } from './raw-types.js';
import type { Redactor } from './redact.js';
import type { Session } from './session.js';
import type { TableauWarning } from './types.js';

/** Options of one Metadata API call. */
export interface MetadataCallOptions {
  signal?: AbortSignal | undefined;
  onWarning?: ((warning: TableauWarning) => void) | undefined;
  /** What the call is for, in words (errors and logs). */
  operation: string;
}

/** One page of a connection. */
export interface MetadataPage<N> {
  nodes: N[];
  totalCount: number | null;
  /** 1-based. */
  pageNumber: number;
  /** The `first` that produced this page (smaller than asked after a time or node limit). */
  pageSize: number;
}

/** What `paginate` needs to know about the query. */
export interface PaginateOptions extends MetadataCallOptions {
  document: string;
  /** The top-level `…Connection` field of the document. */
  connection: MetadataConnectionField;
  /** Variables for one page. */
  variables: (page: { first: number; after: string | null }) => object;
  pageSize: number;
}

/** The Metadata API of one client. */
export interface MetadataApi {
  /** One GraphQL call; returns `data`. */
  query<D>(document: string, variables: object, options: MetadataCallOptions): Promise<D>;
  /** All pages of a connection, in order. */
  paginate<N>(options: PaginateOptions): AsyncGenerator<MetadataPage<N>, void, undefined>;
}

/** Dependencies of the Metadata API. */
export interface MetadataDeps {
  session: Session;
  redactor: Redactor;
  logger?: Logger | undefined;
  limits: ListingLimits;
}

const LIMIT_CODES = new Set(['NODE_LIMIT_EXCEEDED', 'TIME_LIMIT_EXCEEDED']);

/** A GraphQL error entry read defensively (a server may send any JSON there). */
interface GraphQLErrorEntry {
  /** As sent (any JSON), for `error.graphqlErrors` once redacted. */
  raw: RawGraphQLError;
  message: string | null;
  code: string | null;
  warning: boolean;
}

function readErrorEntry(value: unknown): GraphQLErrorEntry {
  const entry = value !== null && typeof value === 'object' ? (value as RawGraphQLError) : {};
  const extensions =
    entry.extensions !== null && typeof entry.extensions === 'object' ? entry.extensions : {};
  const text = (v: unknown): string | null =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  return {
    raw: value as RawGraphQLError,
    message: typeof value === 'string' ? value : text(entry.message),
    code: text(extensions.code),
    warning: text(extensions.severity)?.toUpperCase() === 'WARNING',
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A GraphQL failure a smaller page may avoid: partial data, or a time/node limit. */
export function isLimitError(error: unknown): boolean {
  if (!(error instanceof TableauApiError) || error.code !== 'ERR_TABLEAU_GRAPHQL') return false;
  if (error.partialData !== undefined && error.partialData !== null) return true;
  if (error.tableauCode !== undefined && LIMIT_CODES.has(error.tableauCode)) return true;
  return /time limit|node limit/i.test(error.message);
}

/** Create the Metadata API client. */
export function createMetadataApi(deps: MetadataDeps): MetadataApi {
  const { session, redactor, logger, limits } = deps;

  async function query<D>(
    document: string,
    variables: object,
    options: MetadataCallOptions,
  ): Promise<D> {
    const response = await session.request({
      method: 'POST',
      path: METADATA_GRAPHQL_PATH,
      body: { query: document, variables },
      signal: options.signal,
      operation: options.operation,
    });
    const body = response.body as { data?: unknown; errors?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new TableauApiError(
        'ERR_TABLEAU_RESPONSE',
        `${options.operation}: the Metadata API answer is not a GraphQL response object`,
        { method: 'POST', url: METADATA_GRAPHQL_PATH, status: response.status },
      );
    }
    if (body.errors !== undefined && body.errors !== null && !Array.isArray(body.errors)) {
      throw new TableauApiError(
        'ERR_TABLEAU_RESPONSE',
        `${options.operation}: the Metadata API answer's errors is not a list`,
        { method: 'POST', url: METADATA_GRAPHQL_PATH, status: response.status },
      );
    }
    const all = (Array.isArray(body.errors) ? body.errors : []).map(readErrorEntry);
    const errors = all.filter((e) => !e.warning);
    for (const entry of all.filter((e) => e.warning)) {
      const warning: TableauWarning = {
        code: entry.code === null ? null : redactor.redactString(entry.code),
        message: redactor.redactString(entry.message ?? ''),
      };
      logger?.warn?.(
        `${options.operation}: Tableau warning ${warning.code ?? ''}: ${warning.message}`,
        {
          code: warning.code,
        },
      );
      options.onWarning?.(warning);
    }
    const data = body.data ?? null;
    if (errors.length > 0) {
      const messages = errors.map((e) => e.message ?? '(no message)').join('; ');
      const code = errors.find((e) => e.code !== null)?.code ?? undefined;
      throw new TableauApiError(
        'ERR_TABLEAU_GRAPHQL',
        redactor.redactString(
          `${options.operation}: the Metadata API answered with ${data === null ? '' : 'partial data and '}errors: ${messages}`,
        ),
        {
          method: 'POST',
          url: METADATA_GRAPHQL_PATH,
          status: response.status,
          tableauCode: code === undefined ? undefined : redactor.redactString(code),
          graphqlErrors: redactor.redact(errors.map((e) => e.raw)),
          partialData: data === null ? undefined : redactor.redact(data),
        },
      );
    }
    if (!isObject(data)) {
      throw new TableauApiError(
        'ERR_TABLEAU_RESPONSE',
        `${options.operation}: the Metadata API answer has neither data nor errors`,
        { method: 'POST', url: METADATA_GRAPHQL_PATH, status: response.status },
      );
    }
    return data as D;
  }

  async function* paginate<N>(
    options: PaginateOptions,
  ): AsyncGenerator<MetadataPage<N>, void, undefined> {
    let size = options.pageSize;
    let after: string | null = null;
    let nodesSoFar = 0;
    const seenCursors = new Set<string>();
    for (let pageNumber = 1; ; pageNumber++) {
      const operation = `${options.operation} (page ${pageNumber})`;
      checkListingBounds(options.operation, { pages: pageNumber, nodes: nodesSoFar }, limits);
      let data: Record<string, unknown>;
      try {
        data = await query<Record<string, unknown>>(
          options.document,
          options.variables({ first: size, after }),
          { ...options, operation },
        );
      } catch (error) {
        if (isLimitError(error) && size > 1) {
          const smaller = Math.max(1, Math.floor(size / 2));
          logger?.warn?.(
            `${operation}: Tableau hit a query limit; asking again with ${smaller} per page`,
            {
              pageSize: smaller,
            },
          );
          size = smaller;
          pageNumber--;
          continue;
        }
        throw error;
      }
      const connection = data[options.connection];
      const malformed = (what: string): TableauApiError =>
        new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${operation}: the Metadata API answer ${what}`,
          {
            method: 'POST',
            url: METADATA_GRAPHQL_PATH,
          },
        );
      if (!isObject(connection)) throw malformed(`has no ${options.connection}`);
      const { nodes: rawNodes, pageInfo, totalCount } = connection as RawConnection<N>;
      if (rawNodes !== undefined && rawNodes !== null && !Array.isArray(rawNodes)) {
        throw malformed(`has a ${options.connection}.nodes that is not a list`);
      }
      const nodes = (rawNodes ?? []).filter((n): n is N => n !== null && n !== undefined);
      if (nodes.some((n) => !isObject(n)))
        throw malformed(`has a ${options.connection}.nodes entry that is not an object`);
      if (pageInfo !== undefined && pageInfo !== null && !isObject(pageInfo)) {
        throw malformed(`has a ${options.connection}.pageInfo that is not an object`);
      }
      nodesSoFar += nodes.length;
      checkListingBounds(options.operation, { pages: pageNumber, nodes: nodesSoFar }, limits);
      yield {
        nodes,
        totalCount: typeof totalCount === 'number' ? totalCount : null,
        pageNumber,
        pageSize: size,
      };
      if (pageInfo?.hasNextPage !== true) return;
      const cursor = pageInfo.endCursor;
      if (typeof cursor !== 'string' || cursor === '' || seenCursors.has(cursor)) {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${operation}: hasNextPage is true but the endCursor is ${typeof cursor === 'string' && cursor !== '' ? 'one already followed' : 'missing'}; stopping instead of looping`,
          { method: 'POST', url: METADATA_GRAPHQL_PATH },
        );
      }
      seenCursors.add(cursor);
      after = cursor;
    }
  }

  return { query, paginate };
}
