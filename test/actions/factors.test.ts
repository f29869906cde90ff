// Adjustment factors (splits, dividends, asOf, compounding) and their application to decoded columns, by hand-worked examples.
import { describe, expect, it } from 'vitest';
import type { CorporateActions } from '../../src/lake/actions/parse.js';
import { adjustTable } from '../../src/lake/bars/adjust.js';
import { adjustmentEvents, buildSchedule, dividendsNeeded, stepOf } from '../../src/lake/bars/adjust-factors.js';
import type { BarTable } from '../../src/lake/bars/reader.js';
import { isLakeError } from '../../src/lake/errors.js';

const d = (text: string) => Date.parse(`${text}T00:00:00Z`);
const ACTIONS: CorporateActions = {
  splits: [
    { exDate: d('2024-06-10'), from: 1, to: 10 },
    { exDate: d('2021-07-20'), from: 1, to: 4 },
  ],
  dividends: [
    { exDate: d('2024-03-05'), amount: 0.04 },
    { exDate: d('2024-06-11'), amount: 0.01 },
  ],
};
const CLOSES: Record<string, number> = { '2024-03-05': 852.37, '2024-06-11': 121.79 };
const closeBefore = (exDate: number) => CLOSES[new Date(exDate).toISOString().slice(0, 10)];

function table(days: string[], close: number[], volume: number[]): BarTable {
  const day = Float64Array.from(days.map(d));
  return {
    rows: days.length,
    time: day.slice(),
    day,
    values: {
      close: Float64Array.from(close),
      open: Float64Array.from(close),
      volume: Float64Array.from(volume),
      trades: Float64Array.from(volume.map((v) => v / 100)),
    },
  };
}

describe('adjustment factors', () => {
  it('SPLIT: from/to for prices and to/from for volumes, compounding over later splits only', () => {
    const s = buildSchedule(adjustmentEvents(ACTIONS, 'SPLIT', { closeBefore }));
    expect([...s.exDates]).toEqual([d('2021-07-20'), d('2024-06-10')]);
    expect([...s.price]).toEqual([1 / 40, 0.1, 1]);
    expect([...s.volume]).toEqual([40, 10, 1]);
    expect(stepOf(s, d('2021-07-19'))).toBe(0);
    expect(stepOf(s, d('2021-07-20'))).toBe(1);
    expect(stepOf(s, d('2024-06-09'))).toBe(1);
    expect(stepOf(s, d('2024-06-10'))).toBe(2);
  });

  it('DIVIDEND: 1 − amount / previous raw close, volumes untouched', () => {
    const s = buildSchedule(adjustmentEvents(ACTIONS, 'DIVIDEND', { closeBefore }));
    const f1 = 1 - 0.04 / 852.37;
    const f2 = 1 - 0.01 / 121.79;
    expect([...s.price]).toEqual([f2 * f1, f2, 1]);
    expect([...s.volume]).toEqual([1, 1, 1]);
    expect(dividendsNeeded(ACTIONS, 'DIVIDEND', d('2024-06-10'))).toEqual([d('2024-03-05')]);
    expect(dividendsNeeded(ACTIONS, 'SPLIT')).toEqual([]);
  });

  it('ALL with asOf: only events with ex-date on or before asOf, the boundary included', () => {
    const events = adjustmentEvents(ACTIONS, 'ALL', { closeBefore, asOf: d('2024-06-10') });
    expect(events.map((e) => new Date(e.exDate).toISOString().slice(0, 10))).toEqual([
      '2021-07-20',
      '2024-03-05',
      '2024-06-10',
    ]);
    const s = buildSchedule(events);
    expect(s.price[0]).toBeCloseTo((1 / 4) * (1 - 0.04 / 852.37) * (1 / 10), 15);
  });

  it('a dividend with no bar before it adjusts nothing; one not below the previous close is INVALID_DATA', () => {
    expect(adjustmentEvents(ACTIONS, 'DIVIDEND', { closeBefore: () => undefined })).toEqual([]);
    try {
      adjustmentEvents(ACTIONS, 'DIVIDEND', { closeBefore: () => 0.03 });
      expect.unreachable();
    } catch (error) {
      expect(isLakeError(error) && error.code).toBe('INVALID_DATA');
    }
  });

  it('same-day events multiply', () => {
    const s = buildSchedule([
      { exDate: 5, price: 0.5, volume: 2 },
      { exDate: 5, price: 0.9, volume: 1 },
    ]);
    expect(stepOf(s, 4)).toBe(0);
    expect(s.price[0]).toBe(0.45);
    expect(stepOf(s, 5)).toBe(2);
    expect(s.price[2]).toBe(1);
  });
});

describe('adjustTable', () => {
  it("scales prices and volumes by the factor of each row's date, leaves trades, times and the input alone", () => {
    const raw = table(
      ['2024-06-06', '2024-06-07', '2024-06-10', '2024-06-11'],
      [1200, 1208.88, 121.79, 120.91],
      [100, 200, 3000, 4000],
    );
    const s = buildSchedule(adjustmentEvents(ACTIONS, 'ALL', { closeBefore }));
    const adjusted = adjustTable(raw, s);
    const f = 1 - 0.01 / 121.79;
    expect([...adjusted.values.close!]).toEqual([1200 * (0.1 * f), 1208.88 * (0.1 * f), 121.79 * f, 120.91]);
    expect([...adjusted.values.open!]).toEqual([...adjusted.values.close!]);
    expect([...adjusted.values.volume!]).toEqual([1000, 2000, 3000, 4000]);
    expect(adjusted.values.trades).toBe(raw.values.trades);
    expect(adjusted.time).toBe(raw.time);
    expect([...raw.values.close!]).toEqual([1200, 1208.88, 121.79, 120.91]);
  });

  it('returns the very table when every row is on or after the last ex-date, or there is no schedule', () => {
    const raw = table(['2024-06-12'], [120], [1]);
    expect(adjustTable(raw, buildSchedule(adjustmentEvents(ACTIONS, 'ALL', { closeBefore })))).toBe(raw);
    expect(adjustTable(raw, undefined)).toBe(raw);
  });

  it('keeps nulls (NaN) null', () => {
    const raw = table(['2024-06-06', '2024-06-07'], [NaN, 5], [NaN, 1]);
    const adjusted = adjustTable(raw, buildSchedule(adjustmentEvents(ACTIONS, 'SPLIT', { closeBefore })));
    expect(Number.isNaN(adjusted.values.close![0])).toBe(true);
    expect(Number.isNaN(adjusted.values.volume![0])).toBe(true);
    expect(adjusted.values.close![1]).toBe(0.5);
  });
});
