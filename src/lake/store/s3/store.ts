// S3Store: the object-store interface over S3 and S3-compatible servers; SDK types and errors stay in the s3* files beside it, never above the store.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CancelledError, InvalidInputError, NotFoundError } from '../../errors.js';
import { assertValidContentLength, isInMemoryBody, knownLength, normalizeMetadata, toReadable } from '../body.js';
import { assertValidKey } from '../keys.js';
import { clipPage, normalizeListOptions } from '../list-options.js';
import { assertValidRange, parseContentRange, rangeHeader } from '../ranges.js';
import { createS3Client } from './client.js';
import { translateS3Error } from './errors.js';
import { observeRequests, type S3RequestEvent } from './observe.js';
import type {
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  MultipartStore,
  MultipartUploadInfo,
  ObjectHead,
  ObjectStore,
  Presigner,
  PutBody,
  UploadedPart,
  PutOptions,
  PutResult,
  StoreCapabilities,
} from '../types.js';

/** Defined with the observer; re-exported where callers have always found it. */
export type { S3RequestEvent } from './observe.js';

export interface S3StoreOptions {
  bucket: string;
  /** A client to use instead of building one; the store then leaves closing it to the caller. */
  client?: S3Client;
  /** Overrides for the client built from the AWS environment (ignored when `client` is given). */
  clientConfig?: S3ClientConfig;
  /** Called once per real HTTP attempt, the SDK's and lakeql's own fast PutObject path alike (s3/observe.ts). */
  onRequest?: (event: S3RequestEvent) => void;
}

/**
 * Streams of unknown length go through lib-storage's Upload: memory is bounded by
 * queueSize × partSize = 4 × 8 MiB = 32 MiB per put, and small streams still end in one PutObject.
 */
