// A byte budget that bounds the memory buffered by every running transfer together.

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
      const waiter = {
        bytes: take,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
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
