/**
 * Browser URLs of Tableau workbooks. Tableau Cloud and non-default Server sites:
 * `https://host/#/site/<contentUrl>/workbooks/<vizportalUrlId>`; the default Server site (contentUrl
 * ""): `https://host/#/workbooks/<vizportalUrlId>`.
 */

/**
 * The browser URL of a workbook, or null when the server URL or the vizportalUrlId is unknown.
 * `serverUrl` is a bare host (`10az.online.tableau.com`, https implied) or a URL.
 */
export function workbookUrl(
  serverUrl: string | null | undefined,
  siteName: string | null | undefined,
  vizportalUrlId: string | null | undefined,
): string | null {
  if (serverUrl === null || serverUrl === undefined || serverUrl.trim() === '') return null;
  if (vizportalUrlId === null || vizportalUrlId === undefined || vizportalUrlId === '') return null;
  const trimmed = serverUrl.trim().replace(/\/+$/, '');
  const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const id = encodeURIComponent(vizportalUrlId);
  if (siteName === null || siteName === undefined || siteName === '') {
    return `${base}/#/workbooks/${id}`;
  }
  return `${base}/#/site/${encodeURIComponent(siteName)}/workbooks/${id}`;
}
