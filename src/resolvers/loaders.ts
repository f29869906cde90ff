// Per-request DataLoaders: every S3 list/head/get a query needs goes through here, batched and deduplicated.
import DataLoader from 'dataloader';
import pMap from 'p-map';
import { MANY_SYMBOLS_PARALLELISM } from '../lake/bars/many.js';
import {
  indexSymbol,
  indexSymbolRange,
  symbolIndexFromSnapshot,
  type SymbolIndex,
  type SymbolPageEntry,
} from '../lake/catalog.js';
import type { CatalogIndex } from '../lake/catalog-index/catalog-index.js';
import type { FundamentalsCache } from '../lake/fundamentals-cache.js';
import type { Dataset } from '../lake/layout.js';
import type { ObjectHead, ObjectMeta, ObjectStore } from '../lake/store/types.js';

export interface Loaders {
  /** The symbol's catalog entry; batches of symbols from one page are indexed with ranged listings. */
  symbolIndex: DataLoader<string, SymbolIndex>;
  /** HEAD, deduplicated by key: only for fields a listing cannot answer (metadata, content type). */
  head: DataLoader<string, ObjectHead>;
  /** Parsed JSON by key (and the listing's ETag, which the cache is keyed by), deduplicated by key. */
  json: DataLoader<Pick<ObjectMeta, 'key' | 'etag'>, unknown, string>;
  /** Remembers that these symbols came from one listing page, so they are contiguous in key order. */
  registerPage(symbols: SymbolPageEntry[]): void;
}

export interface LoaderServices {
  /** When enabled, the catalog is answered from it (no listing per request). */
  catalog?: CatalogIndex;
  fundamentals: FundamentalsCache;
}

export function createLoaders(store: ObjectStore, services: LoaderServices): Loaders {
  // ticker → the page it was listed on; symbols of one page share one ranged listing.
  const pages = new Map<string, SymbolPageEntry[]>();

  const symbolIndex = new DataLoader<string, SymbolIndex>(async (tickers) => {
    if (services.catalog?.enabled) {
      const snapshot = await services.catalog.current();
      return tickers.map((t) => symbolIndexFromSnapshot(snapshot, t));
    }
    const results = new Map<string, SymbolIndex>();
    const byPage = new Map<SymbolPageEntry[], string[]>();
    const loose: string[] = [];
    for (const ticker of tickers) {
      const page = pages.get(ticker);
      if (page) byPage.set(page, [...(byPage.get(page) ?? []), ticker]);
      else loose.push(ticker);
    }
    await Promise.all([
      ...[...byPage].map(async ([page, members]) => {
        const wanted = new Set(members);
        const datasets = new Set<Dataset>();
        for (const entry of page) if (wanted.has(entry.ticker)) entry.datasets.forEach((d) => datasets.add(d));
        for (const [ticker, index] of await indexSymbolRange(store, members, datasets)) results.set(ticker, index);
      }),
      // A long symbols(tickers:) list arrives here whole: listed a few tickers at a time, not all at once.
      pMap(loose, async (ticker) => results.set(ticker, await indexSymbol(store, ticker)), {
        concurrency: MANY_SYMBOLS_PARALLELISM,
      }),
    ]);
    return tickers.map((t) => results.get(t)!);
  });

  const head = new DataLoader<string, ObjectHead>((keys) =>
    Promise.all(keys.map((key) => store.head(key).catch((e: Error) => e))),
  );

  const json = new DataLoader<Pick<ObjectMeta, 'key' | 'etag'>, unknown, string>(
    (objects) =>
      Promise.all(objects.map((o) => services.fundamentals.read(o.key, o.etag).catch((error: Error) => error))),
    { cacheKeyFn: (o) => o.key },
  );

  return {
    symbolIndex,
    head,
    json,
    registerPage(symbols) {
      for (const entry of symbols) pages.set(entry.ticker, symbols);
    },
  };
}
