// writeBarsParquet, read back by DuckDB (an independent Parquet reader): exact values, logical types, zstd, row groups.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { InvalidInputError } from '../../src/lake/errors.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { openDuck, sqlString, type Duck } from './support.js';

let dir: string;
let duck: Duck;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-parquet-'));
  duck = await openDuck();
});
afterAll(async () => {
  duck?.close();
  await rm(dir, { recursive: true, force: true });
});

async function save(bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, `f${files++}.parquet`);
  await writeFile(file, bytes);
  return sqlString(file);
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const DAILY: BarRow[] = [
  {
    time: day('2024-01-02'),
    open: 187.15,
    high: 188.44,
    low: 183.885,
    close: 185.64,
    volume: 82_488_700,
    vwap: 185.9123,
    trades: 1_009_074,
  },
  {
    time: day('2024-01-03'),
    open: 184.22,
    high: 185.88,
    low: 183.43,
    close: 184.25,
    volume: 58_414_500,
    vwap: 184.5,
    trades: 656_353,
  },
  {
    time: day('1969-12-31'),
    open: 0.1 + 0.2,
    high: 1e300,
    low: -0,
    close: Number.MIN_VALUE,
    volume: 0,
    vwap: 2 ** -1074,
    trades: Number.MAX_SAFE_INTEGER,
  },
];

