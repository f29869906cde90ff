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
  if (!value || typeof value !== 'object' || typeof (value as { stream?: unknown }).stream !== 'function') return undefined;
  if ('filename' in value) return value as UploadedFile;
  const file = value as { name?: string; type?: string; stream(): ReadableStream<Uint8Array> };
  return { filename: file.name ?? 'file', mimetype: file.type ?? 'application/octet-stream', stream: () => Readable.fromWeb(file.stream() as never) };
}
