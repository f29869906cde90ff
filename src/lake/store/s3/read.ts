// HeadObject and GetObject for the S3 store: ranges, If-Match and cancellation, answered as the lake's ObjectHead and GetResult.
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { CancelledError } from '../../errors.js';
import { assertValidKey } from '../keys.js';
import { assertValidRange, parseContentRange, rangeHeader } from '../ranges.js';
import type { GetOptions, GetResult, ObjectHead } from '../types.js';
import { quoteEtag, type S3Calls } from './call.js';

export async function headObject(s3: S3Calls, key: string): Promise<ObjectHead> {
  assertValidKey(key);
  const out = await s3.run('HeadObject', key, (abortSignal) =>
    s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }), { abortSignal }),
  );
  return toHead(key, out, out.ContentLength ?? 0);
}

export async function getObject(s3: S3Calls, key: string, options: GetOptions = {}): Promise<GetResult> {
  assertValidKey(key);
  if (options.range) assertValidRange(options.range, key);
  const out = await s3.run(
    'GetObject',
    key,
    (abortSignal) =>
      s3.client.send(
        new GetObjectCommand({
          Bucket: s3.bucket,
          Key: key,
          Range: options.range ? rangeHeader(options.range) : undefined,
          IfMatch: quoteEtag(options.ifMatch),
        }),
        { abortSignal },
      ),
    { signal: options.signal },
  );
  const span = parseContentRange(out.ContentRange);
  const size = span && Number.isFinite(span.size) ? span.size : (out.ContentLength ?? 0);
  const body = out.Body instanceof Readable ? out.Body : Readable.from([]);
  if (options.signal) {
    const signal = options.signal;
    const onAbort = () => body.destroy(new CancelledError(`read of "${key}" cancelled`, { key, store: 's3' }));
    signal.addEventListener('abort', onAbort, { once: true });
    body.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  // A server that ignores Range answers 200 with everything: report what actually came.
  const range = options.range ? (span ? { start: span.start, end: span.end } : { start: 0, end: size - 1 }) : undefined;
  return { head: toHead(key, out, size), body, range };
}

function toHead(
  key: string,
  out: Pick<HeadObjectCommandOutput, 'ETag' | 'LastModified' | 'ContentType' | 'Metadata'>,
  size: number,
): ObjectHead {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(out.Metadata ?? {})) metadata[name.toLowerCase()] = value;
  return {
    key,
    size,
    etag: out.ETag,
    lastModified: out.LastModified ?? new Date(0),
    contentType: out.ContentType,
    metadata,
  };
}
