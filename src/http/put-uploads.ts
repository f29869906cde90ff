// Serves the directory backend's signed upload URLs (PUT /uploads/<key>?...): exact length and SHA-256, else nothing is kept.
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { InvalidDataError, isLakeError } from '../lake/errors.js';
import { attributesFor } from '../lake/uploads/metadata.js';
import { UPLOADS_PATH, type PutGrant } from '../lake/uploads/put-url.js';
import type { TransferServices } from '../services/transfers.js';

export function putUploadsPlugin(transfers: TransferServices): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(UPLOADS_PATH)) return;
      if (request.method !== 'PUT') return endResponse(text(405, 'use PUT'));
      const grant = transfers.putUrls.verify(url);
      if (!grant) return endResponse(text(403, 'signature invalid or expired'));
      return accept(request, grant, transfers).then(endResponse);
    },
  };
}

async function accept(request: Request, grant: PutGrant, transfers: TransferServices): Promise<Response> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) !== grant.contentLength)
    return text(400, `Content-Length must be ${grant.contentLength}`);
  if (!request.body) return text(400, 'no body');
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      // Stop reading as soon as the body is longer than granted.
      if (size > grant.contentLength)
        return done(
          new InvalidDataError(`body is longer than ${grant.contentLength} bytes`, {
            key: grant.key,
            backendCode: 'IncompleteBody',
          }),
        );
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // On a Node server the body is whatwg-node's ponyfill stream, which Readable.fromWeb refuses; both kinds are async-iterable.
  const web = request.body as unknown as AsyncIterable<Uint8Array>;
  const body = Symbol.asyncIterator in web ? Readable.from(web) : Readable.fromWeb(request.body as never);
  body.on('error', (e) => tap.destroy(e));
  body.pipe(tap);
  const { contentType, metadata } = attributesFor(grant.key);
  try {
    const result = await transfers.engine.uploader.uploadStream(grant.key, tap, {
      contentType,
      metadata,
      contentLength: grant.contentLength,
      partSize: transfers.engine.defaults.partSize,
      queueSize: transfers.engine.defaults.queueSize,
      beforeCommit: () => {
        if (size !== grant.contentLength)
          throw new InvalidDataError(`got ${size} of ${grant.contentLength} bytes`, {
            key: grant.key,
            backendCode: 'IncompleteBody',
          });
        if (hash.digest('base64') !== grant.sha256)
          throw new InvalidDataError('the body does not match the signed SHA-256', {
            key: grant.key,
            backendCode: 'BadDigest',
          });
      },
    });
    return new Response(null, { status: 200, headers: result.etag ? { etag: result.etag } : {} });
  } catch (error) {
    if (
      isLakeError(error) &&
      (error.code === 'INVALID_DATA' || error.code === 'INVALID_INPUT' || error.code === 'INVALID_KEY')
    ) {
      return text(400, `${error.backendCode ?? error.code}: ${error.message}`);
    }
    throw error;
  }
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
