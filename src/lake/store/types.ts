// The object-store interface every backend implements; variation lives in option objects, not extra methods.
import type { Readable } from 'node:stream';

/** What a listing tells about one object: enough for sizes, ETags and dates without a HEAD. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Opaque version tag; changes whenever the object's bytes change. Quoted as S3 returns it. */
  etag?: string;
  lastModified: Date;
}

/** What a HEAD (or GET) adds to a listing entry. */
export interface ObjectHead extends ObjectMeta {
  contentType?: string;
  /** User metadata, keys lower-cased (S3 `x-amz-meta-*`). */
  metadata: Record<string, string>;
}

export interface ListOptions {
  prefix?: string;
  /** Roll keys up to the first delimiter after the prefix into `commonPrefixes` (S3 semantics). */
  delimiter?: string;
  /** At most this many keys plus common prefixes in one page (default and ceiling 1000). */
  maxKeys?: number;
  /** Token from a previous page's `nextContinuationToken`. */
  continuationToken?: string;
  /** Only keys strictly greater than this, in UTF-8 byte order. */
  startAfter?: string;
  /**
   * Only keys (and common prefixes) strictly less than this: the listing ends there, with no
   * continuation token. S3 has no such bound, so its pages are filtered; the directory backend
   * stops walking, which spares it a stat per key the caller would throw away.
   */
  endBefore?: string;
}

export interface ListPage {
  objects: ObjectMeta[];
  commonPrefixes: string[];
  /** Present when there are more results. */
  nextContinuationToken?: string;
}

/** Inclusive byte range `[start, end]`, open-ended `[start, ∞)`, or the last `suffix` bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface GetOptions {
  range?: ByteRange;
  /** Fail with PreconditionFailed unless the object's ETag still equals this. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface GetResult {
  head: ObjectHead;
  /** The bytes asked for, streamed. Consume or destroy it. */
  body: Readable;
  /** The byte range actually returned, when a range was asked for. */
  range?: { start: number; end: number };
}

export type PutBody = Uint8Array | string | Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** 'create' fails with AlreadyExists when the key exists (S3 `If-None-Match: *`). Default 'overwrite'. */
  mode?: 'overwrite' | 'create';
  contentType?: string;
  metadata?: Record<string, string>;
  /** Required by S3 for streamed bodies sent in one request; buffers and strings know their own length. */
  contentLength?: number;
  signal?: AbortSignal;
}

export interface PutResult {
  etag?: string;
}

export interface StoreCapabilities {
  /** `get` honours `range`, including suffix ranges (Parquet footers). */
  ranges: boolean;
  /** `put(..., { mode: 'create' })` is atomic on the server. */
  createOnly: boolean;
}

export interface ObjectStore {
  /** Short name used in errors and metrics: "local", "s3". */
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  list(options?: ListOptions): Promise<ListPage>;
  /** Throws NotFoundError when the key does not exist. */
  head(key: string): Promise<ObjectHead>;
  /** Throws NotFoundError when the key does not exist. */
  get(key: string, options?: GetOptions): Promise<GetResult>;
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;
  /** Deleting a missing key is not an error (S3 semantics). */
  delete(key: string): Promise<void>;
}

/** Optional capability: URLs that let a client move bytes without going through lakeql. */
export interface Presigner {
  presignGet(key: string, options: { expiresIn: number }): Promise<string>;
  presignPut(
    key: string,
    options: {
      expiresIn: number;
      contentType?: string;
      contentLength?: number;
      metadata?: Record<string, string>;
      checksumSha256?: string;
    },
  ): Promise<string>;
}

export interface MultipartUploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
}

/** A part the store already holds for an unfinished multipart upload (S3 ListParts). */
export interface UploadedPart {
  partNumber: number;
  /** Quoted; on S3 without SSE-KMS and on the directory backend, the MD5 of the part's bytes. */
  etag: string;
  size: number;
}

/** Optional capability: the primitive multipart calls, for engines that drive parts themselves, for resuming and for crash clean-up. */
export interface MultipartStore {
  createMultipartUpload(key: string, options?: Omit<PutOptions, 'mode' | 'contentLength'>): Promise<string>;
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }>;
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  listMultipartUploads(prefix?: string): Promise<MultipartUploadInfo[]>;
  /** The parts an unfinished upload holds, by part number; NotFound when the upload is gone (completed or aborted). */
  listParts(key: string, uploadId: string): Promise<UploadedPart[]>;
}

export function isPresigner(store: object): store is Presigner {
  return typeof (store as Partial<Presigner>).presignGet === 'function';
}

export function isMultipartStore(store: object): store is MultipartStore {
  return typeof (store as Partial<MultipartStore>).createMultipartUpload === 'function';
}
