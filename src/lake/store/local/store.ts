// LocalStore: the object-store interface over a directory, with S3's semantics kept exactly where callers can tell.
import type { BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, PreconditionFailedError } from '../../errors.js';
import { assertValidContentLength, normalizeMetadata, toReadable } from '../body.js';
import { normalizeListOptions } from '../list-options.js';
import { translateFsError } from './errors.js';
import { assertLocalKey, etagOf, LocalFs, mtimeOf } from './fs.js';
import { listLocal } from './list.js';
import { LocalMultipart } from './multipart.js';
import { closeQuietly, LocalReader, readBody } from './read.js';
import { LocalSidecars, type PendingSidecar } from './sidecar.js';
import { assertValidRange, rangeHeader, resolveRange } from '../ranges.js';
import { inSpan } from '../../trace.js';
import type {
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  MultipartStore,
  MultipartUploadInfo,
  ObjectHead,
  ObjectStore,
  PutBody,
  PutOptions,
  UploadedPart,
  PutResult,
  StoreCapabilities,
} from '../types.js';

export interface LocalStoreOptions {
  /**
   * fsync each object before publishing it. Off by default: renames already keep readers from
   * ever seeing half a file; fsync adds survival of a power cut at the cost of a disk flush per object.
   */
  fsync?: boolean;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Objects are plain files at `<root>/<key>`, so other tools can read and drop in files; what a
 * file cannot carry (content type, user metadata) sits in `<root>/.lakeql/meta/<key>.json`.
 * Files without a sidecar are objects too, typed application/octet-stream.
 * The root must exist (openStore creates it for a new lake): a missing root is an error like
 * S3's NoSuchBucket, not an empty lake, so a mistyped path is noticed.
 */
export class LocalStore implements ObjectStore, MultipartStore {
  readonly kind = 'local';
  readonly capabilities: StoreCapabilities = { ranges: true, createOnly: true };
  /** The lake directory, absolute. */
  readonly root: string;
  private readonly local: LocalFs;
  private readonly reader: LocalReader;
  private readonly sidecars: LocalSidecars;
  private readonly multipart: LocalMultipart;

  constructor(root: string, options: LocalStoreOptions = {}) {
    this.root = path.resolve(root);
    this.local = new LocalFs(this.root, options.fsync ?? false);
    this.reader = new LocalReader(this.local);
    this.sidecars = new LocalSidecars(this.local);
    this.multipart = new LocalMultipart(this.local, this.sidecars, options.fsync ?? false);
  }

  // Reads are traced (src/lake/trace.ts): a directory lake has no S3 spans to show where a query's time went.
  async list(options?: ListOptions): Promise<ListPage> {
    return inSpan('lakeql.local.list', { 'lakeql.prefix': options?.prefix ?? '' }, async () =>
      listLocal(this.local, normalizeListOptions(options)),
    );
  }

  async head(key: string): Promise<ObjectHead> {
    return inSpan('lakeql.local.head', { 'lakeql.key': key }, async () => {
      assertLocalKey(key);
      const sidecar = this.sidecars.prefetch(key);
      return this.headOf(key, await this.reader.stat(key), sidecar);
    });
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const range = options.range ? { 'lakeql.range': rangeHeader(options.range) } : {};
    return inSpan('lakeql.local.get', { 'lakeql.key': key, ...range }, () => this.read(key, options));
  }

  /**
   * The descriptor is opened first and everything is taken from it: the ETag, the ifMatch check,
   * the sidecar match and the bytes all describe the one inode being read, and since our writes
   * publish new inodes by rename, never a half-written one. The sidecar read (when not
   * remembered) overlaps the open, and small ranges arrive in one read() instead of a stream.
   */
  private async read(key: string, options: GetOptions): Promise<GetResult> {
    assertLocalKey(key);
    if (options.range) assertValidRange(options.range, key);
    const { signal } = options;
    if (signal?.aborted) throw this.cancelled(key);
    const sidecar = this.sidecars.prefetch(key);
    const { fd, stats } = await this.reader.open(key);
    let span: { start: number; end: number } | undefined;
    const etag = etagOf(stats);
    try {
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, etag)) {
        throw new PreconditionFailedError(`object "${key}" has changed (ETag ${etag}, expected ${options.ifMatch})`, {
          key,
          store: this.kind,
          backendCode: 'PreconditionFailed',
        });
      }
      const size = Number(stats.size);
      span = options.range
        ? resolveRange(options.range, size, key)
        : size > 0
          ? { start: 0, end: size - 1 }
          : undefined;
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
    // All at once, so neither promise is left unobserved (the sidecar's never rejects).
    const [head, body] = await Promise.all([this.headOf(key, stats, sidecar, etag), readBody(fd, span, key)]);
    if (signal) {
      if (signal.aborted) {
        body.destroy();
        throw this.cancelled(key);
      }
      const onAbort = () => body.destroy(this.cancelled(key));
      signal.addEventListener('abort', onAbort, { once: true });
      body.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    return { head, body, range: options.range ? span : undefined };
  }

  private async headOf(
    key: string,
    stats: BigIntStats,
    prefetched: PendingSidecar,
    etag = etagOf(stats),
  ): Promise<ObjectHead> {
    const sidecar = await this.sidecars.of(key, etag, prefetched);
    return {
      key,
      size: Number(stats.size),
      etag,
      lastModified: mtimeOf(stats),
      contentType: sidecar.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: sidecar.metadata,
    };
  }

  private cancelled(key: string): CancelledError {
    return new CancelledError(`read of "${key}" cancelled`, { key, store: this.kind });
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    assertLocalKey(key);
    assertValidContentLength(options.contentLength, key);
    const metadata = normalizeMetadata(options.metadata, key);
    if (options.signal?.aborted) throw new CancelledError(`write of "${key}" cancelled`, { key, store: this.kind });
    const { tmp, stats } = await this.local.writeTemp(toReadable(body), key, options.signal);
    try {
      this.local.assertContentLength(options.contentLength, stats.size, key);
    } catch (error) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw error;
    }
    // rename and link keep the inode and mtime, so the temp file's ETag is the object's.
    const etag = etagOf(stats);
    await this.local.publish(tmp, key, options.mode ?? 'overwrite');
    await this.sidecars.write(key, etag, { contentType: options.contentType, metadata });
    return { etag };
  }

  async delete(key: string): Promise<void> {
    assertLocalKey(key);
    const parent = await this.local.resolveParent(key);
    if (parent === undefined) return;
    try {
      await fs.unlink(path.join(parent, path.basename(key)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Missing, or a directory (EISDIR on Linux, EPERM on macOS): either way there is no such object.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      if (
        code === 'EPERM' &&
        (await fs.lstat(path.join(parent, path.basename(key))).catch(() => undefined))?.isDirectory()
      )
        return;
      throw translateFsError(error, key, 'delete');
    }
    await this.sidecars.remove(key);
    await this.local.pruneEmptyParents(key);
  }

  createMultipartUpload(key: string, options?: Omit<PutOptions, 'mode' | 'contentLength'>): Promise<string> {
    return this.multipart.create(key, options);
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
    return this.multipart.complete(key, uploadId, parts);
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return this.multipart.abort(key, uploadId);
  }

  listMultipartUploads(prefix?: string): Promise<MultipartUploadInfo[]> {
    return this.multipart.list(prefix);
  }

  listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return this.multipart.listParts(key, uploadId);
  }
}

/** HTTP If-Match: "*" matches any existing object; otherwise compare tags with or without quotes. */
function etagMatches(expected: string, actual: string): boolean {
  if (expected.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return expected.split(',').some((tag) => bare(tag) === bare(actual));
}
