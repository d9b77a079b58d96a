/** Collections and collection items of the mock server (REST API 3.28 or later, paged). */
import { errorAnswer, type MockAnswer, type MockRequest } from './mock-answer.js';
import { type MockElement, renderTsResponse } from './mock-rest-bodies.js';
import { compareVersions } from './mock-routes.js';
import type { MockState } from './mock-state.js';

/** The first REST API version with Collections methods. */
export const COLLECTIONS_MIN_API_VERSION = '3.28';

/** Answer a collections listing, or the items of one collection when `collectionLuid` is given. */
export function handleCollections(
  state: MockState,
  req: MockRequest,
  version: string,
  collectionLuid?: string,
): MockAnswer {
  const effective = compareVersions(version, state.apiVersion) < 0 ? version : state.apiVersion;
  if (compareVersions(effective, COLLECTIONS_MIN_API_VERSION) < 0) {
    return errorAnswer(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `Collections need REST API ${COLLECTIONS_MIN_API_VERSION} or later (this request uses ${effective})`,
    );
  }
  const pageSize = Math.min(1000, Math.max(1, Number(req.query.get('pageSize') ?? 100) || 100));
  const pageNumber = Math.max(1, Number(req.query.get('pageNumber') ?? 1) || 1);
  const page = <T>(all: T[]): T[] => all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const pagination = (total: number): MockElement => ({
    name: 'pagination',
    attributes: { pageNumber, pageSize, totalAvailable: total },
  });
  if (collectionLuid === undefined) {
    const all = state.site.collections;
    return {
      status: 200,
      body: renderTsResponse(req.format, [
        pagination(all.length),
        {
          name: 'collections',
          repeated: true,
          children: page(all).map((c) => ({
            name: 'collection',
            attributes: {
              id: c.luid,
              name: c.name,
              description: c.description,
              ownerId: c.ownerLuid,
            },
          })),
        },
      ]),
    };
  }
  const collection = state.site.collections.find((c) => c.luid === collectionLuid);
  if (collection === undefined) {
    return errorAnswer(
      req.format,
      404,
      '404000',
      'Resource Not Found',
      `Collection '${collectionLuid}' could not be found.`,
    );
  }
  return {
    status: 200,
    body: renderTsResponse(req.format, [
      pagination(collection.items.length),
      {
        name: 'collectionItems',
        repeated: true,
        children: page(collection.items).map((item) => ({
          name: 'item',
          attributes: {
            type: item.type,
            id: item.luid,
            name: state.findTarget(item.type === 'workbook' ? 'workbook' : 'datasource', item.luid)
              ?.name,
          },
        })),
      },
    ]),
  };
}
