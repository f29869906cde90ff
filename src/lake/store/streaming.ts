// The streaming-upload capability: one object from a stream or buffer, parts in parallel, progress as bytes are sent.
import type { Readable } from 'node:stream';

/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's ceiling on parts per upload; partSize is raised so a known length always fits. */
export const MAX_PARTS = 10_000;
/**
 * Defaults, and the memory they cost: an upload holds at most (queueSize + 1) × partSize bytes
 * (queueSize parts in flight plus the one being filled), so 5 × 8 MiB = 40 MiB per large file.
 * Files no larger than one part go in a single request and hold their own size.
 */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;

export interface StreamUploadOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Total bytes when known (a file's size): lets a small file go as one request and fixes the part size. */
  contentLength?: number;
  /** Bytes per part, at least MIN_PART_SIZE; also the threshold above which an upload goes multipart. */
  partSize?: number;
  /** Parts in flight at once for this object. */
  queueSize?: number;
  signal?: AbortSignal;
  /** Bytes of this attempt sent so far; called as they go out, never decreasing within one call of uploadStream. */
  onProgress?: (sent: number) => void;
  /**
   * Runs after the last byte was read and before the object becomes visible (before PutObject or
   * CompleteMultipartUpload). Throwing aborts the upload and leaves nothing behind: validation goes here.
   */
  beforeCommit?: () => Promise<void> | void;
  /** The job the upload belongs to, named in the upload's marker (OwnUploads). */
  job?: string;
  /**
   * Called (awaited) just before a multipart upload is created: a journal records that one may
   * exist, so a crash before onMultipartCreated still leaves a trace to clean up after.
   */
  beforeMultipartCreate?: () => Promise<void> | void;
  /**
   * Called with the upload id once a multipart upload exists, before any part is sent (awaited):
   * whoever journals it can resume the upload after a crash (resumeMultipartUpload).
   */
  onMultipartCreated?: (uploadId: string, partSize: number) => Promise<void> | void;
}

export interface StreamUploadResult {
  etag?: string;
  /** 0 when the object went in one request, else the number of parts. */
  parts: number;
  size: number;
}

/**
 * Every backend offers this, natively (S3 through lib-storage) or built on MultipartStore (the
 * directory). On any failure or abort it waits for its parts in flight, aborts the multipart
 * upload, and only then rejects: no stranded parts, and nothing visible at the key.
 */
export interface StreamingUploader {
  uploadStream(key: string, body: Readable | Uint8Array, options: StreamUploadOptions): Promise<StreamUploadResult>;
}

/** The part size an upload of `length` bytes will use: the asked size, raised to fit MAX_PARTS. */
export function effectivePartSize(partSize: number | undefined, length?: number): number {
  const asked = Math.max(MIN_PART_SIZE, partSize ?? DEFAULT_PART_SIZE);
  return length === undefined ? asked : Math.max(asked, Math.ceil(length / MAX_PARTS));
}

/** Bytes an upload of `length` may hold in memory at once, for the engine's memory budget. */
export function uploadMemory(length: number, partSize?: number, queueSize?: number): number {
  const part = effectivePartSize(partSize, length);
  return length <= part ? length : (Math.max(1, queueSize ?? DEFAULT_QUEUE_SIZE) + 1) * part;
}
