// Interval buckets on the New York clock, every's ranges, every in cursors, and the regular-session filter, as pure functions.
import { describe, expect, it } from 'vitest';
import { newYorkDay } from '../../src/lake/calendar/new-york.js';
import { InvalidInputError } from '../../src/lake/errors.js';
import { checkEvery, intervalEnd, intervalStart, MAX_EVERY, type Interval } from '../../src/lake/bars/interval.js';
import { decodeBarCursor, encodeBarCursor } from '../../src/lake/bars/page.js';
import type { BarTable } from '../../src/lake/bars/reader.js';
import { regularRows } from '../../src/lake/bars/session.js';

const ms = (iso: string) => Date.parse(iso);
const bucket = (interval: Interval, at: string) => {
  const time = ms(at);
  const day = newYorkDay(time);
  const start = intervalStart(interval, time, day);
  return [new Date(start).toISOString(), new Date(intervalEnd(interval, start, day)).toISOString()];
};
const M = (every: number): Interval => ({ timeframe: 'MINUTE', every });
const H = (every: number): Interval => ({ timeframe: 'HOUR', every });

describe('interval buckets', () => {
  it('align minutes and hours on the New York clock in winter and summer', () => {
    expect(bucket(M(5), '2024-01-10T14:33:00Z')).toEqual(['2024-01-10T14:30:00.000Z', '2024-01-10T14:35:00.000Z']);
    expect(bucket(M(15), '2024-07-10T13:44:59Z')).toEqual(['2024-07-10T13:30:00.000Z', '2024-07-10T13:45:00.000Z']);
    expect(bucket(H(1), '2024-07-10T13:30:00Z')).toEqual(['2024-07-10T13:00:00.000Z', '2024-07-10T14:00:00.000Z']);
    // 4-hour bars from New York midnight: 8:00–12:00 EST is 13:00–17:00 UTC, EDT 12:00–16:00.
    expect(bucket(H(4), '2024-01-10T14:30:00Z')).toEqual(['2024-01-10T13:00:00.000Z', '2024-01-10T17:00:00.000Z']);
    expect(bucket(H(4), '2024-07-10T14:30:00Z')).toEqual(['2024-07-10T12:00:00.000Z', '2024-07-10T16:00:00.000Z']);
    // 90 minutes from midnight: 9:00–10:30 New York; 7 minutes: the day ends with a 5-minute bucket (1435 = 205 × 7).
    expect(bucket(M(90), '2024-01-10T14:30:00Z')).toEqual(['2024-01-10T14:00:00.000Z', '2024-01-10T15:30:00.000Z']);
    expect(bucket(M(7), '2024-01-11T04:58:00Z')).toEqual(['2024-01-11T04:55:00.000Z', '2024-01-11T05:00:00.000Z']);
  });

  it('follow the clock on DST nights: spring forward skips 2:00, fall back repeats 1:00', () => {
    expect(bucket(H(4), '2024-03-10T07:30:00Z')).toEqual(['2024-03-10T05:00:00.000Z', '2024-03-10T08:00:00.000Z']);
    expect(bucket(H(2), '2024-03-10T07:30:00Z')).toEqual(['2024-03-10T07:00:00.000Z', '2024-03-10T08:00:00.000Z']);
    expect(bucket(H(4), '2024-11-03T06:30:00Z')).toEqual(['2024-11-03T04:00:00.000Z', '2024-11-03T09:00:00.000Z']);
    expect(bucket(H(1), '2024-11-03T05:30:00Z')).toEqual(['2024-11-03T05:00:00.000Z', '2024-11-03T06:00:00.000Z']);
    expect(bucket(H(1), '2024-11-03T06:30:00Z')).toEqual(['2024-11-03T06:00:00.000Z', '2024-11-03T07:00:00.000Z']);
    // 45 minutes: 1:30 is a boundary once (EDT); 1:00–1:29 EST stays in that bucket, which ends at 2:15 EST.
    expect(bucket(M(45), '2024-11-03T06:10:00Z')).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-03T07:15:00.000Z']);
    expect(bucket(M(45), '2024-03-10T07:10:00Z')).toEqual(['2024-03-10T07:00:00.000Z', '2024-03-10T07:45:00.000Z']);
  });

  it('around both DST nights, every minute lies in its bucket and buckets tile the time line with no gap or overlap', () => {
    for (const [interval, from] of [M(7), M(45), M(90), H(3), H(5)].flatMap(
      (i) =>
        [
          [i, '2024-03-09'],
          [i, '2024-11-02'],
        ] as const,
    )) {
      let previousEnd = NaN;
      for (let t = ms(`${from}T00:00:00Z`); t < ms(`${from}T00:00:00Z`) + 3 * 86_400_000; t += 60_000) {
        const day = newYorkDay(t);
        const start = intervalStart(interval, t, day);
        const end = intervalEnd(interval, start, day);
        expect(start <= t && t < end, `${interval.every} ${new Date(t).toISOString()}`).toBe(true);
        if (start === t && !Number.isNaN(previousEnd)) expect(start).toBe(previousEnd);
        previousEnd = end;
      }
    }
  });
});

