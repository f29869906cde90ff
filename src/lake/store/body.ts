// Put bodies in their four shapes reduced to what backends need: a byte stream and, when knowable, a length.
import { Readable } from 'node:stream';
import { InvalidInputError } from '../errors.js';
import type { PutBody } from './types.js';

/** Buffers and strings know their length; streams only if the caller says. */
export function knownLength(body: PutBody): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

export function isInMemoryBody(body: PutBody): body is Uint8Array | string {
  return typeof body === 'string' || body instanceof Uint8Array;
}

export function toReadable(body: PutBody): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([body]);
  // objectMode off: the stream must carry bytes, whatever chunk sizes the iterable yields.
  return Readable.from(body, { objectMode: false });
}

export function assertValidContentLength(contentLength: number | undefined, key?: string): void {
  if (contentLength === undefined) return;
  if (!Number.isSafeInteger(contentLength) || contentLength < 0)
    throw new InvalidInputError(`contentLength must be a non-negative integer, got ${contentLength}`, { key });
}

/** S3 sends user metadata as `x-amz-meta-*` headers, which arrive lower-cased; store them that way everywhere. */
export function normalizeMetadata(metadata: Record<string, string> | undefined, key?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw new InvalidInputError(`metadata name "${name}" is not a valid HTTP header token`, { key });
    if (typeof value !== 'string') throw new InvalidInputError(`metadata "${name}" must be a string`, { key });
    out[name.toLowerCase()] = value;
  }
  return out;
}

/**
 * A body already in memory, as a stream. Readers that want the bytes whole (readAll) take them as
 * they are: iterating a Readable costs more than reading a small file from the page cache.
 */
export class BufferedBody extends Readable {
  private sent = false;

  constructor(readonly bytes: Buffer) {
    super();
  }

  override _read(): void {
    if (!this.sent && this.bytes.byteLength > 0) this.push(this.bytes);
    this.sent = true;
    this.push(null);
  }
}

/** Collects a stream into one buffer; for small objects (JSON, Parquet footers), never for unbounded bodies. */
export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  if (stream instanceof BufferedBody && !stream.readableDidRead) return stream.bytes;
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
