// NYSE calendar: trading-day counts, holiday rules and session minutes against known dates.
import { describe, expect, it } from 'vitest';
import {
  dayToMs,
  earlyCloses,
  easterSunday,
  holidays,
  isTradingDay,
  msToDay,
  regularSessionMinutes,
  session,
  tradingDays,
  tradingDaysBetween,
} from '../../src/lake/calendar/nyse.js';
import { InvalidInputError } from '../../src/lake/errors.js';

describe('tradingDays', () => {
  it.each([
    [2021, 252],
    [2022, 251],
    [2023, 250],
    [2024, 252],
    [2025, 250], // 251 by the rules, minus the Carter day of mourning
    [2026, 251],
  ])('%i has %i trading days', (year, count) => {
    expect(tradingDays(year)).toHaveLength(count);
  });

  it('returns ascending weekdays of the year, none of them holidays', () => {
    for (const year of [2000, 2012, 2021, 2025]) {
      const days = tradingDays(year);
      const closed = new Set(holidays(year).map((h) => h.date));
      expect([...days].sort()).toEqual(days);
      for (const day of days) {
        expect(day.startsWith(`${year}-`)).toBe(true);
        expect([0, 6]).not.toContain(new Date(dayToMs(day)).getUTCDay());
        expect(closed.has(day)).toBe(false);
      }
    }
  });

  it('tradingDaysBetween is inclusive and agrees with tradingDays', () => {
    expect(tradingDaysBetween('2025-01-01', '2025-12-31')).toEqual(tradingDays(2025));
    expect(tradingDaysBetween('2025-01-02', '2025-01-10')).toEqual([
      '2025-01-02',
      '2025-01-03',
      '2025-01-06',
      '2025-01-07',
      '2025-01-08',
      '2025-01-10',
    ]);
    expect(tradingDaysBetween('2025-01-04', '2025-01-05')).toEqual([]);
  });
});

describe('holidays', () => {
  it('lists 2025 in order, with names', () => {
    expect(holidays(2025)).toEqual([
      { date: '2025-01-01', name: "New Year's Day" },
      { date: '2025-01-09', name: 'National day of mourning for President Carter' },
      { date: '2025-01-20', name: 'Martin Luther King Jr. Day' },
      { date: '2025-02-17', name: "Washington's Birthday" },
      { date: '2025-04-18', name: 'Good Friday' },
      { date: '2025-05-26', name: 'Memorial Day' },
      { date: '2025-06-19', name: 'Juneteenth National Independence Day' },
      { date: '2025-07-04', name: 'Independence Day' },
      { date: '2025-09-01', name: 'Labor Day' },
      { date: '2025-11-27', name: 'Thanksgiving Day' },
      { date: '2025-12-25', name: 'Christmas Day' },
    ]);
  });

  it('does not observe a Saturday New Year on the Friday before (Dec 31)', () => {
    expect(isTradingDay('2021-12-31')).toBe(true); // 2022-01-01 was a Saturday
    expect(holidays(2022).some((h) => h.name === "New Year's Day")).toBe(false);
    expect(isTradingDay('2010-12-31')).toBe(true); // 2011-01-01 was a Saturday
  });

  it('moves a Sunday New Year to Monday', () => {
    expect(isTradingDay('2023-01-02')).toBe(false);
    expect(isTradingDay('2017-01-02')).toBe(false);
  });

  it('moves Saturday holidays to Friday and Sunday holidays to Monday', () => {
    expect(isTradingDay('2021-12-24')).toBe(false); // Christmas on Saturday
    expect(isTradingDay('2022-12-26')).toBe(false); // Christmas on Sunday
    expect(isTradingDay('2021-07-05')).toBe(false); // July 4 on Sunday
    expect(isTradingDay('2026-07-03')).toBe(false); // July 4 on Saturday
    expect(isTradingDay('2022-06-20')).toBe(false); // Juneteenth on Sunday
    expect(isTradingDay('2027-06-18')).toBe(false); // Juneteenth on Saturday
  });

  it('starts Juneteenth in 2022 and MLK day in 1998', () => {
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(holidays(2021).some((h) => h.name.startsWith('Juneteenth'))).toBe(false);
    expect(holidays(1997).some((h) => h.name.startsWith('Martin'))).toBe(false);
    expect(holidays(1998)).toContainEqual({ date: '1998-01-19', name: 'Martin Luther King Jr. Day' });
  });

  it('puts the Monday and Thursday holidays on the right weeks', () => {
    expect(holidays(2024).map((h) => h.date)).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ]);
    expect(holidays(2026).find((h) => h.name === 'Memorial Day')?.date).toBe('2026-05-25');
    expect(holidays(2023).find((h) => h.name === 'Thanksgiving Day')?.date).toBe('2023-11-23');
  });

  it('includes the one-off closures', () => {
    for (const day of [
      '2025-01-09',
      '2018-12-05',
      '2012-10-29',
      '2012-10-30',
      '2001-09-11',
      '2001-09-14',
      '2007-01-02',
      '2004-06-11',
    ]) {
      expect(isTradingDay(day)).toBe(false);
    }
  });

  it('returns a copy callers cannot corrupt', () => {
    const list = holidays(2025);
    list.length = 0;
    expect(holidays(2025)).toHaveLength(11);
  });
});

