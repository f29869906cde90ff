// The security settings: refusing to serve the network anonymously, API key and JWT parsing, rate-limit syntax, the README table.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseApiKeys, verifyApiKey } from '../../src/auth/api-keys.js';
import { ConfigError, isLoopback, loadConfig, SETTINGS } from '../../src/config.js';
import { parseRateLimit, RateLimiter } from '../../src/http/rate-limit.js';
import { API_KEYS, KEYS } from './support.js';
import { isDescribedDefault } from '../../src/config/parse.js';
import { README_FILE, settingsTable, tableInReadme } from '../../scripts/settings-table.js';

describe('listening address and auth', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', 'lake.internal', '[::]'])(
    'refuses to serve %s with no auth, naming the variables',
    (host) => {
      let error: unknown;
      try {
        loadConfig({ LAKEQL_HOST: host });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      for (const name of [
        'LAKEQL_HOST',
        'LAKEQL_API_KEYS',
        'LAKEQL_JWT_SECRET',
        'LAKEQL_JWT_JWKS_URL',
        'LAKEQL_ALLOW_ANONYMOUS=true',
      ]) {
        expect((error as Error).message).toContain(name);
      }
    },
  );

  it('serves a non-loopback address with auth, or when LAKEQL_ALLOW_ANONYMOUS=true says so', () => {
    expect(loadConfig({ LAKEQL_HOST: '0.0.0.0', LAKEQL_API_KEYS: API_KEYS }).host).toBe('0.0.0.0');
    expect(loadConfig({ LAKEQL_HOST: '0.0.0.0', LAKEQL_JWT_SECRET: 'x'.repeat(32) }).auth.jwt?.secret).toHaveLength(32);
    expect(loadConfig({ LAKEQL_HOST: '0.0.0.0', LAKEQL_ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true);
    expect(() => loadConfig({ LAKEQL_HOST: '0.0.0.0', LAKEQL_ALLOW_ANONYMOUS: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ LAKEQL_ALLOW_ANONYMOUS: 'maybe' })).toThrow(/LAKEQL_ALLOW_ANONYMOUS/);
  });

  it('counts only loopback addresses as loopback', () => {
    for (const host of ['127.0.0.1', '127.10.0.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '127.0.0.1.evil.com', 'localhost.evil.com', '128.0.0.1'])
      expect(isLoopback(host), host).toBe(false);
  });
});

describe('LAKEQL_API_KEYS', () => {
  it('parses names, keys and scopes, keeping only hashes', () => {
    const keys = parseApiKeys(API_KEYS);
    expect(keys.map((k) => [k.name, [...k.scopes]])).toEqual([
      ['reader', ['read']],
      ['writer', ['write']],
      ['both', ['read', 'write']],
    ]);
    expect(JSON.stringify(keys)).not.toContain(KEYS.reader);
    expect(verifyApiKey(keys, KEYS.both)).toMatchObject({ id: 'key:both', kind: 'api-key' });
    expect(verifyApiKey(keys, KEYS.both.toUpperCase())).toBeNull();
  });

  it.each([
    ['a short key', 'ci:short-key-123:read', /at least 16/],
    ['an unknown scope', `ci:${KEYS.reader}:admin`, /scopes/],
    ['a missing part', `ci:${KEYS.reader}`, /name:key:scopes/],
    ['a duplicate name', `a:${KEYS.reader}:read,a:${KEYS.writer}:read`, /used twice/],
    ['a duplicate key', `a:${KEYS.reader}:read,b:${KEYS.reader}:write`, /twice/],
    ['a key with a dot (it would look like a JWT)', 'ci:abc.def.ghi-0123456789:read', /at least 16 characters of/],
  ])('refuses %s without echoing any key', (_name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ LAKEQL_API_KEYS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^LAKEQL_API_KEYS: /);
    expect((error as Error).message).toMatch(message);
    for (const part of value.split(/[,:]/).filter((p) => p.length >= 12))
      expect((error as Error).message).not.toContain(part);
  });
});

describe('JWT settings', () => {
  it('wants one key source, a long enough secret and a URL', () => {
    expect(() => loadConfig({ LAKEQL_JWT_SECRET: 'x'.repeat(32), LAKEQL_JWT_JWKS_URL: 'https://idp/jwks' })).toThrow(
      /not both/,
    );
    expect(() => loadConfig({ LAKEQL_JWT_SECRET: 'x'.repeat(31) })).toThrow(
      /LAKEQL_JWT_SECRET: must be at least 32 bytes/,
    );
    expect(loadConfig({ LAKEQL_JWT_SECRET: 'x'.repeat(32) }).auth.jwt).toBeDefined();
    expect(() => loadConfig({ LAKEQL_JWT_JWKS_URL: 'idp/jwks' })).toThrow(/LAKEQL_JWT_JWKS_URL/);
    expect(() => loadConfig({ LAKEQL_JWT_ISSUER: 'https://idp' })).toThrow(/LAKEQL_JWT_ISSUER: needs/);
  });
});

describe('LAKEQL_REDIS_URL and LAKEQL_SHUTDOWN_TIMEOUT_MS', () => {
  it('accepts redis URLs only, never echoing a password', () => {
    expect(loadConfig({ LAKEQL_REDIS_URL: 'redis://:pw@127.0.0.1:6379/2' }).redisUrl).toBe(
      'redis://:pw@127.0.0.1:6379/2',
    );
    expect(loadConfig({ LAKEQL_REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl).toBe(
      'rediss://cache.internal:6380',
    );
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(() => loadConfig({ LAKEQL_REDIS_URL: 'http://user:hunter2@host' })).toThrow(
      /^LAKEQL_REDIS_URL: (?!.*hunter2)/,
    );
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(() => loadConfig({ LAKEQL_SHUTDOWN_TIMEOUT_MS: '50' })).toThrow(/LAKEQL_SHUTDOWN_TIMEOUT_MS/);
  });
});

describe('LAKEQL_RATE_LIMIT', () => {
  it('reads requests per window, or off', () => {
    expect(parseRateLimit('600/60s')).toEqual({ requests: 600, windowMs: 60_000 });
    expect(parseRateLimit('100/s')).toEqual({ requests: 100, windowMs: 1000 });
    expect(parseRateLimit('10000 / 1h')).toEqual({ requests: 10_000, windowMs: 3_600_000 });
    expect(parseRateLimit('5/250ms')).toEqual({ requests: 5, windowMs: 250 });
    expect(parseRateLimit('off')).toBeNull();
    for (const bad of ['600', '600/60', 'lots/60s', '0/60s', '600/0s', '600/2d'])
      expect(() => loadConfig({ LAKEQL_RATE_LIMIT: bad }), bad).toThrow(/LAKEQL_RATE_LIMIT/);
  });

  describe('in memory', () => {
    // rate-limiter-flexible reads Date.now: a fake clock steps the window without waiting.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1_000_000);
    });
    afterEach(() => {
      vi.useRealTimers();
    });
    const allowed = async (limiter: RateLimiter, id: string, n = 1) => {
      const out: boolean[] = [];
      for (let i = 0; i < n; i++) out.push((await limiter.take(id)).allowed);
      return out;
    };

    it('allows `requests` per fixed window, then refuses until the window ends, with Retry-After', async () => {
      const limiter = new RateLimiter({ requests: 3, windowMs: 10_000 });
      expect(await allowed(limiter, 'k', 4)).toEqual([true, true, true, false]);
      expect(await limiter.take('k')).toMatchObject({ allowed: false, retryAfterS: 10, remaining: 0 });
      expect(await allowed(limiter, 'other')).toEqual([true]);
      vi.setSystemTime(1_000_000 + 9_001);
      expect(await limiter.take('k')).toMatchObject({ allowed: false, retryAfterS: 1 });
      vi.setSystemTime(1_000_000 + 10_000);
      expect(await allowed(limiter, 'k', 4)).toEqual([true, true, true, false]);
    });

    it('bounds its memory: past the cap the longest-idle callers are forgotten (a fresh window), recent ones stay limited', async () => {
      const limiter = new RateLimiter({ requests: 2, windowMs: 60_000 }, { maxCallers: 100 });
      expect(await allowed(limiter, 'idle', 3)).toEqual([true, true, false]);
      for (let i = 0; i < 1000; i++) await limiter.take(`caller-${i}`);
      expect(await allowed(limiter, 'recent', 3)).toEqual([true, true, false]);
      for (let i = 0; i < 50; i++) await limiter.take(`late-${i}`);
      expect(limiter.size).toBeLessThanOrEqual(100);
      // Still inside the window: "idle" is allowed only because it was forgotten, "recent" is still counted.
      expect(await allowed(limiter, 'idle')).toEqual([true]);
      expect(await allowed(limiter, 'recent')).toEqual([false]);
    });
  });
});

describe('documentation', () => {
  it('has in the README exactly the configuration table SETTINGS generates: every setting, default and description', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    const table = tableInReadme(readme);
    expect(table, 'README.md lost its settings-table markers').toBeDefined();
    expect(table, 'README.md drifted from SETTINGS: run `npx tsx scripts/settings-table.ts`').toBe(settingsTable());
    for (const name of Object.keys(SETTINGS)) expect(table, name).toContain(`| \`${name}\` |`);
  });

  it('parses every default that is a value with its own parser, so unset means exactly the documented default', () => {
    const config = loadConfig({});
    expect(config.port).toBe(Number(SETTINGS.LAKEQL_PORT.default));
    expect(config.transfers.partSize).toBe(Number(SETTINGS.LAKEQL_PART_SIZE.default));
    expect(config.limits.rateLimit).toEqual(parseRateLimit(SETTINGS.LAKEQL_RATE_LIMIT.default));
    expect(config.redisPrefix).toBe(SETTINGS.LAKEQL_REDIS_PREFIX.default);
    // A default outside its parser's bounds would stop every start-up; described defaults ("(none)") are not values.
    for (const [name, setting] of Object.entries(SETTINGS) as [
      string,
      { default: string; parse?: (text: string, name: string) => unknown },
    ][]) {
      if (setting.parse && !isDescribedDefault(setting.default))
        expect(() => setting.parse!(setting.default, name), name).not.toThrow();
    }
  });
});
