// Backward bar pages (`last`, `before`): the newest bars of a range, reading only the files and row groups at its end.
import type { SymbolIndex } from '../catalog.js';
import { DAY_MS, newYorkDay, newYorkDayStart } from '../calendar/new-york.js';
import { InvalidInputError } from '../errors.js';
import { barAt, decodeBarCursor, encodeBarCursor, MAX_BARS_PAGE, type Bar } from './page.js';
import { planFiles, type PlannedFile } from './plan.js';
import { checkRange, streamBars, type BarQuery } from './query.js';
import type { BarFileReader } from './reader.js';
import { bucketEnd, bucketStart, type Timeframe } from './timeframe.js';

/** Cursors at or beyond ±MAX_TIME (a year short of Date's limit, ±8.64e15 ms) mean the ends of time. */
const MAX_TIME = 8_640_000_000_000_000 - 366 * DAY_MS;

export interface BackwardQuery extends Omit<BarQuery, 'after'> {
  last: number;
  /** Only bars starting before this bucket start (UTC ms); absent = to the end of the range. */
  before?: number;
  /** Only bars starting after this bucket start (an `after` cursor given with `last`). */
  after?: number;
}

export interface BackwardPage {
  /** In time order, like a forward page. */
  bars: Bar[];
  cursors: string[];
  /** A bar of the range (and after `after`) starts before the page's first bar. */
  hasPreviousPage: boolean;
  /** A bar of the range starts at or after `before`. */
  hasNextPage: boolean;
}

export function checkLast(last: number): number {
  if (!Number.isInteger(last) || last < 1 || last > MAX_BARS_PAGE) {
    throw new InvalidInputError(`last must be between 1 and ${MAX_BARS_PAGE} for bars, got ${last}`);
  }
  return last;
}

/** `barsBackward` with the cursors decoded (and refused, typed, when they are not bars cursors of this timeframe). */
export function backwardPage(
  reader: BarFileReader,
  index: SymbolIndex,
  query: Omit<BackwardQuery, 'before' | 'after'> & { before?: string; after?: string },
): Promise<BackwardPage> {
  const before = query.before === undefined ? undefined : decodeBarCursor(query.before, query.timeframe);
  const after = query.after === undefined ? undefined : decodeBarCursor(query.after, query.timeframe);
  return barsBackward(reader, index, { ...query, before, after });
}

/**
 * The window is found from footers alone: files newest first, and in each the row groups newest
 * first by their time statistics, until they hold about `last + 1` bars. The bars are then folded
 * by the forward reader (streamBars) from just before that window, so a backward page holds exactly
 * the bars a forward page would: the forward reader drops the bucket its `after` bound cuts, and the
 * bars after it are whole. Holding `last + 1` whole bars answers hasPreviousPage too; when the
 * statistics promised more bars than the window held (holidays, gaps, a writer without
 * statistics), the window is widened and read again, down to the start of the range at worst.
 */
export async function barsBackward(
  reader: BarFileReader,
  index: SymbolIndex,
  query: BackwardQuery,
): Promise<BackwardPage> {
  checkRange(query);
  const last = checkLast(query.last);
  const floor = query.after;
  // A cursor may name any 16-digit time; past the ends of Date's range there is no bucket to compute.
  if (query.before !== undefined && query.before <= -MAX_TIME) {
    return {
      bars: [],
      cursors: [],
      hasPreviousPage: false,
      hasNextPage: await hasBarFrom(reader, index, query, -Infinity),
    };
  }
  const before = query.before === undefined || query.before >= MAX_TIME ? Infinity : query.before;
  let wanted = last + 1;
  for (;;) {
    const start = await windowStart(reader, index, query, before, wanted);
    const after = start === undefined ? floor : floor === undefined ? start : Math.max(start, floor);
    const found = await collect(reader, index, { ...query, after }, before, last + 1);
    const whole = after === floor;
    if (found.count > last || whole) {
      const bars = found.bars.slice(-last);
      const hasNextPage = found.next ?? (await hasBarFrom(reader, index, query, before));
      return {
        bars,
        cursors: bars.map((b) => encodeBarCursor(query.timeframe, b.time)),
        hasPreviousPage: found.count > last,
        hasNextPage,
      };
    }
    wanted *= 4;
  }
}

