// A 2024 lake with planted coverage defects, written by lakeql's Parquet writer and by DuckDB, and the exact report each symbol must get.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BarRow } from '../../src/lake/bars/types.js';
import { session, tradingDays } from '../../src/lake/calendar/nyse.js';
import { dailyTicksKey, minuteTicksKey } from '../../src/lake/layout.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { copyTo, duck } from '../bars/support.js';

const YEAR = 2024;
const MINUTE = 60_000;

const bar = (time: number, i: number): BarRow => ({
  time,
  open: 100 + i,
  high: 101 + i,
  low: 99 + i,
  close: 100.5 + i,
  volume: 1000 + i,
});
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** What a symbol's coverage must say; anything not listed must be empty. */
export interface Planted {
  symbol: string;
  resolution: 'DAILY' | 'MINUTE';
  expectedDays: number;
  missingDates: string[];
  unexpectedDates: string[];
  duplicateDates: string[];
  shortDays: { date: string; minutes: number; expectedMinutes: number }[];
}

const days2024 = tradingDays(YEAR);
const between = (from: string, to: string) => days2024.filter((d) => d >= from && d <= to);

export const PLANTED: Planted[] = [
  // Written by DuckDB: timestamps at 21:00 UTC, one day missing, a Sunday row, a duplicated early-close day.
  {
    symbol: 'DUCK',
    resolution: 'DAILY',
    expectedDays: days2024.length,
    missingDates: ['2024-02-02'],
    unexpectedDates: ['2024-09-08'],
    duplicateDates: ['2024-11-29'],
    shortDays: [],
  },
  // Written by lakeql: three missing days, two repeated days (2 and 3 copies), a Saturday and Independence Day.
  {
    symbol: 'GAPS',
    resolution: 'DAILY',
    expectedDays: days2024.length,
    missingDates: ['2024-03-14', '2024-08-01', '2024-12-31'],
    unexpectedDates: ['2024-06-15', '2024-07-04'],
    duplicateDates: ['2024-05-06', '2024-10-10'],
    shortDays: [],
  },
  // DuckDB minute bars for March (the DST switch on the 10th): one missing day, one short day.
  {
    symbol: 'MDUCK',
    resolution: 'MINUTE',
    expectedDays: between('2024-03-01', '2024-03-31').length,
    missingDates: ['2024-03-20'],
    unexpectedDates: [],
    duplicateDates: [],
    shortDays: [{ date: '2024-03-11', minutes: 389, expectedMinutes: 390 }],
  },
  // lakeql minute bars for November and December with extended hours: a missing day, a repeated minute,
  // a Saturday row, a short full day and a short early close; Christmas Eve's 210 minutes are complete.
  {
    symbol: 'MINI',
    resolution: 'MINUTE',
    expectedDays: between('2024-11-01', '2024-12-31').length,
    missingDates: ['2024-12-10'],
    unexpectedDates: ['2024-11-16'],
    duplicateDates: ['2024-11-20'],
    shortDays: [
      { date: '2024-11-12', minutes: 380, expectedMinutes: 390 },
      { date: '2024-11-29', minutes: 209, expectedMinutes: 210 },
    ],
  },
];

/** Symbols with no defect: they must not be listed. GOOD is daily, MGOOD minute with extended hours. */
export const COMPLETE = ['GOOD', 'MGOOD'];

async function put(dir: string, key: string, bytes: Uint8Array): Promise<void> {
  const file = path.join(dir, key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

function dailyRows(dates: string[]): BarRow[] {
  return dates.map((d, i) => bar(day(d), i));
}

/** Session minutes of a date plus 20 pre-market (from 08:00 NY) and 20 after-hours rows, as the vendors send them. */
function minuteRows(date: string, options: { drop?: number } = {}): BarRow[] {
  const s = session(date)!;
  const rows: BarRow[] = [];
  for (let t = s.open - 90 * MINUTE; t < s.open - 70 * MINUTE; t += MINUTE) rows.push(bar(t, rows.length));
  for (let t = s.open; t < s.close - (options.drop ?? 0) * MINUTE; t += MINUTE) rows.push(bar(t, rows.length));
  for (let t = s.close; t < s.close + 20 * MINUTE; t += MINUTE) rows.push(bar(t, rows.length));
  return rows;
}

export async function writePlantedLake(dir: string): Promise<void> {
  await put(dir, dailyTicksKey('GOOD', YEAR), writeBarsParquet(dailyRows(days2024), { resolution: 'DAILY' }));

  const gaps = days2024.filter((d) => !['2024-03-14', '2024-08-01', '2024-12-31'].includes(d));
  gaps.push('2024-05-06', '2024-10-10', '2024-10-10', '2024-06-15', '2024-07-04');
  // Out of order on purpose: some writers append late rows at the end.
  await put(dir, dailyTicksKey('GAPS', YEAR), writeBarsParquet(dailyRows(gaps), { resolution: 'DAILY' }));

  for (const symbol of ['MINI', 'MGOOD']) {
    for (const month of [11, 12]) {
      const rows: BarRow[] = [];
      for (const date of between(`${YEAR}-${month}-01`, `${YEAR}-${month}-31`)) {
        if (symbol === 'MINI' && date === '2024-12-10') continue;
        const drop = symbol === 'MINI' ? (date === '2024-11-12' ? 10 : date === '2024-11-29' ? 1 : 0) : 0;
        rows.push(...minuteRows(date, { drop }));
      }
      if (symbol === 'MINI' && month === 11) {
        const repeated = rows.find((r) => r.time === session('2024-11-20')!.open + 45 * MINUTE)!;
        rows.push({ ...repeated });
        rows.push(bar(Date.parse('2024-11-16T15:00:00Z'), 0));
        rows.sort((a, b) => a.time - b.time);
      }
      await put(dir, minuteTicksKey(symbol, YEAR, month), writeBarsParquet(rows, { resolution: 'MINUTE' }));
    }
  }

  const db = await duck();
  try {
    const duckDays = days2024.filter((d) => d !== '2024-02-02').concat(['2024-09-08', '2024-11-29']);
    await copyTo(
      db,
      `SELECT (d::DATE + INTERVAL 21 HOUR)::TIMESTAMP AS "timestamp", 10.0 + i AS open, 11.0 + i AS high, 9.0 + i AS low, 10.5 + i AS close, (1000 + i)::BIGINT AS volume
       FROM (SELECT unnest([${duckDays.map((d) => `'${d}'`).join(',')}]) AS d, unnest(range(${duckDays.length})) AS i) ORDER BY d`,
      path.join(dir, dailyTicksKey('DUCK', YEAR)),
      'snappy',
    );
    const march = between('2024-03-01', '2024-03-31').filter((d) => d !== '2024-03-20');
    await copyTo(
      db,
      `WITH days AS (SELECT unnest([${march.map((d) => `'${d}'`).join(',')}])::DATE AS d),
       mins AS (SELECT d, m, (d + INTERVAL 9 HOUR + INTERVAL 30 MINUTE + to_minutes(m)) AT TIME ZONE 'America/New_York' AS ts FROM days, range(390) r(m))
       SELECT ts::TIMESTAMP_MS AS ts, 5.0 AS open, 6.0 AS high, 4.0 AS low, 5.5 AS close, 100::BIGINT AS volume
       FROM mins WHERE NOT (d = DATE '2024-03-11' AND m = 200) ORDER BY ts`,
      path.join(dir, minuteTicksKey('MDUCK', YEAR, 3)),
      'zstd',
    );
  } finally {
    db.closeSync();
  }
}