describe('easterSunday', () => {
  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2019, '2019-04-21'],
    [2021, '2021-04-04'],
    [2022, '2022-04-17'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2038, '2038-04-25'],
  ])('%i → %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});

describe('isTradingDay', () => {
  it('is false on weekends and true on ordinary weekdays', () => {
    expect(isTradingDay('2025-06-14')).toBe(false);
    expect(isTradingDay('2025-06-15')).toBe(false);
    expect(isTradingDay('2025-06-16')).toBe(true);
  });

  it('rejects strings that are not real dates', () => {
    for (const bad of [
      '2025-02-30',
      '2023-02-29',
      '2025-2-3',
      '2025-13-01',
      '2025-00-10',
      '0050-01-01',
      '20250101',
      '',
      'yesterday',
    ]) {
      expect(() => isTradingDay(bad)).toThrow(InvalidInputError);
    }
  });

  it('converts between ISO dates and UTC-midnight ms', () => {
    expect(dayToMs('2021-01-04')).toBe(Date.UTC(2021, 0, 4));
    expect(msToDay(Date.UTC(2021, 0, 4, 23, 59))).toBe('2021-01-04');
    expect(dayToMs('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(dayToMs('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(() => dayToMs('1900-02-29')).toThrow(InvalidInputError);
  });
});

describe('regularSessionMinutes', () => {
  const nyClock = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  });

  it.each([
    ['2025-03-07', '2025-03-07T14:30:00.000Z'], // last Friday of EST
    ['2025-03-10', '2025-03-10T13:30:00.000Z'], // first Monday of EDT
    ['2025-10-31', '2025-10-31T13:30:00.000Z'], // last Friday of EDT
    ['2025-11-03', '2025-11-03T14:30:00.000Z'], // first Monday of EST
    ['2024-07-01', '2024-07-01T13:30:00.000Z'],
    ['2024-12-31', '2024-12-31T14:30:00.000Z'],
  ])('%s opens at %s and has 390 one-minute steps', (date, open) => {
    const minutes = regularSessionMinutes(date);
    expect(minutes).toHaveLength(390);
    expect(new Date(minutes[0]).toISOString()).toBe(open);
    expect(minutes[389] - minutes[0]).toBe(389 * 60_000);
    for (let i = 1; i < minutes.length; i++) expect(minutes[i] - minutes[i - 1]).toBe(60_000);
    expect(nyClock.format(minutes[0])).toBe('09:30');
    expect(nyClock.format(minutes[389])).toBe('15:59');
  });

  it('covers 09:30–15:59 New York time on every trading day of a year', () => {
    for (const day of tradingDays(2024)) {
      const minutes = regularSessionMinutes(day);
      expect(nyClock.format(minutes[0])).toBe('09:30');
      expect(nyClock.format(minutes[389])).toBe('15:59');
    }
  });

  it('is empty when the market is closed', () => {
    expect(regularSessionMinutes('2025-12-25')).toEqual([]);
    expect(regularSessionMinutes('2025-12-27')).toEqual([]);
  });
});

/**
 * NYSE's published schedules, as printed on nyse.com "Holidays & Trading Hours"
 * (https://www.nyse.com/markets/hours-calendars) and in NYSE's yearly holiday press releases,
 * plus NYSE's notice of 2024-12-23 closing the market on 2025-01-09 for President Carter's
 * national day of mourning. Early closes end the session at 1:00 p.m. Eastern.
 */
const PUBLISHED: Record<number, { closed: string[]; early: string[] }> = {
  2021: {
    closed: [
      '2021-01-01',
      '2021-01-18',
      '2021-02-15',
      '2021-04-02',
      '2021-05-31',
      '2021-07-05',
      '2021-09-06',
      '2021-11-25',
      '2021-12-24',
    ],
    early: ['2021-11-26'],
  },
  2022: {
    closed: [
      '2022-01-17',
      '2022-02-21',
      '2022-04-15',
      '2022-05-30',
      '2022-06-20',
      '2022-07-04',
      '2022-09-05',
      '2022-11-24',
      '2022-12-26',
    ],
    early: ['2022-11-25'],
  },
  2023: {
    closed: [
      '2023-01-02',
      '2023-01-16',
      '2023-02-20',
      '2023-04-07',
      '2023-05-29',
      '2023-06-19',
      '2023-07-04',
      '2023-09-04',
      '2023-11-23',
      '2023-12-25',
    ],
    early: ['2023-07-03', '2023-11-24'],
  },
  2024: {
    closed: [
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ],
    early: ['2024-07-03', '2024-11-29', '2024-12-24'],
  },
  2025: {
    closed: [
      '2025-01-01',
      '2025-01-09',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ],
    early: ['2025-07-03', '2025-11-28', '2025-12-24'],
  },
  2026: {
    closed: [
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ],
    early: ['2026-11-27', '2026-12-24'],
  },
};

describe('published NYSE schedules 2021–2026', () => {
  it.each(Object.keys(PUBLISHED).map(Number))('%i: closures and early closes match exactly', (year) => {
    expect(holidays(year).map((h) => h.date)).toEqual(PUBLISHED[year].closed);
    expect(earlyCloses(year).map((e) => e.date)).toEqual(PUBLISHED[year].early);
  });

  it('names the reasons', () => {
    expect(earlyCloses(2024)).toEqual([
      { date: '2024-07-03', reason: 'Independence Day eve' },
      { date: '2024-11-29', reason: 'Day after Thanksgiving' },
      { date: '2024-12-24', reason: 'Christmas Eve' },
    ]);
    expect(holidays(2022).find((h) => h.date === '2022-06-20')?.name).toBe('Juneteenth National Independence Day');
    expect(holidays(2021).find((h) => h.date === '2021-04-02')?.name).toBe('Good Friday');
  });

  it('gives early closes a 13:00 New York close of 210 minutes and other days 16:00 and 390', () => {
    expect(session('2025-12-24')).toEqual({
      date: '2025-12-24',
      open: Date.parse('2025-12-24T14:30:00Z'),
      close: Date.parse('2025-12-24T18:00:00Z'),
      minutes: 210,
      earlyClose: 'Christmas Eve',
    });
    expect(session('2025-07-03')?.close).toBe(Date.parse('2025-07-03T17:00:00Z'));
    expect(session('2025-07-02')).toEqual({
      date: '2025-07-02',
      open: Date.parse('2025-07-02T13:30:00Z'),
      close: Date.parse('2025-07-02T20:00:00Z'),
      minutes: 390,
      earlyClose: null,
    });
    expect(session('2025-01-09')).toBeNull();
    expect(session('2025-07-05')).toBeNull();
  });

  it('never lists an early close on a day the market is closed', () => {
    for (let year = 2000; year <= 2040; year++) {
      for (const e of earlyCloses(year)) expect(isTradingDay(e.date)).toBe(true);
    }
  });
});
