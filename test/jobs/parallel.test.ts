// forEachBounded: at most N in flight, nothing read ahead, and on a failure every started item settles before the first error is thrown.
import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../src/lake/parallel.js';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('forEachBounded', () => {
  it('reads an item only when a slot is free, and never pulls the generator twice at once', async () => {
    let pulled = 0;
    let finished = 0;
    let pulling = 0;
    let overlapped = false;
    // Items taken from the source and not yet finished, at its most: never more than the slots.
    let aheadMax = 0;
    async function* source() {
      for (let i = 0; i < 20; i++) {
        pulling++;
        if (pulling > 1) overlapped = true;
        await tick();
        pulling--;
        pulled++;
        aheadMax = Math.max(aheadMax, pulled - finished);
        yield i;
      }
    }
    await forEachBounded(source(), 3, async () => {
      await tick(3);
      finished++;
    });
    expect(overlapped).toBe(false);
    expect(pulled).toBe(20);
    expect(aheadMax).toBeLessThanOrEqual(3);
  });

  it('waits for every started item before it throws the first error, and starts no item after it', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const error = new Error('part 3 failed');
    const run = forEachBounded(
      Array.from({ length: 100 }, (_, i) => i),
      4,
      async (i) => {
        started.push(i);
        await tick(i === 3 ? 1 : 20);
        settled.push(i);
        if (i === 3) throw error;
        if (i === 5) throw new Error('a later failure');
      },
    );
    await expect(run).rejects.toBe(error);
    // Items 0–3 were in flight together; 3 failed first, and the others still ran to their end.
    expect([...settled].sort((a, b) => a - b)).toEqual([...started].sort((a, b) => a - b));
    expect(started.length).toBeLessThanOrEqual(5);
  });

  it('stops taking items once aborted, lets started ones finish, and returns without an error', async () => {
    const controller = new AbortController();
    const settled: number[] = [];
    let inFlight = 0;
    await forEachBounded(
      Array.from({ length: 100 }, (_, i) => i),
      4,
      async (i) => {
        inFlight++;
        if (i === 10) controller.abort();
        await tick(5);
        inFlight--;
        settled.push(i);
      },
      { signal: controller.signal },
    );
    expect(inFlight).toBe(0);
    expect(settled.length).toBeLessThan(16);
  });

  it('runs every item of a plain array, at most N at once', async () => {
    let running = 0;
    let peak = 0;
    const seen = new Set<number>();
    await forEachBounded(
      Array.from({ length: 40 }, (_, i) => i),
      5,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        seen.add(i);
        running--;
      },
    );
    expect(peak).toBe(5);
    expect(seen.size).toBe(40);
  });

  it('treats a source that throws as a failure: started items settle first, then its error is thrown', async () => {
    const settled: number[] = [];
    const broken = new Error('the body stream failed');
    async function* source() {
      for (let i = 0; i < 3; i++) yield i;
      await tick(2);
      throw broken;
    }
    let inFlight = 0;
    const run = forEachBounded(source(), 4, async (i) => {
      inFlight++;
      await tick(20);
      inFlight--;
      settled.push(i);
    });
    await expect(run).rejects.toBe(broken);
    expect(inFlight).toBe(0);
    expect(settled.sort()).toEqual([0, 1, 2]);
  });
});
