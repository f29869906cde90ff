// Bad files give typed errors naming them while the rest of the query answers; bad arguments give BAD_USER_INPUT; pages are capped; cursors are stable.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { MAX_BARS_PAGE } from '../../src/lake/bars/page.js';
import { dailyTicksKey } from '../../src/lake/layout.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gql } from '../support/graphql.js';
import { BARS_QUERY, exportResponse } from './client.js';
import { DIALECTS, duckDaily, writeDailySymbol } from './lakes.js';
import { copyTo, dailySource, duck, expectRows, fromDuck, fromGraphQL } from './support.js';

let dir: string;
let db: DuckDBConnection;
let app: App;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-errors-'));
  db = await duck();
  await writeDailySymbol(db, dir, { symbol: 'GOOD', years: { 2022: 'DDATE', 2023: 'DDATE' } }, 1);
  // BAD: 2022 is not Parquet at all, 2023 is fine, 2024 has no close column.
  await writeDailySymbol(db, dir, { symbol: 'BAD', years: { 2023: 'DDATE' } }, 2);
  const src = await dailySource(db, 'BADSRC', 2024, 2024, 3);
  await copyTo(
    db,
    `SELECT d AS date, open, high, low, volume FROM ${src}`,
    path.join(dir, dailyTicksKey('BAD', 2024)),
    'zstd',
  );
  await mkdir(path.dirname(path.join(dir, dailyTicksKey('BAD', 2022))), { recursive: true });
  await writeFile(path.join(dir, dailyTicksKey('BAD', 2022)), 'date,open,close\n2022-01-03,1,2\n');
  // TEXTC: close is text. NOTIME: no time column under any accepted name.
  await copyTo(
    db,
    `SELECT d AS date, open, close::VARCHAR AS close FROM ${src}`,
    path.join(dir, dailyTicksKey('TEXTC', 2024)),
    'snappy',
  );
  await copyTo(db, `SELECT d AS day, open, close FROM ${src}`, path.join(dir, dailyTicksKey('NOTIME', 2024)), 'snappy');
  // CORRUPT: a valid footer over garbled data pages (parquet-wasm panics on these: the decoder thread dies).
  await copyTo(
    db,
    `SELECT ${DIALECTS.DDATE.columns} FROM ${src}`,
    path.join(dir, dailyTicksKey('CORRUPT', 2024)),
    'zstd',
  );
  const file = path.join(dir, dailyTicksKey('CORRUPT', 2024));
  const bytes = await readFile(file);
  for (let i = 200; i < Math.min(2200, bytes.length - 2000); i++) bytes[i] = (i * 7) & 255;
  await writeFile(file, bytes);
  app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: new LocalStore(dir) });
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('files that cannot be read', () => {
  it('a bad file fails only the page that needs it, with INVALID_DATA naming the file and what is missing', async () => {
    const result = await gql(
      app,
      `{
      good: symbol(ticker: "GOOD") { bars(first: 3) { nodes { close } } }
      bad: symbol(ticker: "BAD") {
        ticker
        ok: bars(from: "2023-01-01", to: "2023-12-31", first: 2) { nodes { date close } }
        missing: bars(from: "2024-01-01") { nodes { close } pageInfo { hasNextPage } }
      }
    }`,
    );
    expect(result.data.good.bars.nodes).toHaveLength(3);
    expect(result.data.bad.ticker).toBe('BAD');
    expect(result.data.bad.ok.nodes.map((n: { date: string }) => n.date)).toEqual(['2023-01-02', '2023-01-03']);
    expect(result.data.bad.missing).toEqual({ nodes: null, pageInfo: null });
    const errors = result.errors!.filter((e) => e.path?.[1] === 'missing');
    expect(errors.map((e) => e.path)).toEqual([
      ['bad', 'missing', 'nodes'],
      ['bad', 'missing', 'pageInfo'],
    ]);
    for (const error of errors) {
      expect(error.extensions).toMatchObject({ code: 'INVALID_DATA', key: 'data/ticks/daily/BAD/2024/ticks.parquet' });
      expect(error.message).toMatch(/no close column/);
    }
  });

  it('a file that is not Parquet: its footer fields are null with INVALID_DATA, its siblings answer', async () => {
    const result = await gql(
      app,
      `{ symbol(ticker: "BAD") { years { year tickFiles { key rowCount columns { name } } } } }`,
    );
    const years = result.data.symbol.years;
    expect(years.map((y: { year: number }) => y.year)).toEqual([2022, 2023, 2024]);
    expect(years[0].tickFiles[0]).toMatchObject({ rowCount: null, columns: null });
    expect(years[1].tickFiles[0].rowCount).toBeGreaterThan(250);
    // The 2024 file lacks close but is valid Parquet: its footer is readable.
    expect(years[2].tickFiles[0].columns.map((c: { name: string }) => c.name)).toEqual([
      'date',
      'open',
      'high',
      'low',
      'volume',
    ]);
    expect(result.errors!.map((e) => [e.extensions!.code, e.extensions!.key])).toEqual([
      ['INVALID_DATA', 'data/ticks/daily/BAD/2022/ticks.parquet'],
      ['INVALID_DATA', 'data/ticks/daily/BAD/2022/ticks.parquet'],
    ]);
    expect(result.errors![0].message).toMatch(/not a Parquet file/);
  });

  it('names a column of the wrong type, and a missing time column with the names it looked for', async () => {
    const text = await gql(app, `{ symbol(ticker: "TEXTC") { bars { nodes { close } } } }`);
    expect(text.errors![0].message).toMatch(/close column "close" is STRING; expected a number/);
    const time = await gql(app, `{ symbol(ticker: "NOTIME") { bars { nodes { close } } } }`);
    expect(time.errors![0].message).toMatch(/no time column \(accepted names: date\/timestamp\/time\/datetime\/ts\)/);
    expect(time.errors![0].message).toMatch(/Columns in the file: day DATE, open DOUBLE, close DOUBLE/);
  });

  it('garbled data pages crash a decoder thread, not the server: INVALID_DATA, and the next query is served', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const bad = await gql(app, `{ symbol(ticker: "CORRUPT") { bars { nodes { close } } } }`);
      expect(bad.errors![0].extensions).toMatchObject({
        code: 'INVALID_DATA',
        key: 'data/ticks/daily/CORRUPT/2024/ticks.parquet',
      });
      // The crash path itself, not a clean decode error: the worker died and was replaced.
      expect(bad.errors![0].message).toMatch(/the Parquet decoder crashed/);
      const good = await gql(app, `{ symbol(ticker: "GOOD") { bars(first: 5) { nodes { close } } } }`);
      expect(good.errors).toBeUndefined();
      expect(good.data.symbol.bars.nodes).toHaveLength(5);
    }
  });

  it('the export route reports the same errors with the same codes', async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ['BAD', { from: '2024-01-01' }, 422, 'INVALID_DATA'],
      ['GOOD', { from: '2023-02-01', to: '2023-01-01' }, 400, 'BAD_USER_INPUT'],
      ['GOOD', { timeframe: 'SECOND' }, 400, 'BAD_USER_INPUT'],
      ['GOOD', { from: '2023-02-30' }, 400, 'BAD_USER_INPUT'],
      ['not a ticker', {}, 400, 'BAD_USER_INPUT'],
      ['ZZZ', {}, 404, 'NOT_FOUND'],
    ];
    for (const [ticker, query, status, code] of cases) {
      const response = await exportResponse(app, ticker, query);
      expect(response.status, `${ticker} ${JSON.stringify(query)}`).toBe(status);
      const body = await response.json();
      expect(body.errors[0].extensions.code).toBe(code);
      if (code === 'INVALID_DATA')
        expect(body.errors[0].extensions.key).toBe('data/ticks/daily/BAD/2024/ticks.parquet');
    }
  });
});

