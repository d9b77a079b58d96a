/**
 * REST listings that the workbook filters need: projects (to resolve nested paths such as
 * "Finance/Reporting" to luids) and collections with their items (REST API 3.28+). Paged with
 * `pageSize`/`pageNumber` until `pagination.totalAvailable` is reached or a page comes back short,
 * within the client's listing bounds (`checkListingBounds`).
 */
import { TableauApiError } from '../errors.js';
import type { Session, SessionInfo } from './session.js';
import { checkListingBounds, type ListingLimits } from './settings.js';

/** REST page size for listings (Tableau's maximum is 1000). */
const REST_PAGE_SIZE = 1000;

/** A project with its parent. */
export interface RestProject {
  luid: string;
  name: string;
  parentLuid: string | null;
}

/** A collection. */
export interface RestCollection {
  luid: string;
  name: string;
}

/** An item of a collection. */
export interface RestCollectionItem {
  type: string;
  luid: string;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function asList(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map(record).filter((r): r is Record<string, unknown> => r !== null);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Every element of a paged REST listing: `{ pagination, <plural>: { <singular>: [...] } }` (JSON,
 * or Tableau XML in its JSON form).
 */
async function listRest(
  session: Session,
  options: {
    path: (s: SessionInfo) => string;
    /** Container keys to look for (the first present wins). */
    plural: string[];
    singular: string;
    operation: string;
    signal?: AbortSignal | undefined;
    limits: ListingLimits;
  },
): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    checkListingBounds(options.operation, { pages: pageNumber, nodes: all.length }, options.limits);
    const response = await session.request({
      method: 'GET',
      path: (s) => `${options.path(s)}?pageSize=${REST_PAGE_SIZE}&pageNumber=${pageNumber}`,
      signal: options.signal,
      operation: `${options.operation} (page ${pageNumber})`,
    });
    const body = record(response.body);
    if (body === null) {
      throw new TableauApiError(
        'ERR_TABLEAU_RESPONSE',
        `${options.operation}: the answer is not a ${options.plural[0]} listing`,
        { method: 'GET', status: response.status },
      );
    }
    const container = options.plural.map((key) => body[key]).find((v) => v !== undefined);
    const items = Array.isArray(container)
      ? asList(container)
      : asList(record(container)?.[options.singular]);
    all.push(...items);
    checkListingBounds(options.operation, { pages: pageNumber, nodes: all.length }, options.limits);
    const total = Number(record(body.pagination)?.totalAvailable);
    const done = Number.isFinite(total) ? all.length >= total : items.length < REST_PAGE_SIZE;
    if (done || items.length === 0) return all;
  }
}

/** Every project of the site. */
export async function listProjects(
  session: Session,
  limits: ListingLimits,
  signal?: AbortSignal,
): Promise<RestProject[]> {
  const raw = await listRest(session, {
    limits,
    path: (s) => `/api/${s.apiVersion}/sites/${s.siteLuid}/projects`,
    plural: ['projects'],
    singular: 'project',
    operation: 'list projects',
    signal,
  });
  return raw.flatMap((p) => {
    const luid = str(p.id) ?? str(p.luid);
    const name = typeof p.name === 'string' ? p.name : null;
    return luid === null || name === null
      ? []
      : [{ luid, name, parentLuid: str(p.parentProjectId) ?? str(p.parentLuid) }];
  });
}

/** Every collection the signed-in user can see (REST API 3.28+). */
export async function listCollections(
  session: Session,
  limits: ListingLimits,
  signal?: AbortSignal,
): Promise<RestCollection[]> {
  const raw = await listRest(session, {
    limits,
    path: (s) => `/api/${s.apiVersion}/sites/${s.siteLuid}/collections`,
    plural: ['collections'],
    singular: 'collection',
    operation: 'list collections',
    signal,
  });
  // Established (REST schema 3.28, `collectionType`): a collection's luid is `id`, with `name`.
  // Not established: the listing's container (`collections.collection` is the classic pattern).
  return raw.flatMap((c) => {
    const luid = str(c.id) ?? str(c.luid);
    const name = typeof c.name === 'string' ? c.name : null;
    return luid === null || name === null ? [] : [{ luid, name }];
  });
}

/** The items of one collection (REST API 3.28+). */
export async function listCollectionItems(
  session: Session,
  collectionLuid: string,
  limits: ListingLimits,
  signal?: AbortSignal,
): Promise<RestCollectionItem[]> {
  const raw = await listRest(session, {
    limits,
    path: (s) =>
      `/api/${s.apiVersion}/sites/${s.siteLuid}/collections/${encodeURIComponent(collectionLuid)}/items`,
    // Established (REST API reference, Collections Methods): an item's type is `contentType` in
    // responses. Not established: the container's and the id's names; the likely spellings pass.
    plural: ['collectionItems', 'items'],
    singular: 'item',
    operation: `list items of collection ${collectionLuid}`,
    signal,
  });
  return raw.flatMap((item) => {
    const luid = str(item.id) ?? str(item.luid) ?? str(item.contentLuid);
    const type = str(item.contentType) ?? str(item.type) ?? '';
    return luid === null ? [] : [{ type: type.toLowerCase(), luid }];
  });
}

/** `"Parent/Child"` paths of every project, by luid. */
export function projectPaths(projects: RestProject[]): Map<string, string> {
  const byLuid = new Map(projects.map((p) => [p.luid, p]));
  const paths = new Map<string, string>();
  for (const project of projects) {
    const names: string[] = [];
    const seen = new Set<string>();
    for (let p: RestProject | undefined = project; p && !seen.has(p.luid); ) {
      seen.add(p.luid);
      names.unshift(p.name);
      p = p.parentLuid === null ? undefined : byLuid.get(p.parentLuid);
    }
    paths.set(project.luid, names.join('/'));
  }
  return paths;
}
