// Split- and dividend-adjusted bars equal DuckDB's own computation over the same Parquet and actions.json files, through GraphQL and every export format.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { demoCorporateActions } from '../../src/lake/demo/corporate-actions.js';
import { DEMO_SEED } from '../../src/lake/demo/prng.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { allBars, exportResponse, exportRows } from './client.js';
import { duckResample } from './lakes.js';
import { barBackends, duck, expectRows, fromDuck, rows, type Row } from './support.js';

/** A demo lake with every kind of event: NVDA's and WMT's 2024 splits, NFLX's 2025 split in minute bars, AAPL's dividends in daily and minute bars. */
const DEMO = {
  tickers: ['NVDA', 'AAPL', 'NFLX', 'WMT'],
  years: [2023, 2024, 2025],
  minuteSymbols: ['AAPL', 'NFLX'],
  minuteMonths: 2,
};
type Adjustment = 'SPLIT' | 'DIVIDEND' | 'ALL';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const aaplNovember = demoCorporateActions('AAPL', 2025, DEMO_SEED).dividends.find(
  (d) => new Date(d.exDate).getUTCMonth() === 10,
)!;

let dir: string;
let db: DuckDBConnection;
let tables = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-adjusted-'));
  await ensureDemoLake(new LocalStore(dir), DEMO);
  db = await duck();
}, 120_000);
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/**
 * DuckDB's adjusted bars, written from the definition and nothing of lakeql's code: the previous
 * close by a window over the daily files, one factor per event, factors of one ex-date summed in
 * log space, a cumulative product over later ex-dates, and an ASOF join of each bar's date to the
 * first ex-date after it. Returns the name of a temp table (t, d, fields) ordered by t.
 */
