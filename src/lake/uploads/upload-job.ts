// A single tick-file upload followed as a job: registered before its bytes arrive, run by the instance they reach.
import type { Readable } from 'node:stream';
import { CancelledError, InvalidInputError, isLakeError } from '../errors.js';
import type { JobService } from '../jobs/service.js';
import type { JobSnapshot } from '../jobs/types.js';
import type { TransferEngine } from './engine.js';
import { tickTarget, uploadTickStream, type StoredObject } from './objects.js';
import type { TickTarget } from './validate.js';

export interface TickFileArgs {
  resolution: TickTarget['resolution'];
  symbol: string;
  year: number;
  month?: number | null;
}

/** The smallest Parquet file: magic, footer length, magic. */
const MIN_PARQUET_BYTES = 12;

/**
 * Why a job and not just the mutation's answer: the job's progress is what the store has
 * received, it is visible to every client and instance, and it can be cancelled. The job knows
 * its key and exact size up front (totalFiles 1, totalBytes = contentLength), so progress has a
 * total from the first snapshot; if no upload claims it within `timeoutMs`, it fails.
 */
export async function registerUploadJob(
  jobs: JobService,
  args: TickFileArgs & { contentLength: number },
  timeoutMs: number,
): Promise<JobSnapshot> {
  if (!Number.isSafeInteger(args.contentLength) || args.contentLength < MIN_PARQUET_BYTES) {
    throw new InvalidInputError(
      `contentLength must be the file's size, at least ${MIN_PARQUET_BYTES} bytes (a Parquet file's minimum), got ${args.contentLength}`,
    );
  }
  const { key } = tickTarget(args);
  return jobs.register({
    kind: 'UPLOAD',
    description: `one file → ${key}`,
    key,
    totalFiles: 1,
    totalBytes: args.contentLength,
    timeoutMs,
  });
}

/**
 * Streams the file into the job's key as uploadTickStream does (validated before it becomes
 * visible), while the job's transferredBytes follow the bytes sent to the store. Resolves with
 * the stored object once the job is SUCCEEDED; otherwise throws the upload's own typed error
 * (also in the job's `errors`), or CANCELLED when cancelJob stopped it.
 */
export async function uploadTickJob(
  jobs: JobService,
  engine: TransferEngine,
  jobId: string,
  args: TickFileArgs,
  file: { filename: string; stream: Readable },
): Promise<StoredObject> {
  const { key } = tickTarget(args);
  const registered = await jobs.get(jobId);
  // Checked before the claim: a wrong target must not use up the job.
  if (registered?.kind === 'UPLOAD' && registered.key !== key) {
    throw new InvalidInputError(`job ${jobId} uploads to ${registered.key}, not to ${key} that these arguments name`, {
      key,
    });
  }
  let stored: StoredObject | undefined;
  let failure: unknown;
  const final = await jobs.claim(jobId, 'UPLOAD', async (tracker) => {
    try {
      stored = await uploadTickStream(engine.uploader, args, file.stream, {
        partSize: engine.defaults.partSize,
        queueSize: engine.defaults.queueSize,
        signal: tracker.signal,
        size: tracker.current.totalBytes,
        onProgress: (sent) => tracker.progress(key, sent),
      });
      tracker.fileDone(key, stored.size);
    } catch (error) {
      failure = error;
      if (!tracker.signal.aborted) tracker.fileFailed({ path: file.filename, key, attempts: 1 }, error);
      throw error;
    }
  });
  if (final.state === 'SUCCEEDED' && stored) return stored;
  if (final.state === 'CANCELLED') {
    throw isLakeError(failure) && failure.code === 'CANCELLED'
      ? failure
      : new CancelledError(`upload job ${jobId} was cancelled`, { key });
  }
  throw failure ?? new Error(final.message ?? `upload job ${jobId} ended ${final.state}`);
}
