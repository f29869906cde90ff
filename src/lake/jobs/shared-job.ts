// A queued job's aggregate (counts, bytes, state) kept in Redis and moved by atomic scripts, so workers on any instance add to one snapshot.
import type { Redis } from 'ioredis';
import { APPLY, CREATE, FINISH, PLAN } from './shared-job-scripts.js';
import { isFinal, type FileError, type JobSnapshot, type JobState } from './types.js';

/** What a worker tells the aggregate in one go: bytes sent, files ended, items completed. */
export interface ItemReport {
  bytes: [file: string, sent: number][];
  done: [file: string, size: number][];
  failed: [file: string, error: FileError][];
  items: string[];
}

/** The TypeScript side of a queued job's aggregate; the key layout and the scripts are in shared-job-scripts.ts. */
export class SharedJobs {
  constructor(
    private readonly redis: Redis,
    /** `finishedTtlMs`: a finished job's keys expire this long after it ended (0: kept until the registry evicts them). */
    private readonly options: {
      prefix: string;
      finishedTtlMs: number;
      now?: () => number;
      onFinished?: () => Promise<void>;
    },
  ) {}

  /** Every key of a queued job besides the registry's, for eviction (LAKEQL_JOB_RETENTION). */
  static keysOf(prefix: string, id: string): string[] {
    const q = `${prefix}qjob:${id}`;
    return [q, ...['errors', 'bytes', 'outcome', 'items', 'log', 'workers'].map((k) => `${q}:${k}`)];
  }

  /** A job just ended: older finished jobs beyond the retention go. */
  private async ended(state: unknown): Promise<void> {
    if (typeof state === 'string' && isFinal(state as JobState)) await this.options.onFinished?.().catch(() => {});
  }

  private get p(): string {
    return this.options.prefix;
  }
  private now(): number {
    return (this.options.now ?? Date.now)();
  }
  private args(id: string): (string | number)[] {
    return [this.p, id, this.now(), this.options.finishedTtlMs];
  }

  /** Registers a queued job (QUEUED, seq 1) with the request its workers rebuild their work from. */
  async create(snapshot: JobSnapshot, request: unknown): Promise<void> {
    const { id, kind, description, dryRun, createdAt } = snapshot;
    const base = JSON.stringify({ id, kind, description, dryRun, createdAt }).slice(1, -1);
    await this.redis.eval(CREATE, 0, this.p, id, this.now(), base, createdAt, JSON.stringify(request));
  }

  /** The request a job was created with, and whether it is still to be worked on (not final, not being cancelled). */
  async request(id: string): Promise<{ request: unknown; live: boolean } | undefined> {
    const [request, state, cancelling] = await this.redis.hmget(
      `${this.p}qjob:${id}`,
      'request',
      'state',
      'cancelling',
    );
    if (request === null) return undefined;
    return { request: JSON.parse(request), live: !isFinal(state as JobState) && cancelling === null };
  }

  /** True when the id names a queued job (one whose work runs on the queue's workers). */
  async has(id: string): Promise<boolean> {
    return (await this.redis.exists(`${this.p}qjob:${id}`)) === 1;
  }

  /** Totals known, items about to be queued: RUNNING. A second plan (a planner taken over) changes nothing. */
  async plan(
    id: string,
    totals: {
      totalFiles: number;
      totalBytes: number;
      skippedFiles: number;
      items: number;
      refused: [string, FileError][];
    },
  ): Promise<JobState | undefined> {
    const refused = JSON.stringify(totals.refused.map(([key, error]) => [key, JSON.stringify(error)]));
    const state = await this.redis.eval(
      PLAN,
      0,
      ...this.args(id),
      totals.totalFiles,
      totals.totalBytes,
      totals.skippedFiles,
      totals.items,
      refused,
    );
    await this.ended(state);
    return (state ?? undefined) as JobState | undefined;
  }

  /** Adds a worker's report; resolves with the job's state after it ('GONE' when its keys expired). */
  async apply(id: string, report: ItemReport): Promise<JobState | 'GONE' | ''> {
    const json = JSON.stringify({
      ...report,
      failed: report.failed.map(([key, error]) => [key, JSON.stringify(error)]),
    });
    const state = (await this.redis.eval(APPLY, 0, ...this.args(id), json)) as JobState | 'GONE' | '';
    await this.ended(state);
    return state;
  }

  /** Ends the job (cancelled, or failed as a whole); false when it had ended already. */
  async finish(id: string, state: JobState, message?: string): Promise<boolean> {
    const ended =
      (await this.redis.eval(
        FINISH,
        0,
        ...this.args(id),
        state,
        message === undefined ? '' : JSON.stringify(message),
      )) === 1;
    if (ended) await this.ended(state);
    return ended;
  }

  /** From now on no item of the job starts and none completes it: what a cancel does before it waits for the workers. */
  async markCancelling(id: string): Promise<void> {
    await this.redis.hset(`${this.p}qjob:${id}`, 'cancelling', '1');
  }

  async items(id: string): Promise<{ planned: number; completed: Set<string> }> {
    const [planned, completed] = await Promise.all([
      this.redis.hget(`${this.p}qjob:${id}`, 'items'),
      this.redis.smembers(`${this.p}qjob:${id}:items`),
    ]);
    return { planned: Number(planned ?? 0), completed: new Set(completed) };
  }

  async open(): Promise<string[]> {
    return this.redis.smembers(`${this.p}qjobs:open`);
  }

  /** Instances whose workers took items of the job (their multipart uploads are the job's). */
  async noteWorker(id: string, instanceId: string): Promise<void> {
    await this.redis.sadd(`${this.p}qjob:${id}:workers`, instanceId);
  }

  async workersOf(id: string): Promise<string[]> {
    return this.redis.smembers(`${this.p}qjob:${id}:workers`);
  }
}
