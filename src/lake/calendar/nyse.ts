// NYSE trading calendar (holidays, trading days, regular-session minutes) as pure functions over ISO `YYYY-MM-DD` dates.
import { InvalidInputError } from '../errors.js';
import { newYorkOffset } from './new-york.js';

/**
 * Dates are ISO `YYYY-MM-DD` strings everywhere in this module: they name a New York trading
 * date without pretending to be an instant. `dayToMs`/`msToDay` convert to and from the
 * UTC-midnight milliseconds that daily bars use as `time`.
 *
 * The rules are today's NYSE rules (Rule 7.2) applied to every year: they are right from 1998
 * (MLK day) on, and Juneteenth starts in 2022. Unscheduled closures are listed one by one below.
 * Early closes (13:00 New York) follow NYSE's scheduled pattern: the day after Thanksgiving, July 3
 * when it is a Monday–Thursday (a Friday July 3 is the observed Independence Day), and Christmas Eve
 * on a weekday that is not itself a holiday. `session(date)` knows them; `regularSessionMinutes`
 * keeps listing the full 390 minutes (the demo lake's generator relies on it). Years outside
 * 1900–2100 throw InvalidInputError.
 */
export interface Holiday {
  date: string;
  name: string;
}

const DAY_MS = 86_400_000;
const SESSION_MINUTES = 390;

/** Unscheduled full-day closures since 2000; they are facts, not rules, so they are listed. */
const SPECIAL_CLOSURES: readonly Holiday[] = [
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'National day of mourning for President Reagan' },
  { date: '2007-01-02', name: 'National day of mourning for President Ford' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National day of mourning for President G. H. W. Bush' },
  // Announced in late December 2024; it takes 2025 from 251 to 250 trading days.
  { date: '2025-01-09', name: 'National day of mourning for President Carter' },
];

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** UTC-midnight milliseconds of an ISO date (years 1000–9999); throws InvalidInputError on anything that is not a real date. */
export function dayToMs(date: string): number {
  const m = ISO_DATE.exec(date);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    // Checked by arithmetic, not a Date round trip: this runs for every day the demo lake generates.
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))
      return Date.UTC(year, month - 1, day);
  }
  throw new InvalidInputError(`"${date}" is not a date: expected YYYY-MM-DD`);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The ISO date (in UTC) of a millisecond timestamp. */
export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function iso(year: number, month: number, day: number): string {
  return msToDay(Date.UTC(year, month - 1, day));
}

function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** Day of month of the nth (1-based) given weekday (0 = Sunday) in a month. */
function nthWeekday(year: number, month: number, dow: number, n: number): number {
  return 1 + ((dow - weekday(year, month, 1) + 7) % 7) + (n - 1) * 7;
}

function lastWeekday(year: number, month: number, dow: number): number {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return last - ((weekday(year, month, last) - dow + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous Gregorian / Meeus–Jones–Butcher algorithm). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

/** A fixed-date holiday moved off the weekend: Saturday → Friday, Sunday → Monday. */
function observed(year: number, month: number, day: number): string {
  const dow = weekday(year, month, day);
  return iso(year, month, day + (dow === 6 ? -1 : dow === 0 ? 1 : 0));
}

const holidayCache = new Map<number, readonly Holiday[]>();

/** Every weekday of `year` on which the NYSE is closed, in date order. */
export function holidays(year: number): Holiday[] {
  assertYear(year);
  let list = holidayCache.get(year);
  if (!list) {
    const days: Holiday[] = [];
    // A Saturday New Year's Day is not observed: the Friday before is Dec 31, the end of an accounting year.
    if (weekday(year, 1, 1) !== 6) days.push({ date: observed(year, 1, 1), name: "New Year's Day" });
    if (year >= 1998) days.push({ date: iso(year, 1, nthWeekday(year, 1, 1, 3)), name: 'Martin Luther King Jr. Day' });
    days.push({ date: iso(year, 2, nthWeekday(year, 2, 1, 3)), name: "Washington's Birthday" });
    days.push({ date: msToDay(dayToMs(easterSunday(year)) - 2 * DAY_MS), name: 'Good Friday' });
    days.push({ date: iso(year, 5, lastWeekday(year, 5, 1)), name: 'Memorial Day' });
    if (year >= 2022) days.push({ date: observed(year, 6, 19), name: 'Juneteenth National Independence Day' });
    days.push({ date: observed(year, 7, 4), name: 'Independence Day' });
    days.push({ date: iso(year, 9, nthWeekday(year, 9, 1, 1)), name: 'Labor Day' });
    days.push({ date: iso(year, 11, nthWeekday(year, 11, 4, 4)), name: 'Thanksgiving Day' });
    days.push({ date: observed(year, 12, 25), name: 'Christmas Day' });
    for (const closure of SPECIAL_CLOSURES) if (closure.date.startsWith(`${year}-`)) days.push(closure);
    days.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
    list = Object.freeze(days.map((d) => Object.freeze({ ...d })));
    holidayCache.set(year, list);
  }
  return [...list];
}

const tradingCache = new Map<number, { days: readonly string[]; set: ReadonlySet<string> }>();

/** Trading days are computed once per year: the demo lake and minute bars ask for the same years thousands of times. */
function tradingYear(year: number): { days: readonly string[]; set: ReadonlySet<string> } {
  let entry = tradingCache.get(year);
  if (!entry) {
    const closed = new Set(holidays(year).map((h) => h.date));
    const days: string[] = [];
    for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += DAY_MS) {
      const dow = new Date(ms).getUTCDay();
      if (dow === 0 || dow === 6) continue;
      const date = msToDay(ms);
      if (!closed.has(date)) days.push(date);
    }
    entry = { days: Object.freeze(days), set: new Set(days) };
    tradingCache.set(year, entry);
  }
  return entry;
}

export function isTradingDay(date: string): boolean {
  dayToMs(date);
  return tradingYear(Number(date.slice(0, 4))).set.has(date);
}

/** Every trading day of `year`, ascending. */
export function tradingDays(year: number): string[] {
  assertYear(year);
  return [...tradingYear(year).days];
}

/** Trading days in the inclusive range [from, to], ascending. */
export function tradingDaysBetween(from: string, to: string): string[] {
  dayToMs(from);
  dayToMs(to);
  const days: string[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const date of tradingYear(year).days) if (date >= from && date <= to) days.push(date);
  }
  return days;
}

