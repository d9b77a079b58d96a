/** Carrying a Tableau API error's HTTP facts over to an error re-raised with a new message. */
import type { TableauApiError, TableauErrorFields } from '../errors.js';

/** The HTTP facts of `error`: status, Tableau code, summary, detail, method and URL. */
export function httpFactsOf(error: TableauApiError): TableauErrorFields {
  return {
    status: error.status,
    tableauCode: error.tableauCode,
    summary: error.summary,
    detail: error.detail,
    method: error.method,
    url: error.url,
  };
}
