// Per-request DataLoaders: every S3 list/head/get a query needs goes through here, batched and deduplicated.
import DataLoader from 'dataloader';
import { indexSymbol, indexSymbolRange, type SymbolIndex, type SymbolPageEntry } from '../lake/catalog.js';
import type { Dataset } from '../lake/layout.js';
import { getBytes } from '../lake/store/helpers.js';
import type { ObjectHead, ObjectStore } from '../lake/store/types.js';
import { InvalidDataError } from '../lake/errors.js';

export interface Loaders {
  /** The symbol's catalog entry; batches of symbols from one page are indexed with ranged listings. */
  symbolIndex: DataLoader<string, SymbolIndex>;
  /** HEAD, deduplicated by key: only for fields a listing cannot answer (metadata, content type). */
  head: DataLoader<string, ObjectHead>;
  /** GET + JSON.parse, deduplicated by key. */
  json: DataLoader<string, unknown>;
  /** Remembers that these symbols came from one listing page, so they are contiguous in key order. */
  registerPage(symbols: SymbolPageEntry[]): void;
}

export function createLoaders(store: ObjectStore): Loaders {
  // ticker → the page it was listed on; symbols of one page share one ranged listing.
  const pages = new Map<string, SymbolPageEntry[]>();

  const symbolIndex = new DataLoader<string, SymbolIndex>(async (tickers) => {
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
      ...loose.map(async (ticker) => results.set(ticker, await indexSymbol(store, ticker))),
    ]);
    return tickers.map((t) => results.get(t)!);
  });

  const head = new DataLoader<string, ObjectHead>((keys) => Promise.all(keys.map((key) => store.head(key).catch((e: Error) => e))));

  const json = new DataLoader<string, unknown>((keys) =>
    Promise.all(
      keys.map(async (key) => {
        try {
          const bytes = await getBytes(store, key);
          try {
            return JSON.parse(Buffer.from(bytes).toString('utf8'));
          } catch (cause) {
            return new InvalidDataError(`${key} is not valid JSON`, { key, cause });
          }
        } catch (error) {
          return error as Error;
        }
      }),
    ),
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
