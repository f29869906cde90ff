// The value a `File` argument carries: a file of a GraphQL multipart request, readable once as a stream.
import { Readable } from 'node:stream';

export interface UploadedFile {
  readonly filename: string;
  readonly mimetype: string;
  /** The bytes as they arrive; callable once. */
  stream(): Readable;
}

/** Accepts our streamed files and, for requests parsed elsewhere, web `File` objects. */
export function asUploadedFile(value: unknown): UploadedFile | undefined {
  if (!value || typeof value !== 'object' || typeof (value as { stream?: unknown }).stream !== 'function')
    return undefined;
  if ('filename' in value) return value as UploadedFile;
  const file = value as { name?: string; type?: string; stream(): ReadableStream<Uint8Array> };
  return {
    filename: file.name ?? 'file',
    mimetype: file.type ?? 'application/octet-stream',
    // Yoga's own parser hands over ponyfill streams, which Readable.fromWeb does not accept; they are async-iterable.
    stream: () => {
      const web = file.stream();
      return Symbol.asyncIterator in web
        ? Readable.from(web as unknown as AsyncIterable<Uint8Array>)
        : Readable.fromWeb(web as never);
    },
  };
}
