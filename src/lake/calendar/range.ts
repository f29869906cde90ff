// Bounded calendar ranges for the API: which years the rules are trusted for, and how long a span one request may ask.
import { InvalidInputError } from '../errors.js';
import { DAY_MS } from './new-york.js';
import { dayToMs, earlyCloses, holidays, session, tradingDaysBetween, type Session } from './nyse.js';

/**
 * The rules are today's NYSE rules; they match the published schedules from 2000 on (the
 * unscheduled closures are listed since then). After 2100 nobody can promise anything, and the
 * listing of one-off closures is only as current as this file.
 */
export const CALENDAR_MIN_YEAR = 2000;
export const CALENDAR_MAX_YEAR = 2100;
/** At most about five years per request (1,260 trading days): a cold request (years never computed) stays near 40 ms of CPU. */
export const CALENDAR_MAX_SPAN_DAYS = 1830;

export interface CalendarRange {
  from: string;
  to: string;
}

/** Checks an inclusive range of ISO dates against the covered years and the span cap. */
export function calendarRange(from: string, to: string): CalendarRange {
  const a = dayToMs(from);
  const b = dayToMs(to);
  for (const date of [from, to]) {
    const year = Number(date.slice(0, 4));
    if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
      throw new InvalidInputError(`${date} is outside the calendar's years ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}`);
    }
  }
  if (b < a) throw new InvalidInputError(`from ${from} is after to ${to}`);
  const span = (b - a) / DAY_MS + 1;
  if (span > CALENDAR_MAX_SPAN_DAYS)
    throw new InvalidInputError(`${span} days is longer than the ${CALENDAR_MAX_SPAN_DAYS}-day limit of one request`);
  return { from, to };
}

/** Every trading day's session in the range, ascending. */
export function sessionsBetween(range: CalendarRange): Session[] {
  return tradingDaysBetween(range.from, range.to).map((date) => session(date)!);
}

export interface MarketHoliday {
  date: string;
  name: string;
  /** CLOSED: no session; EARLY_CLOSE: the session ends at 13:00 New York. */
  kind: 'CLOSED' | 'EARLY_CLOSE';
  /** UTC ms of the early close, null for a closure. */
  close: number | null;
}

/** Weekday closures and early closes in the range, in date order. */
export function holidaysBetween(range: CalendarRange): MarketHoliday[] {
  const list: MarketHoliday[] = [];
  for (let year = Number(range.from.slice(0, 4)); year <= Number(range.to.slice(0, 4)); year++) {
    for (const h of holidays(year)) list.push({ date: h.date, name: h.name, kind: 'CLOSED', close: null });
    for (const e of earlyCloses(year))
      list.push({ date: e.date, name: e.reason, kind: 'EARLY_CLOSE', close: session(e.date)!.close });
  }
  return list.filter((h) => h.date >= range.from && h.date <= range.to).sort((x, y) => (x.date < y.date ? -1 : 1));
}