describe('every', () => {
  it('accepts 1–720 minutes, 1–12 hours, 1 for calendar timeframes; anything else is InvalidInputError', () => {
    expect(checkEvery('MINUTE', 390)).toBe(390);
    expect(checkEvery('HOUR', MAX_EVERY.HOUR)).toBe(12);
    for (const [timeframe, every] of [
      ['MINUTE', 0],
      ['MINUTE', 721],
      ['MINUTE', 2.5],
      ['MINUTE', NaN],
      ['HOUR', 13],
      ['DAY', 2],
      ['YEAR', 0],
    ] as const) {
      expect(() => checkEvery(timeframe, every), `${timeframe} ${every}`).toThrow(InvalidInputError);
    }
  });

  it('is part of the cursor: a 5-minute cursor is refused for 15-minute or plain minute bars', () => {
    const start = ms('2024-03-08T14:30:00Z');
    const five = encodeBarCursor('MINUTE', start, 5);
    expect(decodeBarCursor(five, 'MINUTE', 5)).toBe(start);
    expect(() => decodeBarCursor(five, 'MINUTE', 15)).toThrow(/MINUTE\*5, not MINUTE\*15/);
    expect(() => decodeBarCursor(five, 'MINUTE')).toThrow(/MINUTE\*5, not MINUTE/);
    // every = 1 keeps the cursors issued before intervals existed.
    expect(encodeBarCursor('MINUTE', start, 1)).toBe(encodeBarCursor('MINUTE', start));
    expect(() => decodeBarCursor(Buffer.from(`bars:v1:MINUTE*0:${start}`).toString('base64url'), 'MINUTE')).toThrow(
      /not a cursor/,
    );
  });
});

describe('regular session', () => {
  it('keeps 9:30–16:00 New York (13:00 on an early close), no weekend or holiday rows', () => {
    const times = [
      '2024-11-27T14:29:00Z',
      '2024-11-27T14:30:00Z',
      '2024-11-27T20:59:00Z',
      '2024-11-27T21:00:00Z', // Wednesday
      '2024-11-28T15:00:00Z', // Thanksgiving
      '2024-11-29T17:59:00Z',
      '2024-11-29T18:00:00Z', // early close
      '2024-11-30T15:00:00Z', // Saturday
      '2024-07-03T13:30:00Z',
      '2024-07-03T16:59:00Z',
      '2024-07-03T17:00:00Z', // EDT early close
    ].map(ms);
    const time = Float64Array.from(times);
    const table: BarTable = {
      rows: times.length,
      time,
      day: time.map(newYorkDay),
      values: { close: time.map((_, i) => i) },
    };
    const kept = regularRows(table);
    expect([...kept.values.close!]).toEqual([1, 2, 5, 8, 9]);
    expect([...kept.time]).toEqual([1, 2, 5, 8, 9].map((i) => times[i]));
    const all = {
      ...table,
      rows: 1,
      time: time.subarray(1, 2),
      day: table.day.subarray(1, 2),
      values: { close: new Float64Array([1]) },
    };
    expect(regularRows(all)).toBe(all);
  });
});
