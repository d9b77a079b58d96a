/**
 * Bounds on one listing (a paged Metadata API connection or REST list): a server that keeps
 * answering "there is another page" with fresh cursors, or keeps sending full pages, is stopped
 * at a known number of pages and nodes instead of running (and growing) forever.
 */
import { TableauApiError } from '../errors.js';

/** The bounds (`createTableauClient` options `maxListingPages`, `maxListingNodes`). */
export interface ListingLimits {
  maxListingPages: number;
  maxListingNodes: number;
}

/**
 * Throws `ERR_TABLEAU_RESPONSE_TOO_LARGE` when a listing read more pages or nodes than allowed.
 * Called after each page with the running totals.
 */
export function checkListingBounds(
  operation: string,
  totals: { pages: number; nodes: number },
  limits: ListingLimits,
): void {
  const over =
    totals.pages > limits.maxListingPages
      ? `more than ${limits.maxListingPages} pages (maxListingPages)`
      : totals.nodes > limits.maxListingNodes
        ? `more than ${limits.maxListingNodes} items (maxListingNodes)`
        : null;
  if (over === null) return;
  throw new TableauApiError(
    'ERR_TABLEAU_RESPONSE_TOO_LARGE',
    `${operation}: the listing ran to ${over}; stopped. If the site is really that large, raise the ` +
      'bound in the client options',
    {
      details: {
        pages: totals.pages,
        nodes: totals.nodes,
        maxListingPages: limits.maxListingPages,
        maxListingNodes: limits.maxListingNodes,
      },
    },
  );
}
