// Registered jobs (UPLOAD): one claim wins whichever service makes it, cancel and expiry before a claim, on the memory and Redis registries.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryJobRegistry } from '../../src/lake/jobs/memory-registry.js';
import { RedisJobRegistry } from '../../src/lake/jobs/redis-registry.js';
import type { Clock } from '../../src/lake/jobs/retry.js';
import { JobService } from '../../src/lake/jobs/service.js';
import type { JobRegistry, JobSnapshot } from '../../src/lake/jobs/types.js';
import { startRedis, type RedisServer } from '../scale/support.js';

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client?.quit();
  await redis?.stop();
});

let prefixes = 0;
const RUN = Math.random().toString(36).slice(2, 10);
const registries: [string, () => JobRegistry][] = [
  ['memory', () => new MemoryJobRegistry()],
  // A fresh prefix per run too: a shared Redis keeps finished jobs for LAKEQL_JOB_TTL.
  ['Redis', () => new RedisJobRegistry(client, { prefix: `registered-${RUN}-${++prefixes}:` })],
];

/** A clock the test moves; sleeps are real (JobService.wait polls with them). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    advance: (ms) => {
      now += ms;
    },
  };
}

const spec = {
  kind: 'UPLOAD' as const,
  description: 'one file → k',
  key: 'k',
  totalFiles: 1,
  totalBytes: 100,
  timeoutMs: 60_000,
};

for (const [name, make] of registries) {
  describe(`registered jobs on the ${name} registry`, () => {
    it('save is a compare-and-set on seq', async () => {
      const registry = make();
      const job = {
        id: `cas-${name}`,
        kind: 'UPLOAD',
        state: 'QUEUED',
        seq: 1,
        description: '',
        dryRun: false,
        createdAt: 1,
        totalFiles: 1,
        doneFiles: 0,
        failedFiles: 0,
        skippedFiles: 0,
        totalBytes: 1,
        transferredBytes: 0,
        bytesPerSecond: 0,
        errors: [],
      } satisfies JobSnapshot;
      expect(await registry.save(job)).toBe(true);
      expect(await registry.save({ ...job, seq: 2, state: 'RUNNING' })).toBe(true);
      expect(await registry.save({ ...job, seq: 2, state: 'CANCELLED' })).toBe(false);
      expect((await registry.get(job.id))?.state).toBe('RUNNING');
    });

    it('of two services claiming one job at once, exactly one runs it; the other is refused', async () => {
      const registry = make();
      const [a, b] = [new JobService({ registry }), new JobService({ registry })];
      const job = await a.register(spec);
      let runs = 0;
      const work = async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      };
      const outcomes = await Promise.allSettled([a.claim(job.id, 'UPLOAD', work), b.claim(job.id, 'UPLOAD', work)]);
      expect(runs).toBe(1);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'PRECONDITION_FAILED' });
      expect(await b.get(job.id)).toMatchObject({ state: 'SUCCEEDED', seq: expect.any(Number) });
      await expect(a.claim(job.id, 'UPLOAD', work)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      await expect(a.claim(job.id, 'BACKFILL', work)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await Promise.all([a.close(), b.close()]);
    });

    it('any service cancels an unclaimed job; a claimed one is cancelled where it runs, its work aborted', async () => {
      const registry = make();
      const [a, b] = [new JobService({ registry }), new JobService({ registry })];
      const queued = await a.register(spec);
      expect(await b.cancel(queued.id)).toMatchObject({ state: 'CANCELLED', seq: 2 });
      await expect(a.claim(queued.id, 'UPLOAD', async () => {})).rejects.toMatchObject({ code: 'CANCELLED' });

      const running = await a.register(spec);
      let started!: () => void;
      const isRunning = new Promise<void>((resolve) => (started = resolve));
      const claimed = a.claim(
        running.id,
        'UPLOAD',
        (tracker) =>
          new Promise<void>((_resolve, reject) => {
            started();
            tracker.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      );
      await isRunning;
      // B does not run it: it reports the job as it stands (with Redis, remote cancel reaches A).
      expect((await b.cancel(running.id))?.state).toBe('RUNNING');
      expect((await a.cancel(running.id))?.state).toBe('CANCELLED');
      expect((await claimed).state).toBe('CANCELLED');
      await Promise.all([a.close(), b.close()]);
    });

    it('a claimed job runs at once and does not hold a queue slot from started jobs', async () => {
      const service = new JobService({ registry: make(), maxRunningJobs: 1 });
      const upload = await service.register(spec);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const claimed = service.claim(upload.id, 'UPLOAD', () => held);
      const backfill = await service.start({ kind: 'BACKFILL', description: 'meanwhile', work: async () => {} });
      expect((await service.wait(backfill.id))?.state).toBe('SUCCEEDED');
      expect((await service.get(upload.id))?.state).toBe('RUNNING');
      release();
      expect((await claimed).state).toBe('SUCCEEDED');
      await service.close();
    });

    it('an unclaimed job fails at expiresAt, seen by any service, and then takes no upload', async () => {
      const registry = make();
      const clock = manualClock();
      const [a, b] = [new JobService({ registry, clock }), new JobService({ registry, clock })];
      const job = await a.register({ ...spec, timeoutMs: 5_000 });
      expect(job.expiresAt).toBe(clock.now() + 5_000);
      clock.advance(4_999);
      expect((await b.get(job.id))?.state).toBe('QUEUED');
      clock.advance(1);
      expect((await b.list({ state: 'QUEUED' })).map((s) => s.id)).not.toContain(job.id);
      expect(await a.get(job.id)).toMatchObject({
        state: 'FAILED',
        seq: 2,
        message: 'nothing was uploaded into this job within 5 s of its creation; create a new one',
      });
      await expect(a.claim(job.id, 'UPLOAD', async () => {})).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      await Promise.all([a.close(), b.close()]);
    });
  });
}
