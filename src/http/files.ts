// Serves the directory backend's signed download URLs (/files/<key>?expires=&signature=), with Range support.
import { Readable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { isLakeError } from '../lake/errors.js';
import type { ByteRange, ObjectStore } from '../lake/store/types.js';
import { FILES_PATH, type UrlSigner } from '../lake/url-signer.js';

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
  let range: ByteRange | undefined;
  const header = request.headers.get('range');
  if (header) {
    const parsed = parseRange(header);
    if (!parsed) return text(416, 'unsupported range');
    range = parsed;
  }
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
    if (isLakeError(error) && error.code === 'INVALID_INPUT') return text(416, 'range not satisfiable');
    throw error;
  }
}

/** One range only: `bytes=a-b`, `bytes=a-` or `bytes=-n`. */
function parseRange(header: string): ByteRange | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === '' ? undefined : Number(m[2]);
  if (end !== undefined && end < start) return null;
  return { start, end };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