/** True when a bar of the range starts before `time` (hasPreviousPage of a forward page). */
export async function hasBarBefore(
  reader: BarFileReader,
  index: SymbolIndex,
  query: Omit<BarQuery, 'after'>,
  time: number,
): Promise<boolean> {
  const page = await barsBackward(reader, index, { ...query, last: 1, before: time });
  return page.bars.length > 0;
}

/** True when a bar of the range starts at or after `time`: the forward reader from just before it, stopped at its first bar. */
async function hasBarFrom(
  reader: BarFileReader,
  index: SymbolIndex,
  query: BackwardQuery,
  time: number,
): Promise<boolean> {
  if (time === Infinity) return false;
  const after = Math.max(time - 1, query.after ?? -Infinity);
  const stream = streamBars(
    reader,
    index,
    { ...query, after: Number.isFinite(after) ? after : undefined },
    { batchSize: 1 },
  );
  try {
    const { done } = await stream.next();
    return !done;
  } finally {
    await stream.return(undefined);
  }
}

/**
 * The last `keep` bars starting before `before`, how many there were, and whether one starting at
 * or after it was seen (undefined when the read stopped short of knowing). The read stops at the
 * bucket `before` names, so files after it are not opened.
 */
async function collect(
  reader: BarFileReader,
  index: SymbolIndex,
  query: BarQuery,
  before: number,
  keep: number,
): Promise<{ bars: Bar[]; count: number; next?: boolean }> {
  const stop = Number.isFinite(before) ? lastDayOfBucket(query.timeframe, before) : Infinity;
  const to = Math.min(query.to ?? Infinity, stop);
  const bars: Bar[] = [];
  let count = 0;
  let next: boolean | undefined;
  if (query.from !== undefined && query.from > to) return { bars, count, next: undefined };
  const stream = streamBars(
    reader,
    index,
    { ...query, to: Number.isFinite(to) ? to : undefined },
    { batchSize: Math.min(keep + 1, 8192) },
  );
  try {
    for await (const batch of stream) {
      for (let i = 0; i < batch.length; i++) {
        if (batch.time[i] >= before) {
          next = true;
          break;
        }
        count++;
        bars.push(barAt(batch, i));
        if (bars.length > 2 * keep) bars.splice(0, bars.length - keep);
      }
      if (next) break;
    }
  } finally {
    await stream.return(undefined);
  }
  if (bars.length > keep) bars.splice(0, bars.length - keep);
  // Read to the end of the range without meeting `before`: nothing starts at or after it.
  if (next === undefined && to === (query.to ?? Infinity)) next = false;
  return { bars, count, next };
}

/** The last trading day (UTC midnight) of the bucket starting at `start`, so a read capped there still sees whether that bucket has a bar. */
function lastDayOfBucket(timeframe: Timeframe, start: number): number {
  if (timeframe === 'MINUTE') return newYorkDay(start);
  const day = start - (((start % DAY_MS) + DAY_MS) % DAY_MS);
  return bucketEnd(timeframe, bucketStart(timeframe, day, day)) - DAY_MS;
}

/**
 * An `after` bound (bucket-start units, as a cursor is) leaving about `wanted` bars of the range
 * between it and `before`, estimated from footers; undefined when the whole range holds fewer.
 * Each row group counts as min(its rows, the buckets its time statistics span), scaled to the part
 * of it inside the range; a group without statistics counts as its whole file's span, one whose
 * statistics lie beyond Date's range as its rows.
 */
