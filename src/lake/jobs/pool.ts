// Bounded parallelism: N workers pulling from one iterator, and a byte budget that bounds buffered memory across jobs.

/**
 * Runs `work` over `items` with at most `concurrency` in flight. Workers pull from one shared
 * iterator, so a slow item never holds up the others and nothing is queued ahead of need.
 * Stops pulling new items once `signal` aborts; resolves when every started item has settled.
 * `work` must not throw: each item's outcome is the worker's business (recorded per file).
 */
export async function runPool<T>(items: Iterable<T> | AsyncIterable<T>, concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  let pulling: Promise<unknown> = Promise.resolve();
  // Async iterators must not be pulled concurrently: serialise next() calls.
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async () => {
    while (!signal?.aborted) {
      const { done, value } = await next();
      if (done) return;
      await work(value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/**
 * A counting semaphore over bytes. Each file takes what it may hold in memory at once before it
 * starts (its size when small, the uploader's queue of parts when large), so the sum of buffers
 * of every running job stays under the budget. A request larger than the whole budget waits
 * until the budget is free and then takes all of it, so a huge file still runs, alone.
 */
export class ByteBudget {
  private available: number;
  private readonly waiting: { bytes: number; resolve: () => void }[] = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  async acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    const take = Math.min(Math.max(0, bytes), this.capacity);
    if (this.waiting.length === 0 && take <= this.available) {
      this.available -= take;
      return this.releaser(take);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = { bytes: take, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
        this.wake();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
    return this.releaser(take);
  }

  get free(): number {
    return this.available;
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += bytes;
      this.wake();
    };
  }

  /** First come, first served: a big waiter at the head is not starved by small ones behind it. */
  private wake(): void {
    while (this.waiting.length > 0 && this.waiting[0].bytes <= this.available) {
      const waiter = this.waiting.shift()!;
      this.available -= waiter.bytes;
      waiter.resolve();
    }
  }
}
