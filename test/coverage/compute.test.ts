// computeCoverage on hand-built rows: the current year's span, overlapping minute files, and extended hours.
import { describe, expect, it } from 'vitest';
import { session, tradingDaysBetween } from '../../src/lake/calendar/nyse.js';
import { computeCoverage, hasGaps, type CoverageRows } from '../../src/lake/coverage/coverage.js';
import { newYorkDay } from '../../src/lake/calendar/new-york.js';

const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

function daily(dates: string[]): CoverageRows {
  const time = Float64Array.from(dates.map(day)).sort();
  return { rows: time.length, time, day: time };
}

function minutes(instants: number[]): CoverageRows {
  const time = Float64Array.from(instants).sort();
  return { rows: time.length, time, day: time.map((t) => newYorkDay(t)) };
}

const sessionOf = (date: string) => {
  const s = session(date)!;
  return Array.from({ length: s.minutes }, (_, i) => s.open + i * 60_000);
};

describe('computeCoverage', () => {
  it('expects the current year only up to the last date held', () => {
    const held = tradingDaysBetween('2026-01-01', '2026-06-30').filter((d) => d !== '2026-03-03');
    const report = computeCoverage({ year: 2026, resolution: 'DAILY', files: [daily(held)], today: '2026-12-04' });
    expect(report).toMatchObject({
      from: '2026-01-02',
      to: '2026-06-30',
      missingDates: ['2026-03-03'],
      unexpectedDates: [],
      duplicateDates: [],
    });
    expect(report.expectedDays).toBe(held.length + 1);
    // The same rows in a past year's frame: the rest of the year is missing.
    const past = computeCoverage({ year: 2026, resolution: 'DAILY', files: [daily(held)], today: '2027-01-15' });
    expect(past.to).toBe('2026-12-31');
    expect(past.missingDates).toHaveLength(tradingDaysBetween('2026-07-01', '2026-12-31').length + 1);
  });

  it('sees a minute held in two overlapping files as a duplicate, and ignores extended hours', () => {
    const jan31 = sessionOf('2025-01-31');
    const feb3 = sessionOf('2025-02-03');
    const pre = jan31[0] - 3_600_000;
    const after = feb3.at(-1)! + 3_600_000;
    // January's file also holds February 3rd's first minute (a writer that cut the month late).
    const january = minutes([pre, ...jan31, feb3[0]]);
    const february = minutes([...feb3, after]);
    const report = computeCoverage({
      year: 2025,
      resolution: 'MINUTE',
      files: [february, january],
      months: [1, 2],
      today: '2026-12-04',
    });
    expect(report.duplicateDates).toEqual(['2025-02-03']);
    expect(report.shortDays).toEqual([]);
    expect(report.unexpectedDates).toEqual([]);
    expect(report.missingDates).toEqual(
      tradingDaysBetween('2025-01-01', '2025-02-28').filter((d) => d !== '2025-01-31' && d !== '2025-02-03'),
    );
  });

  it('counts an early close complete at 210 minutes, a day of only extended hours as present but short', () => {
    const eve = sessionOf('2025-12-24');
    const s = session('2025-12-26')!;
    const report = computeCoverage({
      year: 2025,
      resolution: 'MINUTE',
      files: [minutes([...eve, s.close + 60_000])],
      months: [12],
      today: '2026-01-02',
    });
    expect(report.shortDays).toEqual([{ date: '2025-12-26', minutes: 0, expected: 390 }]);
    expect(report.missingDates).not.toContain('2025-12-26');
    expect(report.missingDates).not.toContain('2025-12-24');
    expect(hasGaps(report)).toBe(true);
  });
});
