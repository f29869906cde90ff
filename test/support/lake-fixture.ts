// Fills a store with a catalog-shaped lake (tick files and fundamentals in the seed's layout) for catalog tests.
import {
  dailyTicksKey,
  fundamentalsKey,
  fundamentalsMetadata,
  JSON_CONTENT_TYPE,
  PARQUET_CONTENT_TYPE,
  ticksMetadata,
} from '../../src/lake/layout.js';
import type { ObjectStore } from '../../src/lake/store/types.js';

/** S001, S002, … : tickers in key order. */
export function fixtureTickers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);
}

/**
 * `symbols × years` daily tick files (placeholder bytes: catalog queries never read them) and,
 * when `quarters` is set, that many fundamentals documents per year.
 */
export async function writeCatalogLake(
  store: ObjectStore,
  options: { symbols: number; years: number[]; quarters?: number; concurrency?: number },
): Promise<{ tickers: string[]; objects: number }> {
  const tickers = fixtureTickers(options.symbols);
  const jobs: (() => Promise<unknown>)[] = [];
  for (const ticker of tickers) {
    for (const year of options.years) {
      jobs.push(() =>
        store.put(dailyTicksKey(ticker, year), `PAR1 ${ticker} ${year} PAR1`, {
          contentType: PARQUET_CONTENT_TYPE,
          metadata: ticksMetadata('DAILY', ticker, year),
        }),
      );
      for (let quarter = 1; quarter <= (options.quarters ?? 0); quarter++) {
        const doc = {
          symbol: ticker,
          year,
          quarter,
          revenue: year * 1000 + quarter,
          net_income: quarter * 10,
          eps: quarter / 4,
        };
        jobs.push(() =>
          store.put(fundamentalsKey(ticker, year, quarter), JSON.stringify(doc, null, 2), {
            contentType: JSON_CONTENT_TYPE,
            metadata: fundamentalsMetadata(ticker, year, quarter),
          }),
        );
      }
    }
  }
  await runLimited(jobs, options.concurrency ?? 16);
  return { tickers, objects: jobs.length };
}

async function runLimited(jobs: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}
