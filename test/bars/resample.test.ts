// Resampled bars (WEEK…YEAR over daily files; MINUTE and New York days over minute files) against DuckDB's own GROUP BY of the same files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { gql } from '../support/graphql.js';
import { allBars } from './client.js';
import { duckDailyTable, duckResample, writeDailySymbol, writeMinuteSymbol, type DailySymbol } from './lakes.js';
import { barBackends, duck, expectRows, fromDuck, fromGraphQL, rows } from './support.js';

const RS: DailySymbol = {
  symbol: 'RS',
  years: { 2019: 'DDATE', 2020: 'DDATE', 2021: 'TSUS', 2022: 'DDATE', 2023: 'NULLS', 2024: 'ISOD' },
};
const UNITS = { WEEK: 'week', MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' } as const;

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-resample-'));
  db = await duck();
  await writeDailySymbol(db, dir, RS, 42);
  await duckDailyTable(db, dir, RS, 'rs_rows');
  await writeMinuteSymbol(db, dir);
  await duckDailyTable(db, dir, { symbol: 'MN', years: { 2023: 'DDATE' } }, 'mn_daily');
  // What coarser MN bars are built from: the 2023 daily file, and 2024's minutes dated in New York.
  await db.run(`CREATE OR REPLACE TEMP VIEW mn_fine AS
    SELECT * FROM mn_daily
    UNION ALL SELECT t, nyd AS d, open, high, low, close, volume, vwap, trades FROM mn_minutes WHERE year(to_timestamp(nyd / 1000)) = 2024`);
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const backends = barBackends(() => dir, 'bars-resample');

for (const backend of backends) {
  describe(`resampling over ${backend.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: await backend.open() });
    });

    for (const [timeframe, unit] of Object.entries(UNITS)) {
      it(`${timeframe} over six years of daily files from four writers equals DuckDB's GROUP BY date_trunc('${unit}')`, async () => {
        const expected = (await duckResample(db, 'rs_rows', unit)).map(fromDuck);
        const { rows: actual, pages } = await allBars(app, 'RS', { timeframe, first: 50 });
        expect(pages).toBe(Math.ceil(expected.length / 50));
        expectRows(actual, expected, `RS ${timeframe}`);
      });
    }

    it('WEEK within a date range: weeks cut at from/to, as DuckDB computes them from the rows in range', async () => {
      const where = `d BETWEEN epoch_ms(TIMESTAMP '2020-12-23') AND epoch_ms(TIMESTAMP '2021-01-13')`;
      const expected = (await duckResample(db, 'rs_rows', 'week', where)).map(fromDuck);
      const { rows: actual } = await allBars(app, 'RS', { timeframe: 'WEEK', from: '2020-12-23', to: '2021-01-13' });
      expect(actual.map((r) => new Date(r.date).toISOString().slice(0, 10))).toEqual([
        '2020-12-21',
        '2020-12-28',
        '2021-01-04',
        '2021-01-11',
      ]);
      expectRows(actual, expected, 'RS WEEK range');
    });

    it('SymbolYear.bars aggregates only that year (the week of 2019-12-30 keeps its label but only 2020 rows)', async () => {
      const result = await gql(
        app,
        `{ symbol(ticker: "RS") { year(year: 2020) { bars(timeframe: WEEK, first: 100) { nodes { time date open high low close volume vwap trades } } } } }`,
      );
      expect(result.errors).toBeUndefined();
      const actual = result.data.symbol.year.bars.nodes.map(fromGraphQL);
      const expected = (await duckResample(db, 'rs_rows', 'week', `year(to_timestamp(d / 1000)) = 2020`)).map(fromDuck);
      expect(new Date(actual[0].date).toISOString().slice(0, 10)).toBe('2019-12-30');
      expectRows(actual, expected, 'RS 2020 WEEK');
    });

    it("MINUTE bars across the DST switch are the files' rows, dated in New York", async () => {
      const expected = (
        await rows(
          db,
          `SELECT t, nyd AS d, * EXCLUDE (t, nyd) FROM mn_minutes
        WHERE nyd BETWEEN epoch_ms(TIMESTAMP '2024-03-08') AND epoch_ms(TIMESTAMP '2024-03-12') ORDER BY t`,
        )
      ).map(fromDuck);
      const { rows: actual, pages } = await allBars(app, 'MN', {
        timeframe: 'MINUTE',
        from: '2024-03-08',
        to: '2024-03-12',
        first: 1000,
      });
      expect(pages).toBe(Math.ceil(expected.length / 1000));
      expect(expected.length).toBe(3 * 630);
      expectRows(actual, expected, 'MN MINUTE');
    });

    it("one day out of a file of many row groups (read by statistics) is exactly DuckDB's rows", async () => {
      const expected = (
        await rows(
          db,
          `SELECT t, nyd AS d, * EXCLUDE (t, nyd) FROM mn_minutes WHERE nyd = epoch_ms(TIMESTAMP '2024-02-14') ORDER BY t`,
        )
      ).map(fromDuck);
      const { rows: actual } = await allBars(app, 'MN', { timeframe: 'MINUTE', from: '2024-02-14', to: '2024-02-14' });
      expectRows(actual, expected, 'MN 2024-02-14');
    });

    it('after-hours minutes stored in the next UTC month still belong to their New York date', async () => {
      const expected = (
        await rows(
          db,
          `SELECT t, nyd AS d, * EXCLUDE (t, nyd) FROM mn_minutes
        WHERE nyd BETWEEN epoch_ms(TIMESTAMP '2024-01-30') AND epoch_ms(TIMESTAMP '2024-01-31') ORDER BY t`,
        )
      ).map(fromDuck);
      const { rows: actual } = await allBars(app, 'MN', { timeframe: 'MINUTE', from: '2024-01-30', to: '2024-01-31' });
      expect(actual.at(-1)!.time).toBe(Date.parse('2024-02-01T00:59:00Z'));
      expectRows(actual, expected, 'MN MINUTE month edge');
    });

    for (const [timeframe, unit] of [
      ['DAY', 'day'],
      ['WEEK', 'week'],
      ['MONTH', 'month'],
    ] as const) {
      it(`${timeframe} over MN: the 2023 daily file, then 2024 minute bars grouped by New York date (DuckDB GROUP BY)`, async () => {
        const expected = (await duckResample(db, 'mn_fine', unit)).map(fromDuck);
        const { rows: actual } = await allBars(app, 'MN', { timeframe, first: 200 });
        expectRows(actual, expected, `MN ${timeframe}`);
      });
    }
  });
}
