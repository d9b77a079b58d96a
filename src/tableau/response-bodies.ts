/** Reading Tableau response bodies: success bodies (JSON or XML) and error bodies. */
import { type XmlSyntaxError, xmlDocumentToJson } from './xml.js';

/** What a Tableau error body says. */
export interface ParsedTableauError {
  tableauCode?: string;
  summary?: string;
  detail?: string;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { value?: unknown }).value === 'string'
  ) {
    return (value as { value: string }).value;
  }
  return undefined;
}

/** Tableau's `{error:{code,summary,detail}}` (JSON) or `<error code><summary/><detail/></error>` (XML). */
export function parseTableauErrorBody(raw: string): ParsedTableauError | null {
  const body = raw.trim();
  let parsed: unknown;
  try {
    if (body.startsWith('{')) parsed = JSON.parse(body);
    else if (body.startsWith('<') && !looksLikeHtml(body)) parsed = xmlDocumentToJson(body);
    else return null;
  } catch {
    return null;
  }
  const root = parsed as { error?: unknown; tsResponse?: { error?: unknown } };
  const error = (root.error ?? root.tsResponse?.error) as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object') return null;
  const out: ParsedTableauError = {};
  const code = text(error.code);
  const summary = text(error.summary);
  const detail = text(error.detail);
  if (code !== undefined) out.tableauCode = code;
  if (summary !== undefined) out.summary = summary;
  if (detail !== undefined) out.detail = detail;
  return out;
}

/** Whether a body is an HTML page (a proxy or login page), not an API answer. */
export function looksLikeHtml(body: string): boolean {
  return /^<(!doctype\s+html|html[\s>])/i.test(body);
}

/** Parse a success body: JSON, Tableau XML (to its JSON form), empty → null; anything else fails. */
export function parseBody(raw: string, contentType: string): unknown {
  const body = raw.trim();
  if (body === '') return null;
  if (looksLikeHtml(body) || contentType.includes('text/html')) {
    throw new Error('an HTML page instead of an API response');
  }
  if (body.startsWith('<')) {
    try {
      // Tableau's JSON bodies are its XML bodies without the <tsResponse> envelope.
      const document = xmlDocumentToJson(body);
      return document.tsResponse ?? document;
    } catch (error) {
      throw new Error(`malformed or truncated XML (${(error as XmlSyntaxError).message})`);
    }
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new Error('malformed or truncated JSON');
  }
}
