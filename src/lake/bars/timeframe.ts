// Timeframes and their calendar buckets: weeks start on Monday, periods are labelled by their first calendar date.
import { DAY_MS } from '../calendar/new-york.js';

export const TIMEFRAMES = ['MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** MINUTE and HOUR bars are built from minute files and labelled by an instant; the rest by a date. */
export function isIntraday(timeframe: Timeframe): boolean {
  return timeframe === 'MINUTE' || timeframe === 'HOUR';
}

/**
 * The bucket `[start, end)` a row falls in. MINUTE and HOUR buckets are UTC minutes and hours of
 * the row's instant (New York's offset is whole hours, so they are New York minutes and hours too;
 * multiples of them are in interval.ts). Coarser buckets are over the
 * row's trading `day` (UTC midnight of its date: the date itself for daily files, the New York date
 * for minute files): DAY is that date, WEEK the Monday-to-Sunday week, then calendar month, quarter, year.
 * Each bucket is labelled by its first calendar date, even when the market was closed that day.
 */
export function bucketOf(timeframe: Timeframe, time: number, day: number): { start: number; end: number } {
  const start = bucketStart(timeframe, time, day);
  return { start, end: bucketEnd(timeframe, start) };
}

/** bucketOf's start alone (no allocation: the resampler calls it once per bucket, millions of times). */
export function bucketStart(timeframe: Timeframe, time: number, day: number): number {
  switch (timeframe) {
    case 'MINUTE':
      return time - (((time % 60_000) + 60_000) % 60_000);
    case 'HOUR':
      return time - (((time % 3_600_000) + 3_600_000) % 3_600_000);
    case 'DAY':
      return day;
    case 'WEEK':
      // 1970-01-01 was a Thursday: (days + 3) mod 7 counts days since Monday.
      return day - ((((Math.floor(day / DAY_MS) + 3) % 7) + 7) % 7) * DAY_MS;
    default: {
      const d = new Date(day);
      const month = d.getUTCMonth();
      return Date.UTC(
        d.getUTCFullYear(),
        timeframe === 'MONTH' ? month : timeframe === 'QUARTER' ? month - (month % 3) : 0,
        1,
      );
    }
  }
}

/** The end of the bucket that starts at `start`. */
export function bucketEnd(timeframe: Timeframe, start: number): number {
  switch (timeframe) {
    case 'MINUTE':
      return start + 60_000;
    case 'HOUR':
      return start + 3_600_000;
    case 'DAY':
      return start + DAY_MS;
    case 'WEEK':
      return start + 7 * DAY_MS;
    default: {
      const d = new Date(start);
      return Date.UTC(
        d.getUTCFullYear(),
        d.getUTCMonth() + (timeframe === 'MONTH' ? 1 : timeframe === 'QUARTER' ? 3 : 12),
        1,
      );
    }
  }
}
