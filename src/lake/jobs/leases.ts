// Owner liveness for jobs shared over Redis: each instance holds a heartbeat key with a TTL; any instance ends the jobs of one whose key expired.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Keys (under `prefix`):
 * - `instance:<instanceId>`: the heartbeat, set with PX = leaseMs and renewed every leaseMs / 3.
 *   An instance killed with -9 stops renewing; its key is gone leaseMs later at most.
 * - `job-owners`: hash jobId → instanceId of every unfinished job some instance runs or queues.
 *
 * Detection bound: leaseMs (the key's TTL) + one sweep interval (leaseMs / 3), so about 40 s with
 * the default 30 s lease. A sweep that finds an owner's heartbeat gone takes the job over with one
 * script (heartbeat still absent, owner still the same, then HDEL): exactly one instance declares
 * each dead job, however many sweep at once.
 */
const DECLARE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

export interface DeadJob {
  jobId: string;
  /** The instance that ran it and stopped renewing its heartbeat. */
  owner: string;
}

export class JobLeases {
  readonly instanceId = randomUUID();
  private heartbeat?: ReturnType<typeof setInterval>;
  private sweeper?: ReturnType<typeof setInterval>;
  private sweeping?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; leaseMs: number },
  ) {}

  private get prefix(): string {
    return this.options.prefix ?? 'lakeql:';
  }

  private key(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}`;
  }

  /**
   * Renews this instance's heartbeat and sweeps for dead owners until stop(); `onDead` runs for
   * each job this instance declared dead (its uploads to abort, its final state to publish).
   */
  async start(onDead: (dead: DeadJob) => Promise<void>): Promise<void> {
    await this.beat();
    const every = Math.max(100, Math.floor(this.options.leaseMs / 3));
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), every);
    this.heartbeat.unref?.();
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweep(onDead)
        .catch(() => {})
        .finally(() => {
          this.sweeping = undefined;
        });
    }, every);
    this.sweeper.unref?.();
  }

  /** Stops renewing and sweeping, and gives the heartbeat up (a graceful stop has ended its jobs already). */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    await this.sweeping;
    await this.redis.del(this.key(this.instanceId)).catch(() => {});
  }

  /** Records that this instance runs (or queues) the job. */
  async own(jobId: string): Promise<void> {
    await this.redis.hset(`${this.prefix}job-owners`, jobId, this.instanceId);
  }

  async release(jobId: string): Promise<void> {
    await this.redis.hdel(`${this.prefix}job-owners`, jobId);
  }

  /** The job's owner when it is known to be gone right now (its heartbeat expired); undefined otherwise. */
  async deadOwner(jobId: string): Promise<string | undefined> {
    const owner = await this.redis.hget(`${this.prefix}job-owners`, jobId);
    if (!owner || owner === this.instanceId) return undefined;
    return (await this.redis.exists(this.key(owner))) === 1 ? undefined : owner;
  }

  /** Takes a dead owner's job over; false when the owner is alive or another instance got there first. */
  async declare(jobId: string, owner: string): Promise<boolean> {
    return (await this.redis.eval(DECLARE, 2, this.key(owner), `${this.prefix}job-owners`, jobId, owner)) === 1;
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.key(this.instanceId), String(Date.now()), 'PX', this.options.leaseMs);
  }

  /** One pass over the owned jobs; each owner's liveness is read once. */
  async sweep(onDead: (dead: DeadJob) => Promise<void>): Promise<void> {
    const owners = await this.redis.hgetall(`${this.prefix}job-owners`);
    const alive = new Map<string, boolean>();
    for (const [jobId, owner] of Object.entries(owners)) {
      if (owner === this.instanceId) continue;
      if (!alive.has(owner)) alive.set(owner, (await this.redis.exists(this.key(owner))) === 1);
      if (alive.get(owner)) continue;
      if (await this.declare(jobId, owner)) await onDead({ jobId, owner }).catch(() => {});
    }
  }
}
