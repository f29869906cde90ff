// The engine's small parts, exactly: backoff delays, throttling, resumable history, byte budget, globs, path confinement.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, NotFoundError, StoreError } from '../../src/lake/errors.js';
import { MemoryJobRegistry } from '../../src/lake/jobs/memory-registry.js';
import { ByteBudget } from '../../src/lake/jobs/pool.js';
import { forEachBounded } from '../../src/lake/parallel.js';
import { nextDelay, withRetry, type Clock } from '../../src/lake/jobs/retry.js';
import { JobTracker } from '../../src/lake/jobs/tracker.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { compileGlob, pathFilter } from '../../src/lake/uploads/glob.js';
import { ensureDirectoryInside, resolveInside } from '../../src/lake/uploads/paths.js';
import { multipartEtag } from '../../src/lake/uploads/checksum.js';
import { relativeTarget } from '../../src/lake/uploads/download.js';
import { bytesOf, md5, MiB, tempDir } from './support.js';

function fakeClock(start = 1_000_000) {
  const sleeps: number[] = [];
  let now = start;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return {
    clock,
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('retry with decorrelated jitter', () => {
  it('waits random-in-[base, 3 × previous] delays, capped, for retryable errors only', async () => {
    const { clock, sleeps } = fakeClock();
    const randoms = [0.5, 1 - 1e-9, 0, 0.25];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 5) throw new StoreError('SlowDown', { retryable: true, backendCode: 'SlowDown' });
        return 'ok';
      },
      { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, clock, random: () => randoms.shift()! },
    );
    expect(result).toBe('ok');
    // 100 + 0.5×(300−100) = 200; then ≈ 100 + 1×(600−100) = 600; then 100 (random 0); then 100 + 0.25×(300−100) = 150.
    expect(sleeps.map(Math.round)).toEqual([200, 600, 100, 150]);
    expect(nextDelay(5000, 100, 1000, () => 0.99)).toBe(1000);
  });

  it('fails at once on a permanent error and gives up after maxAttempts on transient ones', async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new NotFoundError('bucket gone', { backendCode: 'NoSuchBucket' });
        },
        { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, clock },
      ),
    ).rejects.toMatchObject({ backendCode: 'NoSuchBucket' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new StoreError('503', { retryable: true });
        },
        { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, clock },
      ),
    ).rejects.toBeInstanceOf(StoreError);
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('stops retrying when cancelled', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        controller.abort();
        throw new StoreError('503', { retryable: true });
      },
      { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, signal: controller.signal },
    );
    await expect(run).rejects.toBeInstanceOf(StoreError);
    expect(calls).toBe(1);
    await expect(
      withRetry(async () => 1, { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});

function tracked(intervalMs = 100) {
  const { clock, advance } = fakeClock();
  const registry = new MemoryJobRegistry();
  const published: JobSnapshot[] = [];
  const tracker = new JobTracker(
    {
      id: 'j1',
      kind: 'BACKFILL',
      state: 'QUEUED',
      seq: 0,
      description: '',
      dryRun: false,
      createdAt: clock.now(),
      totalFiles: 0,
      doneFiles: 0,
      failedFiles: 0,
      skippedFiles: 0,
      totalBytes: 0,
      transferredBytes: 0,
      bytesPerSecond: 0,
      errors: [],
    },
    { registry, publish: (s) => published.push(s), clock, intervalMs },
  );
  return { tracker, registry, published, advance };
}

describe('job tracker', () => {
  it('throttles progress to one snapshot per interval, never holds back state changes, and keeps per-file progress monotone', async () => {
    const { tracker, published, advance } = tracked();
    await tracker.publishInitial();
    tracker.start();
    tracker.plan({ totalFiles: 2, totalBytes: 1000, skippedFiles: 0 });
    const flush = () => new Promise((r) => setTimeout(r, 0));
    await flush(); // snapshots are published after their (async) save
    const before = published.length;
    for (let i = 1; i <= 50; i++) tracker.progress('a', i * 10); // all within one instant: held back
    await new Promise((r) => setTimeout(r, 0));
    expect(published.length - before).toBe(0);
    advance(100);
    tracker.progress('a', 600);
    await flush();
    expect(published.length - before).toBe(1); // the interval passed: the latest state goes out at once
    expect(published.at(-1)!.transferredBytes).toBe(600);
    tracker.progress('a', 300); // a retry starting over does not take progress back
    tracker.fileDone('a', 600);
    advance(100);
    tracker.progress('b', 400);
    tracker.fileDone('b', 400);
    const final = await tracker.finish('SUCCEEDED');
    await new Promise((r) => setTimeout(r, 0));
    expect(final).toMatchObject({ state: 'SUCCEEDED', transferredBytes: 1000, doneFiles: 2 });
    expect(published.at(-1)).toEqual(final);
    expect(published.map((s) => s.seq)).toEqual(published.map((_, i) => i + 1));
    for (let i = 1; i < published.length; i++)
      expect(published[i].transferredBytes).toBeGreaterThanOrEqual(published[i - 1].transferredBytes);
  });

  it('lets a subscriber resume from a sequence number without missing a state change', async () => {
    const { tracker, registry, advance } = tracked(10);
    await tracker.publishInitial(); // seq 1 QUEUED
    tracker.start(); // seq 2 RUNNING
    for (let i = 1; i <= 5; i++) {
      advance(20);
      tracker.progress('a', i);
    }
    const final = await tracker.finish('SUCCEEDED');
    expect((await registry.since('j1', 1)).map((s) => s.state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect((await registry.since('j1', 3)).map((s) => [s.state, s.seq])).toEqual([['SUCCEEDED', final.seq]]);
    expect(await registry.since('j1', final.seq)).toEqual([]);
  });
});

describe('byte budget and pool', () => {
  it('bounds bytes held at once, first come first served, a too-large request taking the whole budget alone', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.acquire(60);
    const order: string[] = [];
    const b = budget.acquire(50).then((release) => {
      order.push('b');
      return release;
    });
    const c = budget.acquire(500).then((release) => {
      order.push('c');
      return release;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    a();
    const releaseB = await b;
    expect(order).toEqual(['b']);
    expect(budget.free).toBe(50);
    releaseB();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(budget.free).toBe(100);
  });

  it('runs at most `concurrency` items at once and stops pulling when aborted', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const controller = new AbortController();
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        seen.push(i);
        if (i === 20) controller.abort();
        await new Promise((r) => setTimeout(r, 1));
        running--;
      },
      { signal: controller.signal },
    );
    expect(peak).toBe(4);
    expect(seen.length).toBeLessThan(30);
  });
});

describe('globs', () => {
  it('matches like rglob for bare names and by path otherwise', () => {
    const parquet = compileGlob('*.parquet');
    expect(parquet.test('ticks.parquet')).toBe(true);
    expect(parquet.test('AAPL/2024/ticks.parquet')).toBe(true);
    expect(parquet.test('AAPL/2024/ticks.parquet.tmp')).toBe(false);
    expect(compileGlob('AAPL/**').test('AAPL/2024/ticks.parquet')).toBe(true);
    expect(compileGlob('AAPL/**').test('AAPLX/2024/ticks.parquet')).toBe(false);
    expect(compileGlob('*/202[34]/*.parquet').test('MSFT/2023/ticks.parquet')).toBe(true);
    expect(compileGlob('*/202[34]/*.parquet').test('MSFT/2022/ticks.parquet')).toBe(false);
    expect(compileGlob('{AAPL,MSFT}/*/ticks.?arquet').test('MSFT/2020/ticks.parquet')).toBe(true);
    expect(compileGlob('a/**/b.json').test('a/b.json')).toBe(true);
    expect(compileGlob('a.b').test('axb')).toBe(false);
    const filter = pathFilter(['*.parquet'], ['**/2020/**']);
    expect(filter('X/2021/ticks.parquet')).toBe(true);
    expect(filter('X/2020/ticks.parquet')).toBe(false);
    expect(() => compileGlob('[abc')).toThrow(/unclosed/);
  });
});

describe('path confinement', () => {
  it('refuses .., absolute paths outside, and symbolic links leading out of the root', async () => {
    const root = await tempDir('confine');
    const outside = await tempDir('outside');
    await fs.mkdir(path.join(root, 'in'));
    await fs.symlink(outside, path.join(root, 'escape'));
    await fs.symlink(path.join(root, 'in'), path.join(root, 'inner-link'));
    expect(await resolveInside(root, 'in', 'source')).toBe(path.join(root, 'in'));
    expect(await resolveInside(root, 'inner-link', 'source')).toBe(path.join(root, 'in'));
    await expect(resolveInside(root, '../', 'source')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(resolveInside(root, outside, 'source')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(resolveInside(root, 'escape', 'source')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(resolveInside(root, 'in\0x', 'source')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(ensureDirectoryInside(root, 'escape/new', 'destination')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(await fs.readdir(outside)).toEqual([]);
    expect(await ensureDirectoryInside(root, 'made/deep', 'destination')).toBe(path.join(root, 'made/deep'));
  });

  it('maps keys to download paths as the seed does', () => {
    expect(relativeTarget('data/ticks/daily/AAPL/2024/ticks.parquet', 'data/ticks/daily/AAPL')).toBe(
      '2024/ticks.parquet',
    );
    expect(relativeTarget('data/ticks/daily/AAPL/2024/ticks.parquet', 'data/ticks/daily/AAPL/')).toBe(
      '2024/ticks.parquet',
    );
    expect(relativeTarget('data/fundamental/AAPL/2024/Q1.json', 'data/fundamental/AAPL/2024/Q1.json')).toBe('Q1.json');
  });
});

describe('multipart ETags', () => {
  it("are recomputed for SYNC as S3 forms them: MD5 of the parts' MD5s, dash, part count", async () => {
    const dir = await tempDir('etag');
    const bytes = bytesOf(9, 11 * MiB);
    await fs.writeFile(path.join(dir, 'f'), bytes);
    const parts = [bytes.subarray(0, 5 * MiB), bytes.subarray(5 * MiB, 10 * MiB), bytes.subarray(10 * MiB)];
    const expected = md5(Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'hex'))));
    expect(await multipartEtag(path.join(dir, 'f'), 5 * MiB)).toBe(`${expected}-3`);
  });
});
