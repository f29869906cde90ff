// JobLeases on a real Redis: an owner whose heartbeat is gone is declared dead by exactly one instance, a live one never.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobLeases, type DeadJob } from '../../src/lake/jobs/leases.js';
import { startRedis, type RedisServer } from './support.js';

let redis: RedisServer;
const clients: Redis[] = [];
const prefix = `lakeql-test-${randomUUID().slice(0, 8)}:`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  const keys = await clients[0]?.keys(`${prefix}*`);
  if (keys?.length) await clients[0].del(...keys);
  clients.forEach((c) => c.disconnect());
  await redis?.stop();
});

function leases(leaseMs: number): JobLeases {
  const client = new Redis(redis.url);
  clients.push(client);
  return new JobLeases(client, { prefix, leaseMs });
}

it("a dead owner's jobs are declared once, by one of the sweeping instances; a live owner's never", async () => {
  const owner = leases(60_000);
  const alive = leases(60_000);
  const [b, c] = [leases(60_000), leases(60_000)];
  await owner.start(async () => {});
  await alive.start(async () => {});
  await owner.own('job-1');
  await owner.own('job-2');
  await alive.own('job-3');
  const dead: DeadJob[] = [];
  const collect = async (d: DeadJob) => {
    dead.push(d);
  };
  await Promise.all([b.sweep(collect), c.sweep(collect)]);
  expect(dead).toEqual([]);
  expect(await b.deadOwner('job-1')).toBeUndefined();

  // The owner stops renewing; its key is gone (what its TTL does after a kill -9).
  await owner.stop();
  expect(await b.deadOwner('job-1')).toBe(owner.instanceId);
  expect(await b.deadOwner('job-3')).toBeUndefined();
  await Promise.all([b.sweep(collect), c.sweep(collect), b.sweep(collect)]);
  expect(dead.map((d) => d.jobId).sort()).toEqual(['job-1', 'job-2']);
  expect(dead.every((d) => d.owner === owner.instanceId)).toBe(true);
  // Declared jobs have no owner left: nobody declares them again.
  expect(await b.declare('job-1', owner.instanceId)).toBe(false);
  await Promise.all([alive.stop(), b.stop(), c.stop()]);
});

it('the heartbeat key expires by itself when the owner stops renewing it', async () => {
  const owner = leases(300);
  const other = leases(300);
  await owner.start(async () => {});
  await owner.own('job-x');
  // Simulate a kill: the renewals stop, the key is left to its TTL.
  const timers = owner as unknown as {
    heartbeat: ReturnType<typeof setInterval>;
    sweeper: ReturnType<typeof setInterval>;
  };
  clearInterval(timers.heartbeat);
  clearInterval(timers.sweeper);
  expect(await other.deadOwner('job-x')).toBeUndefined();
  await new Promise((r) => setTimeout(r, 450));
  expect(await other.deadOwner('job-x')).toBe(owner.instanceId);
});