async function windowStart(
  reader: BarFileReader,
  index: SymbolIndex,
  query: BackwardQuery,
  before: number,
  wanted: number,
): Promise<number | undefined> {
  const files = planFiles(index, query.timeframe, query);
  let total = 0;
  for (let f = files.length - 1; f >= 0; f--) {
    const planned = files[f];
    const { lo, hi } = rawBounds(planned, query, before);
    if (planned.start >= hi) continue;
    if (planned.end <= lo) break;
    const { rowGroups } = await reader.info(planned.file);
    const groups = rowGroups
      .filter((g) => g.numRows > 0)
      .map((g) => ({ rows: g.numRows, min: g.minTime ?? planned.start, max: g.maxTime ?? planned.end - 1 }))
      .sort((a, b) => b.max - a.max);
    for (const g of groups) {
      const min = Math.max(g.min, lo);
      const max = Math.min(g.max, hi - 1);
      if (min > max) continue;
      const share = g.max > g.min ? (max - min + 1) / (g.max - g.min + 1) : 1;
      const rows = Math.ceil(g.rows * share);
      const buckets = bucketsSpanned(query.timeframe, planned.file.dataset, min, max);
      total += Number.isNaN(buckets) ? rows : Math.min(rows, buckets);
      if (total >= wanted) return afterBound(query.timeframe, planned.file.dataset, min);
    }
  }
  return undefined;
}

/** The range and `before` as raw file times `[lo, hi)`: dates for daily files, instants for minute files. */
function rawBounds(planned: PlannedFile, query: BackwardQuery, before: number): { lo: number; hi: number } {
  const toEnd = query.to === undefined ? Infinity : query.to + DAY_MS;
  const from = query.from ?? -Infinity;
  if (planned.file.dataset === 'daily') return { lo: from, hi: Math.min(toEnd, before) };
  const instant = (day: number) => (Number.isFinite(day) ? newYorkDayStart(day) : day);
  const cut = query.timeframe === 'MINUTE' ? before : instant(before);
  return { lo: instant(from), hi: Math.min(instant(toEnd), cut) };
}

/**
 * About how many bars rows in `[min, max]` can make, in constant time (statistics may claim any
 * span): weekdays for DAY, calendar buckets for coarser timeframes; rows alone decide for MINUTE.
 */
function bucketsSpanned(timeframe: Timeframe, dataset: 'daily' | 'minute', min: number, max: number): number {
  const day = (t: number) => (dataset === 'daily' ? t - (((t % DAY_MS) + DAY_MS) % DAY_MS) : newYorkDay(t));
  const first = new Date(day(min));
  const last = new Date(day(max));
  const months = (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth();
  switch (timeframe) {
    case 'DAY':
      // Weekends hold no trading day; a lake with weekend bars only widens the window once more.
      return Math.ceil((((last.getTime() - first.getTime()) / DAY_MS + 1) * 5) / 7);
    case 'WEEK':
      return (
        Math.round(
          (bucketStart('WEEK', last.getTime(), last.getTime()) -
            bucketStart('WEEK', first.getTime(), first.getTime())) /
            (7 * DAY_MS),
        ) + 1
      );
    case 'MONTH':
      return months + 1;
    case 'QUARTER':
      return (
        Math.floor((last.getUTCFullYear() * 12 + last.getUTCMonth()) / 3) -
        Math.floor((first.getUTCFullYear() * 12 + first.getUTCMonth()) / 3) +
        1
      );
    case 'YEAR':
      return last.getUTCFullYear() - first.getUTCFullYear() + 1;
    default:
      return Infinity;
  }
}

/** The bound just before a row at raw time `min`, so the forward reader starts with that row's bucket (or the next, if the bound cuts it). */
function afterBound(timeframe: Timeframe, dataset: 'daily' | 'minute', min: number): number {
  if (timeframe === 'MINUTE') return min - 1;
  return (dataset === 'daily' ? min - (((min % DAY_MS) + DAY_MS) % DAY_MS) : newYorkDay(min)) - 1;
}
