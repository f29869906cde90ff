// What a job remembers per file across restarts: the journal's view as the transfer code sees it (no storage details).
/** The source as it was when its transfer started: a resume goes on only if the source is still exactly this. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
}

/**
 * One file's last recorded step in an earlier run of the job. Failures are not kept: a resumed job
 * tries those files again. `starting` is written just before a multipart upload is created and
 * `started` once its id is known: a file left at `starting` may have an upload the crash stranded.
 */
export type FileRecord =
  | ({ state: 'starting' } & SourceStamp)
  | ({ state: 'started'; uploadId: string; partSize: number } & SourceStamp)
  | ({ state: 'done'; etag?: string } & SourceStamp);

/**
 * Handed to a job's work when the job is journaled. Every write resolves once it is durable
 * (fsync'ed), so a record read back after a crash is one the transfer really reached.
 */
export interface JobFileLog {
  /** The job the records belong to; its uploads' markers name it. */
  readonly jobId: string;
  /** Records of earlier runs of this job, by object key (empty on a first run). */
  readonly previous: ReadonlyMap<string, FileRecord>;
  starting(key: string, record: SourceStamp): Promise<void>;
  started(key: string, record: { uploadId: string; partSize: number } & SourceStamp): Promise<void>;
  done(key: string, record: { etag?: string } & SourceStamp): Promise<void>;
}