async function duckAdjusted(
  symbol: string,
  resolution: 'daily' | 'minute',
  adjustment: Adjustment,
  asOf?: string,
): Promise<string> {
  const table = `adj_${++tables}`;
  const daily = `read_parquet('${dir}/data/ticks/daily/${symbol}/*/ticks.parquet')`;
  const docs = `read_json('${dir}/data/corporate-actions/${symbol}/*/actions.json', columns = {
    symbol: 'VARCHAR', year: 'INTEGER',
    splits: 'STRUCT(ex_date DATE, split_from DOUBLE, split_to DOUBLE)[]',
    dividends: 'STRUCT(ex_date DATE, cash_amount DOUBLE, currency VARCHAR)[]'})`;
  const keep = asOf ? `ex_date <= DATE '${asOf}'` : 'TRUE';
  const bars =
    resolution === 'daily'
      ? `SELECT epoch_ms(date::TIMESTAMP)::DOUBLE AS t, epoch_ms(date::TIMESTAMP)::DOUBLE AS d, date AS day, open, high, low, close, volume, vwap, trades FROM ${daily}`
      : `SELECT epoch_ms("timestamp")::DOUBLE AS t, epoch_ms(timezone('America/New_York', "timestamp")::DATE::TIMESTAMP)::DOUBLE AS d,
         timezone('America/New_York', "timestamp")::DATE AS day, open, high, low, close, volume, vwap, trades
       FROM read_parquet('${dir}/data/ticks/minute/${symbol}/*/*/ticks.parquet')`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
    WITH prev AS (SELECT date AS day, lag(close) OVER (ORDER BY date) AS prev_close FROM ${daily}),
    split_events AS (SELECT s.ex_date, s.split_from / s.split_to AS pf, s.split_to / s.split_from AS vf FROM (SELECT unnest(splits) AS s FROM ${docs})),
    dividend_events AS (SELECT v.ex_date, 1 - v.cash_amount / prev.prev_close AS pf, 1.0::DOUBLE AS vf
      FROM (SELECT unnest(dividends) AS v FROM ${docs}) JOIN prev ON prev.day = v.ex_date),
    events AS (
      SELECT * FROM split_events WHERE ${adjustment !== 'DIVIDEND'}
      UNION ALL SELECT * FROM dividend_events WHERE ${adjustment !== 'SPLIT'}),
    per_date AS (SELECT ex_date, sum(ln(pf)) AS lp, sum(ln(vf)) AS lv FROM events WHERE ${keep} GROUP BY ex_date),
    steps AS (SELECT ex_date,
        exp(sum(lp) OVER (ORDER BY ex_date DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS pf,
        exp(sum(lv) OVER (ORDER BY ex_date DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS vf
      FROM per_date),
    b AS (${bars})
    SELECT b.t, b.d,
      b.open * coalesce(s.pf, 1) AS open, b.high * coalesce(s.pf, 1) AS high, b.low * coalesce(s.pf, 1) AS low,
      b.close * coalesce(s.pf, 1) AS close, b.volume * coalesce(s.vf, 1) AS volume, b.vwap * coalesce(s.pf, 1) AS vwap, b.trades::DOUBLE AS trades
    FROM b ASOF LEFT JOIN steps s ON s.ex_date > b.day
    ORDER BY b.t`);
  return table;
}

async function expected(table: string, where = 'TRUE'): Promise<Row[]> {
  return (await rows(db, `SELECT * FROM ${table} WHERE ${where} ORDER BY t`)).map(fromDuck);
}

const between = (from: string, to: string) =>
  `d >= epoch_ms(DATE '${from}'::TIMESTAMP) AND d <= epoch_ms(DATE '${to}'::TIMESTAMP)`;

/** The export as Parquet, read back by DuckDB. */
async function parquetRows(app: App, ticker: string, query: Record<string, string>): Promise<Row[]> {
  const response = await exportResponse(app, ticker, { ...query, format: 'parquet' });
  expect(response.status).toBe(200);
  const file = path.join(dir, `export-${++tables}.parquet`);
  await writeFile(file, new Uint8Array(await response.arrayBuffer()));
  return (
    await rows(
      db,
      `SELECT epoch_ms(time)::DOUBLE AS t, epoch_ms(date::TIMESTAMP)::DOUBLE AS d, open, high, low, close, volume, vwap, trades FROM read_parquet('${file}')`,
    )
  ).map(fromDuck);
}

async function everyFormat(
  app: App,
  ticker: string,
  query: Record<string, string>,
  want: Row[],
  label: string,
): Promise<void> {
  for (const format of ['csv', 'json', 'ndjson', 'arrow'] as const)
    expectRows(await exportRows(app, ticker, format, query), want, `${label} ${format}`);
  expectRows(await parquetRows(app, ticker, query), want, `${label} parquet`);
}

const DAILY_CASES: [symbol: string, adjustment: Adjustment, asOf?: string][] = [
  ['NVDA', 'SPLIT'],
  ['NVDA', 'DIVIDEND'],
  ['NVDA', 'ALL'],
  ['NVDA', 'ALL', '2024-01-31'],
  ['WMT', 'ALL', '2024-02-26'],
  ['WMT', 'SPLIT', '2024-02-23'],
  ['AAPL', 'DIVIDEND'],
  ['AAPL', 'ALL', day(aaplNovember.exDate - 86_400_000)],
  ['NFLX', 'ALL'],
];

describe.each(barBackends(() => dir, 'adjusted'))('adjusted bars on $name', (backend) => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), { store: await backend.open() });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('RAW shows each split as a drop, SPLIT removes it', async () => {
    const raw = (await allBars(app, 'NVDA', { from: '2024-06-07', to: '2024-06-10' })).rows;
    const split = (await allBars(app, 'NVDA', { from: '2024-06-07', to: '2024-06-10', adjustment: 'SPLIT' })).rows;
    expect(raw[0].close! / raw[1].open!).toBeGreaterThan(8);
    expect(split[0].close! / split[1].open!).toBeLessThan(1.2);
    expect(split[0].close).toBeCloseTo(raw[0].close! / 10, 9);
    expect(split[0].volume).toBe(raw[0].volume! * 10);
    expect(split[1]).toEqual(raw[1]);
  });

  it.each(DAILY_CASES)('daily %s %s (asOf %s) equals DuckDB through GraphQL', async (symbol, adjustment, asOf) => {
    const want = await expected(await duckAdjusted(symbol, 'daily', adjustment, asOf));
    const { rows: got } = await allBars(app, symbol, { adjustment, ...(asOf ? { asOf } : {}) });
    expectRows(got, want, `${symbol} ${adjustment} ${asOf ?? ''}`);
  });

  it('daily adjusted bars equal DuckDB in every export format, with and without asOf', async () => {
    const all = await duckAdjusted('NVDA', 'daily', 'ALL');
    await everyFormat(app, 'NVDA', { adjustment: 'all' }, await expected(all), 'NVDA ALL');
    const asOf = await duckAdjusted('NVDA', 'daily', 'SPLIT', '2024-01-31');
    await everyFormat(
      app,
      'NVDA',
      { adjustment: 'split', asOf: '2024-01-31', from: '2023-06-01', to: '2024-12-31' },
      await expected(asOf, between('2023-06-01', '2024-12-31')),
      'NVDA SPLIT asOf',
    );
    const dividends = await duckAdjusted('AAPL', 'daily', 'DIVIDEND');
    await everyFormat(app, 'AAPL', { adjustment: 'dividend' }, await expected(dividends), 'AAPL DIVIDEND');
  });

  it('SymbolYear.bars adjusts by events of later years too', async () => {
    const want = await expected(await duckAdjusted('NVDA', 'daily', 'ALL'), between('2023-01-01', '2023-12-31'));
    const { gql } = await import('../support/graphql.js');
    const result = await gql(
      app,
      `{ symbol(ticker: "NVDA") { year(year: 2023) { bars(adjustment: ALL, first: 1000) { nodes { time date open high low close volume vwap trades } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const { fromGraphQL } = await import('./support.js');
    expectRows(result.data.symbol.year.bars.nodes.map(fromGraphQL), want, 'NVDA 2023 ALL');
  });

  it.each([
    ['NFLX', 'SPLIT', undefined],
    ['NFLX', 'ALL', '2025-11-16'],
    ['AAPL', 'DIVIDEND', undefined],
    ['AAPL', 'ALL', day(aaplNovember.exDate)],
  ] as [string, Adjustment, string | undefined][])(
    'minute %s %s (asOf %s) equals DuckDB through GraphQL and the exports',
    async (symbol, adjustment, asOf) => {
      const table = await duckAdjusted(symbol, 'minute', adjustment, asOf);
      const want = await expected(table);
      expect(want.length).toBeGreaterThan(10_000);
      const { rows: got, pages } = await allBars(app, symbol, {
        timeframe: 'MINUTE',
        from: '2025-11-01',
        to: '2025-12-31',
        adjustment,
        ...(asOf ? { asOf } : {}),
      });
      expect(pages).toBeGreaterThan(1);
      expectRows(got, want, `${symbol} minute ${adjustment}`);
      const query = {
        timeframe: 'minute',
        from: '2025-11-10',
        to: '2025-11-21',
        adjustment: adjustment.toLowerCase(),
        ...(asOf ? { asOf } : {}),
      };
      await everyFormat(
        app,
        symbol,
        query,
        await expected(table, between('2025-11-10', '2025-11-21')),
        `${symbol} minute ${adjustment}`,
      );
    },
  );

  it('resampled bars are built from adjusted bars (WEEK and MONTH over a split and dividends)', async () => {
    const daily = await duckAdjusted('NVDA', 'daily', 'ALL');
    for (const [timeframe, unit] of [
      ['WEEK', 'week'],
      ['MONTH', 'month'],
    ]) {
      const want = (await duckResample(db, daily, unit)).map(fromDuck);
      expectRows((await allBars(app, 'NVDA', { timeframe, adjustment: 'ALL' })).rows, want, `NVDA ${timeframe}`);
      expectRows(await exportRows(app, 'NVDA', 'csv', { timeframe, adjustment: 'all' }), want, `NVDA ${timeframe} csv`);
    }
    const nflx = await duckAdjusted('NFLX', 'daily', 'SPLIT');
    const want = (await duckResample(db, nflx, 'week', between('2025-11-01', '2025-12-31'))).map(fromDuck);
    const { rows: got } = await allBars(app, 'NFLX', {
      timeframe: 'WEEK',
      from: '2025-11-01',
      to: '2025-12-31',
      adjustment: 'SPLIT',
    });
    expectRows(got, want, 'NFLX WEEK');
  });

  it('keeps cursors valid whatever the adjustment: a RAW cursor continues an ALL page at the same bar', async () => {
    const { gql } = await import('../support/graphql.js');
    const page = async (adjustment: string, after?: string) =>
      (
        await gql(
          app,
          `query($a: String, $adj: Adjustment!) { symbol(ticker: "NVDA") { bars(first: 50, after: $a, adjustment: $adj) { nodes { time } pageInfo { endCursor } } } }`,
          { a: after, adj: adjustment },
        )
      ).data.symbol.bars;
    const raw = await page('RAW');
    const next = await page('ALL', raw.pageInfo.endCursor);
    const straight = await page('RAW', raw.pageInfo.endCursor);
    expect(next.nodes).toEqual(straight.nodes);
  });
});

describe('adjustment arguments', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), { store: new LocalStore(dir) });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses an unknown adjustment or a malformed asOf on /v1/bars with 400 BAD_USER_INPUT', async () => {
    for (const query of [
      { adjustment: 'adjusted' },
      { adjustment: 'all', asOf: '2024-02-30' },
      { asOf: 'yesterday' },
    ] as Record<string, string>[]) {
      const response = await exportResponse(app, 'NVDA', query);
      expect(response.status).toBe(400);
      expect((await response.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});
