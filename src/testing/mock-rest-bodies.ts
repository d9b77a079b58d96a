/**
 * REST response bodies of the mock server, in Tableau's two formats: XML (the default, shaped
 * like the recorded payloads in fixtures/tableau/rest) and JSON (when the request sends
 * `Accept: application/json`). In JSON, XML attributes become string-valued properties (as in
 * Tableau's JSON error body, whose `code` is a string) and repeated elements become arrays under
 * the singular name (`{"collections":{"collection":[…]}}`).
 */

/** The body format a request asked for. */
export type BodyFormat = 'xml' | 'json';

/** A rendered body with its content type. */
export interface RenderedBody {
  contentType: string;
  text: string;
}

const XML_HEAD =
  '<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<tsResponse xmlns="http://tableau.com/api" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://tableau.com/api https://help.tableau.com/samples/en-us/rest_api/ts-api_3_24.xsd">';

/** Escape text for an XML attribute or element. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A neutral element tree rendered to either format. */
export interface MockElement {
  name: string;
  attributes?: Record<string, string | number | boolean | null | undefined>;
  children?: MockElement[];
  text?: string;
  /** In JSON, render children of this name as an array under it (repeated elements). */
  repeated?: boolean;
}

function attributesOf(element: MockElement): [string, string][] {
  return Object.entries(element.attributes ?? {})
    .filter(
      (entry): entry is [string, string | number | boolean] =>
        entry[1] !== null && entry[1] !== undefined,
    )
    .map(([k, v]) => [k, String(v)]);
}

function toXml(element: MockElement, indent: string): string {
  const attrs = attributesOf(element)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const children = element.children ?? [];
  if (children.length === 0 && element.text === undefined)
    return `${indent}<${element.name}${attrs} />`;
  if (children.length === 0)
    return `${indent}<${element.name}${attrs}>${escapeXml(element.text ?? '')}</${element.name}>`;
  const inner = children.map((c) => toXml(c, `${indent}  `)).join('\n');
  return `${indent}<${element.name}${attrs}>\n${inner}\n${indent}</${element.name}>`;
}

function toJson(element: MockElement): unknown {
  if (
    element.text !== undefined &&
    (element.children ?? []).length === 0 &&
    attributesOf(element).length === 0
  ) {
    return element.text;
  }
  const out: Record<string, unknown> = Object.fromEntries(attributesOf(element));
  const children = element.children ?? [];
  if (element.repeated) {
    const groups = new Map<string, unknown[]>();
    for (const c of children) groups.set(c.name, [...(groups.get(c.name) ?? []), toJson(c)]);
    for (const [name, values] of groups) out[name] = values;
  } else {
    for (const c of children) out[c.name] = toJson(c);
  }
  return out;
}

/** Render the children of `<tsResponse>` in the requested format. */
export function renderTsResponse(format: BodyFormat, children: MockElement[]): RenderedBody {
  if (format === 'json') {
    const out: Record<string, unknown> = {};
    for (const c of children) out[c.name] = toJson(c);
    return { contentType: 'application/json;charset=UTF-8', text: JSON.stringify(out) };
  }
  const inner = children.map((c) => toXml(c, '  ')).join('\n');
  return {
    contentType: 'application/xml;charset=UTF-8',
    text: `${XML_HEAD}\n${inner}\n</tsResponse>\n`,
  };
}

/** A Tableau error body (`<error code><summary/><detail/></error>`). */
export function renderError(
  format: BodyFormat,
  code: string,
  summary: string,
  detail: string,
): RenderedBody {
  return renderTsResponse(format, [
    {
      name: 'error',
      attributes: { code },
      children: [
        { name: 'summary', text: summary },
        { name: 'detail', text: detail },
      ],
    },
  ]);
}

/** An HTML error page, as a load balancer or Tableau Cloud's rate limiter sends. */
export function renderHtmlError(status: number, title: string): RenderedBody {
  return {
    contentType: 'text/html;charset=UTF-8',
    text: `<!DOCTYPE html>\n<html><head><title>${status} ${escapeXml(title)}</title></head><body><h1>${status} ${escapeXml(title)}</h1><p>The server could not complete your request.</p></body></html>\n`,
  };
}
