// One page of bars with stable cursors: a cursor names the bucket start of the last bar served, never an offset.
import type { SymbolIndex } from '../catalog.js';
import { InvalidInputError } from '../errors.js';
import { streamBars, type BarQuery } from './query.js';
import type { BarFileReader } from './reader.js';
import { BAR_FIELDS, type BarBatch } from './resample.js';
import { intervalName } from './interval.js';
import { isTimeframe, type Timeframe } from './timeframe.js';

/** Bars per page when `first` is not given. */
export const DEFAULT_BARS_PAGE = 1000;
/**
 * Most bars one page may hold: a year of daily bars is ~252, a trading day of minute bars 390, so
 * 10 000 is a month of minute bars (≈ 1.5 MB of JSON). Larger pulls belong to the bulk export.
 */
export const MAX_BARS_PAGE = 10_000;

/** One bar as served: times in UTC ms; a value the file lacks (or that is null) is null. */
export interface Bar {
  time: number;
  date: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  vwap: number | null;
  trades: number | null;
}

export interface BarPage {
  bars: Bar[];
  cursors: string[];
  hasNextPage: boolean;
}

const PREFIX = 'bars:v1:';

/**
 * A cursor is `bars:v1:<TIMEFRAME>[*<every>]:<bucket start ms>`, base64url-encoded. It stays valid
 * while files change (it is a time, not a position), and it is refused for another timeframe or
 * `every`, where the same instant would name a different bucket. The session is not in it: both
 * sessions bucket on the same clock.
 */
export function encodeBarCursor(timeframe: Timeframe, start: number, every = 1): string {
  return Buffer.from(`${PREFIX}${intervalName({ timeframe, every })}:${start}`).toString('base64url');
}

export function decodeBarCursor(cursor: string, timeframe: Timeframe, every = 1): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^bars:v1:(([A-Z]+)(?:\*[1-9]\d{0,3})?):(-?\d{1,16})$/.exec(text);
  if (!m || !isTimeframe(m[2]))
    throw new InvalidInputError(`"${cursor.slice(0, 40)}" is not a cursor returned by bars`);
  const expected = intervalName({ timeframe, every });
  if (m[1] !== expected) throw new InvalidInputError(`the cursor belongs to timeframe ${m[1]}, not ${expected}`);
  return Number(m[3]);
}

export function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_BARS_PAGE) {
    throw new InvalidInputError(`first must be between 1 and ${MAX_BARS_PAGE} for bars, got ${first}`);
  }
  return first;
}

/**
 * Reads until `first + 1` bars are known (the extra one only answers hasNextPage), then stops reading
 * files. With `before`, bars from that cursor on are not part of the connection.
 */
export async function barsPage(
  reader: BarFileReader,
  index: SymbolIndex,
  query: Omit<BarQuery, 'after'> & { first: number; after?: string; before?: string },
): Promise<BarPage> {
  const first = checkFirst(query.first);
  const after = query.after === undefined ? undefined : decodeBarCursor(query.after, query.timeframe, query.every);
  const before = query.before === undefined ? Infinity : decodeBarCursor(query.before, query.timeframe, query.every);
  const bars: Bar[] = [];
  let ended = false;
  const stream = streamBars(reader, index, { ...query, after }, { batchSize: Math.min(first + 1, 8192) });
  try {
    for await (const batch of stream) {
      for (let i = 0; i < batch.length && bars.length <= first && !(ended = batch.time[i] >= before); i++)
        bars.push(barAt(batch, i));
      if (bars.length > first || ended) break;
    }
  } finally {
    await stream.return(undefined);
  }
  const hasNextPage = bars.length > first;
  if (hasNextPage) bars.length = first;
  return { bars, cursors: bars.map((b) => encodeBarCursor(query.timeframe, b.time, query.every)), hasNextPage };
}

export function barAt(batch: BarBatch, i: number): Bar {
  const bar = { time: batch.time[i], date: batch.date[i] } as Bar;
  for (const field of BAR_FIELDS) {
    const v = batch[field][i];
    bar[field] = Number.isNaN(v) ? null : v;
  }
  return bar;
}
