/**
 * A small XML reader for Tableau REST bodies (`<tsResponse>…`). Tableau answers XML by default
 * and some errors arrive as XML even when JSON was asked for, so both must be understood. The
 * output follows Tableau's own JSON convention: attributes and child elements become properties
 * of one object (namespace prefixes dropped), repeated children become arrays, a text-only
 * element becomes its string, and text next to attributes goes to `value`.
 */

/** A parsed element. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Thrown on malformed or truncated XML; the HTTP layer turns it into `ERR_TABLEAU_RESPONSE`. */
export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) {
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    }
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? match;
  });
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parse an XML document into its root element. */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    const top = stack.at(-1);
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlSyntaxError('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9);
      if (end < 0 || !top) throw new XmlSyntaxError('misplaced or unterminated CDATA');
      top.text += source.slice(lt + 9, end);
      i = end + 3;
    } else if (source.startsWith('<?', lt) || source.startsWith('<!', lt)) {
      const end = source.indexOf('>', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated declaration');
      i = end + 1;
    } else if (source.startsWith('</', lt)) {
      const end = source.indexOf('>', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated end tag');
      const name = source.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== localName(name)) {
        throw new XmlSyntaxError(`unexpected </${name}>`);
      }
      i = end + 1;
    } else {
      const end = findTagEnd(source, lt);
      const selfClosing = source[end - 1] === '/';
      const inner = source.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameMatch = /^[^\s/>]+/.exec(inner);
      if (!nameMatch) throw new XmlSyntaxError('element without a name');
      const element: XmlElement = {
        name: localName(nameMatch[0]),
        attributes: {},
        children: [],
        text: '',
      };
      for (const match of inner.slice(nameMatch[0].length).matchAll(ATTRIBUTE)) {
        const key = match[1] as string;
        // Namespace declarations and prefixed attributes (xsi:schemaLocation) are not data.
        if (key === 'xmlns' || key.includes(':')) continue;
        element.attributes[key] = decodeEntities(match[2] ?? match[3] ?? '');
      }
      if (top) top.children.push(element);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = element;
      if (!selfClosing) stack.push(element);
      i = end + 1;
    }
  }
  if (!root || stack.length > 0) throw new XmlSyntaxError('truncated document');
  return root;
}

function findTagEnd(source: string, from: number): number {
  let quote: string | null = null;
  for (let j = from + 1; j < source.length; j++) {
    const ch = source[j];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return j;
    }
  }
  throw new XmlSyntaxError('unterminated tag');
}

/** An element in Tableau's JSON convention (see the module comment). */
export function xmlToJson(element: XmlElement): unknown {
  const hasAttributes = Object.keys(element.attributes).length > 0;
  const text = element.text.trim();
  if (element.children.length === 0 && !hasAttributes) return text;
  const out: Record<string, unknown> = { ...element.attributes };
  const groups = new Map<string, unknown[]>();
  for (const child of element.children) {
    const group = groups.get(child.name) ?? [];
    group.push(xmlToJson(child));
    groups.set(child.name, group);
  }
  for (const [name, values] of groups) out[name] = values.length === 1 ? values[0] : values;
  if (text !== '' && element.children.length === 0) out.value = text;
  return out;
}

/** Parse an XML document into `{ [rootName]: json }`, like Tableau's JSON bodies. */
export function xmlDocumentToJson(source: string): Record<string, unknown> {
  const root = parseXml(source);
  return { [root.name]: xmlToJson(root) };
}
