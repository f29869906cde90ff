// JobRegistry in Redis: any instance answers job(id), jobs() and a resuming subscriber, whichever instance runs the job.
import type { Redis } from 'ioredis';
import { isFinal, type JobFilter, type JobRegistry, type JobSnapshot } from './types.js';

/**
 * Keys (all under `prefix`, default "lakeql:"):
 * - `job:<id>`: hash { seq, state, snapshot } — the latest snapshot and what the save script compares.
 * - `job:<id>:transitions`: list of snapshots, one per state the job entered (at most five).
 * - `jobs`: sorted set of ids by createdAt (newest-first listing).
 * - `jobs:finished`: sorted set of finished ids by finishedAt (eviction beyond `retainFinished`).
 */
const SAVE = `
local current = redis.call('HMGET', KEYS[1], 'seq', 'state')
if current[1] and tonumber(current[1]) >= tonumber(ARGV[2]) then return 0 end
if current[2] ~= ARGV[3] then redis.call('RPUSH', KEYS[2], ARGV[1]) end
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'state', ARGV[3], 'snapshot', ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[6])
  if tonumber(ARGV[7]) > 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[7])
    redis.call('PEXPIRE', KEYS[2], ARGV[7])
  end
end
return 1
`;

export class RedisJobRegistry implements JobRegistry {
  constructor(
    private readonly redis: Redis,
    /** `finishedTtlMs`: a finished job's keys expire this long after it ended (0: kept until evicted by count). */
    /** `related`: further keys of a job (a queued job's counters, shared-job.ts) evicted with it. */
    private readonly options: {
      prefix?: string;
      retainFinished?: number;
      finishedTtlMs?: number;
      related?: (id: string) => string[];
    } = {},
  ) {}

  private get prefix(): string {
    return this.options.prefix ?? 'lakeql:';
  }

  /**
   * One atomic script per save: the seq check and the write cannot interleave with another
   * instance's, so a stale snapshot never overwrites a newer one (the same rule as in memory).
   */
  async save(snapshot: JobSnapshot): Promise<boolean> {
    const p = this.prefix;
    const final = isFinal(snapshot.state);
    const stored = await this.redis.eval(
      SAVE,
      4,
      `${p}job:${snapshot.id}`,
      `${p}job:${snapshot.id}:transitions`,
      `${p}jobs`,
      `${p}jobs:finished`,
      JSON.stringify(snapshot),
      snapshot.seq,
      snapshot.state,
      snapshot.createdAt,
      final ? (snapshot.finishedAt ?? Date.now()) : '',
      snapshot.id,
      this.options.finishedTtlMs ?? 0,
    );
    if (stored !== 1) return false;
    if (final) await this.evict();
    return true;
  }

  async get(id: string): Promise<JobSnapshot | undefined> {
    const text = await this.redis.hget(`${this.prefix}job:${id}`, 'snapshot');
    return text === null ? undefined : (JSON.parse(text) as JobSnapshot);
  }

  async list(filter: JobFilter = {}): Promise<JobSnapshot[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}jobs`, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(`${this.prefix}job:${id}`, 'snapshot');
    const results = (await pipeline.exec()) ?? [];
    return results
      .map(([, text]) => (typeof text === 'string' ? (JSON.parse(text) as JobSnapshot) : undefined))
      .filter((s): s is JobSnapshot => s !== undefined)
      .filter(
        (s) =>
          (filter.state === undefined || s.state === filter.state) &&
          (filter.kind === undefined || s.kind === filter.kind),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  async since(id: string, seq: number): Promise<JobSnapshot[]> {
    const [transitions, latest] = await Promise.all([
      this.redis.lrange(`${this.prefix}job:${id}:transitions`, 0, -1),
      this.get(id),
    ]);
    if (!latest) return [];
    const out = transitions.map((t) => JSON.parse(t) as JobSnapshot).filter((s) => s.seq > seq);
    if (latest.seq > seq && out.at(-1)?.seq !== latest.seq) out.push(latest);
    return out;
  }

  /** Finished jobs beyond `retainFinished` go, oldest first; running ones are never evicted. */
  async evict(): Promise<void> {
    const keep = this.options.retainFinished ?? 1000;
    const p = this.prefix;
    const excess = (await this.redis.zcard(`${p}jobs:finished`)) - keep;
    if (excess <= 0) return;
    const old = await this.redis.zrange(`${p}jobs:finished`, 0, excess - 1);
    if (old.length === 0) return;
    await this.redis
      .multi()
      .zrem(`${p}jobs:finished`, ...old)
      .zrem(`${p}jobs`, ...old)
      .del(
        ...old.flatMap((id) => [`${p}job:${id}`, `${p}job:${id}:transitions`, ...(this.options.related?.(id) ?? [])]),
      )
      .exec();
  }
}
