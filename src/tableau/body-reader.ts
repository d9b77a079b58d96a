/**
 * Reading a response body under a byte cap, counted while the bytes arrive: a declared
 * `Content-Length` over the cap fails before anything is read, and a body that grows past the cap
 * (chunked, or lying about its length) fails at the first chunk over it. Bytes are decoded as they
 * come, so the raw bytes are never held next to their text.
 */

/** A response body as fetch implementations expose it: node-fetch (Node stream) or undici (web stream). */
type ChunkSource = AsyncIterable<Uint8Array>;

/** The part of a response the reader needs. */
export interface ReadableResponse {
  headers: { get(name: string): string | null };
  body?: unknown;
  text(): Promise<string>;
}

/** Thrown when the body is over the cap; `declared` is the Content-Length when that told first. */
export class BodyTooLarge extends Error {
  readonly declared: number | undefined;

  constructor(declared?: number) {
    super('response body over the cap');
    this.declared = declared;
  }
}

function isChunkSource(value: unknown): value is ChunkSource {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** The declared Content-Length, or null when absent or unreadable. */
function declaredLength(response: ReadableResponse): number | null {
  const header = response.headers.get('content-length');
  if (header === null || !/^\s*\d+\s*$/.test(header)) return null;
  return Number(header);
}

/**
 * The body as text (UTF-8), or `BodyTooLarge` once more than `maxBytes` arrived. A response
 * without a streaming body (a test double with only `text()`) is measured after reading.
 */
export async function readBodyCapped(
  response: ReadableResponse,
  maxBytes: number,
): Promise<string> {
  const declared = declaredLength(response);
  if (declared !== null && declared > maxBytes) throw new BodyTooLarge(declared);
  const body = response.body;
  if (!isChunkSource(body)) {
    const text = await response.text();
    if (Buffer.byteLength(text) > maxBytes) throw new BodyTooLarge();
    return text;
  }
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  // Leaving the loop early (the throw) closes the stream, which ends the download.
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > maxBytes) throw new BodyTooLarge();
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}
