// Bar-test support: lakes written by DuckDB (an independent Parquet writer) in many dialects, DuckDB's own reading of them, and comparisons.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'vitest';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { GetOptions, GetResult, ObjectStore } from '../../src/lake/store/types.js';
import { createBucket, s3Servers, s3StoreOn } from '../support/s3-servers.js';

export type Compression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';
export const FIELDS = ['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as const;
export type Field = (typeof FIELDS)[number];

/** One value row as both sides see it: time and date in UTC ms, numbers or null. */
export type Row = { time: number; date: number } & Record<Field, number | null>;

export async function duck(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // Casts between TIMESTAMP and TIMESTAMPTZ follow the session zone: pin it so they mean UTC.
  await connection.run(`SET TimeZone = 'UTC'`);
  return connection;
}

export async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/**
 * Deterministic daily OHLCV for weekdays of [fromYear, toYear], seeded per symbol, as a temp table
 * `src_<name>` with columns d (DATE), i, open, high, low, close, volume, vwap, trades. Prices are
 * ratios of primes so they are not short decimals (they exercise float round-trips).
 */
export async function dailySource(
  db: DuckDBConnection,
  name: string,
  fromYear: number,
  toYear: number,
  seed: number,
): Promise<string> {
  const table = `src_${name.replace(/\W/g, '_')}`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
    WITH days AS (
      SELECT d::DATE AS d, row_number() OVER (ORDER BY d) AS i
      FROM range(TIMESTAMP '${fromYear}-01-01', TIMESTAMP '${toYear + 1}-01-01', INTERVAL 1 DAY) t(d)
      WHERE dayofweek(d) BETWEEN 1 AND 5),
    b AS (SELECT d, i, 50 + (hash(i, ${seed}) % 1000003) / 7919.0 AS base FROM days),
    oc AS (SELECT d, i, base + (hash(i, ${seed}, 1) % 997) / 331.0 AS open, base + (hash(i, ${seed}, 2) % 997) / 331.0 AS close FROM b)
    SELECT d, i, open,
      greatest(open, close) + (hash(i, ${seed}, 3) % 499) / 613.0 AS high,
      least(open, close) - (hash(i, ${seed}, 4) % 499) / 613.0 AS low,
      close,
      (1000 + hash(i, ${seed}, 5) % 5000000)::BIGINT AS volume,
      (open + close) / 2 + (hash(i, ${seed}, 7) % 101) / 1009.0 AS vwap,
      (10 + hash(i, ${seed}, 6) % 40000)::BIGINT AS trades
    FROM oc`);
  return table;
}

/**
 * Minute bars for weekdays of [from, to] (ISO dates): the 09:30–16:00 session plus after-hours to
 * 20:00 New York time, whose last hour falls on the next UTC day in winter. Columns: ts (TIMESTAMPTZ),
 * open, high, low, close, volume, vwap, trades.
 */
export async function minuteSource(
  db: DuckDBConnection,
  name: string,
  from: string,
  to: string,
  seed: number,
): Promise<string> {
  const table = `src_${name.replace(/\W/g, '_')}`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
    WITH days AS (SELECT d::DATE AS d FROM range(TIMESTAMP '${from}', TIMESTAMP '${to}' + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d) WHERE dayofweek(d) BETWEEN 1 AND 5),
    mins AS (SELECT (d + INTERVAL 9 HOUR + INTERVAL 30 MINUTE + to_minutes(m)) AT TIME ZONE 'America/New_York' AS ts FROM days, range(630) r(m)),
    n AS (SELECT ts, row_number() OVER (ORDER BY ts) AS i FROM mins),
    oc AS (SELECT ts, i, 100 + (hash(i, ${seed}) % 100003) / 7919.0 AS open, 100 + (hash(i, ${seed}, 2) % 100003) / 7919.0 AS close FROM n)
    SELECT ts, open,
      greatest(open, close) + (hash(i, ${seed}, 3) % 97) / 613.0 AS high,
      least(open, close) - (hash(i, ${seed}, 4) % 97) / 613.0 AS low,
      close,
      (100 + hash(i, ${seed}, 5) % 50000)::BIGINT AS volume,
      (open + close) / 2 AS vwap,
      (1 + hash(i, ${seed}, 6) % 400)::BIGINT AS trades
    FROM oc`);
  return table;
}

