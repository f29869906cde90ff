// Bars of many symbols: the ticker list checked as a whole, and one stream of every symbol's bars, symbol by symbol, read ahead with bounded parallelism.
import { pMapIterable } from 'p-map';
import { InvalidInputError, LakeError } from '../errors.js';
import { normalizeTicker } from '../layout.js';
import type { SymbolIndex } from '../catalog.js';
import { streamBars, type BarQuery } from './query.js';
import type { BarFileReader } from './reader.js';
import type { BarBatch } from './resample.js';

/**
 * Symbols read at once. Each symbol's own stream already keeps several files in flight (see
 * streamBars), so eight symbols keep the decode pool and the store busy without opening a
 * hundred symbols' reads together when a request names a hundred.
 */
export const MANY_SYMBOLS_PARALLELISM = 8;

/**
 * Bars a symbol read ahead may hold before it waits for its turn: a symbol's whole daily history
 * (≈ 252 bars a year) fits, a minute history does not and streams when its turn comes. Memory
 * held ahead is at most MANY_SYMBOLS_PARALLELISM × (this + one 8,192-bar batch) × 9 columns ×
 * 8 B ≈ 24 MB.
 */
export const PREFETCH_BARS = 32_768;

/**
 * Normalizes a list of tickers as one request names them: each must be a ticker, none may repeat
 * (after normalization, so `aapl` and `AAPL` are the same), and at most `max` may be named. The
 * error names the argument and the position, so a client can find the bad item in a long list.
 */
export function parseTickerList(items: readonly string[], max: number, argument: string): string[] {
  if (items.length > max) {
    throw new InvalidInputError(
      `${argument} names ${items.length} tickers; at most ${max} are allowed per request (LAKEQL_MAX_SYMBOLS)`,
    );
  }
  const seen = new Map<string, number>();
  return items.map((item, i) => {
    if (item.trim() === '') throw new InvalidInputError(`${argument}[${i}] is empty`);
    let ticker: string;
    try {
      ticker = normalizeTicker(item);
    } catch (error) {
      if (error instanceof LakeError) throw new InvalidInputError(`${argument}[${i}]: ${error.message}`);
      throw error;
    }
    const earlier = seen.get(ticker);
    if (earlier !== undefined)
      throw new InvalidInputError(
        `${argument}[${i}] repeats ${ticker} (already ${argument}[${earlier}]): name each ticker once`,
      );
    seen.set(ticker, i);
    return ticker;
  });
}

/** Orders tickers as the long-format export does: by UTF-16 code units, like SQL's ORDER BY over ASCII text (BRK before BRK.B). */
export function compareTickers(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface SymbolBars {
  ticker: string;
  index: SymbolIndex;
  query: BarQuery;
}

export interface SymbolBatch {
  symbol: string;
  batch: BarBatch;
}

export interface ManyOptions {
  parallelism?: number;
  prefetchBars?: number;
}

/**
 * Every symbol's bars in the order given, each in time order. Up to `parallelism` symbols are read
 * at once: the one being yielded, and the next ones, each until PREFETCH_BARS are held. Stop
 * iterating and every started symbol's stream is closed, so no further file is read.
 */
export async function* streamManyBars(
  reader: BarFileReader,
  symbols: readonly SymbolBars[],
  options: ManyOptions = {},
): AsyncGenerator<SymbolBatch> {
  const parallelism = Math.max(1, options.parallelism ?? MANY_SYMBOLS_PARALLELISM);
  const limit = options.prefetchBars ?? PREFETCH_BARS;
  const open = new Set<AsyncGenerator<BarBatch>>();
  const heads = pMapIterable(
    symbols,
    async ({ ticker, index, query }) => {
      const stream = streamBars(reader, index, query);
      open.add(stream);
      const head: BarBatch[] = [];
      let held = 0;
      while (held < limit) {
        const next = await stream.next();
        if (next.done) {
          open.delete(stream);
          return { ticker, head, rest: undefined };
        }
        head.push(next.value);
        held += next.value.length;
      }
      return { ticker, head, rest: stream };
    },
    // backpressure = concurrency: at most `parallelism` symbols held or being read, never more.
    { concurrency: parallelism, backpressure: parallelism },
  );
  try {
    for await (const { ticker, head, rest } of heads) {
      for (const batch of head) yield { symbol: ticker, batch };
      if (!rest) continue;
      for (let next = await rest.next(); !next.done; next = await rest.next())
        yield { symbol: ticker, batch: next.value };
      open.delete(rest);
    }
  } finally {
    // Streams still reading ahead (the client went away, or a file failed): stop them reading further files.
    await Promise.all([...open].map((stream) => stream.return(undefined).catch(() => undefined)));
  }
}
