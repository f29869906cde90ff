// Builds a catalog snapshot from listings: one LIST per dataset for a small lake, ranges listed in parallel for a big one.
import { forEachBounded } from '../parallel.js';
import { listAll, listCommonPrefixes } from '../store/helpers.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import { CatalogSnapshot, FileEntry } from './snapshot.js';
import { INDEXED_DATASETS, type IndexedDataset } from './datasets.js';

export interface BuildOptions {
  datasets?: readonly IndexedDataset[];
  /** Listings in flight at once, over all datasets and ranges. */
  concurrency?: number;
}

/** Keys S3 returns in one LIST page. */
const PAGE_KEYS = 1000;
/** Pages per range: few enough ranges that a small lake stays a handful of requests, enough to keep `concurrency` listings busy on a big one. */
const PAGES_PER_RANGE = 4;

/**
 * Each dataset root is listed once from its start; a root that fits one page (1000 keys) costs one
 * request, which keeps a refresh of a small lake cheap. A root with more is split by symbol: its
 * symbols come from a delimiter listing (one request per 1000 symbols), the keys per symbol are
 * estimated from the first page, and contiguous runs of symbols of about PAGES_PER_RANGE pages each
 * are listed in parallel (`startAfter`/`endBefore`), `concurrency` at a time (the roots' first pages
 * first, then every range of every root). A 1,000,000-key lake
 * is then ~1000 pages fetched side by side instead of one continuation token after another.
 */
export async function buildSnapshot(store: ObjectStore, options: BuildOptions = {}): Promise<CatalogSnapshot> {
  const datasets = options.datasets ?? INDEXED_DATASETS;
  const concurrency = options.concurrency ?? 16;
  const snapshot = new CatalogSnapshot(datasets);
  const add = (dataset: number, objects: ObjectMeta[]) => {
    const d = datasets[dataset];
    for (const object of objects) {
      const slot = d.parse(object.key);
      if (slot) snapshot.set(dataset, slot, FileEntry.of(object));
    }
  };
  const ranges: { dataset: number; startAfter: string; endBefore?: string }[] = [];
  await forEachBounded(
    datasets.map((d, i) => ({ d, i })),
    concurrency,
    async ({ d, i }) => {
      const first = await store.list({ prefix: d.root });
      add(i, first.objects);
      if (first.nextContinuationToken === undefined) return;
      const last = first.objects.at(-1)?.key ?? d.root;
      const symbolOf = (key: string) => key.slice(d.root.length).split('/')[0];
      const prefixes = await listCommonPrefixes(store, d.root);
      // The symbol the first page ended in, and every later one; the first range resumes after the page's last key.
      const lastPrefix = `${d.root}${symbolOf(last)}/`;
      const rest = prefixes.filter((p) => p >= lastPrefix);
      const seenSymbols = new Set(first.objects.map((o) => symbolOf(o.key))).size;
      const keysPerSymbol = first.objects.length / Math.max(1, seenSymbols);
      const count = Math.max(
        1,
        Math.min(concurrency * 4, Math.round((rest.length * keysPerSymbol) / (PAGE_KEYS * PAGES_PER_RANGE))),
      );
      const per = Math.ceil(rest.length / count) || 1;
      for (let r = 0; r * per < Math.max(rest.length, 1); r++) {
        ranges.push({ dataset: i, startAfter: r === 0 ? last : rest[r * per], endBefore: rest[(r + 1) * per] });
      }
    },
  );
  await forEachBounded(ranges, concurrency, async ({ dataset, startAfter, endBefore }) => {
    const batch: ObjectMeta[] = [];
    for await (const object of listAll(store, { prefix: datasets[dataset].root, startAfter, endBefore })) {
      batch.push(object);
      if (batch.length >= PAGE_KEYS) add(dataset, batch.splice(0));
    }
    add(dataset, batch);
  });
  return snapshot;
}
