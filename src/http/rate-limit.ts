// LAKEQL_RATE_LIMIT (e.g. `600/60s`) per caller, through rate-limiter-flexible: in memory for one instance, in Redis for several.
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

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
  if (requests < 1 || requests > 1_000_000)
    throw new Error(`requests per window must be 1 to 1000000, got ${requests}`);
  if (windowMs < 1 || windowMs > 86_400_000) throw new Error('the window must be 1 ms to 24 h');
  return { requests, windowMs };
}

/**
 * Why the in-memory counters need a bound: anonymous callers are counted per address, and there
 * are many IPv6 addresses. Past this many callers in one window the longest-idle ones are
 * forgotten: forgetting a caller only ever gives it a fresh window, it never blocks anyone wrongly.
 */
export const MAX_CALLERS = 50_000;

/** What the auth plugin asks of a limiter: one request taken from a caller's allowance. */
export interface RequestLimiter {
  take(id: string): RateDecision | Promise<RateDecision>;
}

export interface RateLimiterOptions {
  /** An ioredis client (LAKEQL_REDIS_URL): the count is then kept in Redis, shared by every instance. */
  redis?: unknown;
  /** Prefix of the counters' keys; tests give each app its own. */
  keyPrefix?: string;
  /** Most callers counted in memory at once (see MAX_CALLERS). */
  maxCallers?: number;
}

/**
 * LAKEQL_RATE_LIMIT through rate-limiter-flexible: a fixed window of `windowMs` holding `requests`
 * requests per caller, counted in memory (RateLimiterMemory) for one instance or in Redis
 * (RateLimiterRedis, an atomic INCR + PEXPIRE per request) for several, so the limit means the same
 * with one instance or ten. When Redis fails, an in-memory limiter of the same limit answers for
 * this instance (the library's insurance limiter): callers are limited per instance for that
 * while, never refused because Redis is down.
 */
export class RateLimiter implements RequestLimiter {
  private readonly limiter: RateLimiterAbstract;
  private readonly memory: RateLimiterMemory;
  /** Callers the memory counters hold, least recently seen first (Map keeps insertion order). */
  private readonly seen = new Map<string, true>();
  private readonly maxCallers: number;

  constructor(
    readonly limit: RateLimit,
    options: RateLimiterOptions = {},
  ) {
    const keyPrefix = options.keyPrefix ?? 'lakeql:rate';
    const points = limit.requests;
    const duration = limit.windowMs / 1000;
    this.maxCallers = options.maxCallers ?? MAX_CALLERS;
    this.memory = new RateLimiterMemory({
      keyPrefix: options.redis ? `${keyPrefix}:local` : keyPrefix,
      points,
      duration,
    });
    this.limiter = options.redis
      ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix, points, duration, insuranceLimiter: this.memory })
      : this.memory;
  }

  /** Callers counted in memory now. */
  get size(): number {
    return this.seen.size;
  }

  async take(id: string): Promise<RateDecision> {
    this.remember(id);
    try {
      const res = await this.limiter.consume(id);
      return { allowed: true, retryAfterS: 0, remaining: res.remainingPoints };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { allowed: false, retryAfterS: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), remaining: 0 };
    }
  }

  /** Moves `id` to the most recent end; past the bound, forgets the least recently seen callers. */
  private remember(id: string): void {
    this.seen.delete(id);
    this.seen.set(id, true);
    if (this.seen.size <= this.maxCallers) return;
    // Forget a tenth at once, so a flood of new callers does not pay one eviction per request.
    const excess = this.seen.size - Math.floor(this.maxCallers * 0.9);
    let n = 0;
    for (const old of this.seen.keys()) {
      if (n++ >= excess) break;
      this.seen.delete(old);
      void this.memory.delete(old);
    }
  }
}
