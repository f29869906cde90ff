// StreamingUploader for any MultipartStore (the directory backend): lib-storage's shape without the SDK.
import type { Readable } from 'node:stream';
import { CancelledError } from '../errors.js';
import { readParts, type Part } from './parts.js';
import {
  DEFAULT_QUEUE_SIZE,
  effectivePartSize,
  type StreamingUploader,
  type StreamUploadOptions,
  type StreamUploadResult,
} from './streaming.js';
import type { MultipartStore, ObjectStore } from './types.js';
import { forEachBounded } from '../parallel.js';

export interface MultipartHooks {
  /** Called with each new upload id before any part is sent (with the job it belongs to, if any), and again when it is completed or aborted. */
  onCreated?(key: string, uploadId: string, job?: string): Promise<void> | void;
  onEnded?(key: string, uploadId: string): Promise<void> | void;
  /** Aborts the uploads of `key` a crashed run of `job` may have left; how many (OwnUploads.abortLeftovers). */
  abortLeftovers?(key: string, job: string): Promise<number>;
}

/**
 * `queueSize` workers pull parts from one generator (back-pressure for free: a part is read only
 * when a worker is free). On any error or abort: stop reading, wait for every worker, abort the
 * multipart upload, then throw. A body that fits in one part is a single put.
 */
export class MultipartStreamUploader implements StreamingUploader {
  constructor(
    private readonly store: ObjectStore & MultipartStore,
    private readonly hooks: MultipartHooks = {},
  ) {}

  async uploadStream(
    key: string,
    body: Readable | Uint8Array,
    options: StreamUploadOptions,
  ): Promise<StreamUploadResult> {
    const partSize = effectivePartSize(options.partSize, options.contentLength);
    const parts = readParts(body, partSize);
    const signal = options.signal;
    try {
      signal?.throwIfAborted();
      const first = await parts.next();
      if (first.done) throw new Error('unreachable: readParts always yields a part');
      if (first.value.last) return await this.single(key, first.value, options);
      return await this.multipart(key, first.value, parts, partSize, options);
    } catch (error) {
      if (signal?.aborted)
        throw new CancelledError(`upload of "${key}" cancelled`, { key, store: this.store.kind, cause: error });
      throw error;
    } finally {
      await parts.return(undefined);
      if (!(body instanceof Uint8Array) && !body.destroyed) body.destroy();
    }
  }

  private async single(key: string, part: Part, options: StreamUploadOptions): Promise<StreamUploadResult> {
    await options.beforeCommit?.();
    options.signal?.throwIfAborted();
    const result = await this.store.put(key, part.data, {
      contentType: options.contentType,
      metadata: options.metadata,
      signal: options.signal,
    });
    options.onProgress?.(part.data.length);
    return { etag: result.etag, parts: 0, size: part.data.length };
  }

  private async multipart(
    key: string,
    first: Part,
    rest: AsyncGenerator<Part>,
    partSize: number,
    options: StreamUploadOptions,
  ): Promise<StreamUploadResult> {
    await options.beforeMultipartCreate?.();
    const uploadId = await this.store.createMultipartUpload(key, {
      contentType: options.contentType,
      metadata: options.metadata,
    });
    const internal = new AbortController();
    const onAbort = () => internal.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done: { partNumber: number; etag: string }[] = [];
    let sent = 0;
    let size = 0;
    try {
      // The journal first: it is local, so the id is on record sooner than the marker's PUT returns.
      await options.onMultipartCreated?.(uploadId, partSize);
      await this.hooks.onCreated?.(key, uploadId, options.job);
      await forEachBounded(
        prepend(first, rest),
        options.queueSize ?? DEFAULT_QUEUE_SIZE,
        async (part) => {
          size += part.data.length;
          try {
            const { etag } = await this.store.uploadPart(key, uploadId, part.partNumber, part.data, internal.signal);
            done.push({ partNumber: part.partNumber, etag });
          } catch (error) {
            // The other parts in flight are cut short too; the first error is the one thrown.
            internal.abort();
            throw error;
          }
          sent += part.data.length;
          options.onProgress?.(sent);
        },
        { signal: internal.signal },
      );
      options.signal?.throwIfAborted();
      await options.beforeCommit?.();
      done.sort((a, b) => a.partNumber - b.partNumber);
      const result = await this.store.completeMultipartUpload(key, uploadId, done);
      await this.hooks.onEnded?.(key, uploadId);
      return { etag: result.etag, parts: done.length, size };
    } catch (error) {
      try {
        await this.store.abortMultipartUpload(key, uploadId);
        await this.hooks.onEnded?.(key, uploadId);
      } catch {
        // The upload's marker stays, so the start-up clean-up aborts it later; the first error is the one to report.
      }
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

async function* prepend(first: Part, rest: AsyncGenerator<Part>): AsyncGenerator<Part> {
  yield first;
  yield* rest;
}
