// Jobs on BullMQ across real processes: kill -9 of an instance whose workers are mid-way → the other finishes; an API-only instance queues and cancels.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { MARKER_PREFIX } from '../../src/lake/store/own-uploads.js';
import { createBucket, s3Servers, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';
import { bytesOf, heldAfterKill, md5, MiB, objectBytes } from '../jobs/support.js';
import { gqlAt, s3Bytes, sse, startRedis, type Instance, type RedisServer } from './support.js';

const LEASE_MS = 1500;
const PART = 5 * MiB;
const FILES = 520;
const JOB = 'id state seq doneFiles totalFiles failedFiles transferredBytes totalBytes message';
const PROGRESS = `subscription($id: ID!) { jobProgress(id: $id) { ${JOB} } }`;

/** The real app (test/jobs/gateway.ts), configured by its environment only. */
async function startGateway(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '../jobs/gateway.ts')], {
    env: {
      ...process.env,
      LAKEQL_PORT: '0',
      LAKEQL_DEMO: 'never',
      LAKEQL_RATE_LIMIT: 'off',
      LAKEQL_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('{"url"')) {
      const { url } = JSON.parse(line) as { url: string };
      return {
        url,
        child,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
  }
  throw new Error('the gateway exited before listening');
}

function killHard(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null || instance.child.signalCode !== null) return resolve();
    instance.child.once('exit', () => resolve());
    instance.child.kill('SIGKILL');
  });
}

