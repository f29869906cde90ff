// Reading a symbol's actions across years (one event counted once) and finding the previous close in daily or, lacking them, minute files.
import { beforeAll, describe, expect, it } from 'vitest';
import { readSymbolActions } from '../../src/lake/actions/store.js';
import { closeBefore, loadAdjustment } from '../../src/lake/bars/adjust-load.js';
import { BarFileReader } from '../../src/lake/bars/reader.js';
import { indexSymbol } from '../../src/lake/catalog.js';
import { corporateActionsKey, dailyTicksKey, minuteTicksKey } from '../../src/lake/layout.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { tempDir } from '../jobs/support.js';

const d = (text: string) => Date.parse(`${text}T00:00:00Z`);
let store: LocalStore;
let reader: BarFileReader;

beforeAll(async () => {
  store = new LocalStore(await tempDir('actions-store'));
  reader = new BarFileReader(store);
  // 2023 has a daily file; 2024 only minute files (January and March), the way some vendors deliver.
  await store.put(
    dailyTicksKey('MIX', 2023),
    writeBarsParquet(
      [
        { time: d('2023-12-28'), open: 10, high: 10, low: 10, close: 10, volume: 1 },
        { time: d('2023-12-29'), open: 11, high: 11, low: 11, close: 11, volume: 1 },
      ],
      { resolution: 'DAILY' },
    ),
  );
  const minute = (iso: string, close: number) => ({
    time: Date.parse(iso),
    open: close,
    high: close,
    low: close,
    close,
    volume: 5,
  });
  await store.put(
    minuteTicksKey('MIX', 2024, 1),
    writeBarsParquet(
      [minute('2024-01-02T14:30:00Z', 20), minute('2024-01-02T20:59:00Z', 21), minute('2024-01-03T14:30:00Z', 22)],
      { resolution: 'MINUTE' },
    ),
  );
  await store.put(
    minuteTicksKey('MIX', 2024, 3),
    writeBarsParquet([minute('2024-03-01T14:30:00Z', 30)], { resolution: 'MINUTE' }),
  );
  // The 2023 split is in both years' documents (a full-history export dropped into 2024): it must count once.
  await store.put(
    corporateActionsKey('MIX', 2023),
    JSON.stringify({ splits: [{ ex_date: '2023-12-29', split_from: 1, split_to: 2 }] }),
  );
  await store.put(
    corporateActionsKey('MIX', 2024),
    JSON.stringify({
      results: [
        { execution_date: '2023-12-29', split_from: 1, split_to: 3 },
        { ex_dividend_date: '2024-01-03', cash_amount: 0.21 },
        { ex_dividend_date: '2024-01-02', cash_amount: 0.11 },
      ],
    }),
  );
});

describe('actions across years', () => {
  it("counts an event found in two years' documents once, the copy in its own year winning", async () => {
    const actions = await readSymbolActions(store, await indexSymbol(store, 'MIX'));
    expect(actions.splits).toEqual([{ exDate: d('2023-12-29'), from: 1, to: 2 }]);
    expect(actions.dividends.map((v) => v.exDate)).toEqual([d('2024-01-02'), d('2024-01-03')]);
  });

  it('finds the previous close in the daily file, across a year boundary, and in minute files by New York date', async () => {
    const index = await indexSymbol(store, 'MIX');
    expect(await closeBefore(reader, index, d('2023-12-29'))).toBe(10);
    // 2024-01-02 has no earlier 2024 bar: the 2023 daily file's last close.
    expect(await closeBefore(reader, index, d('2024-01-02'))).toBe(11);
    // 20:59 UTC on 2024-01-02 is 15:59 in New York: the last minute of that day.
    expect(await closeBefore(reader, index, d('2024-01-03'))).toBe(21);
    expect(await closeBefore(reader, index, d('2024-03-01'))).toBe(22);
    expect(await closeBefore(reader, index, d('2023-01-01'))).toBeUndefined();
  });

  it('builds the schedule from both', async () => {
    const schedule = (await loadAdjustment(reader, store, await indexSymbol(store, 'MIX'), { adjustment: 'ALL' }))!;
    expect([...schedule.exDates]).toEqual([d('2023-12-29'), d('2024-01-02'), d('2024-01-03')]);
    const f2 = 1 - 0.11 / 11;
    const f3 = 1 - 0.21 / 21;
    expect([...schedule.price]).toEqual([1 * f3 * f2 * 0.5, f3 * f2, f3, 1]);
    expect(await loadAdjustment(reader, store, await indexSymbol(store, 'MIX'), { adjustment: 'RAW' })).toBeUndefined();
  });
});
