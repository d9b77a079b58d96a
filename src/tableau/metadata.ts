/**
 * The Metadata API (GraphQL) over the session: one query, and cursor pagination.
 *
 * - `errors` next to partial `data` (Tableau's time limit or node limit) are not fatal at first:
 *   the page is asked again with half the page size, down to 1, and only then fails with
 *   `ERR_TABLEAU_GRAPHQL`, which keeps the partial data (`error.partialData`).
 * - Errors with `extensions.severity: "WARNING"` (e.g. `PERMISSIONS_MODE_SWITCHED`) are passed to
 *   `onWarning` and the logger, never thrown.
 * - Pagination loops on `pageInfo.hasNextPage` (the last page may still carry a cursor) and fails
 *   on a repeated cursor instead of looping forever.
 */
import { TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
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
}

const LIMIT_CODES = new Set(['NODE_LIMIT_EXCEEDED', 'TIME_LIMIT_EXCEEDED']);

function isWarning(error: RawGraphQLError): boolean {
  return error.extensions?.severity?.toUpperCase() === 'WARNING';
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
  const { session, redactor, logger } = deps;

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
    const all = Array.isArray(body.errors) ? (body.errors as RawGraphQLError[]) : [];
    const warnings = all.filter(isWarning);
    const errors = all.filter((e) => !isWarning(e));
    for (const raw of warnings) {
      const warning: TableauWarning = {
        code: raw.extensions?.code ?? null,
        message: redactor.redactString(raw.message ?? ''),
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
      throw new TableauApiError(
        'ERR_TABLEAU_GRAPHQL',
        redactor.redactString(
          `${options.operation}: the Metadata API answered with ${data === null ? '' : 'partial data and '}errors: ${messages}`,
        ),
        {
          method: 'POST',
          url: METADATA_GRAPHQL_PATH,
          status: response.status,
          tableauCode: errors.find((e) => e.extensions?.code)?.extensions?.code ?? undefined,
          graphqlErrors: redactor.redact(errors),
          partialData: data ?? undefined,
        },
      );
    }
    if (data === null || typeof data !== 'object') {
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
    const seenCursors = new Set<string>();
    for (let pageNumber = 1; ; pageNumber++) {
      const operation = `${options.operation} (page ${pageNumber})`;
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
      const connection = data[options.connection] as RawConnection<N> | null | undefined;
      if (connection === null || typeof connection !== 'object') {
        throw new TableauApiError(
          'ERR_TABLEAU_RESPONSE',
          `${operation}: the Metadata API answer has no ${options.connection}`,
          { method: 'POST', url: METADATA_GRAPHQL_PATH },
        );
      }
      const nodes = (connection.nodes ?? []).filter((n): n is N => n !== null && n !== undefined);
      yield {
        nodes,
        totalCount: typeof connection.totalCount === 'number' ? connection.totalCount : null,
        pageNumber,
        pageSize: size,
      };
      if (connection.pageInfo?.hasNextPage !== true) return;
      const cursor = connection.pageInfo.endCursor;
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