/**
 * The start of each minute of the 09:30–16:00 New York session of `date`, as UTC ms
 * (390 values, the first at the open, the last at 15:59). Empty when the market is closed.
 */
export function regularSessionMinutes(date: string): number[] {
  if (!isTradingDay(date)) return [];
  const wallOpen = dayToMs(date) + (9 * 60 + 30) * 60_000;
  // DST switches at 02:00 local, so the offset at the open holds all session long.
  const open = wallOpen - newYorkOffset(wallOpen + 5 * 3_600_000);
  const minutes = new Array<number>(SESSION_MINUTES);
  for (let i = 0; i < SESSION_MINUTES; i++) minutes[i] = open + i * 60_000;
  return minutes;
}

export interface EarlyClose {
  date: string;
  /** Why the session ends at 13:00, e.g. "Day after Thanksgiving". */
  reason: string;
}

/** Regular session minutes of a full day (09:30–16:00) and of an early close (09:30–13:00). */
export const FULL_SESSION_MINUTES = SESSION_MINUTES;
export const EARLY_CLOSE_MINUTES = 210;

/** Scheduled 13:00 closes of `year`, in date order (only trading days; a closure wins over an early close). */
const earlyCache = new Map<number, readonly EarlyClose[]>();

export function earlyCloses(year: number): EarlyClose[] {
  assertYear(year);
  const cached = earlyCache.get(year);
  if (cached) return [...cached];
  const candidates: EarlyClose[] = [];
  const july3 = weekday(year, 7, 3);
  if (july3 >= 1 && july3 <= 4) candidates.push({ date: iso(year, 7, 3), reason: 'Independence Day eve' });
  candidates.push({ date: iso(year, 11, nthWeekday(year, 11, 4, 4) + 1), reason: 'Day after Thanksgiving' });
  candidates.push({ date: iso(year, 12, 24), reason: 'Christmas Eve' });
  const open = tradingYear(year).set;
  const list = Object.freeze(candidates.filter((c) => open.has(c.date)).map((c) => Object.freeze(c)));
  earlyCache.set(year, list);
  return [...list];
}

export interface Session {
  date: string;
  /** UTC ms of 09:30 New York. */
  open: number;
  /** UTC ms of 16:00 New York, or 13:00 on an early close. */
  close: number;
  /** Regular-session minutes: 390, or 210 on an early close. */
  minutes: number;
  earlyClose: string | null;
}

/** The regular session of a trading day; null when the market is closed that day. */
export function session(date: string): Session | null {
  if (!isTradingDay(date)) return null;
  const year = Number(date.slice(0, 4));
  const early = (earlyCache.get(year) ?? earlyCloses(year)).find((e) => e.date === date);
  const wallOpen = dayToMs(date) + (9 * 60 + 30) * 60_000;
  const open = wallOpen - newYorkOffset(wallOpen + 5 * 3_600_000);
  const minutes = early ? EARLY_CLOSE_MINUTES : SESSION_MINUTES;
  return { date, open, close: open + minutes * 60_000, minutes, earlyClose: early?.reason ?? null };
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2100)
    throw new InvalidInputError(`year ${year} is out of range: expected 1900 to 2100`);
}
