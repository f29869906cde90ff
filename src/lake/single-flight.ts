// Concurrent calls for the same key share one run of the work: a cold cache under many clients costs one read per file, not one per client.

export class SingleFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  /** The running promise for `key`, or `work()` started now; the key is free again once it settles, either way. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.running.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = work().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return promise;
  }
}
