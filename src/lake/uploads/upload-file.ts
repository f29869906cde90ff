// One backfill file into the store: skipped when an earlier run stored it, resumed at the part when one was cut off, else sent whole.
import * as fs from 'node:fs/promises';
import { CancelledError, InvalidInputError, isLakeError } from '../errors.js';
import type { FileRecord, JobFileLog, SourceStamp } from '../jobs/file-log.js';
import { withRetry } from '../jobs/retry.js';
import type { JobTracker } from '../jobs/tracker.js';
import { resumeMultipartUpload, type PartSource } from '../store/resume-upload.js';
import { effectivePartSize, uploadMemory } from '../store/streaming.js';
import { isMultipartStore } from '../store/types.js';
import type { TransferEngine } from './engine.js';
import { attributesFor } from './metadata.js';
import type { PlannedFile } from './plan.js';
import { openSource } from './source-file.js';

export interface FileUploadContext {
  engine: TransferEngine;
  /** The job's tracker, or a queued item's reporter (job-queue.ts): per-file progress and completion only. */
  tracker: Pick<JobTracker, 'progress' | 'fileDone'>;
  partSize: number;
  signal: AbortSignal;
  log?: JobFileLog;
}

export async function uploadFile(context: FileUploadContext, file: PlannedFile): Promise<void> {
  const { engine, tracker, partSize, signal, log } = context;
  const queueSize = engine.defaults.queueSize;
  const release = await engine.budget.acquire(uploadMemory(file.size, partSize, queueSize), signal);
  const { contentType, metadata } = attributesFor(file.key);
  let attempts = 0;
  const single = file.size <= effectivePartSize(partSize, file.size);
  const grace = single ? afterGrace(signal, SINGLE_UPLOAD_GRACE_MS) : undefined;
  try {
    const stamp = log ? await stampOf(file) : { size: file.size, mtimeMs: 0 };
    let previous: FileRecord | undefined = log?.previous.get(file.key);
    // Stored by an earlier run from this very source: never sent again.
    if (previous?.state === 'done' && sameSource(previous, stamp)) {
      tracker.fileDone(file.key, file.size);
      return;
    }
    // The earlier run was about to create a multipart upload of this file and may have: abort what it left.
    let leftovers = previous?.state === 'starting' && log ? log.jobId : undefined;
    let etag: string | undefined;
    await withRetry(
      async (attempt) => {
        attempts = attempt;
        if (leftovers !== undefined) {
          await engine.uploadHooks?.abortLeftovers?.(file.key, leftovers);
          leftovers = undefined;
        }
        if (previous?.state === 'started') {
          const started = previous;
          previous = undefined; // one resume attempt; a retry after it starts afresh
          const resumed = await resumeFile(context, file, started, stamp);
          if (resumed) {
            etag = resumed.etag;
            return;
          }
        }
        const source = await openSource(file, single);
        try {
          const result = await engine.uploader.uploadStream(file.key, source.body, {
            contentType,
            metadata,
            contentLength: file.size,
            partSize,
            queueSize,
            // A cancel does not cut a single-request upload short at once: with its bytes sent, the
            // server may already have stored the object while the client sees an abort, and the job
            // would report fewer doneFiles than objects landed. Given SINGLE_UPLOAD_GRACE_MS to finish
            // (one part's bytes at most), it is counted; only a request stuck longer is cut. Multipart
            // uploads stop between parts and are aborted, so nothing of them lands.
            signal: grace?.signal ?? signal,
            onProgress: (sent) => tracker.progress(file.key, sent),
            ...(log
              ? {
                  job: log.jobId,
                  beforeMultipartCreate: () => log.starting(file.key, stamp),
                  onMultipartCreated: (uploadId: string, usedPartSize: number) =>
                    log.started(file.key, { uploadId, partSize: usedPartSize, ...stamp }),
                }
              : {}),
          });
          etag = result.etag;
        } finally {
          await source.close();
        }
      },
      { ...engine.retry, signal },
    );
    await log?.done(file.key, { ...stamp, ...(etag ? { etag } : {}) });
    engine.onFileStored?.({ key: file.key, size: file.size, etag });
    tracker.fileDone(file.key, file.size);
  } catch (error) {
    if (signal.aborted && !(error instanceof CancelledError)) throw new CancelledError();
    throw Object.assign(error as object, { attempts });
  } finally {
    grace?.dispose();
    release();
  }
}

/** How long a single-request upload under way may still finish after a cancel. */
export const SINGLE_UPLOAD_GRACE_MS = 2_000;

/** A signal that aborts `ms` after `signal` does. */
function afterGrace(signal: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    timer = setTimeout(() => controller.abort(signal.reason), ms);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Finishes the multipart upload an earlier run left, when the source is the one it started from.
 * Undefined when there is nothing to resume (the upload is gone, the source changed: the old
 * upload is then aborted), so the caller sends the file whole.
 */
async function resumeFile(
  context: FileUploadContext,
  file: PlannedFile,
  started: Extract<FileRecord, { state: 'started' }>,
  stamp: SourceStamp,
): Promise<{ etag?: string } | undefined> {
  const { engine, tracker, signal } = context;
  const store = engine.store;
  if (!isMultipartStore(store)) return undefined;
  // The marker goes with the upload; failing to remove it only leaves work for the start-up clean-up.
  const forget = () =>
    Promise.resolve()
      .then(() => engine.uploadHooks?.onEnded?.(file.key, started.uploadId))
      .catch(() => {});
  const abandon = async () => {
    await store.abortMultipartUpload(file.key, started.uploadId).catch(() => {});
    await forget();
  };
  if (!sameSource(started, stamp)) {
    await abandon();
    return undefined;
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file.real, 'r');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (stats.ino !== file.ino || stats.dev !== file.dev || stats.size !== file.size) {
      await abandon();
      return undefined;
    }
    const source: PartSource = {
      size: file.size,
      async read(offset, length) {
        const buffer = Buffer.allocUnsafe(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        return buffer.subarray(0, read);
      },
    };
    const result = await resumeMultipartUpload(store, file.key, started.uploadId, source, {
      partSize: started.partSize,
      queueSize: engine.defaults.queueSize,
      signal,
      onProgress: (done) => tracker.progress(file.key, done),
    });
    await forget();
    return { etag: result.etag };
  } catch (error) {
    if (isLakeError(error) && error.code === 'NOT_FOUND') {
      // The upload was completed or aborted meanwhile (a clean-up, a lifecycle rule): send the file whole.
      await forget();
      return undefined;
    }
    await abandon();
    throw error;
  } finally {
    await handle.close();
  }
}

async function stampOf(file: PlannedFile): Promise<SourceStamp> {
  const stats = await fs.stat(file.real);
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

function sameSource(record: SourceStamp, now: SourceStamp): boolean {
  return record.size === now.size && record.mtimeMs === now.mtimeMs;
}
