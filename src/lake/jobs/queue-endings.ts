// How a queued job ends other than by its last item: cancelled from any instance, or failed when no live worker is left to take its items.
import type { Redis } from 'ioredis';
import type { JobQueue } from './job-queue.js';

export interface EndingOptions {
  /** LAKEQL_JOB_LEASE_MS: heartbeats and item locks both lapse this long after an instance dies. */
  leaseMs: number;
  /** Aborts the multipart uploads a dead instance left; resolves with how many. */
  abortUploadsOf(instanceId: string): Promise<number>;
}

/** Instances that worked on the job and whose heartbeat is gone. */
async function deadWorkers(queue: JobQueue, redis: Redis, prefix: string, id: string): Promise<string[]> {
  const dead: string[] = [];
  for (const instance of await queue.shared.workersOf(id)) {
    if ((await redis.exists(`${prefix}instance:${instance}`)) === 0) dead.push(instance);
  }
  return dead;
}

/** "the instance running it (…) … taken for dead; N unfinished multipart uploads it left were aborted", with those uploads aborted. */
async function deathNotice(dead: string[], options: EndingOptions): Promise<string> {
  let aborted = 0;
  for (const instance of dead) aborted += await options.abortUploadsOf(instance).catch(() => 0);
  const uploads = aborted > 0 ? `; ${aborted} unfinished multipart uploads it left were aborted` : '';
  const who =
    dead.length === 1 ? `the instance running it (${dead[0]})` : `the instances running it (${dead.join(', ')})`;
  return `${who} stopped renewing its ${options.leaseMs / 1000} s lease and was taken for dead${uploads}`;
}

/**
 * Cancels a queued job wherever its items are: no item starts from now on, waiting ones are
 * removed, running ones are asked to abort (`requestAbort` reaches every instance), and the
 * call waits, at most `waitMs`, until none is held by a live worker, so the final counts are
 * the workers' last word and their multipart uploads are aborted. An item whose holder died is
 * removed once its lock lapses; the job's message then says so, and that instance's uploads are
 * aborted here.
 */
export async function cancelQueued(
  queue: JobQueue,
  redis: Redis,
  prefix: string,
  id: string,
  options: EndingOptions & { requestAbort(): Promise<void>; waitMs: number },
): Promise<void> {
  await queue.shared.markCancelling(id);
  await options.requestAbort();
  const deadline = Date.now() + options.waitMs;
  let lapsed = false;
  for (;;) {
    const removed = await queue.removeItems(id);
    lapsed ||= removed.lapsed;
    if (removed.held === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let dead = await deadWorkers(queue, redis, prefix, id);
  // A lapsed lock means a dead holder; its heartbeat lapses within the same lease.
  for (const until = Date.now() + options.leaseMs; lapsed && dead.length === 0 && Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    dead = await deadWorkers(queue, redis, prefix, id);
  }
  const message = dead.length > 0 ? `cancelled: ${await deathNotice(dead, options)}` : undefined;
  await queue.shared.finish(id, 'CANCELLED', message);
}

/**
 * Every instance sweeps, each a third of a lease: an unfinished queued job while no instance
 * with workers is alive is noted, and after one more lease without any it ends FAILED saying
 * why (the FINISH script lets exactly one sweeper end it), its items removed and the uploads of
 * its dead workers aborted. Any live worker anywhere clears the note: it will take the items.
 */
export class QueueSweeper {
  private timer?: ReturnType<typeof setInterval>;
  private sweeping?: Promise<void>;

  constructor(
    private readonly queue: JobQueue,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: EndingOptions,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => {
        this.sweeping ??= this.sweep()
          .catch(() => {})
          .finally(() => {
            this.sweeping = undefined;
          });
      },
      Math.max(100, Math.floor(this.options.leaseMs / 3)),
    );
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<void> {
    const open = await this.queue.shared.open();
    if (open.length === 0) return;
    const orphaned = `${this.prefix}qjobs:orphaned`;
    if ((await this.queue.liveWorkers()).length > 0) {
      await this.redis.del(orphaned);
      return;
    }
    const now = Date.now();
    for (const id of open) {
      await this.redis.hsetnx(orphaned, id, String(now));
      const since = Number(await this.redis.hget(orphaned, id));
      if (now - since < this.options.leaseMs) continue;
      await this.redis.hdel(orphaned, id);
      await this.queue.removeItems(id);
      const dead = await deadWorkers(this.queue, this.redis, this.prefix, id);
      const why =
        dead.length > 0
          ? `${await deathNotice(dead, this.options)}, and no instance with workers (LAKEQL_WORKERS > 0) is left to take its items over`
          : `no instance with workers (LAKEQL_WORKERS > 0) renewed its ${this.options.leaseMs / 1000} s lease, so nothing can run it`;
      await this.queue.shared.finish(id, 'FAILED', `job lost: ${why}`);
    }
  }
}
