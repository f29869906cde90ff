// Presigned GET and PUT URLs for the S3 store, with what a browser must send bound into the signature.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { InvalidInputError } from '../../errors.js';
import { assertValidContentLength, normalizeMetadata } from '../body.js';
import { assertValidKey } from '../keys.js';
import type { Presigner } from '../types.js';
import type { S3Calls } from './call.js';

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export async function presignGet(s3: S3Calls, key: string, options: { expiresIn: number }): Promise<string> {
  assertValidKey(key);
  assertExpiresIn(options.expiresIn);
  return s3.run('PresignGetObject', key, () =>
    getSignedUrl(s3.client, new GetObjectCommand({ Bucket: s3.bucket, Key: key }), {
      expiresIn: options.expiresIn,
    }),
  );
}

/**
 * Content type and length are signed headers, and metadata and checksum are kept as headers
 * (not hoisted into the query string), so a browser must send exactly what was signed: S3
 * rejects any other type, size, metadata or bytes.
 */
export async function presignPut(
  s3: S3Calls,
  key: string,
  options: Parameters<Presigner['presignPut']>[1],
): Promise<string> {
  assertValidKey(key);
  assertExpiresIn(options.expiresIn);
  assertValidContentLength(options.contentLength, key);
  const metadata = normalizeMetadata(options.metadata, key);
  const signableHeaders = new Set<string>();
  if (options.contentType !== undefined) signableHeaders.add('content-type');
  if (options.contentLength !== undefined) signableHeaders.add('content-length');
  const unhoistableHeaders = new Set(Object.keys(metadata).map((name) => `x-amz-meta-${name}`));
  if (options.checksumSha256 !== undefined) unhoistableHeaders.add('x-amz-checksum-sha256');
  const command = new PutObjectCommand({
    Bucket: s3.bucket,
    Key: key,
    ContentType: options.contentType,
    ContentLength: options.contentLength,
    Metadata: metadata,
    ChecksumSHA256: options.checksumSha256,
  });
  return s3.run('PresignPutObject', key, () =>
    getSignedUrl(s3.client, command, { expiresIn: options.expiresIn, signableHeaders, unhoistableHeaders }),
  );
}

function assertExpiresIn(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new InvalidInputError(`expiresIn must be 1–${MAX_PRESIGN_SECONDS} seconds, got ${seconds}`, { store: 's3' });
  }
}
