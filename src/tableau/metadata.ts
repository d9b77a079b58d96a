/**
 * The Metadata API (GraphQL): calls over the session with cursor pagination, and the reading of
 * raw Metadata API output (pages users feed from files, in every form they come).
 *
 * Live calls:
 * - `errors` next to partial `data` (Tableau's time limit or node limit) are not fatal at first:
 *   the page is asked again with half the page size, down to 1, and only then fails with
 *   `ERR_TABLEAU_GRAPHQL`, which keeps the partial data (`error.partialData`).
 * - Errors with `extensions.severity: "WARNING"` (e.g. `PERMISSIONS_MODE_SWITCHED`) are passed to
 *   `onWarning` and the logger, never thrown.
 * - `RATE_EXCEEDED` (Tableau Cloud throttling the Metadata API) is asked again after a backoff
 *   (the client's `retries`, `retryMinDelayMs` doubling up to `retryMaxDelayMs`), never past the
 *   call's deadline; then it fails with `ERR_TABLEAU_GRAPHQL` (tableauCode RATE_EXCEEDED).
 * - Page sizes follow the node budget (`sizeToNodeBudget`): after each page the next `first` is
 *   what fits in 80 % of Tableau's 20,000-node limit at the nodes per item measured so far (at
 *   most 1,000, Tableau's largest page); a page that still hits the limit is asked again halved,
 *   and the listing never grows past that size again.
 * - Pagination loops on `pageInfo.hasNextPage` (the last page may still carry a cursor), fails
 *   on a repeated cursor, and stops at `maxListingPages` pages or `maxListingNodes` nodes
 *   (`ERR_TABLEAU_RESPONSE_TOO_LARGE`) instead of looping forever.
 * - Every string of the answer that can reach an error or a log (messages, codes, partial data)
 *   is redacted; an answer of the wrong shape is `ERR_TABLEAU_RESPONSE`.
 *
 * Raw output (`collectMetadataPages`): one response or an array of responses (pages), each with
 * or without the outer `{ data, errors }` envelope, holding any of the connections (`nodes`, or
 * Relay-style `edges { node }`) or plain lists the library knows. Anything else fails with
 * `ERR_TABLEAU_RESPONSE`, naming the file (when given) and the JSON path of the offending field.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { abortedError, DbtAutoExposuresError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import {
  MAX_PAGE_SIZE,
  METADATA_GRAPHQL_PATH,
  type MetadataConnectionField,
  type RawConnection,
  type RawCustomSqlTable,
  type RawGraphQLError,
  type RawPublishedDatasource,
  type RawTable,
  type RawWorkbook,
} from './queries.js';
import type { Redactor } from './redact.js';
import type { Session } from './session.js';
import { checkListingBounds, type ListingLimits } from './settings.js';
import type { TableauWarning } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A GraphQL `errors` entry, read defensively (a server or a file may put any JSON there). */
interface GraphQLErrorEntry {
  message: string | null;
  code: string | null;
  /** `extensions.severity` is "WARNING": reported, never thrown. */
  warning: boolean;
}

/** The one reading of a GraphQL error entry, for live answers and files alike. */
function readGraphQLError(value: unknown): GraphQLErrorEntry {
  const entry = isObject(value) ? (value as RawGraphQLError) : {};
  const extensions = isObject(entry.extensions) ? entry.extensions : {};
  const text = (v: unknown): string | null =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  return {
    message: typeof value === 'string' ? value : text(entry.message),
    code: text(extensions.code),
    warning: text(extensions.severity)?.toUpperCase() === 'WARNING',
  };
}

/** Options of one Metadata API call. */
export interface MetadataCallOptions {
  signal?: AbortSignal | undefined;
  /** Milliseconds the call may take, RATE_EXCEEDED retries included (default: no deadline). */
  budgetMs?: number | undefined;
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
  /** `first` of the first page (and of every page unless `sizeToNodeBudget`). */
  pageSize: number;
  /** Size later pages from the nodes per item measured so far (see the module comment). */
  sizeToNodeBudget?: boolean;
}

/** Tableau's default limit of nodes (objects) in one Metadata API answer. */
export const METADATA_NODE_LIMIT = 20000;
/** Share of the node limit a budget-sized page aims at (items are not all the same size). */
const NODE_BUDGET_SHARE = 0.8;

/** Objects in a JSON value: what Tableau's node limit counts. */
function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countObjects(v), 0);
  if (value !== null && typeof value === 'object') {
    let n = 1;
    for (const v of Object.values(value)) n += countObjects(v);
    return n;
  }
  return 0;
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
  /** Backoff of RATE_EXCEEDED retries (the client's HTTP retry settings). */
  retry: { retries: number; retryMinDelayMs: number; retryMaxDelayMs: number };
}

const LIMIT_CODES = new Set(['NODE_LIMIT_EXCEEDED', 'TIME_LIMIT_EXCEEDED']);

