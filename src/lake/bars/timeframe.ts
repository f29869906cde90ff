// Timeframes and their calendar buckets: weeks start on Monday, periods are labelled by their first calendar date.
import { DAY_MS } from './ny-time.js';

export const TIMEFRAMES = ['MINUTE', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/**
 * The bucket `[start, end)` a row falls in. MINUTE buckets are UTC minutes of the row's instant
 * (New York's offset is whole hours, so they are New York minutes too). Coarser buckets are over the
 * row's trading `day` (UTC midnight of its date: the date itself for daily files, the New York date
 * for minute files): DAY is that date, WEEK the Monday-to-Sunday week, then calendar month, quarter, year.
 * Each bucket is labelled by its first calendar date, even when the market was closed that day.
 */
export function bucketOf(timeframe: Timeframe, time: number, day: number): { start: number; end: number } {
  switch (timeframe) {
    case 'MINUTE': {
      const start = time - (((time % 60_000) + 60_000) % 60_000);
      return { start, end: start + 60_000 };
    }
    case 'DAY':
      return { start: day, end: day + DAY_MS };
    case 'WEEK': {
      // 1970-01-01 was a Thursday: (days + 3) mod 7 counts days since Monday.
      const sinceMonday = (((Math.floor(day / DAY_MS) + 3) % 7) + 7) % 7;
      const start = day - sinceMonday * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    default: {
      const d = new Date(day);
      const year = d.getUTCFullYear();
      const month = d.getUTCMonth();
      const first = timeframe === 'MONTH' ? month : timeframe === 'QUARTER' ? month - (month % 3) : 0;
      const span = timeframe === 'MONTH' ? 1 : timeframe === 'QUARTER' ? 3 : 12;
      return { start: Date.UTC(year, first, 1), end: Date.UTC(year, first + span, 1) };
    }
  }
}
