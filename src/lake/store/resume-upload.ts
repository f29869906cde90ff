// Finishes an interrupted multipart upload: keeps the parts the store already holds whose bytes match the source, sends only the rest.
import { createHash } from 'node:crypto';
import { CancelledError, InvalidInputError } from '../errors.js';
import { DEFAULT_QUEUE_SIZE, type StreamUploadResult } from './streaming.js';
import type { MultipartStore, ObjectStore, UploadedPart } from './types.js';
import { forEachBounded } from '../parallel.js';

/** Random access to the bytes being uploaded (a file on disk): each part is read when it is checked or sent. */
export interface PartSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface ResumeOptions {
  /** The part size the interrupted upload used: part N covers bytes [(N−1)·partSize, N·partSize). */
  partSize: number;
  queueSize?: number;
  signal?: AbortSignal;
  /** Bytes of the object in place so far (parts kept count at once), never decreasing. */
  onProgress?: (done: number) => void;
  beforeCommit?: () => Promise<void> | void;
}

export interface ResumeResult extends StreamUploadResult {
  /** Parts the store held with the source's bytes: not sent again. */
  keptParts: number;
  /** Parts sent by this call, and their bytes. */
  sentParts: number;
  sentBytes: number;
}

/**
 * A held part is kept only when its size is the one the part number implies and its ETag is the
 * MD5 of the source's bytes at that place (what S3 answers for a part without SSE-KMS, and what
 * the directory backend answers). Anything else (a part of a source that changed since, a
 * bucket whose ETags are not MD5s) is sent again: a mismatch costs bytes, never correctness.
 * On failure the upload is left as it is, so another call can resume it; the caller aborts it
 * when it gives up (or the start-up clean-up does, once it is stale).
 */
export async function resumeMultipartUpload(
  store: ObjectStore & MultipartStore,
  key: string,
  uploadId: string,
  source: PartSource,
  options: ResumeOptions,
): Promise<ResumeResult> {
  const { partSize, signal } = options;
  const count = Math.ceil(source.size / partSize);
  if (!Number.isInteger(partSize) || partSize <= 0 || count < 2) {
    throw new InvalidInputError(
      `a ${source.size}-byte source in ${partSize}-byte parts is not a multipart upload to resume`,
      { key, store: store.kind },
    );
  }
  const held = new Map<number, UploadedPart>((await store.listParts(key, uploadId)).map((p) => [p.partNumber, p]));
  const etags: string[] = new Array<string>(count);
  let kept = 0;
  let sentParts = 0;
  let sentBytes = 0;
  let done = 0;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const partNumbers = Array.from({ length: count }, (_, i) => i + 1);
  try {
    const cancelled = () => new CancelledError(`upload of "${key}" cancelled`, { key, store: store.kind });
    // A part cut short by a cancel fails with the abort; the cancel is what happened.
    await forEachBounded(
      partNumbers,
      options.queueSize ?? DEFAULT_QUEUE_SIZE,
      async (partNumber) => {
        const offset = (partNumber - 1) * partSize;
        const length = Math.min(partSize, source.size - offset);
        try {
          const bytes = await source.read(offset, length);
          if (bytes.length !== length)
            throw new InvalidInputError(
              `the source of "${key}" is shorter than planned (${offset + bytes.length} of ${source.size} bytes)`,
              { key },
            );
          const have = held.get(partNumber);
          if (have && have.size === length && have.etag === `"${createHash('md5').update(bytes).digest('hex')}"`) {
            etags[partNumber - 1] = have.etag;
            kept++;
          } else {
            const { etag } = await store.uploadPart(key, uploadId, partNumber, bytes, stop.signal);
            etags[partNumber - 1] = etag;
            sentParts++;
            sentBytes += length;
          }
        } catch (error) {
          // The other parts in flight are cut short too; the first error is the one thrown.
          stop.abort();
          throw error;
        }
        done += length;
        options.onProgress?.(done);
      },
      { signal: stop.signal },
    ).catch((error: unknown) => {
      throw signal?.aborted ? cancelled() : error;
    });
    if (signal?.aborted) throw cancelled();
    await options.beforeCommit?.();
    const result = await store.completeMultipartUpload(
      key,
      uploadId,
      etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    );
    return { etag: result.etag, parts: count, size: source.size, keptParts: kept, sentParts, sentBytes };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
