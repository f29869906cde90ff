// Coverage of one symbol-year: which trading days a lake's bar files hold, miss, repeat, or hold when the market was closed.
import { msToDay, session, tradingDays, type Session } from '../calendar/nyse.js';
import type { Resolution } from '../layout.js';

/** The rows of one bar file as the reader decoded them: `time` sorted, `day` the trading date (UTC-midnight ms) of each row. */
export interface CoverageRows {
  rows: number;
  time: Float64Array;
  day: Float64Array;
}

export interface ShortDay {
  date: string;
  /** Distinct regular-session minutes held. */
  minutes: number;
  /** 390, or 210 on an early close. */
  expected: number;
}

export interface CoverageReport {
  resolution: Resolution;
  /** First and last expected date (ISO), null when nothing is expected. */
  from: string | null;
  to: string | null;
  expectedDays: number;
  presentDays: number;
  rows: number;
  /** Expected trading days with no row. */
  missingDates: string[];
  /** Dates with rows on which the market was closed (weekends, holidays) or outside the year. */
  unexpectedDates: string[];
  /** Daily: dates with more than one row. Minute: dates with two rows for the same minute. */
  duplicateDates: string[];
  /** Minute only: trading days whose regular session holds fewer minutes than it lasted. */
  shortDays: ShortDay[];
}

export interface CoverageInput {
  year: number;
  resolution: Resolution;
  /** The year's files in key order (one for DAILY, one per month for MINUTE). */
  files: CoverageRows[];
  /** Months (1–12) of the minute files, to bound the expected span to the months the lake holds. */
  months?: number[];
  /** New York date of "now" (ISO): in its year and later, days after the data's last date are not yet expected. */
  today: string;
}

export function hasGaps(report: CoverageReport): boolean {
  return (
    report.missingDates.length +
      report.unexpectedDates.length +
      report.duplicateDates.length +
      report.shortDays.length >
    0
  );
}

/**
 * Daily rows count by their date; minute rows by their New York trading date. A minute row counts
 * toward its day's session only inside [09:30, close) New York; pre- and after-hours rows make a
 * day present but neither fill nor shorten its session, and they are never "unexpected" on a
 * trading day (extended hours are normal). On a closed day any row is unexpected.
 *
 * Expected span: DAILY, the whole year; MINUTE, from the first day of the first month file to the
 * last day of the last month file (minute history is kept by month, and often only recent months).
 * In the current year (and later) the span ends at the last date the files hold.
 */
export function computeCoverage(input: CoverageInput): CoverageReport {
  const { year, resolution } = input;
  const counts = new Map<number, number>();
  const sessionMinutes = new Map<number, number>();
  const duplicates = new Set<number>();
  const sessions = new Map<number, Session | null>();
  let rows = 0;
  let lastTime = Number.NEGATIVE_INFINITY;
  const all = orderedRows(input.files);
  for (let i = 0; i < all.time.length; i++) {
    const t = all.time[i];
    const d = all.day[i];
    rows++;
    counts.set(d, (counts.get(d) ?? 0) + 1);
    const repeated = t === lastTime;
    lastTime = t;
    if (resolution === 'DAILY') {
      if (counts.get(d)! > 1) duplicates.add(d);
      continue;
    }
    if (repeated) {
      duplicates.add(d);
      continue;
    }
    let s = sessions.get(d);
    if (s === undefined) sessions.set(d, (s = session(msToDay(d))));
    if (s && t >= s.open && t < s.close) sessionMinutes.set(d, (sessionMinutes.get(d) ?? 0) + 1);
  }

  const [spanFrom, spanTo] = expectedSpan(input, counts);
  const expected = tradingDays(year).filter((date) => date >= spanFrom && date <= spanTo);
  const expectedSet = new Set(expected);
  const present = [...counts.keys()].sort((a, b) => a - b).map(msToDay);
  const presentSet = new Set(present);
  const yearDays = new Set(tradingDays(year));
  const shortDays: ShortDay[] = [];
  if (resolution === 'MINUTE') {
    for (const date of present) {
      if (!yearDays.has(date)) continue;
      const s = sessions.get(Date.parse(date)) ?? session(date)!;
      const held = sessionMinutes.get(Date.parse(date)) ?? 0;
      if (held < s.minutes) shortDays.push({ date, minutes: held, expected: s.minutes });
    }
  }
  return {
    resolution,
    from: expected[0] ?? null,
    to: expected.at(-1) ?? null,
    expectedDays: expected.length,
    presentDays: present.filter((date) => expectedSet.has(date)).length,
    rows,
    missingDates: expected.filter((date) => !presentSet.has(date)),
    unexpectedDates: present.filter((date) => !yearDays.has(date)),
    duplicateDates: [...duplicates].sort((a, b) => a - b).map(msToDay),
    shortDays,
  };
}

function expectedSpan(input: CoverageInput, counts: Map<number, number>): [string, string] {
  const { year } = input;
  let from = `${year}-01-01`;
  let to = `${year}-12-31`;
  if (input.resolution === 'MINUTE' && input.months && input.months.length > 0) {
    const first = Math.min(...input.months);
    const last = Math.max(...input.months);
    from = msToDay(Date.UTC(year, first - 1, 1));
    to = msToDay(Date.UTC(year, last, 0));
  }
  if (year >= Number(input.today.slice(0, 4))) {
    const held = [...counts.keys()].filter((d) => msToDay(d).startsWith(`${year}-`));
    const lastHeld = held.length ? msToDay(Math.max(...held)) : `${year - 1}-12-31`;
    if (lastHeld < to) to = lastHeld;
  }
  return [from, to];
}

/**
 * One time-ordered sequence over the files. Files whose time ranges do not overlap (the normal
 * case: one per month) are concatenated in order; overlapping ones (a row in the wrong month's
 * file) are merged by a full sort, so a minute held twice across files is still seen as a duplicate.
 */
function orderedRows(files: CoverageRows[]): { time: Float64Array; day: Float64Array } {
  const nonEmpty = files.filter((f) => f.rows > 0).sort((a, b) => a.time[0] - b.time[0]);
  const total = nonEmpty.reduce((n, f) => n + f.rows, 0);
  const time = new Float64Array(total);
  const day = new Float64Array(total);
  let offset = 0;
  let overlap = false;
  for (let k = 0; k < nonEmpty.length; k++) {
    const f = nonEmpty[k];
    if (k > 0 && f.time[0] <= nonEmpty[k - 1].time[nonEmpty[k - 1].rows - 1]) overlap = true;
    time.set(f.time.subarray(0, f.rows), offset);
    day.set(f.day.subarray(0, f.rows), offset);
    offset += f.rows;
  }
  if (!overlap) return { time, day };
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => time[a] - time[b]);
  return { time: Float64Array.from(order, (i) => time[i]), day: Float64Array.from(order, (i) => day[i]) };
}
