// Backfills and downloads on BullMQ: a job becomes a plan item and then file items that any instance's workers take; BullMQ's lock is each item's lease.
import { setMaxListeners } from 'node:events';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isLakeError } from '../errors.js';
import type { JobFileLog } from './file-log.js';
import { JobReporter, type FileProgress } from './item-progress.js';
import { redisFileLog } from './redis-file-log.js';
import type { SharedJobs } from './shared-job.js';
import { isFinal, type FileError, type JobKind, type JobSnapshot } from './types.js';

/** What the transfer code supplies: how a job is planned into items, and how one item runs. */
export interface QueuedWork {
  /** The plan: totals, files refused outright, and each item's payload (JSON), biggest first. */
  plan(
    kind: JobKind,
    request: unknown,
    signal: AbortSignal,
  ): Promise<{
    totalFiles: number;
    totalBytes: number;
    skippedFiles: number;
    refused: [string, FileError][];
    items: unknown[];
  }>;
  /** The object keys an item works on (its files' records are read from the job's log before it runs). */
  keysOf(kind: JobKind, item: unknown): string[];
  /** Runs one item; each file's outcome goes through `progress`. Throws only for what fails the whole job. */
  run(kind: JobKind, request: unknown, item: unknown, progress: FileProgress, log: JobFileLog): Promise<void>;
}

export interface JobQueueOptions {
  /** Key prefix (LAKEQL_REDIS_PREFIX); BullMQ's keys go under it too. */
  prefix: string;
  /** Items this instance runs at once (LAKEQL_WORKERS); 0: this instance only queues, cancels and answers. */
  workers: number;
  /** An item's lock (LAKEQL_JOB_LEASE_MS): a dead worker's items return to the queue within about 1⅓ × this. */
  leaseMs: number;
  /** This instance's id: its heartbeat (leases.ts) says whether its workers are alive. */
  instanceId: string;
  progressIntervalMs?: number;
  log?: (message: string) => void;
}

interface ItemData {
  job: string;
  kind: JobKind;
  index?: number;
  payload?: unknown;
}

/** A BullMQ queue name may not hold ':'; ours is fixed, the prefix tells lakes apart. */
const QUEUE_NAME = 'transfers';
/** How often an item is retried after an unexpected error, or given back by a stopping instance. */
const ITEM_ATTEMPTS = 5;

export class JobQueue {
  readonly queue: Queue;
  private worker?: Worker;
  private readonly reporters = new Map<string, JobReporter>();
  /** Items of each job running here: a cancel (or the job's end, seen by a report) aborts them. */
  private readonly running = new Map<string, Set<AbortController>>();
  private closing = false;

