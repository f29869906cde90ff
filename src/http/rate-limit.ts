// LAKEQL_RATE_LIMIT (e.g. `600/60s`) per caller: token buckets in memory for one instance, rate-limiter-flexible on Redis for several.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimit {
  /** Requests allowed per window; also the burst size. */
  requests: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (for Retry-After); 0 when allowed. */
  retryAfterS: number;
  remaining: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `off`, or `<requests>/<n><ms|s|m|h>` (`600/60s`, `10000/1h`); the unit alone means 1 of it (`100/s`). */
export function parseRateLimit(text: string): RateLimit | null {
  if (/^(off|0|none)$/i.test(text.trim())) return null;
  const m = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) throw new Error(`expected "off" or requests/window like 600/60s (units ms, s, m, h), got "${text}"`);
  const requests = Number(m[1]);
  const windowMs = Number(m[2] === '' ? 1 : m[2]) * UNITS[m[3]];
  if (requests < 1 || requests > 1_000_000) throw new Error(`requests per window must be 1 to 1000000, got ${requests}`);
  if (windowMs < 1 || windowMs > 86_400_000) throw new Error('the window must be 1 ms to 24 h');
  return { requests, windowMs };
}

/**
 * Why a bucket map needs a bound: anonymous callers are counted per address, and there are many
 * IPv6 addresses. Past this many callers, full (idle) buckets are dropped first, then the oldest:
 * forgetting a caller only ever gives it a fresh burst, it never blocks anyone wrongly.
 */
export const MAX_BUCKETS = 50_000;

/** Counted in credits (one request = windowMs credits, refill = `requests` credits per ms) so the arithmetic stays exact integers. */
interface Bucket { credits: number; at: number }

/**
 * One instance's token buckets: a burst up to the limit, refilled evenly over the window. Kept
 * beside rate-limiter-flexible (whose memory limiter is a fixed window on the real clock) because
 * it takes an injectable clock, so the limit's exact refill is tested without waiting.
 */
export class RateLimiter implements RequestLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;

  constructor(readonly limit: RateLimit, private readonly now: () => number = Date.now, private readonly maxBuckets = MAX_BUCKETS) {
    this.capacity = limit.requests * limit.windowMs;
  }

  /** Takes one request from `id`'s bucket if it holds one. */
  take(id: string): RateDecision {
    const now = this.now();
    const bucket = this.refill(id, now);
    const { windowMs, requests } = this.limit;
    if (bucket.credits >= windowMs) {
      bucket.credits -= windowMs;
      return { allowed: true, retryAfterS: 0, remaining: Math.floor(bucket.credits / windowMs) };
    }
    const waitMs = Math.ceil((windowMs - bucket.credits) / requests);
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 };
  }

  get size(): number {
    return this.buckets.size;
  }

  private credit(bucket: Bucket, now: number): number {
    // A clock that goes backwards (tests, NTP steps) refills nothing rather than a negative amount.
    return Math.min(this.capacity, bucket.credits + Math.max(0, now - bucket.at) * this.limit.requests);
  }

  private refill(id: string, now: number): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.evict(now);
      bucket = { credits: this.capacity, at: now };
      this.buckets.set(id, bucket);
      return bucket;
    }
    bucket.credits = this.credit(bucket, now);
    bucket.at = now;
    return bucket;
  }

  private evict(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (this.credit(bucket, now) >= this.capacity) this.buckets.delete(id);
    }
    // Map iteration is insertion order: the first entries are the longest-known callers.
    const excess = this.buckets.size - Math.floor(this.maxBuckets * 0.9);
    let n = 0;
    for (const id of this.buckets.keys()) {
      if (n++ >= excess) break;
      this.buckets.delete(id);
    }
  }
}

/** What the auth plugin asks of a limiter: one request taken from a caller's allowance. */
export interface RequestLimiter {
  take(id: string): RateDecision | Promise<RateDecision>;
}

/**
 * LAKEQL_RATE_LIMIT across instances: one counter per caller in Redis (rate-limiter-flexible's
 * RateLimiterRedis, an atomic INCR + PEXPIRE per request), so the limit means the same with one
 * instance or ten. A fixed window of `windowMs` holding `requests` requests, unlike the in-memory
 * token bucket's even refill: the shared counter must be one atomic command per request.
 *
 * When Redis fails, an in-memory limiter of the same limit answers for this instance (the
 * library's insurance limiter): callers are limited per instance for that while, never refused
 * because Redis is down.
 */
export class SharedRateLimiter implements RequestLimiter {
  private readonly limiter: RateLimiterRedis;

  /** @param redis an ioredis client, shared with the rest of the instance's Redis use. */
  constructor(readonly limit: RateLimit, redis: unknown, keyPrefix = 'lakeql:rate') {
    const points = limit.requests;
    const duration = limit.windowMs / 1000;
    this.limiter = new RateLimiterRedis({
      storeClient: redis, keyPrefix, points, duration,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:local`, points, duration }),
    });
  }

  async take(id: string): Promise<RateDecision> {
    try {
      const res = await this.limiter.consume(id);
      return { allowed: true, retryAfterS: 0, remaining: res.remainingPoints };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { allowed: false, retryAfterS: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), remaining: 0 };
    }
  }
}