for (const server of s3Servers()) {
  describe(`jobs on the queue, two instances on ${server.name}`, () => {
    let redis: RedisServer;
    let client: Redis;
    let root: string;
    let bucket: string;
    let prefix: string;
    const instances: Instance[] = [];
    const sums = new Map<string, string>();

    const env = (extra: Record<string, string> = {}) => ({
      ...server.env,
      LAKEQL_LAKE: `s3://${bucket}`,
      LAKEQL_UPLOAD_ROOT: root,
      LAKEQL_REDIS_URL: redis.url,
      LAKEQL_REDIS_PREFIX: prefix,
      LAKEQL_JOB_LEASE_MS: String(LEASE_MS),
      LAKEQL_JOB_CONCURRENCY: '4',
      LAKEQL_WORKERS: '2',
      LAKEQL_JOB_TTL: '600',
      ...extra,
    });
    const start = async (extra?: Record<string, string>) => {
      const instance = await startGateway(env(extra));
      instances.push(instance);
      return instance;
    };

    beforeAll(async () => {
      redis = await startRedis();
      client = new Redis(redis.url);
      prefix = `lakeql-test-${randomUUID().slice(0, 8)}:`;
      bucket = await createBucket(server, 'queue');
      root = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-queue-'));
      await fs.mkdir(path.join(root, 'many'));
      for (let i = 0; i < FILES; i++) {
        const body = `PAR1 file ${i} ${'x'.repeat(i % 97)} PAR1`;
        const name = `f${String(i).padStart(4, '0')}.parquet`;
        await fs.writeFile(path.join(root, 'many', name), body);
        sums.set(`data/many/${name}`, createHash('md5').update(body).digest('hex'));
      }
    }, 120_000);

    afterAll(async () => {
      await Promise.all(instances.map((i) => i.stop()));
      if (client) {
        const keys = await client.keys(`${prefix}*`);
        if (keys.length) await client.del(...keys);
        client.disconnect();
      }
      await redis?.stop();
      if (root) await fs.rm(root, { recursive: true, force: true });
    }, 120_000);

    it('kill -9 of the instance whose workers are mid-way: the other finishes, every object equals its source, the stream ends SUCCEEDED', async () => {
      const [a, b] = await Promise.all([start(), start()]);
      const started = await gqlAt(
        a.url,
        'mutation { startBackfill(source: "many", prefix: "data/many", validate: false) { id state seq } }',
      );
      expect(started.errors).toBeUndefined();
      const id = started.data.startBackfill.id as string;
      const seen: JobSnapshot[] = [];
      // A connection handed to BullMQ is the caller's to close.
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const queue = new Queue('transfers', { connection, prefix: `${prefix.replace(/:$/, '')}:bull` });
      let midway!: () => void;
      const isMidway = new Promise<void>((resolve) => (midway = resolve));
      const following = sse(b.url, PROGRESS, { id }, (e: any) => {
        seen.push(e.data.jobProgress);
        if (e.data.jobProgress.doneFiles >= 100) midway();
      });
      await isMidway;
      // Three of the four workers (two each) hold an item now, so A holds at least one: it is cut off mid-batch.
      for (let i = 0; (await queue.getActiveCount()) < 3; i++) {
        if (i > 200) throw new Error('the two instances never ran an item each at once');
        await new Promise((r) => setTimeout(r, 10));
      }
      await killHard(a);
      const events = await following;
      await queue.close();
      connection.disconnect();
      expect(events.length).toBeGreaterThan(0);
      // Continuous and ordered: the snapshot first, then every seq exactly one more than the last.
      for (let i = 1; i < seen.length; i++) expect(seen[i].seq).toBe(seen[i - 1].seq + 1);
      const final = seen.at(-1)!;
      expect(final).toMatchObject({ id, state: 'SUCCEEDED', doneFiles: FILES, totalFiles: FILES, failedFiles: 0 });
      expect(final.transferredBytes).toBe(final.totalBytes);
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i].doneFiles).toBeGreaterThanOrEqual(seen[i - 1].doneFiles);
        expect(seen[i].transferredBytes).toBeGreaterThanOrEqual(seen[i - 1].transferredBytes);
      }
      // Both instances worked on it.
      expect(await client.scard(`${prefix}qjob:${id}:workers`)).toBe(2);
      const store = s3StoreOn(server, bucket);
      try {
        const listed = new Map<string, string | undefined>();
        let token: string | undefined;
        do {
          const page = await store.list({ prefix: 'data/many/', continuationToken: token });
          for (const o of page.objects) listed.set(o.key, o.etag);
          token = page.nextContinuationToken;
        } while (token);
        expect(listed.size).toBe(FILES);
        for (const [key, md5] of sums) expect(listed.get(key)).toBe(`"${md5}"`);
        expect(await store.listMultipartUploads()).toEqual([]);
      } finally {
        store.close();
      }
      const onB = (await gqlAt(b.url, `query($id: ID!) { job(id: $id) { ${JOB} } }`, { id })).data.job;
      expect(onB).toEqual(final);
      // Finished jobs expire (LAKEQL_JOB_TTL), their queue bookkeeping with them.
      const ttl = await client.pttl(`${prefix}qjob:${id}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
      await b.stop();
    }, 240_000);

    it('an instance with LAKEQL_WORKERS=0 queues a job that the other instance runs, and its cancel stops those workers: exact counts, nothing left queued', async () => {
      // Instances of an earlier test would take items too.
      await Promise.all(instances.splice(0).map((i) => i.stop()));
      const [api, worker] = await Promise.all([start({ LAKEQL_WORKERS: '0' }), start()]);
      const started = await gqlAt(
        api.url,
        'mutation { startBackfill(source: "many", prefix: "data/cancel", validate: false) { id state seq } }',
      );
      expect(started.errors).toBeUndefined();
      const id = started.data.startBackfill.id as string;
      const seen: JobSnapshot[] = [];
      let running!: () => void;
      const isRunning = new Promise<void>((resolve) => (running = resolve));
      const following = sse(api.url, PROGRESS, { id }, (e: any) => {
        seen.push(e.data.jobProgress);
        if (e.data.jobProgress.doneFiles >= 20) running();
      });
      await isRunning;
      const cancelled = await gqlAt(api.url, `mutation($id: ID!) { cancelJob(id: $id) { ${JOB} } }`, { id });
      expect(cancelled.errors).toBeUndefined();
      const final = cancelled.data.cancelJob as JobSnapshot;
      expect(final.state).toBe('CANCELLED');
      expect(final.message).toBeNull();
      await following;
      expect(seen.at(-1)).toEqual(final);
      for (let i = 1; i < seen.length; i++) expect(seen[i].seq).toBe(seen[i - 1].seq + 1);
      // Only the instance with workers ran items.
      expect(await client.scard(`${prefix}qjob:${id}:workers`)).toBe(1);
      // Nothing of the job is left on the queue, and the workers stopped: no object lands after the answer.
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const queue = new Queue('transfers', { connection, prefix: `${prefix.replace(/:$/, '')}:bull` });
      try {
        const left = await queue.getJobs(['wait', 'active', 'delayed', 'prioritized']);
        expect(left.filter((item) => item.data.job === id)).toEqual([]);
      } finally {
        await queue.close();
        connection.disconnect();
      }
      const store = s3StoreOn(server, bucket);
      try {
        const count = async () => (await store.list({ prefix: 'data/cancel/', maxKeys: 1000 })).objects.length;
        const written = await count();
        expect(written).toBeLessThan(FILES);
        // Exact: every object that landed is counted, none that did not.
        expect(final.doneFiles).toBe(written);
        await new Promise((r) => setTimeout(r, 1000));
        expect(await count()).toBe(written);
        expect(await store.listMultipartUploads()).toEqual([]);
      } finally {
        store.close();
      }
      expect(
        (await gqlAt(worker.url, `query($id: ID!) { job(id: $id) { state doneFiles } }`, { id })).data.job,
      ).toEqual({ state: 'CANCELLED', doneFiles: final.doneFiles });
    }, 120_000);

    it('a download queued on an API-only instance runs on the other instance’s workers: every object lands whole, the stream ends SUCCEEDED', async () => {
      const downloads = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-queue-down-'));
      // Both instances share this machine's disk, so whichever runs an item writes where the test looks.
      await Promise.all(instances.splice(0).map((i) => i.stop()));
      const [apiOnly, worker] = await Promise.all([
        start({ LAKEQL_WORKERS: '0', LAKEQL_DOWNLOAD_ROOT: downloads }),
        start({ LAKEQL_DOWNLOAD_ROOT: downloads }),
      ]);
      try {
        const started = await gqlAt(
          apiOnly.url,
          `mutation { startDownload(prefix: "data/many/", destination: "out") { ${JOB} } }`,
        );
        expect(started.errors).toBeUndefined();
        const id = started.data.startDownload.id as string;
        const seen: JobSnapshot[] = [];
        await sse(apiOnly.url, PROGRESS, { id }, (e: any) => seen.push(e.data.jobProgress));
        for (let i = 1; i < seen.length; i++) expect(seen[i].seq).toBe(seen[i - 1].seq + 1);
        expect(seen.at(-1)).toMatchObject({
          id,
          state: 'SUCCEEDED',
          doneFiles: FILES,
          totalFiles: FILES,
          failedFiles: 0,
        });
        expect(await client.smembers(`${prefix}qjob:${id}:workers`)).toHaveLength(1);
        const names = await fs.readdir(path.join(downloads, 'out'));
        expect(names.sort()).toEqual([...sums.keys()].map((key) => path.basename(key)).sort());
        for (const [key, md5] of sums) {
          const body = await fs.readFile(path.join(downloads, 'out', path.basename(key)));
          expect(createHash('md5').update(body).digest('hex')).toBe(md5);
        }
        const onWorker = (await gqlAt(worker.url, `query($id: ID!) { job(id: $id) { ${JOB} } }`, { id })).data.job;
        expect(onWorker).toEqual(seen.at(-1));
      } finally {
        await fs.rm(downloads, { recursive: true, force: true });
      }
    }, 120_000);

    it('kill -9 mid-way through a large file: the instance that takes the item over continues its multipart upload from the parts S3 holds', async () => {
      await Promise.all(instances.splice(0).map((i) => i.stop()));
      const size = 8 * PART + 4321;
      const bytes = bytesOf(31, size);
      await fs.mkdir(path.join(root, 'big'), { recursive: true });
      await fs.writeFile(path.join(root, 'big', 'ticks.parquet'), bytes);
      const key = 'data/big/ticks.parquet';
      // A longer lease than the other tests': the bucket is read after the kill well before the survivor takes over.
      const slow = {
        LAKEQL_WORKERS: '1',
        LAKEQL_PART_SIZE: String(PART),
        LAKEQL_PART_QUEUE: '1',
        LAKEQL_JOB_LEASE_MS: String(4 * LEASE_MS),
      };
      const store = s3StoreOn(server, bucket);
      try {
        const [a, b] = await Promise.all([start(slow), start(slow)]);
        const started = await gqlAt(
          a.url,
          'mutation { startBackfill(source: "big", prefix: "data/big", validate: false) { id } }',
        );
        expect(started.errors).toBeUndefined();
        const id = started.data.startBackfill.id as string;
        const heldParts = async () => {
          const uploads = (await store.listMultipartUploads('data/big/')).filter((u) => u.key === key);
          return uploads.length === 1 ? store.listParts(key, uploads[0].uploadId) : [];
        };
        for (let i = 0; (await heldParts()).length < 2; i++) {
          if (i > 2000) throw new Error('the upload never held 2 parts');
          await new Promise((r) => setTimeout(r, 10));
        }
        // One worker each and one item: the instance that has sent bytes is the one uploading.
        const [sentByA, sentByB] = await Promise.all([s3Bytes(a.url), s3Bytes(b.url)]);
        expect(Math.min(sentByA, sentByB)).toBe(0);
        const [uploader, survivor] = sentByA > 0 ? [a, b] : [b, a];
        await killHard(uploader);
        const { uploads, heldBytes } = await heldAfterKill(store, 'data/big/');
        expect(uploads.map((u) => u.key)).toEqual([key]);
        expect(uploads[0].parts).toBeGreaterThanOrEqual(2);
        expect(heldBytes).toBeLessThan(size);
        // Counted from here: should the survivor have begun while the bucket was read, its parts are in heldBytes.
        const sentBefore = await s3Bytes(survivor.url);

        const seen: JobSnapshot[] = [];
        await sse(survivor.url, PROGRESS, { id }, (e: any) => seen.push(e.data.jobProgress));
        expect(seen.at(-1)).toMatchObject({ state: 'SUCCEEDED', doneFiles: 1, transferredBytes: size });
        expect(md5(await objectBytes(store, key))).toBe(md5(bytes));
        // What the survivor sent: the bytes S3 did not hold (and CompleteMultipartUpload's small body), no held part
        // again; a part of its own already on the way when the bucket was read is the one part of slack below.
        const sent = (await s3Bytes(survivor.url)) - sentBefore;
        console.log(`takeover: ${size} bytes, ${heldBytes} held at the kill, ${sent} sent by the survivor`);
        expect(sent).toBeGreaterThan(size - heldBytes - PART);
        expect(sent).toBeLessThan(size - heldBytes + PART);
        expect(await store.listMultipartUploads('data/big/')).toEqual([]);
        expect((await store.list({ prefix: MARKER_PREFIX })).objects).toEqual([]);
      } finally {
        store.close();
      }
    }, 120_000);

    it('finished jobs beyond LAKEQL_JOB_RETENTION go, every Redis key of theirs with them; the newest stay and answer', async () => {
      await Promise.all(instances.splice(0).map((i) => i.stop()));
      await fs.mkdir(path.join(root, 'few'), { recursive: true });
      for (let i = 0; i < 3; i++) await fs.writeFile(path.join(root, 'few', `f${i}.parquet`), `PAR1 few ${i} PAR1`);
      // LAKEQL_JOB_TTL=0: nothing expires by itself, so only the retention can have removed a key.
      const gateway = await start({ LAKEQL_JOB_RETENTION: '2', LAKEQL_JOB_TTL: '0' });
      const ids: string[] = [];
      for (let n = 0; n < 3; n++) {
        const started = await gqlAt(
          gateway.url,
          `mutation { startBackfill(source: "few", prefix: "data/few${n}", validate: false) { id } }`,
        );
        expect(started.errors).toBeUndefined();
        const id = started.data.startBackfill.id as string;
        const seen: JobSnapshot[] = [];
        await sse(gateway.url, PROGRESS, { id }, (e: any) => seen.push(e.data.jobProgress));
        expect(seen.at(-1)).toMatchObject({ state: 'SUCCEEDED', doneFiles: 3 });
        ids.push(id);
      }
      const keysOf = (id: string) => client.keys(`${prefix}*${id}*`);
      // Every finished job but the newest two goes, earlier tests' ones included. Eviction follows
      // the final state's publication, so the stream may end a moment before it.
      for (let i = 0; (await client.zcard(`${prefix}jobs:finished`)) > 2; i++) {
        if (i > 500) throw new Error('finished jobs beyond the retention were never evicted');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await keysOf(ids[0])).toEqual([]);
      expect(await client.zrange(`${prefix}jobs:finished`, 0, -1)).toEqual(ids.slice(1));
      expect((await gqlAt(gateway.url, 'query($id: ID!) { job(id: $id) { id } }', { id: ids[0] })).data.job).toBeNull();
      for (const id of ids.slice(1)) {
        const kept = await keysOf(id);
        expect(kept).toContain(`${prefix}qjob:${id}`);
        for (const key of kept) expect(await client.pttl(key), key).toBe(-1);
        expect(
          (await gqlAt(gateway.url, 'query($id: ID!) { job(id: $id) { state doneFiles } }', { id })).data.job,
        ).toEqual({ state: 'SUCCEEDED', doneFiles: 3 });
      }
      const listed = (await gqlAt(gateway.url, '{ jobs { id } }')).data.jobs;
      expect(JSON.stringify(listed)).not.toContain(ids[0]);
    }, 120_000);
  });
}
for (const { name, reason } of skippedS3Servers()) it.skip(`jobs on the queue on ${name}: ${reason}`, () => {});