describe('arguments, the page cap and cursors', () => {
  const bars = (args: Record<string, unknown>) => gql(app, BARS_QUERY, { ticker: 'GOOD', timeframe: 'DAY', ...args });

  it('refuses bad arguments with BAD_USER_INPUT and a reason', async () => {
    const week = (await bars({ timeframe: 'WEEK', first: 1 })).data.symbol.bars.pageInfo.endCursor;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ first: MAX_BARS_PAGE + 1 }, new RegExp(`first must be between 1 and ${MAX_BARS_PAGE}`)],
      [{ first: 0 }, /first must be between 1/],
      [{ after: 'bm9wZQ' }, /is not a cursor returned by bars/],
      [{ after: week }, /the cursor belongs to timeframe WEEK, not DAY/],
      [{ from: '2023-03-01', to: '2023-02-01' }, /from \(2023-03-01\) is after to \(2023-02-01\)/],
    ];
    for (const [args, message] of cases) {
      const result = await bars(args);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(args)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
    }
  });

  it(`pages hold at most ${MAX_BARS_PAGE} bars, and the cap itself is accepted`, async () => {
    const result = await bars({ first: MAX_BARS_PAGE });
    expect(result.errors).toBeUndefined();
    expect(result.data.symbol.bars.nodes.length).toBeLessThanOrEqual(MAX_BARS_PAGE);
    expect(result.data.symbol.bars.pageInfo.hasNextPage).toBe(false);
  });

  it('a cursor names a time, so it still means the same place after an earlier year is added', async () => {
    const page1 = (await bars({ timeframe: 'MONTH', first: 5 })).data.symbol.bars;
    const cursor = page1.pageInfo.endCursor;
    const before = (await bars({ timeframe: 'MONTH', first: 5, after: cursor })).data.symbol.bars.nodes;
    expect(before[0].date).toBe('2022-06-01');
    await writeDailySymbol(db, dir, { symbol: 'GOOD', years: { 2021: 'DDATE' } }, 9);
    // Written by another tool: the catalog index would show it within LAKEQL_CATALOG_MAX_AGE; the test needs it now.
    app.services.catalog.invalidate();
    const after = (await bars({ timeframe: 'MONTH', first: 5, after: cursor })).data.symbol.bars.nodes;
    expect(after).toEqual(before);
    // The new year is there for a query from the start.
    expect((await bars({ timeframe: 'MONTH', first: 1 })).data.symbol.bars.nodes[0].date).toBe('2021-01-01');
    const expected = (await duckDaily(db, dir, { symbol: 'GOOD', years: { 2021: 'DDATE' } })).map(fromDuck);
    const all = (await bars({ to: '2021-12-31' })).data.symbol.bars.nodes.map(fromGraphQL);
    expectRows(all, expected, 'GOOD 2021');
  });
});