export async function copyTo(
  db: DuckDBConnection,
  select: string,
  file: string,
  compression: Compression,
  rowGroupSize?: number,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const options = [
    `FORMAT parquet`,
    `COMPRESSION ${compression}`,
    ...(rowGroupSize ? [`ROW_GROUP_SIZE ${rowGroupSize}`] : []),
  ];
  await db.run(`COPY (${select}) TO '${file.replace(/'/g, "''")}' (${options.join(', ')})`);
}

/** Uploads every file under `dir` to `store` under the same relative key. */
export interface BarBackend {
  name: string;
  open(): Promise<ObjectStore>;
}

/**
 * The stores a bars test runs on: the directory DuckDB wrote (`local` may hand out a copy, for
 * tests that overwrite files), and a fresh bucket on each reachable S3 server holding the same
 * files. `dir` is a getter because test files fill it in `beforeAll`.
 */
export function barBackends(
  dir: () => string,
  hint: string,
  local: (dir: string) => Promise<string> = async (d) => d,
): BarBackend[] {
  return [
    { name: 'a directory', open: async () => new LocalStore(await local(dir())) },
    ...s3Servers().map((server) => ({
      name: `S3 on ${server.name}`,
      open: async () => {
        const store = s3StoreOn(server, await createBucket(server, hint));
        await uploadDir(dir(), store);
        return store;
      },
    })),
  ];
}

export async function uploadDir(dir: string, store: ObjectStore): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  await Promise.all(
    files.map(async (file) => store.put(path.relative(dir, file).split(path.sep).join('/'), await readFile(file))),
  );
  return files.length;
}

/** Both null, or equal within a relative 1e-9 (floats differ in the last digits by summation order). */
export function close(actual: number | null | undefined, expected: number | null | undefined, label: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  if (Math.abs((actual as number) - expected) > tolerance) expect(actual, `${label} (relative 1e-9)`).toBe(expected);
}

export function expectRows(actual: Row[], expected: Row[], label: string): void {
  expect(actual.length, `${label}: row count`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const at = `${label} row ${i} (${new Date(e.time).toISOString()})`;
    expect(a.time, `${at} time`).toBe(e.time);
    expect(a.date, `${at} date`).toBe(e.date);
    for (const field of FIELDS) close(a[field], e[field], `${at} ${field}`);
  }
}

/** A GraphQL Bar (time ISO, date YYYY-MM-DD) as a Row. */
export function fromGraphQL(bar: Record<string, unknown>): Row {
  const row = { time: Date.parse(bar.time as string), date: Date.parse(`${bar.date as string}T00:00:00Z`) } as Row;
  for (const field of FIELDS) row[field] = (bar[field] as number | null) ?? null;
  return row;
}

/** A DuckDB result row with t, d (ms as DOUBLE) and the fields (DOUBLE or NULL) as a Row. */
export function fromDuck(r: Record<string, unknown>): Row {
  const row = { time: Number(r.t), date: Number(r.d) } as Row;
  for (const field of FIELDS) row[field] = r[field] === null || r[field] === undefined ? null : Number(r[field]);
  return row;
}

export interface RecordedGet {
  key: string;
  range?: GetOptions['range'];
}

/**
 * A CountingStore that also records each GET's range: the tests assert footers are read by range
 * only. Being a CountingStore, it forwards the optional capabilities (multipart, presigning) the app needs.
 */
export class RecordingStore extends CountingStore {
  readonly gets: RecordedGet[] = [];

  override get(key: string, options?: GetOptions): Promise<GetResult> {
    this.gets.push({ key, range: options?.range });
    return super.get(key, options);
  }

  get heads(): number {
    return this.count('head');
  }

  override reset(): void {
    super.reset();
    this.gets.length = 0;
  }
}
