// CountingStore: counts calls per method on any store, for metrics and for tests that assert on round trips.
import { ForwardingStore, type FullStore, type StoreMethod } from './forwarding.js';
import type { ObjectStore } from './types.js';

export type { StoreMethod } from './forwarding.js';

export interface CountingStoreOptions {
  /** Called on every call, before it runs (e.g. to increment a Prometheus counter). */
  onCall?: (method: StoreMethod, store: string) => void;
}

/**
 * Counts a call when it is made, whether it then succeeds or fails. Every method goes through
 * `forward`, so every method is counted; optional capabilities exist only when the inner store has them.
 */
export class CountingStore extends ForwardingStore {
  private calls = new Map<StoreMethod, number>();

  constructor(
    inner: ObjectStore,
    private readonly options: CountingStoreOptions = {},
  ) {
    super(inner);
  }

  /** Calls of one method so far. */
  count(method: StoreMethod): number {
    return this.calls.get(method) ?? 0;
  }

  /** Calls of all methods so far. */
  total(): number {
    let sum = 0;
    for (const n of this.calls.values()) sum += n;
    return sum;
  }

  /** Non-zero counts by method, e.g. `{ list: 2, get: 5 }`. */
  snapshot(): Partial<Record<StoreMethod, number>> {
    return Object.fromEntries(this.calls);
  }

  reset(): void {
    this.calls.clear();
  }

  protected override forward<M extends StoreMethod>(
    method: M,
    args: Parameters<FullStore[M]>,
  ): ReturnType<FullStore[M]> {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    this.options.onCall?.(method, this.kind);
    return super.forward(method, args);
  }
}
