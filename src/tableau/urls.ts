/**
 * Browser URLs of Tableau content. Tableau Cloud and non-default Server sites:
 * `https://host/#/site/<contentUrl>/workbooks/<vizportalUrlId>`; the default Server site (contentUrl
 * ""): `https://host/#/workbooks/<vizportalUrlId>`.
 */

/** `https://host` from a bare host (`10az.online.tableau.com`) or a URL; trailing slashes removed. */
export function serverBaseUrl(serverUrl: string): string {
  const trimmed = serverUrl.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/**
 * The browser URL of a workbook (or, with `kind: 'datasources'`, of a published data source), or
 * null when the server URL or the vizportalUrlId is unknown.
 */
export function contentUrl(
  serverUrl: string | null | undefined,
  siteName: string | null | undefined,
  vizportalUrlId: string | null | undefined,
  kind: 'workbooks' | 'datasources' = 'workbooks',
): string | null {
  if (serverUrl === null || serverUrl === undefined || serverUrl.trim() === '') return null;
  if (vizportalUrlId === null || vizportalUrlId === undefined || vizportalUrlId === '') return null;
  const base = serverBaseUrl(serverUrl);
  const id = encodeURIComponent(vizportalUrlId);
  if (siteName === null || siteName === undefined || siteName === '')
    return `${base}/#/${kind}/${id}`;
  return `${base}/#/site/${encodeURIComponent(siteName)}/${kind}/${id}`;
}

/** The browser URL of a workbook (see `contentUrl`). */
export function workbookUrl(
  serverUrl: string | null | undefined,
  siteName: string | null | undefined,
  vizportalUrlId: string | null | undefined,
): string | null {
  return contentUrl(serverUrl, siteName, vizportalUrlId, 'workbooks');
}
