// Serves the directory backend's signed download URLs (/files/<key>?expires=&signature=), with Range support.
import { Readable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { isLakeError } from '../lake/errors.js';
import type { ByteRange, ObjectStore } from '../lake/store/types.js';
import { FILES_PATH, type UrlSigner } from '../lake/url-signer.js';
import { parseRangeHeader } from './range-header.js';

export function filesPlugin(store: ObjectStore, signer: UrlSigner): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(FILES_PATH)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') return endResponse(text(405, 'method not allowed'));
      const key = signer.verify(url);
      if (!key) return endResponse(text(403, 'signature invalid or expired'));
      return serve(store, key, request).then(endResponse);
    },
  };
}

async function serve(store: ObjectStore, key: string, request: Request): Promise<Response> {
  const header = request.headers.get('range');
  // If-Range is not honoured, so a Range that comes with one is ignored (§13.1.5 allows it): whole file, 200.
  const range: ByteRange | undefined =
    header && !request.headers.has('if-range') ? parseRangeHeader(header) : undefined;
  try {
    const result = await store.get(key, { range });
    const headers = new Headers({
      'content-type': result.head.contentType ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      'last-modified': result.head.lastModified.toUTCString(),
    });
    if (result.head.etag) headers.set('etag', result.head.etag);
    let status = 200;
    let length = result.head.size;
    if (result.range) {
      status = 206;
      length = result.range.end - result.range.start + 1;
      headers.set('content-range', `bytes ${result.range.start}-${result.range.end}/${result.head.size}`);
    }
    headers.set('content-length', String(length));
    if (request.method === 'HEAD') {
      result.body.destroy();
      return new Response(null, { status, headers });
    }
    return new Response(Readable.toWeb(result.body) as ReadableStream, { status, headers });
  } catch (error) {
    if (isLakeError(error) && error.code === 'NOT_FOUND') return text(404, 'not found');
    if (isLakeError(error) && error.code === 'INVALID_INPUT' && range) return unsatisfiable(store, key);
    throw error;
  }
}

/** 416 with the representation's size (RFC 9110 §15.5.17), so the client can ask again. */
async function unsatisfiable(store: ObjectStore, key: string): Promise<Response> {
  const { size } = await store.head(key);
  const response = text(416, `range not satisfiable: the file has ${size} bytes`);
  response.headers.set('content-range', `bytes */${size}`);
  return response;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
