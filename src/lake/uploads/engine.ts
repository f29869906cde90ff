// What every transfer job shares: the store, its uploader, the roots, the memory budget, retry policy and defaults.
import { isLakeError, type LakeError } from '../errors.js';
import type { ByteBudget } from '../jobs/pool.js';
import type { Clock, RetryOptions } from '../jobs/retry.js';
import type { MultipartHooks } from '../store/multipart-upload.js';
import type { StreamingUploader } from '../store/streaming.js';
import type { ObjectStore } from '../store/types.js';

export interface TransferEngine {
  store: ObjectStore;
  uploader: StreamingUploader;
  /** Backfill sources must be below this directory; unset disables backfills. */
  uploadRoot?: string;
  /** Download destinations must be below this directory; unset disables downloads. */
  downloadRoot?: string;
  /** Shared by every job of the instance: bounds the bytes held in memory by all transfers together. */
  budget: ByteBudget;
  defaults: { concurrency: number; partSize: number; queueSize: number };
  retry: Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'> & { clock?: Clock; random?: () => number };
  /** Ceiling on a job's `concurrency` argument. */
  maxConcurrency: number;
  /** The uploader's own bookkeeping of multipart uploads (markers), told when a resumed upload ends. */
  uploadHooks?: MultipartHooks;
  /**
   * Called once per object a job has stored (a backfill file completed): the hook for whoever
   * keeps derived state about the lake (a catalog index) up to date without a listing.
   */
  onFileStored?: (object: { key: string; size: number; etag?: string }) => void;
}

/**
 * Failures that no other file of the job can escape (the bucket is gone, the credentials are
 * refused): the job stops at the first one instead of trying every file, so a missing bucket
 * costs a handful of requests, not one storm per file.
 */
export function isJobFatal(error: unknown): error is LakeError {
  if (!isLakeError(error) || error.store === undefined) return false;
  return error.code === 'UNAUTHENTICATED' || error.code === 'PERMISSION_DENIED' || error.backendCode === 'NoSuchBucket';
}
