// LAKEQL_RATE_LIMIT across instances: two gateways on one real Redis share each caller's allowance.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { startRedis, type RedisServer } from '../scale/support.js';
import { API_KEYS, bearer, KEYS, lakeApp, send, type LakeApp } from './support.js';

const N = 7;

describe('a rate limit shared through Redis', () => {
  let redis: RedisServer;
  const apps: LakeApp[] = [];
  const prefix = `lakeql-test:rate:${randomUUID()}`;

  beforeAll(async () => {
    redis = await startRedis();
    // Two instances: each its own app, its own Redis connections, the same LAKEQL_REDIS_URL and key prefix.
    for (let i = 0; i < 2; i++) {
      apps.push(
        await lakeApp(
          { LAKEQL_API_KEYS: API_KEYS, LAKEQL_RATE_LIMIT: `${N}/60s`, LAKEQL_REDIS_URL: redis.url },
          { security: { rateLimitPrefix: prefix } },
        ),
      );
    }
  });
  afterAll(async () => {
    for (const { app, close } of apps) {
      await app.stop();
      await close();
    }
    const client = new Redis(redis.url);
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
    await redis.stop();
  });

  it(`lets exactly ${N} of ${2 * N} requests split across two instances through; the rest are 429 with Retry-After`, async () => {
    const results = await Promise.all(
      Array.from({ length: 2 * N }, (_, i) =>
        send(apps[i % 2].app.yoga, '{ lake { kind } }', { headers: bearer(KEYS.reader) }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(N);
    expect(limited).toHaveLength(N);
    for (const r of limited) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(r.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    }
    // Another caller has its own allowance.
    expect((await send(apps[1].app.yoga, '{ lake { kind } }', { headers: bearer(KEYS.both) })).status).toBe(200);
  });

  it('answers from a local limit of the same size when Redis is unreachable, instead of refusing everyone', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const limiter = new RateLimiter({ requests: 2, windowMs: 60_000 }, { redis: dead, keyPrefix: `${prefix}:dead` });
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await limiter.take('caller'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    dead.disconnect();
  });
});