  constructor(
    private readonly redis: Redis,
    private readonly connect: () => Redis,
    readonly shared: SharedJobs,
    private readonly work: QueuedWork,
    private readonly options: JobQueueOptions,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: connect(), prefix: bullPrefix(options.prefix) });
  }

  /** Starts this instance's workers (none with LAKEQL_WORKERS=0) and announces them. */
  async start(): Promise<void> {
    if (this.options.workers <= 0) return;
    await this.redis.hset(`${this.options.prefix}workers`, this.options.instanceId, String(this.options.workers));
    this.worker = new Worker(QUEUE_NAME, (item, token) => this.process(item as Job<ItemData>, token), {
      connection: this.connect(),
      prefix: bullPrefix(this.options.prefix),
      concurrency: this.options.workers,
      lockDuration: this.options.leaseMs,
      stalledInterval: Math.max(100, Math.floor(this.options.leaseMs / 3)),
      maxStalledCount: ITEM_ATTEMPTS,
    });
    this.worker.on('error', (error) => this.options.log?.(`job queue worker: ${error.message}`));
    this.worker.on('failed', (item, error) => {
      if (!item || error instanceof WaitingError || item.attemptsMade < ITEM_ATTEMPTS) return;
      const { job } = item.data as ItemData;
      void this.shared
        .finish(job, 'FAILED', `work item ${item.id} failed ${item.attemptsMade} times, last: ${error.message}`)
        .catch(() => {});
    });
  }

  /** Queues a job: saved QUEUED (seq 1), then its plan item, which any worker takes. */
  async submit(first: JobSnapshot, request: { kind: JobKind; options: unknown }): Promise<void> {
    await this.shared.create(first, request.options);
    await this.queue.add(
      'plan',
      { job: first.id, kind: request.kind },
      { jobId: `${first.id}_plan`, ...itemOptions() },
    );
  }

  /** Aborts the items of the job running here (a cancel request heard from any instance). */
  abortLocal(id: string): void {
    for (const controller of this.running.get(id) ?? []) controller.abort();
  }

  /** Ids of every item of the job not known to be completed. */
  async pendingItems(id: string): Promise<string[]> {
    const { planned, completed } = await this.shared.items(id);
    return [`${id}_plan`, ...Array.from({ length: planned }, (_, i) => `${id}_${i}`)].filter(
      (item) => !completed.has(item),
    );
  }

  /**
   * Removes the job's items that no live worker holds; returns how many are still held (running
   * on a worker whose lock is fresh) and whether some holder's lock had lapsed (a dead worker).
   */
  async removeItems(id: string): Promise<{ held: number; lapsed: boolean }> {
    let held = 0;
    let lapsed = false;
    const keys = `${bullPrefix(this.options.prefix)}:${QUEUE_NAME}`;
    for (const item of await this.pendingItems(id)) {
      // Read at once: an item still active, still there, and without its lock is one whose holder died.
      const [[, locked], [, exists], [, active]] = (await this.redis
        .multi()
        .exists(`${keys}:${item}:lock`)
        .exists(`${keys}:${item}`)
        .lpos(`${keys}:active`, item)
        .exec())! as [unknown, number | null][];
      if (exists === 0) continue;
      if (active !== null && locked === 1) {
        held++;
        continue;
      }
      if (active !== null) lapsed = true;
      if (!(await this.queue.remove(item))) held++;
    }
    return { held, lapsed };
  }

  /** Workers give their running items back to the queue (another instance finishes them), then stop. */
  async close(): Promise<void> {
    this.closing = true;
    for (const id of this.running.keys()) this.abortLocal(id);
    await this.worker?.close();
    await this.redis.hdel(`${this.options.prefix}workers`, this.options.instanceId).catch(() => {});
    await this.queue.close();
  }

  /** Instances announcing workers whose heartbeat is alive (dead ones are forgotten). */
  async liveWorkers(): Promise<string[]> {
    const ids = Object.keys(await this.redis.hgetall(`${this.options.prefix}workers`));
    const alive: string[] = [];
    for (const id of ids) {
      if ((await this.redis.exists(`${this.options.prefix}instance:${id}`)) === 1) alive.push(id);
      else await this.redis.hdel(`${this.options.prefix}workers`, id);
    }
    return alive;
  }

  private async process(item: Job<ItemData>, token?: string): Promise<void> {
    const { job } = item.data;
    const found = await this.shared.request(job);
    // Cancelled, ended or expired meanwhile: nothing to do, and nothing to report.
    if (!found?.live) return;
    await this.shared.noteWorker(job, this.options.instanceId);
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const mine = this.running.get(job) ?? new Set();
    this.running.set(job, mine.add(controller));
    const reporter = this.reporter(job);
    try {
      if (item.name === 'plan') await this.plan(item, found.request, controller.signal);
      else await this.runItem(item, found.request, reporter, controller.signal);
    } finally {
      mine.delete(controller);
      if (mine.size === 0) this.running.delete(job);
    }
    if (controller.signal.aborted && this.closing && token) {
      // Given back, not done: another instance's worker takes it and skips what is stored already.
      await item.moveToWait(token);
      throw new WaitingError();
    }
  }

  private async plan(item: Job<ItemData>, request: unknown, signal: AbortSignal): Promise<void> {
    const { job, kind } = item.data;
    let plan: Awaited<ReturnType<QueuedWork['plan']>>;
    try {
      plan = await this.work.plan(kind, request, signal);
    } catch (error) {
      if (signal.aborted) return;
      await this.failJob(job, error);
      return;
    }
    const state = await this.shared.plan(job, { ...plan, items: plan.items.length });
    if (state !== 'RUNNING') return;
    // The same ids on a second planning (this one taken over): BullMQ adds each item once.
    await this.queue.addBulk(
      plan.items.map((payload, index) => ({
        name: 'files',
        data: { job, kind, index, payload },
        opts: { jobId: `${job}_${index}`, ...itemOptions() },
      })),
    );
  }

  private async runItem(
    item: Job<ItemData>,
    request: unknown,
    reporter: JobReporter,
    signal: AbortSignal,
  ): Promise<void> {
    const { job, kind, payload } = item.data;
    const log = await redisFileLog(this.redis, this.options.prefix, job, this.work.keysOf(kind, payload));
    try {
      await this.work.run(kind, request, payload, reporter.tracker(signal), log);
    } catch (error) {
      if (!signal.aborted) await this.failJob(job, error);
      return;
    }
    // Stopped by a cancel or a shutdown: what it did counts, the item itself is not done.
    await reporter.complete(signal.aborted ? undefined : item.id);
  }

  private async failJob(job: string, error: unknown): Promise<void> {
    if (!isLakeError(error))
      this.options.log?.(`job ${job} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    await this.shared.finish(job, 'FAILED', error instanceof Error ? error.message : String(error));
    this.abortLocal(job);
  }

  private reporter(job: string): JobReporter {
    let reporter = this.reporters.get(job);
    if (!reporter) {
      reporter = new JobReporter(job, this.shared, this.options.progressIntervalMs ?? 100, (state) => {
        this.abortLocal(job);
        if (state === 'GONE' || isFinal(state)) this.reporters.delete(job);
      });
      this.reporters.set(job, reporter);
    }
    return reporter;
  }
}

/** BullMQ joins prefix and queue name with ':' itself. */
function bullPrefix(prefix: string): string {
  return `${prefix.replace(/:+$/, '')}:bull`;
}

function itemOptions() {
  return {
    attempts: ITEM_ATTEMPTS,
    backoff: { type: 'fixed' as const, delay: 200 },
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600 },
  };
}
