// GET /v1/bars/{SYMBOL}: Parquet read back by DuckDB, content negotiation, resampled exports, and streaming over real HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { chooseFormat } from '../../src/http/bars-export.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { allBars, exportResponse, exportRows } from './client.js';
import { duckDailyTable, duckResample, writeDailySymbol, writeMinuteSymbol, type DailySymbol } from './lakes.js';
import { duck, expectRows, fromDuck, rows, type Row } from './support.js';

const EX: DailySymbol = { symbol: 'EX', years: { 2021: 'TSUS', 2022: 'NULLS', 2023: 'VEND' } };

let dir: string;
let db: DuckDBConnection;
let app: App;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-export-'));
  db = await duck();
  await writeDailySymbol(db, dir, EX, 7);
  await duckDailyTable(db, dir, EX, 'ex_rows');
  await writeMinuteSymbol(db, dir);
  app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), { store: new LocalStore(dir) });
});
afterAll(async () => {
  await app?.stop();
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** The export as Parquet, written to disk and read back by DuckDB (an independent reader). */
async function parquetRows(ticker: string, query: Record<string, string>): Promise<Row[]> {
  const response = await exportResponse(app, ticker, query, { accept: 'application/vnd.apache.parquet' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
  const file = path.join(dir, `export-${ticker}-${Object.values(query).join('-')}.parquet`);
  await writeFile(file, new Uint8Array(await response.arrayBuffer()));
  const result = await rows(
    db,
    `SELECT epoch_ms(time)::DOUBLE AS t, epoch_ms(date::TIMESTAMP)::DOUBLE AS d, open, high, low, close, volume, vwap, trades FROM read_parquet('${file}')`,
  );
  return result.map(fromDuck);
}

describe('bulk export', () => {
  it("Parquet export of three writers' files equals DuckDB's reading of the originals", async () => {
    const expected = (await rows(db, 'SELECT t, d, * EXCLUDE (t, d) FROM ex_rows ORDER BY t')).map(fromDuck);
    expectRows(await parquetRows('EX', {}), expected, 'EX parquet');
  });

  it("resampled exports equal DuckDB's GROUP BY and the GraphQL pages", async () => {
    const expected = (await duckResample(db, 'ex_rows', 'month')).map(fromDuck);
    expectRows(await parquetRows('EX', { timeframe: 'month' }), expected, 'EX MONTH parquet');
    expectRows(await exportRows(app, 'EX', 'csv', { timeframe: 'MONTH' }), expected, 'EX MONTH csv');
    expectRows((await allBars(app, 'EX', { timeframe: 'MONTH' })).rows, expected, 'EX MONTH graphql');
  });

  it("a month of minute bars in Parquet equals DuckDB's reading of the minute files", async () => {
    const expected = (
      await rows(
        db,
        `SELECT t, nyd AS d, * EXCLUDE (t, nyd) FROM mn_minutes
      WHERE nyd BETWEEN epoch_ms(TIMESTAMP '2024-02-01') AND epoch_ms(TIMESTAMP '2024-02-29') ORDER BY t`,
      )
    ).map(fromDuck);
    expect(expected.length).toBe(21 * 630);
    expectRows(
      await parquetRows('MN', { timeframe: 'MINUTE', from: '2024-02-01', to: '2024-02-29' }),
      expected,
      'MN Feb parquet',
    );
  });

  it('chooses the format from format=, else from Accept by q-value, else JSON; 406 when nothing fits', async () => {
    expect(chooseFormat(null, null)).toBe('json');
    expect(chooseFormat(null, 'text/csv')).toBe('csv');
    expect(chooseFormat(null, 'application/vnd.apache.arrow.stream')).toBe('arrow');
    expect(chooseFormat(null, 'text/csv;q=0.5, application/x-ndjson')).toBe('ndjson');
    expect(chooseFormat(null, 'image/png, */*;q=0.1')).toBe('json');
    expect(chooseFormat(null, 'image/png')).toBeUndefined();
    expect(chooseFormat('PARQUET', 'text/csv')).toBe('parquet');
    const refused = await exportResponse(app, 'EX', {}, { accept: 'image/png' });
    expect(refused.status).toBe(406);
    expect((await refused.json()).errors[0].extensions.code).toBe('NOT_ACCEPTABLE');
    const csv = await exportResponse(app, 'EX', { to: '2021-01-08' }, { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).split('\n')[0]).toBe('time,date,open,high,low,close,volume,vwap,trades');
    const empty = await exportResponse(app, 'EX', { from: '2030-01-01', format: 'json' });
    expect(await empty.json()).toEqual([]);
  });

  it('streams over real HTTP: every minute of five months arrives in many chunks', async () => {
    const url = await app.start();
    const origin = new URL(url).origin;
    const response = await fetch(`${origin}/v1/bars/MN?timeframe=MINUTE&format=ndjson`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    const lines = text.trim().split('\n');
    const [{ n }] = await rows(db, `SELECT count(*)::DOUBLE AS n FROM mn_minutes`);
    expect(lines).toHaveLength(Number(n));
    expect(chunks).toBeGreaterThan(5);
    expect(JSON.parse(lines[0]).time).toBe('2023-12-01T14:30:00.000Z');
  });
});
