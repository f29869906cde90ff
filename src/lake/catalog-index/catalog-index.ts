// The catalog index: one in-memory snapshot of the lake's listings, never older than maxAge, refreshed in the background.
import type { ObjectStore } from '../store/types.js';
import { buildSnapshot } from './build.js';
import { INDEXED_DATASETS, locate, type IndexedDataset } from './datasets.js';
import type { FileEntry, CatalogSnapshot } from './snapshot.js';

export interface CatalogIndexOptions {
  /** Oldest answer allowed, ms; 0 turns the index off (every query lists, as without it). */
  maxAgeMs: number;
  datasets?: readonly IndexedDataset[];
  concurrency?: number;
  /** Injectable for tests: the clock ages are measured with (ms). */
  now?: () => number;
  /** Called whenever the index learns the lake changed: a write, a remote invalidation, a refresh that found a difference. */
  onChange?: () => void;
  log?: (message: string) => void;
}

/** What a write changed: the new listing entry, or null when the key was deleted. */
export type WriteNote = { key: string; entry: FileEntry | null };

/**
 * Freshness: an answer's age is measured from when the listing behind it *started*, so nothing
 * put before that moment can be missing. Past half the bound, a query starts a background refresh
 * and is answered at once (stale-while-revalidate, within the bound); past the bound, queries wait
 * for a refresh and get its error if it fails. One refresh at a time (single-flight): every caller
 * shares the one in flight. Writes lakeql makes are applied on the spot, and re-applied over a
 * refresh that was already listing when they happened (its listing may predate them).
 */
export class CatalogIndex {
  readonly enabled: boolean;
  readonly datasets: readonly IndexedDataset[];
  readonly #store: ObjectStore;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #snapshot: CatalogSnapshot | undefined;
  #listedAt = -Infinity;
  #refreshing: Promise<CatalogSnapshot> | undefined;
  /** Writes noted while the refresh in flight lists. */
  #duringRefresh: WriteNote[] = [];
  #failedAt = -Infinity;
  refreshes = 0;
  refreshFailures = 0;

  constructor(
    store: ObjectStore,
    private readonly options: CatalogIndexOptions,
  ) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs;
    this.enabled = options.maxAgeMs > 0;
    this.datasets = options.datasets ?? INDEXED_DATASETS;
    this.#now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** The snapshot, fresh within the bound; waits for a refresh only when the one held is too old (or none is). */
  async current(): Promise<CatalogSnapshot> {
    if (!this.enabled) throw new Error('the catalog index is off (LAKEQL_CATALOG_MAX_AGE=0)');
    const age = this.#now() - this.#listedAt;
    if (this.#snapshot && age <= this.#maxAgeMs) {
      // A failed background refresh is retried no sooner than a tenth of the bound later, not on every query.
      const retryAfter = Math.min(1000, this.#maxAgeMs / 10);
      if (age >= this.#maxAgeMs / 2 && !this.#refreshing && this.#now() - this.#failedAt >= retryAfter) {
        this.refresh().catch(() => {});
      }
      return this.#snapshot;
    }
    return this.refresh();
  }

  /** The snapshot if it is within the bound, else undefined; never lists (for metrics and the like). */
  peek(): CatalogSnapshot | undefined {
    return this.#snapshot && this.#now() - this.#listedAt <= this.#maxAgeMs ? this.#snapshot : undefined;
  }

  /** What the index holds now, for metrics; undefined before the first build. */
  size(): { files: number; symbols: number; bytes: number } | undefined {
    const s = this.#snapshot;
    return s ? { files: s.fileCount, symbols: s.symbolCount, bytes: s.estimatedBytes() } : undefined;
  }

  /** Lists the lake again; a call while a refresh runs joins that one. */
  refresh(): Promise<CatalogSnapshot> {
    return (this.#refreshing ??= this.#runRefresh().finally(() => {
      this.#refreshing = undefined;
    }));
  }

  /** Forgets the snapshot's age: the next query lists again (a write whose result could not be read back). */
  invalidate(): void {
    this.#listedAt = -Infinity;
    this.options.onChange?.();
  }

  /** Applies a write lakeql made (here or, through Redis, elsewhere). Returns whether the index changed. */
  note(write: WriteNote): boolean {
    const located = locate(write.key, this.datasets);
    if (this.#refreshing) this.#duringRefresh.push(write);
    const changed = located !== null && (this.#snapshot?.set(located.dataset, located.slot, write.entry) ?? false);
    // The version moves on any write: readers outside the index (bars, HTTP caches) may have read that key.
    this.options.onChange?.();
    return changed;
  }

  async #runRefresh(): Promise<CatalogSnapshot> {
    const startedAt = this.#now();
    this.#duringRefresh = [];
    try {
      const fresh = await buildSnapshot(this.#store, {
        datasets: this.datasets,
        concurrency: this.options.concurrency,
      });
      for (const write of this.#duringRefresh) {
        const located = locate(write.key, this.datasets);
        if (located) fresh.set(located.dataset, located.slot, write.entry);
      }
      this.#duringRefresh = [];
      // The first build is the baseline, not a change: nothing was answered from an index before it.
      const changed = this.#snapshot !== undefined && !this.#snapshot.equals(fresh);
      this.#snapshot = fresh;
      this.#listedAt = startedAt;
      this.refreshes++;
      const took = this.#now() - startedAt;
      // Ages count from a listing's start: a listing that takes most of the bound leaves the index stale on arrival.
      if (took > this.#maxAgeMs / 2)
        this.options.log?.(
          `catalog index: listing the lake took ${Math.round(took)} ms, over half of LAKEQL_CATALOG_MAX_AGE; raise it`,
        );
      if (changed) this.options.onChange?.();
      return fresh;
    } catch (error) {
      this.refreshFailures++;
      this.#failedAt = this.#now();
      this.options.log?.(`catalog index refresh failed: ${(error as Error).message}`);
      throw error;
    }
  }
}
