// Builds a catalog snapshot from listings: one LIST per dataset for a small lake, ranges listed in parallel for a big one.
import { listAll } from '../store/helpers.js';
import type { ObjectStore } from '../store/types.js';
import { CatalogSnapshot, FileEntry } from './snapshot.js';
import { INDEXED_DATASETS, type IndexedDataset } from './datasets.js';

export interface BuildOptions {
  datasets?: readonly IndexedDataset[];
  /** Listings in flight at once, over all datasets and ranges. */
  concurrency?: number;
}

/** First characters of tickers (layout: a letter first), each the prefix of one range listed in parallel. */
const RANGE_HEADS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

/**
 * Each dataset root is listed once from its start; a root that fits one page (1000 keys) costs one
 * request, which is what keeps a refresh of a small lake cheap. A root with more is continued as
 * one listing per ticker initial (keys after the first page's last), `concurrency` at a time: a
 * 1,000,000-key lake is 1000 pages, fetched in parallel instead of one continuation token at a time.
 */
export async function buildSnapshot(store: ObjectStore, options: BuildOptions = {}): Promise<CatalogSnapshot> {
  const datasets = options.datasets ?? INDEXED_DATASETS;
  const snapshot = new CatalogSnapshot(datasets);
  const limit = limiter(options.concurrency ?? 16);
  const add = (dataset: number, objects: { key: string; size: number; etag?: string; lastModified: Date }[]) => {
    const d = datasets[dataset];
    for (const object of objects) {
      const slot = d.parse(object.key);
      if (slot) snapshot.set(dataset, slot, FileEntry.of(object));
    }
  };
  await Promise.all(
    datasets.map(async (d, i) => {
      const first = await limit(() => store.list({ prefix: d.root }));
      add(i, first.objects);
      if (first.nextContinuationToken === undefined) return;
      const last = first.objects.at(-1)?.key ?? d.root;
      await Promise.all(
        RANGE_HEADS.filter((head) => !(`${d.root}${head}\uffff` < last)).map((head) =>
          limit(async () => {
            const prefix = d.root + head;
            const batch = [];
            for await (const object of listAll(store, { prefix, startAfter: last > prefix ? last : undefined })) {
              batch.push(object);
              if (batch.length >= 1000) add(i, batch.splice(0));
            }
            add(i, batch);
          }),
        ),
      );
    }),
  );
  return snapshot;
}

/** At most `n` of the given tasks run at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
