// Job vocabulary shared by the engine, the registry and (later) Redis: plain JSON-serialisable values only.

/**
 * The one list of job kinds and states: the schema's JobKind and JobState enums are built from these
 * (in this order), and the CLI and console get them back as generated enums.
 * UPLOAD: one file streamed through the gateway (uploadTickFile), registered before its bytes arrive.
 */
export const JOB_KINDS = ['BACKFILL', 'DOWNLOAD', 'UPLOAD'] as const;
export const JOB_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

/** One file that did not make it, with the lake error code and the backend's own code (e.g. S3 "NoSuchBucket"). */
export interface FileError {
  /** Path relative to the job's source directory (backfill), the object key (download), or the file's name as the client sent it (upload). */
  path: string;
  key: string;
  code: string;
  backendCode?: string;
  message: string;
  attempts: number;
}

/** One line of a backfill plan, what dryRun returns and what a real run works through. */
export interface PlanEntry {
  path: string;
  key: string;
  size: number;
  action: 'UPLOAD' | 'SKIP' | 'REFUSE';
  /** Why a file is skipped ("exists" for SKIP_EXISTING, "unchanged" for SYNC) or refused (a link out of the root, a bad key). */
  reason?: string;
}

/**
 * Everything a client sees of a job. Times are epoch milliseconds so the snapshot survives JSON
 * (Redis) unchanged; `seq` grows by one with every published snapshot of the job.
 */
export interface JobSnapshot {
  id: string;
  kind: JobKind;
  state: JobState;
  seq: number;
  /** What the job works on, e.g. "upload-root/data/ticks/daily → data/ticks/daily/". */
  description: string;
  dryRun: boolean;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  totalFiles: number;
  doneFiles: number;
  failedFiles: number;
  skippedFiles: number;
  /** Bytes to move, known before the first byte moves (skipped files excluded). */
  totalBytes: number;
  transferredBytes: number;
  bytesPerSecond: number;
  /** The first MAX_REPORTED_ERRORS file errors; `failedFiles` has the full count. */
  errors: FileError[];
  /** Why the job as a whole failed (a permanent store error, a bad source), when it did. */
  message?: string;
  /** The plan, for dryRun jobs only (capped at MAX_PLAN_ENTRIES). */
  plan?: PlanEntry[];
  /** UPLOAD jobs: the object key the upload writes. */
  key?: string;
  /**
   * Registered jobs (UPLOAD) still waiting for their work: if no instance has claimed the job by
   * then, it fails. Absent on jobs queued by the instance that runs them.
   */
  expiresAt?: number;
}

export const MAX_REPORTED_ERRORS = 100;
export const MAX_PLAN_ENTRIES = 10_000;

export interface JobFilter {
  state?: JobState;
  kind?: JobKind;
}

/**
 * Where job snapshots live. The in-memory registry serves one instance; a Redis-backed one
 * implements the same calls so any instance can answer `job(id)` and resume a subscriber.
 */
export interface JobRegistry {
  /**
   * Stores the snapshot as the job's latest; remembers it for `since` when its state differs from
   * the previous one. Resolves false, storing nothing, when the job already has this seq or a newer
   * one: that compare-and-set is what lets exactly one instance claim (or expire, or cancel) a
   * registered job, since each of them writes the same next seq.
   */
  save(snapshot: JobSnapshot): Promise<boolean>;
  get(id: string): Promise<JobSnapshot | undefined>;
  /** Newest first. */
  list(filter?: JobFilter): Promise<JobSnapshot[]>;
  /**
   * What a subscriber that last saw `seq` needs to miss no state change: every retained state
   * transition after `seq`, then the latest snapshot if it is newer still. Empty when nothing is newer.
   */
  since(id: string, seq: number): Promise<JobSnapshot[]>;
}

/** Receives every published snapshot, in order: the GraphQL layer forwards them to its pub/sub. */
export type JobPublisher = (snapshot: JobSnapshot) => void;