const STREAM_PART_SIZE = 8 * 1024 * 1024;
const STREAM_QUEUE_SIZE = 4;
/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export class S3Store implements ObjectStore, Presigner, MultipartStore {
  readonly kind = 's3';
  readonly capabilities: StoreCapabilities = { ranges: true, createOnly: true };
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createS3Client(options.clientConfig);
    if (options.onRequest) observeRequests(this.client, options.onRequest);
  }

  /**
   * For the upload engine only (lib-storage parallel multipart needs the SDK client). Everything
   * else goes through the ObjectStore methods, which translate errors; callers of this must
   * translate SDK errors themselves with `translateS3Error`.
   */
  getS3Client(): S3Client {
    return this.client;
  }

  /** Releases the connection pool of a client this store built. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  async list(options?: ListOptions): Promise<ListPage> {
    const o = normalizeListOptions(options);
    const out = await this.run('ListObjectsV2', undefined, (abortSignal) =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: o.prefix || undefined,
          Delimiter: o.delimiter,
          MaxKeys: o.maxKeys,
          ContinuationToken: o.continuationToken,
          StartAfter: o.continuationToken === undefined ? o.startAfter : undefined,
        }),
        { abortSignal },
      ),
    );
    return clipPage(
      {
        objects: (out.Contents ?? []).map((c) => ({
          key: c.Key!,
          size: c.Size ?? 0,
          etag: c.ETag,
          lastModified: c.LastModified ?? new Date(0),
        })),
        commonPrefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
        nextContinuationToken: out.IsTruncated ? out.NextContinuationToken : undefined,
      },
      o.endBefore,
    );
  }

  async head(key: string): Promise<ObjectHead> {
    assertValidKey(key);
    const out = await this.run('HeadObject', key, (abortSignal) =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
    return toHead(key, out, out.ContentLength ?? 0);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    assertValidKey(key);
    if (options.range) assertValidRange(options.range, key);
    const out = await this.run(
      'GetObject',
      key,
      (abortSignal) =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
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
      const onAbort = () => body.destroy(new CancelledError(`read of "${key}" cancelled`, { key, store: this.kind }));
      signal.addEventListener('abort', onAbort, { once: true });
      body.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    // A server that ignores Range answers 200 with everything: report what actually came.
    const range = options.range
      ? span
        ? { start: span.start, end: span.end }
        : { start: 0, end: size - 1 }
      : undefined;
    return { head: toHead(key, out, size), body, range };
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    assertValidContentLength(options.contentLength, key);
    const createOnly = options.mode === 'create';
    const params: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      ContentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      Metadata: normalizeMetadata(options.metadata, key),
      IfNoneMatch: createOnly ? '*' : undefined,
    };
    if (isInMemoryBody(body)) {
      const length = knownLength(body)!;
      if (options.contentLength !== undefined && options.contentLength !== length) {
        throw new InvalidInputError(`contentLength was ${options.contentLength} but the body has ${length} bytes`, {
          key,
          store: this.kind,
        });
      }
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const out = await this.run(
        'PutObject',
        key,
        (abortSignal) =>
          this.client.send(new PutObjectCommand({ ...params, Body: bytes, ContentLength: length }), { abortSignal }),
        { signal: options.signal, createOnly },
      );
      return { etag: out.ETag };
    }
    if (options.contentLength !== undefined) {
      const stream = toReadable(body);
      const out = await this.run(
        'PutObject',
        key,
        (abortSignal) =>
          this.client.send(new PutObjectCommand({ ...params, Body: stream, ContentLength: options.contentLength }), {
            abortSignal,
          }),
        { signal: options.signal, createOnly },
      );
      return { etag: out.ETag };
    }
    const out = await this.run(
      'Upload',
      key,
      async (abortSignal) => {
        const abortController = new AbortController();
        abortSignal.addEventListener('abort', () => abortController.abort(), { once: true });
        const upload = new Upload({
          client: this.client,
          params: { ...params, Body: toReadable(body) },
          partSize: STREAM_PART_SIZE,
          queueSize: STREAM_QUEUE_SIZE,
          leavePartsOnError: false,
          abortController,
        });
        return upload.done();
      },
      { signal: options.signal, createOnly },
    );
    return { etag: out.ETag };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.run('DeleteObject', key, (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
  }

  async presignGet(key: string, options: { expiresIn: number }): Promise<string> {
    assertValidKey(key);
    assertExpiresIn(options.expiresIn);
    return this.run('PresignGetObject', key, () =>
      getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: options.expiresIn,
      }),
    );
  }

  /**
   * Content type and length are signed headers, and metadata and checksum are kept as headers
   * (not hoisted into the query string), so a browser must send exactly what was signed: S3
   * rejects any other type, size, metadata or bytes.
   */
  async presignPut(
    key: string,
    options: {
      expiresIn: number;
      contentType?: string;
      contentLength?: number;
      metadata?: Record<string, string>;
      checksumSha256?: string;
    },
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
      Bucket: this.bucket,
      Key: key,
      ContentType: options.contentType,
      ContentLength: options.contentLength,
      Metadata: metadata,
      ChecksumSHA256: options.checksumSha256,
    });
    return this.run('PresignPutObject', key, () =>
      getSignedUrl(this.client, command, { expiresIn: options.expiresIn, signableHeaders, unhoistableHeaders }),
    );
  }

  async createMultipartUpload(key: string, options: Omit<PutOptions, 'mode' | 'contentLength'> = {}): Promise<string> {
    assertValidKey(key);
    const out = await this.run(
      'CreateMultipartUpload',
      key,
      (abortSignal) =>
        this.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            ContentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
            Metadata: normalizeMetadata(options.metadata, key),
          }),
          { abortSignal },
        ),
      { signal: options.signal },
    );
    return out.UploadId!;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    assertValidKey(key);
    const out = await this.run(
      'UploadPart',
      key,
      (abortSignal) =>
        this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.byteLength,
          }),
          { abortSignal },
        ),
      { signal },
    );
    return { etag: out.ETag! };
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    assertValidKey(key);
    const out = await this.run('CompleteMultipartUpload', key, (abortSignal) =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
        { abortSignal },
      ),
    );
    return { etag: out.ETag };
  }

  /** Idempotent, like the directory backend: an upload already gone is not an error during clean-up. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.run('AbortMultipartUpload', key, (abortSignal) =>
        this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }), {
          abortSignal,
        }),
      );
    } catch (error) {
      if (error instanceof NotFoundError && error.backendCode === 'NoSuchUpload') return;
      throw error;
    }
  }

  async listMultipartUploads(prefix = ''): Promise<MultipartUploadInfo[]> {
    const uploads: MultipartUploadInfo[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const out = await this.run('ListMultipartUploads', undefined, (abortSignal) =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
          { abortSignal },
        ),
      );
      for (const u of out.Uploads ?? [])
        if (u.Key && u.UploadId)
          uploads.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
      if (!out.IsTruncated || (out.NextKeyMarker === keyMarker && out.NextUploadIdMarker === uploadIdMarker))
        return uploads;
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    assertValidKey(key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await this.run('ListParts', key, (abortSignal) =>
        this.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
          { abortSignal },
        ),
      );
      for (const p of out.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag)
          parts.push({ partNumber: p.PartNumber, etag: quoteEtag(p.ETag)!, size: p.Size ?? 0 });
      }
      if (!out.IsTruncated || out.NextPartNumberMarker === undefined || out.NextPartNumberMarker === marker) break;
      marker = out.NextPartNumberMarker;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Runs one SDK call with cancellation, and turns whatever it throws into a lake error. */
  private async run<T>(
    operation: string,
    key: string | undefined,
    call: (abortSignal: AbortSignal) => Promise<T>,
    options: { signal?: AbortSignal; createOnly?: boolean } = {},
  ): Promise<T> {
    const signal = options.signal ?? new AbortController().signal;
    if (signal.aborted) throw new CancelledError(`S3 ${operation} cancelled`, { key, store: this.kind });
    try {
      return await call(signal);
    } catch (error) {
      throw translateS3Error(error, { operation, key, bucket: this.bucket, createOnly: options.createOnly });
    }
  }
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

function quoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '*' || etag.startsWith('"') || etag.startsWith('W/')) return etag;
  return `"${etag}"`;
}

function assertExpiresIn(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new InvalidInputError(`expiresIn must be 1–${MAX_PRESIGN_SECONDS} seconds, got ${seconds}`, { store: 's3' });
  }
}
