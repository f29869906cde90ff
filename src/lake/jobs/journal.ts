// Durable record of jobs and their files (LevelDB via classic-level), so a restarted instance without Redis resumes what it was doing.
import { ClassicLevel } from 'classic-level';
import type { FileRecord, JobFileLog } from './file-log.js';
import { isFinal, type JobKind, type JobSnapshot } from './types.js';

/**
 * Why LevelDB (classic-level, maintained by the Level project, prebuilt for Node 18–24): a write
 * with `sync: true` returns only once its log record is fsync'ed, and on open LevelDB replays its
 * log and drops a torn tail record by checksum, so crash safety is the library's, not ours. It
 * also takes an exclusive lock on the directory: a second instance pointed at the same state
 * directory fails at start-up (LEVEL_LOCKED) instead of resuming the same jobs twice.
 *
 * Keys (UTF-8, "!" separates parts; neither ids nor the "!" prefix occur in object keys' place):
 * - `job!<id>`: { request, snapshot } — what to run again and the latest snapshot.
 * - `file!<id>!<object key>`: FileRecord — the last durable step of one file of that job.
 * Per-file records are written with `sync: true` (they decide what is never sent again); the
 * snapshots of a running job without (they are progress: the newest one a crash loses is
 * recomputed from the file records); state changes with `sync: true`.
 */

/** What a job was asked to do, in a form the services layer turns back into a JobSpec. */
export interface JobRequest {
  kind: JobKind;
  options: unknown;
}

export interface JournaledJob {
  request: JobRequest;
  snapshot: JobSnapshot;
}

const JOB = 'job!';
const FILE = 'file!';

export class JobJournal {
  private readonly known = new Map<string, JobRequest>();

  private constructor(private readonly db: ClassicLevel<string, unknown>) {}

  /** Opens (creating) the journal in `directory`; fails with LEVEL_LOCKED when another process holds it. */
  static async open(directory: string): Promise<JobJournal> {
    const db = new ClassicLevel<string, unknown>(directory, { valueEncoding: 'json', createIfMissing: true });
    await db.open();
    return new JobJournal(db);
  }

  /** Starts journaling a job: its request and first snapshot, durably, before it runs. */
  async record(snapshot: JobSnapshot, request: JobRequest): Promise<void> {
    this.known.set(snapshot.id, request);
    await this.db.put(JOB + snapshot.id, { request, snapshot } satisfies JournaledJob, { sync: true });
  }

  isJournaled(id: string): boolean {
    return this.known.has(id);
  }

  /** The job's latest snapshot; a final one also drops the job's file records (nothing is left to resume). */
  async saveSnapshot(snapshot: JobSnapshot, stateChanged: boolean): Promise<void> {
    const request = this.known.get(snapshot.id);
    if (!request) return;
    const entry: JournaledJob = { request, snapshot };
    if (!isFinal(snapshot.state)) {
      await this.db.put(JOB + snapshot.id, entry, { sync: stateChanged });
      return;
    }
    const batch = this.db.batch();
    batch.put(JOB + snapshot.id, entry);
    for await (const key of this.db.keys(fileRange(snapshot.id))) batch.del(key);
    await batch.write({ sync: true });
    this.known.delete(snapshot.id);
  }

  /** Every journaled job, unfinished or not, oldest first. */
  async jobs(): Promise<JournaledJob[]> {
    const out: JournaledJob[] = [];
    for await (const [, value] of this.db.iterator({ gte: JOB, lt: 'job"' })) out.push(value as JournaledJob);
    for (const job of out) if (!isFinal(job.snapshot.state)) this.known.set(job.snapshot.id, job.request);
    return out.sort((a, b) => a.snapshot.createdAt - b.snapshot.createdAt);
  }

  /** Drops finished jobs beyond the newest `keep`. */
  async prune(keep: number): Promise<void> {
    const finished = (await this.jobs()).filter((j) => isFinal(j.snapshot.state));
    const excess = finished.slice(0, Math.max(0, finished.length - keep));
    if (excess.length > 0)
      await this.db.batch(
        excess.map((j) => ({ type: 'del' as const, key: JOB + j.snapshot.id })),
        { sync: true },
      );
  }

  /** The job's file records from earlier runs, and a log that adds to them. */
  async fileLog(id: string): Promise<JobFileLog> {
    const previous = new Map<string, FileRecord>();
    const prefix = `${FILE}${id}!`;
    for await (const [key, value] of this.db.iterator(fileRange(id)))
      previous.set(key.slice(prefix.length), value as FileRecord);
    const put = (key: string, record: FileRecord) => this.db.put(prefix + key, record, { sync: true });
    return {
      jobId: id,
      previous,
      starting: (key, record) => put(key, { state: 'starting', ...record }),
      started: (key, record) => put(key, { state: 'started', ...record }),
      done: (key, record) => put(key, { state: 'done', ...record }),
    };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function fileRange(id: string): { gte: string; lt: string } {
  return { gte: `${FILE}${id}!`, lt: `${FILE}${id}"` };
}
