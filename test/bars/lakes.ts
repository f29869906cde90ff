// The test lakes: daily files in every dialect writers of the lake produce (one symbol per dialect), minute files, each with DuckDB's reading of it.
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dailyTicksKey, minuteTicksKey } from '../../src/lake/layout.js';
import { copyTo, dailySource, minuteSource, rows, type Compression, type Field } from './support.js';

/** One writer dialect: how DuckDB writes a year's file, and how DuckDB reads it back as (t, field values). */
export interface Dialect {
  compression: Compression;
  rowGroupSize?: number;
  /** SELECT list over the source table (d DATE, i, open, high, low, close, volume, vwap, trades). */
  columns: string;
  order?: string;
  /** DuckDB expression over the written file giving the row's date as UTC-midnight ms. */
  time: string;
  /** DuckDB expression per field over the written file (cast to DOUBLE here); absent = the file lacks it. */
  fields: Partial<Record<Field, string>>;
}

const plain = (names: Partial<Record<Field, string>> = {}): Partial<Record<Field, string>> =>
  Object.fromEntries(
    (['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as Field[]).map((f) => [f, names[f] ?? f]),
  );

const extra = Array.from({ length: 900 }, (_, k) => `i * ${k + 1} / 3.0 AS x${k}`).join(', ');

export const DIALECTS: Record<string, Dialect> = {
  DDATE: {
    compression: 'snappy',
    columns: 'd AS date, open, high, low, close, volume, vwap, trades',
    time: 'epoch_ms(date::TIMESTAMP)',
    fields: plain(),
  },
  TSMS: {
    compression: 'zstd',
    columns:
      'd::TIMESTAMP_MS AS "timestamp", open::FLOAT AS open, high::FLOAT AS high, low::FLOAT AS low, close::FLOAT AS close, volume::DOUBLE AS volume',
    time: 'epoch_ms("timestamp")',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  },
  TSUS: {
    compression: 'gzip',
    columns:
      '(d + INTERVAL 21 HOUR)::TIMESTAMP AS "Time", open::DECIMAL(18,4) AS "OPEN", high::DECIMAL(18,4) AS "High", low::DECIMAL(18,4) AS "LOW", close::DECIMAL(18,4) AS "Close", volume::INTEGER AS "Volume", trades::INTEGER AS "TRADES"',
    time: 'epoch_ms("Time"::DATE::TIMESTAMP)',
    fields: { open: '"OPEN"', high: '"High"', low: '"LOW"', close: '"Close"', volume: '"Volume"', trades: '"TRADES"' },
  },
  TSNS: {
    compression: 'uncompressed',
    columns:
      'd::TIMESTAMP_NS AS datetime, round(open)::INTEGER AS open, round(high)::BIGINT AS high, round(low)::SMALLINT AS low, round(close)::INTEGER AS close, volume::UBIGINT AS volume',
    time: 'epoch_ms(datetime)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  },
  TSTZ: {
    compression: 'snappy',
    columns: `d::TIMESTAMPTZ AS ts, 'E' AS symbol, open::DECIMAL(9,2) AS open, high::DECIMAL(9,2) AS high, low::DECIMAL(9,2) AS low, close::DECIMAL(9,2) AS close,
      close * 0.99 AS adj_close, volume, vwap::DECIMAL(38,10) AS vwap, {'src': 'x', 'n': i} AS meta, [1, 2] AS tags`,
    time: 'epoch_ms(ts)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', vwap: 'vwap' },
  },
  ISOD: {
    compression: 'zstd',
    columns: `strftime(d, '%Y-%m-%d') AS "Date", open, high, low, close, volume, vwap`,
    time: 'epoch_ms("Date"::DATE::TIMESTAMP)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', vwap: 'vwap' },
  },
  ISOT: {
    compression: 'gzip',
    columns: `strftime(d + INTERVAL 14 HOUR, '%Y-%m-%dT%H:%M:%SZ') AS "timestamp", open, high, low, close, volume, vwap, trades`,
    time: 'epoch_ms("timestamp"::TIMESTAMPTZ::DATE::TIMESTAMP)',
    fields: plain(),
  },
  TSS: {
    compression: 'zstd',
    columns: 'd::TIMESTAMP_S AS time, open, high, low, close, volume, trades',
    time: 'epoch_ms(time)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', trades: 'trades' },
  },
  NULLS: {
    compression: 'snappy',
    columns:
      'd AS date, open, CASE WHEN i % 11 = 0 THEN NULL ELSE high END AS high, low, close, CASE WHEN i % 7 = 0 THEN NULL ELSE volume END AS volume, CASE WHEN i % 5 = 0 THEN NULL ELSE vwap END AS vwap, trades',
    time: 'epoch_ms(date::TIMESTAMP)',
    fields: plain(),
  },
  UNSORT: {
    compression: 'zstd',
    columns: 'd AS date, open, high, low, close, volume',
    order: 'hash(i, 99)',
    time: 'epoch_ms(date::TIMESTAMP)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  },
  VEND: {
    compression: 'snappy',
    columns:
      'd::TIMESTAMP_MS AS ts, open AS o, high AS h, low AS l, close AS c, volume::DOUBLE AS v, vwap AS vw, trades AS n',
    time: 'epoch_ms(ts)',
    fields: { open: 'o', high: 'h', low: 'l', close: 'c', volume: 'v', vwap: 'vw', trades: 'n' },
  },
  WIDE: {
    compression: 'zstd',
    columns: `d AS date, open, high, low, close, volume, ${extra}`,
    time: 'epoch_ms(date::TIMESTAMP)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  },
};

export interface DailySymbol {
  symbol: string;
  /** year → dialect name */
  years: Record<number, string>;
}

/** One symbol per dialect over 2022–2023, and MIX, whose three years come from three different writers. */
export const DAILY_SYMBOLS: DailySymbol[] = [
  ...Object.keys(DIALECTS).map((name) => ({ symbol: name, years: { 2022: name, 2023: name } })),
  { symbol: 'MIX', years: { 2021: 'DDATE', 2022: 'TSUS', 2023: 'ISOT' } },
];

export async function writeDailySymbol(
  db: DuckDBConnection,
  dir: string,
  spec: DailySymbol,
  seed: number,
): Promise<string[]> {
  const years = Object.keys(spec.years).map(Number);
  const table = await dailySource(db, spec.symbol, Math.min(...years), Math.max(...years), seed);
  const files: string[] = [];
  for (const year of years) {
    const dialect = DIALECTS[spec.years[year]];
    const file = path.join(dir, dailyTicksKey(spec.symbol, year));
    const order = dialect.order ?? 'd';
    await copyTo(
      db,
      `SELECT ${dialect.columns} FROM ${table} WHERE year(d) = ${year} ORDER BY ${order}`,
      file,
      dialect.compression,
      dialect.rowGroupSize,
    );
    files.push(file);
  }
  return files;
}

/** DuckDB's reading of a daily symbol's files: one row per bar, ordered by date, t = d = UTC-midnight ms. */
export async function duckDaily(
  db: DuckDBConnection,
  dir: string,
  spec: DailySymbol,
  range: { from?: string; to?: string } = {},
): Promise<Record<string, unknown>[]> {
  const parts = Object.entries(spec.years).map(([year, name]) => {
    const dialect = DIALECTS[name];
    const file = path.join(dir, dailyTicksKey(spec.symbol, Number(year)));
    const fields = (['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as Field[])
      .map((f) => `${dialect.fields[f] ? `(${dialect.fields[f]})::DOUBLE` : 'NULL::DOUBLE'} AS ${f}`)
      .join(', ');
    return `SELECT (${dialect.time})::DOUBLE AS t, ${fields} FROM read_parquet('${file}')`;
  });
  const where = [
    range.from && `t >= epoch_ms(DATE '${range.from}'::TIMESTAMP)`,
    range.to && `t <= epoch_ms(DATE '${range.to}'::TIMESTAMP)`,
  ].filter(Boolean);
  return rows(
    db,
    `SELECT t, t AS d, * EXCLUDE (t) FROM (${parts.join(' UNION ALL ')}) ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t`,
  );
}

/** Minute dialects by UTC month: the files of one symbol are written by five different writers. */
export const MINUTE_MONTHS: {
  year: number;
  month: number;
  compression: Compression;
  rowGroupSize?: number;
  columns: string;
  time: string;
  fields: Partial<Record<Field, string>>;
}[] = [
  {
    year: 2023,
    month: 12,
    compression: 'snappy',
    rowGroupSize: 2048,
    columns: 'ts AS "timestamp", open, high, low, close, volume, vwap, trades',
    time: 'epoch_ms("timestamp")',
    fields: plain(),
  },
  {
    year: 2024,
    month: 1,
    compression: 'zstd',
    columns: 'ts::TIMESTAMP_MS AS "timestamp", open, high, low, close, volume, vwap, trades',
    time: 'epoch_ms("timestamp")',
    fields: plain(),
  },
  {
    year: 2024,
    month: 2,
    compression: 'gzip',
    rowGroupSize: 2048,
    columns:
      'ts::TIMESTAMP::TIMESTAMP_NS AS "Timestamp", open AS "Open", high AS "High", low AS "Low", close AS "Close", volume AS "Volume", vwap AS "VWAP"',
    time: 'epoch_ms("Timestamp")',
    fields: { open: '"Open"', high: '"High"', low: '"Low"', close: '"Close"', volume: '"Volume"', vwap: '"VWAP"' },
  },
  {
    year: 2024,
    month: 3,
    compression: 'zstd',
    columns: `strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS datetime, open, high, low, close, volume, vwap, trades`,
    time: 'epoch_ms(datetime::TIMESTAMPTZ)',
    fields: plain(),
  },
  {
    year: 2024,
    month: 4,
    compression: 'uncompressed',
    columns: 'ts, open::FLOAT AS open, high::FLOAT AS high, low::FLOAT AS low, close::FLOAT AS close, volume, trades',
    time: 'epoch_ms(ts)',
    fields: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', trades: 'trades' },
  },
];

/**
 * Symbol MN: minute files Dec 2023 – Apr 2024 (the 2024 DST switch, after-hours crossing UTC
 * midnight) and a daily file for 2023 only, so DAY bars come from the daily file in 2023 and from
 * minute bars aggregated by New York date in 2024. Creates DuckDB view `mn_minutes` (t, nyd, fields).
 */
export async function writeMinuteSymbol(db: DuckDBConnection, dir: string): Promise<void> {
  const table = await minuteSource(db, 'MN_minute', '2023-12-01', '2024-04-30', 11);
  const parts: string[] = [];
  for (const m of MINUTE_MONTHS) {
    const file = path.join(dir, minuteTicksKey('MN', m.year, m.month));
    const where = `ts >= TIMESTAMPTZ '${m.year}-${String(m.month).padStart(2, '0')}-01 00:00:00+00' AND ts < TIMESTAMPTZ '${m.month === 12 ? m.year + 1 : m.year}-${String((m.month % 12) + 1).padStart(2, '0')}-01 00:00:00+00'`;
    await copyTo(
      db,
      `SELECT ${m.columns} FROM ${table} WHERE ${where} ORDER BY ts`,
      file,
      m.compression,
      m.rowGroupSize,
    );
    const fields = (['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as Field[])
      .map((f) => `${m.fields[f] ? `(${m.fields[f]})::DOUBLE` : 'NULL::DOUBLE'} AS ${f}`)
      .join(', ');
    parts.push(`SELECT (${m.time})::DOUBLE AS t, ${fields} FROM read_parquet('${file}')`);
  }
  await db.run(`CREATE OR REPLACE TEMP VIEW mn_minutes AS
    SELECT t, epoch_ms(timezone('America/New_York', to_timestamp(t / 1000))::DATE::TIMESTAMP)::DOUBLE AS nyd, * EXCLUDE (t)
    FROM (${parts.join(' UNION ALL ')})`);
  await writeDailySymbol(db, dir, { symbol: 'MN', years: { 2023: 'DDATE' } }, 5);
}

/** Loads a daily symbol's rows as DuckDB reads them into temp table `name` (t = d = UTC-midnight ms, fields as DOUBLE). */
export async function duckDailyTable(
  db: DuckDBConnection,
  dir: string,
  spec: DailySymbol,
  name: string,
): Promise<void> {
  const rowsSql = Object.entries(spec.years).map(([year, dialectName]) => {
    const dialect = DIALECTS[dialectName];
    const file = path.join(dir, dailyTicksKey(spec.symbol, Number(year)));
    const fields = (['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as Field[])
      .map((f) => `${dialect.fields[f] ? `(${dialect.fields[f]})::DOUBLE` : 'NULL::DOUBLE'} AS ${f}`)
      .join(', ');
    return `SELECT (${dialect.time})::DOUBLE AS t, (${dialect.time})::DOUBLE AS d, ${fields} FROM read_parquet('${file}')`;
  });
  await db.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${rowsSql.join(' UNION ALL ')}`);
}

/**
 * DuckDB's own GROUP BY over rows (t = instant, d = trading date, both ms): the resampling rules
 * written independently of lakeql's code. `unit` is a date_trunc unit ('day', 'week', ...).
 */
export async function duckResample(
  db: DuckDBConnection,
  source: string,
  unit: string,
  where = 'TRUE',
): Promise<Record<string, unknown>[]> {
  return rows(
    db,
    `
    WITH b AS (SELECT *, date_trunc('${unit}', to_timestamp(d / 1000)::DATE)::TIMESTAMP AS bucket FROM ${source} WHERE ${where})
    SELECT epoch_ms(bucket)::DOUBLE AS t, epoch_ms(bucket)::DOUBLE AS d,
      arg_min(open, t) FILTER (WHERE open IS NOT NULL) AS open,
      max(high) AS high, min(low) AS low,
      arg_max(close, t) FILTER (WHERE close IS NOT NULL) AS close,
      sum(volume) AS volume,
      CASE WHEN count(*) = 1 THEN any_value(vwap)
           ELSE sum(vwap * volume) / sum(volume) FILTER (WHERE vwap IS NOT NULL) END AS vwap,
      sum(trades) AS trades
    FROM b GROUP BY bucket ORDER BY bucket`,
  );
}
