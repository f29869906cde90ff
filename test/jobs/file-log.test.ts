// One conformance suite for the two places a job's per-file records live: the journal (LevelDB, no Redis) and Redis (queued jobs).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRecord, JobFileLog } from '../../src/lake/jobs/file-log.js';
import { JobJournal } from '../../src/lake/jobs/journal.js';
import { redisFileLog } from '../../src/lake/jobs/redis-file-log.js';
import { startRedis, type RedisServer } from '../scale/support.js';
import { tempDir } from './support.js';

interface Backend {
  /** The log of `jobId` as a restarted run would get it; `keys` are the files it asks about. */
  open(jobId: string, keys: string[]): Promise<JobFileLog>;
  close(): Promise<void>;
}

const backends: { name: string; start(): Promise<Backend> }[] = [
  {
    name: 'the journal',
    async start() {
      const dir = path.join(await tempDir('file-log'), 'state');
      let journal = await JobJournal.open(dir);
      return {
        // Reopened each time: what a restarted process reads is what reached the disk.
        async open(jobId) {
          await journal.close();
          journal = await JobJournal.open(dir);
          return journal.fileLog(jobId);
        },
        close: () => journal.close(),
      };
    },
  },
  {
    name: 'Redis',
    async start() {
      const server: RedisServer = await startRedis();
      const redis = new Redis(server.url);
      const prefix = `file-log-${randomUUID().slice(0, 8)}:`;
      return {
        open: (jobId, keys) => redisFileLog(redis, prefix, jobId, keys),
        async close() {
          const keys = await redis.keys(`${prefix}*`);
          if (keys.length > 0) await redis.del(...keys);
          redis.disconnect();
          await server.stop();
        },
      };
    },
  },
];

const KEYS = ['data/a', 'data/b', 'data/c', 'data/d'];

for (const backend of backends) {
  describe(`a job's file log in ${backend.name}`, () => {
    let store: Backend;
    beforeAll(async () => {
      store = await backend.start();
    });
    afterAll(() => store.close());

    it('reads back each file’s last record, for its own job only; a first run sees none', async () => {
      const log = await store.open('job-1', KEYS);
      expect(log.jobId).toBe('job-1');
      expect(log.previous.size).toBe(0);
      await log.starting('data/a', { size: 12, mtimeMs: 1.5 });
      await log.starting('data/b', { size: 20, mtimeMs: 2 });
      await log.started('data/b', { uploadId: 'u/1+=', partSize: 5, size: 20, mtimeMs: 2 });
      await log.starting('data/c', { size: 7, mtimeMs: 3 });
      await log.started('data/c', { uploadId: 'u2', partSize: 5, size: 7, mtimeMs: 3 });
      await log.done('data/c', { size: 7, mtimeMs: 3, etag: '"e"' });
      await (await store.open('job-2', KEYS)).done('data/a', { size: 1, mtimeMs: 1 });

      const again = await store.open('job-1', KEYS);
      expect(again.jobId).toBe('job-1');
      expect(new Map(again.previous)).toEqual(
        new Map<string, FileRecord>([
          ['data/a', { state: 'starting', size: 12, mtimeMs: 1.5 }],
          ['data/b', { state: 'started', uploadId: 'u/1+=', partSize: 5, size: 20, mtimeMs: 2 }],
          ['data/c', { state: 'done', size: 7, mtimeMs: 3, etag: '"e"' }],
        ]),
      );
      expect([...(await store.open('job-2', KEYS)).previous]).toEqual([
        ['data/a', { state: 'done', size: 1, mtimeMs: 1 }],
      ]);
    });
  });
}
