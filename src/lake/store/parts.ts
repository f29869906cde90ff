// Cuts a byte stream into fixed-size parts, copying each byte once into a buffer of exactly one part.
import type { Readable } from 'node:stream';

export interface Part {
  partNumber: number;
  data: Buffer;
  last: boolean;
}

/**
 * Yields parts of exactly `partSize` bytes, the last one shorter (possibly empty when the body
 * is empty). Reading is pulled by the consumer, so at most one part is being filled at a time.
 */
export async function* readParts(body: Readable | Uint8Array, partSize: number): AsyncGenerator<Part> {
  if (body instanceof Uint8Array) {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    let partNumber = 1;
    for (let start = 0; ; start += partSize, partNumber++) {
      const end = Math.min(bytes.length, start + partSize);
      yield { partNumber, data: bytes.subarray(start, end), last: end >= bytes.length };
      if (end >= bytes.length) return;
    }
  }
  let partNumber = 1;
  let buffer = Buffer.allocUnsafe(partSize);
  let filled = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (bytes.length > 0) {
      // A full part is only yielded once more bytes arrive: otherwise it might be the last one.
      if (filled === partSize) {
        yield { partNumber: partNumber++, data: buffer, last: false };
        buffer = Buffer.allocUnsafe(partSize);
        filled = 0;
      }
      const n = Math.min(bytes.length, partSize - filled);
      bytes.copy(buffer, filled, 0, n);
      filled += n;
      bytes = bytes.subarray(n);
    }
  }
  yield { partNumber, data: buffer.subarray(0, filled), last: true };
}
