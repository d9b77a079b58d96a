/**
 * Reading raw Metadata API output in every form users and the client have it: one response or an
 * array of responses (pages), each with or without the outer `{ data, errors }` envelope, holding
 * any of the connections (`nodes`, or Relay-style `edges { node }`) or plain lists the library
 * knows. Collects their nodes by kind and splits
 * GraphQL `errors` into real errors and warnings (`extensions.severity: "WARNING"`).
 *
 * Anything that is not Metadata API output fails with `ERR_TABLEAU_RESPONSE`, naming the file (when
 * given) and the JSON path of the offending field.
 */
import { DbtAutoExposuresError } from '../errors.js';
import type {
  RawCustomSqlTable,
  RawGraphQLError,
  RawPublishedDatasource,
  RawTable,
  RawWorkbook,
} from './raw-types.js';
import type { TableauWarning } from './types.js';

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

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

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

/** A GraphQL error entry as a warning, or null when it is a real error. */
export function asWarning(error: RawGraphQLError): TableauWarning | null {
  if (error.extensions?.severity !== 'WARNING') return null;
  return {
    code: typeof error.extensions.code === 'string' ? error.extensions.code : null,
    message: typeof error.message === 'string' ? error.message : '',
  };
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
    const error = entry as RawGraphQLError;
    const warning = asWarning(error);
    if (warning === null) out.errors.push(error);
    else out.warnings.push(warning);
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
  const described = errors.map((e) => ({
    message: typeof e.message === 'string' ? e.message : '(no message)',
    code: typeof e.extensions?.code === 'string' ? e.extensions.code : null,
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