describe('writeBarsParquet', () => {
  it('writes daily bars DuckDB reads back exactly, as DATE / DOUBLE / BIGINT', async () => {
    const file = await save(writeBarsParquet(DAILY, { resolution: 'DAILY' }));
    const rows = await duck.rows(
      `select (date - DATE '1970-01-01')::BIGINT as days, open, high, low, close, volume, vwap, trades from read_parquet(${file})`,
    );
    expect(rows).toEqual(
      DAILY.map((b) => ({
        days: BigInt(b.time / 86_400_000),
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: BigInt(b.volume),
        vwap: b.vwap,
        trades: BigInt(b.trades!),
      })),
    );
    const types = await duck.rows(
      `select column_name, column_type, "null" from (describe select * from read_parquet(${file}))`,
    );
    expect(types).toEqual([
      { column_name: 'date', column_type: 'DATE', null: 'YES' },
      { column_name: 'open', column_type: 'DOUBLE', null: 'YES' },
      { column_name: 'high', column_type: 'DOUBLE', null: 'YES' },
      { column_name: 'low', column_type: 'DOUBLE', null: 'YES' },
      { column_name: 'close', column_type: 'DOUBLE', null: 'YES' },
      { column_name: 'volume', column_type: 'BIGINT', null: 'YES' },
      { column_name: 'vwap', column_type: 'DOUBLE', null: 'YES' },
      { column_name: 'trades', column_type: 'BIGINT', null: 'YES' },
    ]);
    const schema = await duck.rows(
      `select name, repetition_type from parquet_schema(${file}) where name in ('date', 'volume', 'vwap')`,
    );
    expect(schema).toEqual([
      { name: 'date', repetition_type: 'REQUIRED' },
      { name: 'volume', repetition_type: 'REQUIRED' },
      { name: 'vwap', repetition_type: 'OPTIONAL' },
    ]);
  });

  it('compresses every column chunk with ZSTD', async () => {
    const file = await save(writeBarsParquet(DAILY, { resolution: 'DAILY' }));
    const codecs = await duck.rows(`select distinct compression from parquet_metadata(${file})`);
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
  });

  it('writes minute bars with a UTC millisecond timestamp', async () => {
    const open = Date.parse('2025-03-10T13:30:00Z');
    const bars: BarRow[] = Array.from({ length: 390 }, (_, i) => ({
      time: open + i * 60_000,
      open: 100 + i / 100,
      high: 101,
      low: 99,
      close: 100,
      volume: i + 1,
    }));
    const file = await save(writeBarsParquet(bars, { resolution: 'MINUTE' }));
    const rows = await duck.rows(`select epoch_ms("timestamp") as ms, open, volume from read_parquet(${file})`);
    expect(rows).toEqual(bars.map((b) => ({ ms: BigInt(b.time), open: b.open, volume: BigInt(b.volume) })));
    const [type] = await duck.rows(`select logical_type from parquet_schema(${file}) where name = 'timestamp'`);
    expect(String(type.logical_type)).toContain('isAdjustedToUTC=1');
    expect(String(type.logical_type)).toContain('MILLIS=MilliSeconds()');
    const [col] = await duck.rows(
      `select column_type from (describe select * from read_parquet(${file})) where column_name = 'timestamp'`,
    );
    expect(col.column_type).toBe('TIMESTAMP WITH TIME ZONE');
  });

  it('leaves out vwap and trades when no bar has them, and writes nulls when only some do', async () => {
    const bare = DAILY.map(({ vwap: _v, trades: _t, ...rest }) => rest);
    const without = await save(writeBarsParquet(bare, { resolution: 'DAILY' }));
    const cols = await duck.rows(`select column_name from (describe select * from read_parquet(${without}))`);
    expect(cols.map((c) => c.column_name)).toEqual(['date', 'open', 'high', 'low', 'close', 'volume']);

    const mixed = await save(writeBarsParquet([bare[0], DAILY[1], bare[2]], { resolution: 'DAILY' }));
    const rows = await duck.rows(`select vwap, trades from read_parquet(${mixed})`);
    expect(rows).toEqual([
      { vwap: null, trades: null },
      { vwap: 184.5, trades: 656_353n },
      { vwap: null, trades: null },
    ]);
  });

  it('honours rowGroupSize', async () => {
    const bars: BarRow[] = Array.from({ length: 1000 }, (_, i) => ({
      time: day('2000-01-01') + i * 86_400_000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: i,
    }));
    const file = await save(writeBarsParquet(bars, { resolution: 'DAILY', rowGroupSize: 300 }));
    const groups = await duck.rows(
      `select row_group_id, any_value(row_group_num_rows) as n from parquet_metadata(${file}) group by all order by 1`,
    );
    expect(groups.map((g) => Number(g.n))).toEqual([300, 300, 300, 100]);
  });

  it('writes an empty file with the full schema', async () => {
    const file = await save(writeBarsParquet([], { resolution: 'MINUTE' }));
    const [count] = await duck.rows(`select count(*) as n from read_parquet(${file})`);
    expect(count.n).toBe(0n);
  });

  it('round-trips through parquet-wasm too (Int64 as BigInt)', () => {
    const table = tableFromIPC(pw.readParquet(writeBarsParquet(DAILY, { resolution: 'DAILY' })).intoIPCStream());
    expect(table.numRows).toBe(3);
    expect(table.getChild('volume')!.get(0)).toBe(82_488_700n);
    expect(table.getChild('date')!.get(1)).toBe(day('2024-01-03'));
  });

  it('is deterministic: the same bars give the same bytes', () => {
    expect(
      Buffer.from(writeBarsParquet(DAILY, { resolution: 'DAILY' })).equals(
        Buffer.from(writeBarsParquet(DAILY, { resolution: 'DAILY' })),
      ),
    ).toBe(true);
  });

  it('rejects bars it cannot store faithfully', () => {
    const bad: [Partial<BarRow>, string][] = [
      [{ time: day('2024-01-02') + 1 }, 'UTC midnight'],
      [{ volume: 1.5 }, 'volume'],
      [{ volume: -1 }, 'volume'],
      [{ close: Number.NaN }, 'close'],
      [{ trades: 2 ** 60 }, 'trades'],
    ];
    for (const [patch, message] of bad) {
      expect(() => writeBarsParquet([{ ...DAILY[0], ...patch }], { resolution: 'DAILY' })).toThrow(InvalidInputError);
      expect(() => writeBarsParquet([{ ...DAILY[0], ...patch }], { resolution: 'DAILY' })).toThrow(message);
    }
    expect(() => writeBarsParquet(DAILY, { resolution: 'DAILY', rowGroupSize: 0 })).toThrow(InvalidInputError);
    expect(() => writeBarsParquet(DAILY, { resolution: 'HOURLY' as never })).toThrow(InvalidInputError);
  });
});
