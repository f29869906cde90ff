// A dead instance's job is never stuck: kill -9 of the owner → another instance ends it FAILED within the lease bound, aborts its uploads, tells subscribers.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKER_PREFIX } from '../../src/lake/store/own-uploads.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gqlAt, sse, startInstance, startRedis, type Instance, type RedisServer } from './support.js';

const MiB = 1024 * 1024;
const LEASE_MS = 1500;
const JOB = 'id state seq doneFiles totalFiles message';

let redis: RedisServer;
let client: Redis;
let base: string;
let lake: string;
let prefix: string;
let a: Instance;
let b: Instance;

function killHard(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null || instance.child.signalCode !== null) return resolve();
    instance.child.once('exit', () => resolve());
    instance.child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  prefix = `lakeql-test-${randomUUID().slice(0, 8)}:`;
  base = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-dead-'));
  lake = path.join(base, 'lake');
  const uploads = path.join(base, 'uploads');
  await fs.mkdir(lake);
  for (const dir of ['one', 'two']) {
    await fs.mkdir(path.join(uploads, dir), { recursive: true });
    for (let i = 0; i < 3; i++)
      await fs.writeFile(path.join(uploads, dir, `big${i}.parquet`), Buffer.alloc(12 * MiB, i + 1));
    for (let i = 0; i < 30; i++) await fs.writeFile(path.join(uploads, dir, `f${i}.parquet`), `PAR1 ${dir} ${i} PAR1`);
  }
  const env = {
    LAKEQL_LAKE: lake,
    LAKEQL_UPLOAD_ROOT: uploads,
    LAKEQL_REDIS_URL: redis.url,
    LAKEQL_REDIS_PREFIX: prefix,
    LAKEQL_JOB_LEASE_MS: String(LEASE_MS),
    LAKEQL_JOB_TTL: '3600',
    SLOW_WRITE_MS: '300',
    LAKEQL_JOB_CONCURRENCY: '2',
    LAKEQL_PART_SIZE: String(5 * MiB),
  };
  // B runs no workers: with A dead, nobody can take the jobs' items over.
  [a, b] = await Promise.all([startInstance(env), startInstance({ ...env, LAKEQL_WORKERS: '0' })]);
});

afterAll(async () => {
  await Promise.all([a && killHard(a), b?.stop()]);
  if (client) {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  }
  await redis?.stop();
  if (base) await fs.rm(base, { recursive: true, force: true });
});

describe('an instance killed with -9 while running jobs', () => {
  it('another instance ends its jobs within the lease bound, aborts its uploads whatever their age, and its subscribers get the final state', async () => {
    const one = (await gqlAt(a.url, `mutation { startBackfill(source: "one", prefix: "data/one") { ${JOB} } }`)).data
      .startBackfill;
    const two = (await gqlAt(a.url, `mutation { startBackfill(source: "two", prefix: "data/two") { ${JOB} } }`)).data
      .startBackfill;
    const seen: any[] = [];
    const following = sse(
      b.url,
      `subscription($id: ID!) { jobProgress(id: $id) { ${JOB} } }`,
      { id: one.id },
      (e: any) => seen.push(e.data.jobProgress),
    );
    const store = new LocalStore(lake);
    // Uploads open, each with its marker written (an upload the crash catches before its marker is
    // for the bucket's lifecycle rule: see own-uploads.ts).
    const open = async () => {
      const uploads = (await store.listMultipartUploads()).length;
      return uploads > 0 && uploads === (await store.list({ prefix: MARKER_PREFIX })).objects.length;
    };
    for (let i = 0; !(await open()); i++) {
      if (i > 400) throw new Error('no multipart upload started');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await client.scard(`${prefix}qjobs:open`)).toBe(2);
    const left = (await store.listMultipartUploads()).map((u) => u.uploadId);
    await killHard(a);
    const killed = Date.now();

    // cancelJob of the dead owner's job answers at once (not after the 30 s remote-cancel wait).
    const cancelled = await gqlAt(b.url, `mutation($id: ID!) { cancelJob(id: $id) { ${JOB} } }`, { id: two.id });
    expect(cancelled.errors).toBeUndefined();
    expect(Date.now() - killed).toBeLessThan(LEASE_MS * 2 + 3000);
    expect(['CANCELLED', 'FAILED']).toContain(cancelled.data.cancelJob.state);
    // On the queue, a cancel right after the kill may come before the death is detectable (the
    // heartbeat and the item locks lapse within one lease): it then answers plain CANCELLED, and
    // the sweep for the other job aborts the dead instance's uploads.
    expect(cancelled.data.cancelJob.message ?? '').toMatch(/^$|taken for dead/);

    await following;
    const waited = Date.now() - killed;
    const final = seen.at(-1);
    expect(final).toMatchObject({ id: one.id, state: 'FAILED' });
    expect(final.message).toMatch(
      /^job lost: the instance running it \(.+\) stopped renewing its 1.5 s lease and was taken for dead/,
    );
    // Whoever declared the instance dead first aborted every upload it left (both jobs').
    expect(`${cancelled.data.cancelJob.message ?? ''} ${final.message}`).toMatch(
      /; [1-9]\d* unfinished multipart uploads it left were aborted/,
    );
    // Lease (TTL) + one sweep + the SSE round trip.
    expect(waited).toBeLessThan(LEASE_MS * 2 + 3000);
    for (let i = 1; i < seen.length; i++) expect(seen[i].seq).toBe(seen[i - 1].seq + 1);

    // Uploads it left are gone, markers too, though far younger than LAKEQL_STALE_UPLOAD_AGE.
    expect((await store.listMultipartUploads()).filter((u) => left.includes(u.uploadId))).toEqual([]);
    expect((await store.list({ prefix: MARKER_PREFIX })).objects).toEqual([]);
    expect(await client.scard(`${prefix}qjobs:open`)).toBe(0);
    // Finished jobs' keys expire (LAKEQL_JOB_TTL).
    const ttl = await client.pttl(`${prefix}job:${one.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    const job = (await gqlAt(b.url, `query($id: ID!) { job(id: $id) { ${JOB} } }`, { id: one.id })).data.job;
    expect(job).toEqual(final);
  }, 60_000);
});
