// New York calendar dates of UTC instants, fast enough for millions of minute bars (DST transitions found once per year via Intl).

export const DAY_MS = 86_400_000;
const TIME_ZONE = 'America/New_York';

let format: Intl.DateTimeFormat | undefined;

/** New York's offset from UTC at an instant, in ms (e.g. −5 h in winter), straight from Intl's tz data. */
function offsetFromIntl(instant: number): number {
  format ??= new Intl.DateTimeFormat('en-US', {
    timeZone: TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

interface YearZone {
  start: number;
  end: number;
  /** Offset changes inside the year: from `at` on, the offset is `offset`. Ascending. */
  changes: { at: number; offset: number }[];
  initial: number;
}

const years = new Map<number, YearZone>();

/**
 * The year's offset changes, found by comparing offsets a month apart and bisecting to the minute.
 * Per year this costs about 50 Intl calls once (a few ms; a calendar request over ten cold years
 * stays well under the event-loop budget); afterwards each lookup is two comparisons. Zones
 * change at most a few times a year, never twice within a month.
 */
function yearZone(year: number): YearZone {
  let zone = years.get(year);
  if (zone) return zone;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const initial = offsetFromIntl(start);
  const changes: YearZone['changes'] = [];
  let previous = initial;
  for (let month = 1; month <= 12; month++) {
    const lo0 = Date.UTC(year, month - 1, 1);
    const t = month === 12 ? end - 1 : Date.UTC(year, month, 1);
    const current = offsetFromIntl(t);
    if (current === previous) continue;
    let lo = lo0;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetFromIntl(mid) === previous) lo = mid;
      else hi = mid;
    }
    changes.push({ at: hi, offset: current });
    previous = current;
  }
  zone = { start, end, changes, initial };
  years.set(year, zone);
  return zone;
}

let last: YearZone | undefined;

/** New York's UTC offset at `instant` (ms). */
export function newYorkOffset(instant: number): number {
  let zone = last;
  if (!zone || instant < zone.start || instant >= zone.end) {
    zone = yearZone(new Date(instant).getUTCFullYear());
    last = zone;
  }
  let offset = zone.initial;
  for (const change of zone.changes) {
    if (instant >= change.at) offset = change.offset;
    else break;
  }
  return offset;
}

/** UTC midnight (ms) of the New York calendar date on which `instant` falls: the trading date of a minute bar. */
export function newYorkDay(instant: number): number {
  const local = instant + newYorkOffset(instant);
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The first UTC instant of New York date `day` (a UTC-midnight ms): where that trading date's minutes begin. */
export function newYorkDayStart(day: number): number {
  // UTC midnight is the previous New York evening; DST switches at 02:00 local, so the offset then is the one at local midnight.
  let start = day - newYorkOffset(day);
  // Guard against zones that switch at midnight: step to the first instant whose New York date is `day`.
  while (newYorkDay(start) < day) start += 3_600_000;
  while (newYorkDay(start - 3_600_000) >= day) start -= 3_600_000;
  return start;
}

/** ISO date `YYYY-MM-DD` of a UTC-midnight ms. */
export function isoDay(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}
