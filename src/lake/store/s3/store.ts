// S3Store: the object store over S3 (lists, puts, deletes; reads, presigning, multipart beside it); SDK types and errors never leave s3/.
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InvalidInputError } from '../../errors.js';
import { assertValidContentLength, isInMemoryBody, knownLength, normalizeMetadata, toReadable } from '../body.js';
import { assertValidKey } from '../keys.js';
import { clipPage, normalizeListOptions } from '../list-options.js';
import { DEFAULT_CONTENT_TYPE, S3Calls } from './call.js';
import { createS3Client } from './client.js';
import { S3Multipart } from './multipart.js';
import { observeRequests, type S3RequestEvent } from './observe.js';
import { presignGet, presignPut } from './presign.js';
import { getObject, headObject } from './read.js';
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

export class S3Store implements ObjectStore, Presigner, MultipartStore {
  readonly kind = 's3';
  readonly capabilities: StoreCapabilities = { ranges: true, createOnly: true };
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly s3: S3Calls;
  private readonly multipart: S3Multipart;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createS3Client(options.clientConfig);
    if (options.onRequest) observeRequests(this.client, options.onRequest);
    this.s3 = new S3Calls(this.client, this.bucket);
    this.multipart = new S3Multipart(this.s3);
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
    const out = await this.s3.run('ListObjectsV2', undefined, (abortSignal) =>
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
    return headObject(this.s3, key);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    return getObject(this.s3, key, options);
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
      const out = await this.s3.run(
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
      const out = await this.s3.run(
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
    const out = await this.s3.run(
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
    await this.s3.run('DeleteObject', key, (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
  }

  async presignGet(key: string, options: { expiresIn: number }): Promise<string> {
    return presignGet(this.s3, key, options);
  }

  async presignPut(key: string, options: Parameters<Presigner['presignPut']>[1]): Promise<string> {
    return presignPut(this.s3, key, options);
  }

  createMultipartUpload(key: string, options?: Omit<PutOptions, 'mode' | 'contentLength'>): Promise<string> {
    return this.multipart.createMultipartUpload(key, options);
  }

  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    return this.multipart.uploadPart(key, uploadId, partNumber, body, signal);
  }

  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    return this.multipart.completeMultipartUpload(key, uploadId, parts);
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return this.multipart.abortMultipartUpload(key, uploadId);
  }

  listMultipartUploads(prefix?: string): Promise<MultipartUploadInfo[]> {
    return this.multipart.listMultipartUploads(prefix);
  }

  listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return this.multipart.listParts(key, uploadId);
  }
}