/** A GraphQL failure a smaller page may avoid: partial data, or a time/node limit. */
export function isLimitError(error: unknown): boolean {
  if (!(error instanceof TableauApiError) || error.code !== 'ERR_TABLEAU_GRAPHQL') return false;
  if (error.partialData !== undefined && error.partialData !== null) return true;
  if (error.tableauCode !== undefined && LIMIT_CODES.has(error.tableauCode)) return true;
  return /time limit|node limit/i.test(error.message);
}

/** Create the Metadata API client. */
export function createMetadataApi(deps: MetadataDeps): MetadataApi {
  const { session, redactor, logger, limits, retry } = deps;

  /** `queryOnce`, asked again after a backoff while Tableau answers RATE_EXCEEDED. */
  async function query<D>(
    document: string,
    variables: object,
    options: MetadataCallOptions,
  ): Promise<D> {
    const deadline =
      options.budgetMs === undefined ? undefined : performance.now() + options.budgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await queryOnce<D>(document, variables, options);
      } catch (error) {
        const throttled = error instanceof TableauApiError && error.tableauCode === 'RATE_EXCEEDED';
        const wait = Math.min(retry.retryMinDelayMs * 2 ** attempt, retry.retryMaxDelayMs);
        const pastDeadline = deadline !== undefined && performance.now() + wait >= deadline;
        if (!throttled || attempt >= retry.retries || pastDeadline) throw error;
        logger?.warn?.(
          `${options.operation}: Tableau is throttling the Metadata API; asking again in ${wait} ms`,
          {
            retryInMs: wait,
            attempt: attempt + 1,
          },
        );
        try {
          await delay(wait, undefined, { signal: options.signal });
        } catch {
          throw abortedError(options.operation, options.signal);
        }
      }
    }
  }

  async function queryOnce<D>(
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
      budgetMs: options.budgetMs,
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
    const all = (Array.isArray(body.errors) ? body.errors : []).map((raw: unknown) => ({
      raw,
      ...readGraphQLError(raw),
    }));
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
    /** The largest size known to fit (set when a page hit a limit). */
    let ceiling = MAX_PAGE_SIZE;
    let after: string | null = null;
    let nodesSoFar = 0;
    let objectsSoFar = 0;
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
          ceiling = smaller;
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
      if (options.sizeToNodeBudget && nodesSoFar > 0) {
        objectsSoFar += countObjects(nodes);
        const perItem = objectsSoFar / nodesSoFar;
        const fits = Math.floor((METADATA_NODE_LIMIT * NODE_BUDGET_SHARE) / perItem);
        size = Math.max(1, Math.min(fits, ceiling));
      }
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

// ---------------------------------------------------------------------------------------------
// Raw Metadata API output

/** Nodes collected from one or more pages, by kind, in input order. */
export interface MetadataPages {
  workbooks: RawWorkbook[];
  customSqlTables: RawCustomSqlTable[];
  publishedDatasources: RawPublishedDatasource[];
  databaseTables: RawTable[];
  /** GraphQL errors (not warnings), e.g. time or node limits with partial data. */
  errors: RawGraphQLError[];
  warnings: TableauWarning[];
  /** Pages read (responses or bare `data` objects). */
  pages: number;
}

/** Where nodes of a field go. Connections (`…Connection { nodes }`) and plain lists. */
const FIELD_KINDS: Record<string, keyof Omit<MetadataPages, 'errors' | 'warnings' | 'pages'>> = {
  workbooksConnection: 'workbooks',
  workbooks: 'workbooks',
  customSQLTablesConnection: 'customSqlTables',
  customSQLTables: 'customSqlTables',
  publishedDatasourcesConnection: 'publishedDatasources',
  publishedDatasources: 'publishedDatasources',
  databaseTablesConnection: 'databaseTables',
  databaseTables: 'databaseTables',
};

function responseError(
  message: string,
  field: string,
  file: string | undefined,
): DbtAutoExposuresError {
  return new DbtAutoExposuresError(
    'ERR_TABLEAU_RESPONSE',
    `${file === undefined ? '' : `${file}: `}not Tableau Metadata API output: ${message}${field === '' ? '' : ` (at ${field})`}`,
    {
      file,
      field: field === '' ? '(root)' : field,
      expected:
        'a Metadata API response ({ data, errors }), its data object (e.g. { workbooksConnection: { nodes } }), or an array of them',
    },
  );
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function readErrors(
  value: unknown,
  path: string,
  file: string | undefined,
  out: MetadataPages,
): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw responseError('`errors` must be an array', path, file);
  for (const [i, entry] of value.entries()) {
    if (!isObject(entry))
      throw responseError('an error entry must be an object', join(path, i), file);
    const read = readGraphQLError(entry);
    if (read.warning) out.warnings.push({ code: read.code, message: read.message ?? '' });
    else out.errors.push(entry as RawGraphQLError);
  }
}

interface Entry {
  node: Record<string, unknown>;
  path: string;
}

function readNodes(value: unknown, path: string, file: string | undefined): Entry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw responseError('`nodes` must be an array', path, file);
  const nodes: Entry[] = [];
  for (const [i, node] of value.entries()) {
    if (node === null) continue;
    if (!isObject(node)) throw responseError('a node must be an object', join(path, i), file);
    nodes.push({ node, path: join(path, i) });
  }
  return nodes;
}

