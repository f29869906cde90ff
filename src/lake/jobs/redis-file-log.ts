// A queued job's per-file records in Redis: what lets an item taken over from a dead instance skip stored files and resume a cut-off multipart upload at the part.
import type { Redis } from 'ioredis';
import type { FileRecord, JobFileLog } from './file-log.js';

/**
 * One hash per job (`qjob:<id>:log`, see shared-job.ts), read for the item's files when the item
 * starts. Writes are awaited before the transfer goes on: a record another instance reads after a
 * kill -9 is one this instance reached (Redis's own durability aside: see the README).
 */
export async function redisFileLog(redis: Redis, prefix: string, jobId: string, keys: string[]): Promise<JobFileLog> {
  const hash = `${prefix}qjob:${jobId}:log`;
  const previous = new Map<string, FileRecord>();
  if (keys.length > 0) {
    const values = await redis.hmget(hash, ...keys);
    values.forEach((value, i) => {
      if (value !== null) previous.set(keys[i], JSON.parse(value) as FileRecord);
    });
  }
  return {
    jobId,
    previous,
    async starting(key, record) {
      await redis.hset(hash, key, JSON.stringify({ state: 'starting', ...record }));
    },
    async started(key, record) {
      await redis.hset(hash, key, JSON.stringify({ state: 'started', ...record }));
    },
    async done(key, record) {
      await redis.hset(hash, key, JSON.stringify({ state: 'done', ...record }));
    },
  };
}
