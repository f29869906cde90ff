// Two gateway processes sharing a real redis-server: a job started on A is followed, queried and cancelled through B.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJobRegistry } from '../../src/lake/jobs/redis-registry.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gqlAt, sse, startInstance, startRedis, type Instance, type RedisServer } from './support.js';

const JOB = 'id state seq doneFiles totalFiles failedFiles transferredBytes totalBytes';
const PROGRESS = `subscription($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ${JOB} } }`;

let redis: RedisServer;
let base: string;
let lake: string;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  redis = await startRedis();
  base = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-multi-'));
  lake = path.join(base, 'lake');
  const uploads = path.join(base, 'uploads');
  await fs.mkdir(lake);
  for (const [dir, count] of [
    ['small', 20],
    ['large', 400],
  ] as const) {
    await fs.mkdir(path.join(uploads, dir), { recursive: true });
    for (let i = 0; i < count; i++)
      await fs.writeFile(path.join(uploads, dir, `f${String(i).padStart(3, '0')}.parquet`), `PAR1 ${dir} ${i} PAR1`);
  }
  const env = {
    LAKEQL_LAKE: lake,
    LAKEQL_UPLOAD_ROOT: uploads,
    LAKEQL_REDIS_URL: redis.url,
    LAKEQL_REDIS_PREFIX: `lakeql-test-${randomUUID().slice(0, 8)}:`,
    SLOW_WRITE_MS: '25',
    LAKEQL_JOB_CONCURRENCY: '2',
  };
  [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  if (base) await fs.rm(base, { recursive: true, force: true });
});

async function startOnA(source: string): Promise<JobSnapshot> {
  const started = await gqlAt(
    a.url,
    `mutation { startBackfill(source: "${source}", prefix: "data/${source}") { ${JOB} } }`,
  );
  expect(started.errors).toBeUndefined();
  return started.data.startBackfill as JobSnapshot;
}

describe('several instances over Redis', () => {
  it('a client of B follows a job running on A: snapshot first, updates, final state, every seq newer than the last', async () => {
    const job = await startOnA('small');
    const events = (await sse(b.url, PROGRESS, { id: job.id })).map((e) => e.data.jobProgress as JobSnapshot);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ id: job.id, state: 'SUCCEEDED', doneFiles: 20, totalFiles: 20 });
    expect(last.transferredBytes).toBe(last.totalBytes);
    // B answers job(id) and jobs() for it, from the shared registry.
    const onB = await gqlAt(b.url, `{ job(id: "${job.id}") { ${JOB} } jobs { id } }`);
    expect(onB.data.job).toEqual(last);
    expect(onB.data.jobs.map((j: { id: string }) => j.id)).toContain(job.id);
    const objects = await new LocalStore(lake).list({ prefix: 'data/small/' });
    expect(objects.objects).toHaveLength(20);
  });

  it('a subscriber resuming on B with the last seq it saw gets every state change since', async () => {
    const job = await startOnA('small');
    const events = (await sse(b.url, PROGRESS, { id: job.id })).map((e) => e.data.jobProgress as JobSnapshot);
    const resumed = (await sse(b.url, PROGRESS, { id: job.id, after: 1 })).map(
      (e) => e.data.jobProgress as JobSnapshot,
    );
    expect(resumed.map((s) => s.state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(resumed.at(-1)!.seq).toBe(events.at(-1)!.seq);
  });

  it('B cancels a job running on A: CANCELLED for both instances and the subscriber, nothing left half-written', async () => {
    const job = await startOnA('large');
    const seen: JobSnapshot[] = [];
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => (running = resolve));
    const following = sse(b.url, PROGRESS, { id: job.id }, (e: any) => {
      seen.push(e.data.jobProgress);
      if (e.data.jobProgress.doneFiles > 0) running();
    });
    await isRunning;
    const cancelled = await gqlAt(b.url, `mutation { cancelJob(id: "${job.id}") { ${JOB} } }`);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelJob.state).toBe('CANCELLED');
    await following;
    expect(seen.at(-1)!.state).toBe('CANCELLED');
    expect((await gqlAt(a.url, `{ job(id: "${job.id}") { state doneFiles } }`)).data.job.state).toBe('CANCELLED');
    const store = new LocalStore(lake);
    const written = (await store.list({ prefix: 'data/large/', maxKeys: 1000 })).objects.length;
    expect(written).toBeLessThan(400);
    expect(await store.listMultipartUploads()).toEqual([]);
  });
});

describe('RedisJobRegistry', () => {
  let client: Redis;
  beforeAll(async () => {
    client = new Redis(redis.url);
  });
  afterAll(() => client.quit());

  const snap = (
    id: string,
    seq: number,
    state: JobSnapshot['state'],
    extra: Partial<JobSnapshot> = {},
  ): JobSnapshot => ({
    id,
    kind: 'BACKFILL',
    state,
    seq,
    description: 't',
    dryRun: false,
    createdAt: 1000 + seq,
    totalFiles: 0,
    doneFiles: seq,
    failedFiles: 0,
    skippedFiles: 0,
    totalBytes: 0,
    transferredBytes: 0,
    bytesPerSecond: 0,
    errors: [],
    ...extra,
  });

  it('keeps the newest snapshot, one per state for resuming, and evicts the oldest finished jobs', async () => {
    // A fresh prefix per run: a shared Redis keeps finished jobs for LAKEQL_JOB_TTL.
    const registry = new RedisJobRegistry(client, {
      prefix: `unit-${Math.random().toString(36).slice(2, 10)}:`,
      retainFinished: 2,
    });
    await registry.save(snap('j1', 1, 'QUEUED'));
    await registry.save(snap('j1', 2, 'RUNNING'));
    await registry.save(snap('j1', 3, 'RUNNING'));
    await registry.save(snap('j1', 2, 'RUNNING', { doneFiles: 99 }));
    expect((await registry.get('j1'))?.seq).toBe(3);
    await registry.save(snap('j1', 4, 'SUCCEEDED', { finishedAt: 10 }));
    expect((await registry.since('j1', 1)).map((s) => [s.seq, s.state])).toEqual([
      [2, 'RUNNING'],
      [4, 'SUCCEEDED'],
    ]);
    expect(await registry.since('j1', 4)).toEqual([]);
    await registry.save(snap('j2', 1, 'FAILED', { finishedAt: 20 }));
    await registry.save(snap('j3', 1, 'RUNNING'));
    await registry.save(snap('j4', 1, 'CANCELLED', { finishedAt: 30 }));
    expect(await registry.get('j1')).toBeUndefined();
    expect((await registry.list()).map((s) => s.id).sort()).toEqual(['j2', 'j3', 'j4']);
    expect((await registry.list({ state: 'RUNNING' })).map((s) => s.id)).toEqual(['j3']);
  });
});