/** Relay-style `edges: [{ node }]`, as some GraphQL tools re-shape a connection. */
function readEdges(value: unknown, path: string, file: string | undefined): Entry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw responseError('`edges` must be an array', path, file);
  const nodes: Entry[] = [];
  for (const [i, edge] of value.entries()) {
    if (edge === null) continue;
    if (!isObject(edge)) throw responseError('an edge must be an object', join(path, i), file);
    const nodePath = join(join(path, i), 'node');
    if (edge.node === null || edge.node === undefined) continue;
    if (!isObject(edge.node)) throw responseError('a node must be an object', nodePath, file);
    nodes.push({ node: edge.node, path: nodePath });
  }
  return nodes;
}

/** Read a `data` object (bare or from an envelope). Returns whether it held a known field. */
function readData(
  data: Record<string, unknown>,
  path: string,
  file: string | undefined,
  out: MetadataPages,
): boolean {
  let known = false;
  for (const [key, value] of Object.entries(data)) {
    const kind = FIELD_KINDS[key];
    const isConnection = key.endsWith('Connection');
    if (kind === undefined && !isConnection) continue;
    known = true;
    const fieldPath = join(path, key);
    let nodes: Entry[];
    if (value === null) {
      nodes = [];
    } else if (isConnection) {
      if (!isObject(value))
        throw responseError('a connection must be an object with `nodes`', fieldPath, file);
      nodes = [
        ...readNodes(value.nodes, join(fieldPath, 'nodes'), file),
        ...readEdges(value.edges, join(fieldPath, 'edges'), file),
      ];
    } else {
      nodes = readNodes(value, fieldPath, file);
    }
    if (kind === undefined) continue;
    if (kind === 'workbooks') {
      for (const { node, path: nodePath } of nodes) {
        if (typeof node.luid !== 'string' || node.luid === '') {
          throw responseError('a workbook needs a string `luid`', join(nodePath, 'luid'), file);
        }
      }
    }
    (out[kind] as unknown[]).push(...nodes.map((entry) => entry.node));
  }
  return known;
}

function readPage(page: unknown, path: string, file: string | undefined, out: MetadataPages): void {
  if (!isObject(page)) throw responseError('expected an object', path, file);
  const enveloped = 'data' in page || 'errors' in page;
  if (enveloped) {
    readErrors(page.errors, join(path, 'errors'), file, out);
    const data = page.data;
    if (data !== undefined && data !== null) {
      if (!isObject(data))
        throw responseError('`data` must be an object', join(path, 'data'), file);
      const known = readData(data, join(path, 'data'), file, out);
      if (!known && Object.keys(data).length > 0) {
        throw responseError(
          '`data` holds no Metadata API connection or list',
          join(path, 'data'),
          file,
        );
      }
    }
  } else if (!readData(page, path, file, out)) {
    throw responseError(
      'no `data`, `errors`, or known connection (e.g. workbooksConnection)',
      path,
      file,
    );
  }
  out.pages += 1;
}

/**
 * Collect the nodes of raw Metadata API output (see module doc). Pure.
 *
 * @throws DbtAutoExposuresError `ERR_TABLEAU_RESPONSE` when `input` is not Metadata API output.
 */
export function collectMetadataPages(
  input: unknown,
  options: { file?: string } = {},
): MetadataPages {
  const out: MetadataPages = {
    workbooks: [],
    customSqlTables: [],
    publishedDatasources: [],
    databaseTables: [],
    errors: [],
    warnings: [],
    pages: 0,
  };
  if (Array.isArray(input)) {
    if (input.length === 0) throw responseError('an empty array holds no page', '', options.file);
    for (const [i, page] of input.entries()) readPage(page, `[${i}]`, options.file, out);
  } else {
    readPage(input, '', options.file, out);
  }
  return out;
}

/** The GraphQL errors of pages as one coded error (`ERR_TABLEAU_GRAPHQL`), naming each message. */
export function graphQLErrorsToError(
  errors: RawGraphQLError[],
  file?: string,
): DbtAutoExposuresError {
  const described = errors.map(readGraphQLError).map((e) => ({
    message: e.message ?? '(no message)',
    code: e.code,
  }));
  const list = described
    .map((e) => (e.code === null ? e.message : `${e.code}: ${e.message}`))
    .join('; ');
  return new DbtAutoExposuresError(
    'ERR_TABLEAU_GRAPHQL',
    `${file === undefined ? '' : `${file}: `}the Metadata API answered with ${errors.length} error(s), so the data may be partial: ${list}`,
    {
      file,
      field: 'errors',
      expected: 'a response without GraphQL errors',
      details: { errors: described },
    },
  );
}
