// The busboy parser a GraphQL multipart request is read with: its limits, and its errors in words a client can act on.
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { MAX_FILES } from './upload-map.js';

/** Most bytes the `operations` and `map` fields may have (MULTIPART_OVERHEAD_BYTES leaves room for both). */
export const MAX_FIELD_BYTES = 1024 * 1024;
/** A part's header block; busboy keeps at most this much of it (the rest is dropped, not buffered). */
const MAX_PART_HEADER_BYTES = 16 * 1024;
/** Memory per request: busboy's input buffer and its current part's buffer; each reader's stream adds 64 KiB. */
const PARSER_HWM = 64 * 1024;

/** Throws on a content type busboy cannot read (no boundary, not multipart). */
export function multipartParser(contentType: string): BusboyInstance {
  return Busboy({
    headers: { 'content-type': contentType },
    highWaterMark: PARSER_HWM,
    fileHwm: PARSER_HWM,
    // By name, not by filename or content type: every part but the two fields is a file, even one a client sent without a filename.
    isPartAFile: (name) => name !== 'operations' && name !== 'map',
    limits: {
      fieldSize: MAX_FIELD_BYTES,
      fields: 2,
      files: MAX_FILES,
      parts: MAX_FILES + 2,
      headerPairs: 32,
      headerSize: MAX_PART_HEADER_BYTES,
    },
  });
}

export function describeParserError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end/i.test(message)) return 'the multipart body ends before its closing boundary';
  return `invalid multipart body: ${message}`;
}
