// What a caller hands the job service (a job's work, or a job registered now whose work arrives later), and the first snapshot of either.
import type { JobFileLog } from './file-log.js';
import type { JobRequest } from './journal.js';
import type { JobTracker } from './tracker.js';
import type { JobKind, JobSnapshot } from './types.js';

/**
 * What a job does once it runs. Resolve when done; per-file failures go through the tracker.
 * Throw to fail the whole job (its message becomes the job's). The tracker's signal aborts on cancel.
 */
export type JobWork = (tracker: JobTracker, context?: JobContext) => Promise<void>;

/** What a journaled job's work gets besides its tracker. */
export interface JobContext {
  /** Per-file records, durable across restarts (absent when jobs are not journaled). */
  files?: JobFileLog;
}

export interface JobSpec {
  kind: JobKind;
  description: string;
  dryRun?: boolean;
  work: JobWork;
  /** What to journal so the job can be rebuilt and resumed after a restart; absent for jobs that cannot be. */
  request?: JobRequest;
}

/** A job registered now and claimed later, by whichever instance its work (an upload's bytes) reaches. */
export interface RegisteredJobSpec {
  kind: JobKind;
  description: string;
  key?: string;
  totalFiles: number;
  totalBytes: number;
  /** How long it may wait for claim() before it fails. */
  timeoutMs: number;
}

/** A new job's first snapshot (QUEUED, seq 0, nothing counted yet); `fields` sets what differs. */
export function queuedSnapshot(
  id: string,
  kind: JobKind,
  description: string,
  createdAt: number,
  fields: Partial<JobSnapshot> = {},
): JobSnapshot {
  return {
    id,
    kind,
    state: 'QUEUED',
    seq: 0,
    description,
    dryRun: false,
    createdAt,
    totalFiles: 0,
    doneFiles: 0,
    failedFiles: 0,
    skippedFiles: 0,
    totalBytes: 0,
    transferredBytes: 0,
    bytesPerSecond: 0,
    errors: [],
    ...fields,
  };
}
