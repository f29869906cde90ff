// Bar intervals (a timeframe times `every`, e.g. 5 minutes, 4 hours) and their buckets on the New York clock.
import { DAY_MS, newYorkDayStart, newYorkOffset } from '../calendar/new-york.js';
import { InvalidInputError } from '../errors.js';
import { bucketEnd, bucketStart, type Timeframe } from './timeframe.js';

export interface Interval {
  timeframe: Timeframe;
  /** Timeframes per bar: 5 with MINUTE is a 5-minute bar. */
  every: number;
}

/**
 * Highest `every` per timeframe. Minute multiples go up to half a day (720), hour multiples to 12:
 * a bucket never crosses New York midnight, so anything longer is a DAY bar. Coarser timeframes take
 * 1 only: calendar weeks, months and years already have the widths traders ask for.
 */
export const MAX_EVERY: Record<Timeframe, number> = {
  MINUTE: 720,
  HOUR: 12,
  DAY: 1,
  WEEK: 1,
  MONTH: 1,
  QUARTER: 1,
  YEAR: 1,
};

/** `every` if the timeframe accepts it; InvalidInputError (BAD_USER_INPUT) otherwise. */
export function checkEvery(timeframe: Timeframe, every: number): number {
  const max = MAX_EVERY[timeframe];
  if (!Number.isInteger(every) || every < 1 || every > max) {
    const shown = Number.isFinite(every) ? String(every) : String(every).slice(0, 20);
    throw new InvalidInputError(
      max === 1
        ? `every must be 1 for ${timeframe}, got ${shown}`
        : `every must be an integer from 1 to ${max} for ${timeframe}, got ${shown}`,
    );
  }
  return every;
}

/** The interval's width in ms for MINUTE and HOUR; undefined for calendar timeframes. */
function widthOf({ timeframe, every }: Interval): number | undefined {
  if (timeframe === 'MINUTE') return every * 60_000;
  if (timeframe === 'HOUR') return every * 3_600_000;
  return undefined;
}

/**
 * The start of the bucket holding a row (its instant `time`, its New York date `day`).
 *
 * Intraday buckets are New York wall-clock periods counted from New York midnight: 5, 15 and 30
 * minutes land on 9:30, hours on the hour, 4 hours on 0:00, 4:00, 8:00 … ; a width that does not
 * divide a day ends the day with a shorter bucket. A bucket starts at the first instant the New
 * York clock shows its start time, so on the spring-forward night the 0:00–4:00 bucket holds three
 * hours and the 2:00 bucket of a 2-hour interval starts at 3:00 EDT; on the fall-back night the
 * 0:00–4:00 bucket holds five. Widths that divide an hour (1, 5, 15, 30 minutes, 1 hour) are plain
 * UTC floors, since New York's offset is whole hours: each bar then spans exactly its width, and the
 * repeated 1:00 hour of the fall-back night makes bars of its own (01:00 EDT and 01:00 EST), as
 * Alpaca and Polygon label them. US equities do not trade on those Sunday nights.
 */
export function intervalStart(interval: Interval, time: number, day: number): number {
  const width = widthOf(interval);
  if (width === undefined) return bucketStart(interval.timeframe, time, day);
  if (3_600_000 % width === 0) return time - (((time % width) + width) % width);
  const clock = dayClock(day);
  let k = Math.floor((time + newYorkOffset(time) - day) / width);
  // Behind the clock's own reading only in the repeated hour: a later boundary may already have passed.
  while ((k + 1) * width < DAY_MS && clock.firstInstant(day + (k + 1) * width) <= time) k++;
  return clock.firstInstant(day + k * width);
}

/** The end of the bucket that starts at `start` (a value intervalStart returned for a row of `day`). */
export function intervalEnd(interval: Interval, start: number, day: number): number {
  const width = widthOf(interval);
  if (width === undefined) return bucketEnd(interval.timeframe, start);
  if (3_600_000 % width === 0) return start + width;
  const clock = dayClock(day);
  const k = Math.floor((start + newYorkOffset(start) - day) / width);
  let next = k + 1;
  while (next * width < DAY_MS && clock.firstInstant(day + next * width) <= start) next++;
  return next * width < DAY_MS ? clock.firstInstant(day + next * width) : clock.end;
}

interface DayClock {
  day: number;
  /** First instant of the next New York date. */
  end: number;
  /** The first instant at which the New York clock reads `wall` or later (`wall` as UTC-midnight ms + time of day). */
  firstInstant(wall: number): number;
}

let lastClock: DayClock | undefined;

/**
 * One New York date's clock: its offsets and, on a DST date, the instant they change (found by
 * bisection to the minute, once per date).
 */
function dayClock(day: number): DayClock {
  if (lastClock?.day === day) return lastClock;
  const start = newYorkDayStart(day);
  const end = newYorkDayStart(day + DAY_MS);
  const before = newYorkOffset(start);
  const after = newYorkOffset(end - 1);
  let firstInstant: (wall: number) => number;
  if (before === after) {
    firstInstant = (wall) => wall - before;
  } else {
    let lo = start;
    let hi = end - 1;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (newYorkOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    const change = hi;
    // Before the change the clock reads t + before; from it on, t + after (ahead in spring, behind in autumn).
    firstInstant = (wall) => (wall < change + before ? wall - before : wall <= change + after ? change : wall - after);
  }
  lastClock = { day, end, firstInstant };
  return lastClock;
}

/** How an interval is named in cursors and file names: `MINUTE`, `MINUTE*5`, `HOUR*4`. */
export function intervalName({ timeframe, every }: Interval): string {
  return every === 1 ? timeframe : `${timeframe}*${every}`;
}
