// Encodes OHLCV bars as zstd Parquet bytes (apache-arrow builds the table, parquet-wasm writes the file).
import {
  type Data,
  DateDay,
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  makeData,
  tableToIPC,
} from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { InvalidInputError } from '../errors.js';
import type { Resolution } from '../layout.js';
import { TIME_COLUMN, type BarRow } from '../bars/types.js';

export interface WriteBarsOptions {
  resolution: Resolution;
  /** Rows per row group; parquet-wasm's default (1 M rows) keeps a year of minute bars in one group. */
  rowGroupSize?: number;
}

const DAY_MS = 86_400_000;

/**
 * Columns: `date` DATE32 (daily) or `timestamp` TIMESTAMP(MILLIS, UTC) (minute), then
 * open/high/low/close DOUBLE, volume INT64, and `vwap` DOUBLE / `trades` INT64 only when some row
 * has them (nullable, null where a row lacks them). The fixed columns are REQUIRED.
 * Rows are written in the order given; the same rows always give the same bytes.
 */
export function writeBarsParquet(bars: readonly BarRow[], options: WriteBarsOptions): Uint8Array {
  const { resolution, rowGroupSize } = options;
  if (resolution !== 'DAILY' && resolution !== 'MINUTE')
    throw new InvalidInputError(`unknown resolution ${String(resolution)}`);
  if (rowGroupSize !== undefined && (!Number.isInteger(rowGroupSize) || rowGroupSize < 1)) {
    throw new InvalidInputError(`rowGroupSize must be a positive whole number, got ${rowGroupSize}`);
  }
  const table = barsTable(bars, resolution);
  let builder = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD);
  if (rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(rowGroupSize);
  // writeParquet takes ownership of both wasm objects and frees them: nothing to free here.
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')), builder.build());
}

/** The Arrow table `writeBarsParquet` encodes; exported for callers that want Arrow without Parquet. */
export function barsTable(bars: readonly BarRow[], resolution: Resolution): Table {
  const n = bars.length;
  const time = resolution === 'DAILY' ? new Int32Array(n) : new BigInt64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new BigInt64Array(n);
  const hasVwap = bars.some((b) => b.vwap !== undefined);
  const hasTrades = bars.some((b) => b.trades !== undefined);
  const vwap = optionalColumn(hasVwap, n, Float64Array);
  const trades = optionalColumn(hasTrades, n, BigInt64Array);

  for (let i = 0; i < n; i++) {
    const bar = bars[i];
    if (resolution === 'DAILY') {
      if (!Number.isSafeInteger(bar.time) || bar.time % DAY_MS !== 0)
        throw rowError(i, 'time', 'a UTC midnight in ms for a daily bar', bar.time);
      time[i] = bar.time / DAY_MS;
    } else {
      if (!Number.isSafeInteger(bar.time)) throw rowError(i, 'time', 'whole UTC ms', bar.time);
      time[i] = BigInt(bar.time);
    }
    open[i] = finite(i, 'open', bar.open);
    high[i] = finite(i, 'high', bar.high);
    low[i] = finite(i, 'low', bar.low);
    close[i] = finite(i, 'close', bar.close);
    volume[i] = BigInt(whole(i, 'volume', bar.volume));
    if (vwap && bar.vwap !== undefined) setValid(vwap, i, finite(i, 'vwap', bar.vwap));
    if (trades && bar.trades !== undefined) setValid(trades, i, BigInt(whole(i, 'trades', bar.trades)));
  }

  const timeType = resolution === 'DAILY' ? new DateDay() : new Timestamp(TimeUnit.MILLISECOND, 'UTC');
  const columns: [Field, Data][] = [
    [new Field(TIME_COLUMN[resolution], timeType, false), makeData({ type: timeType, length: n, data: time } as never)],
    required('open', open),
    required('high', high),
    required('low', low),
    required('close', close),
    [new Field('volume', new Int64(), false), makeData({ type: new Int64(), length: n, data: volume })],
  ];
  if (vwap) columns.push([new Field('vwap', new Float64(), true), optionalData(new Float64(), vwap)]);
  if (trades) columns.push([new Field('trades', new Int64(), true), optionalData(new Int64(), trades)]);

  const fields = columns.map(([field]) => field);
  const schema = new Schema(fields);
  const struct = makeData({
    type: new Struct(fields),
    length: n,
    nullCount: 0,
    children: columns.map(([, data]) => data),
  });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

interface OptionalColumn<T extends Float64Array | BigInt64Array> {
  values: T;
  validity: Uint8Array;
  valid: number;
}

function optionalColumn<T extends Float64Array | BigInt64Array>(
  present: boolean,
  n: number,
  Ctor: new (n: number) => T,
): OptionalColumn<T> | undefined {
  return present ? { values: new Ctor(n), validity: new Uint8Array(Math.ceil(n / 8)), valid: 0 } : undefined;
}

function setValid<T extends Float64Array | BigInt64Array>(
  column: OptionalColumn<T>,
  i: number,
  value: T[number],
): void {
  column.values[i] = value;
  column.validity[i >> 3] |= 1 << (i & 7);
  column.valid++;
}

function optionalData(type: Float64 | Int64, column: OptionalColumn<Float64Array | BigInt64Array>): Data {
  const length = column.values.length;
  const nullCount = length - column.valid;
  return makeData({
    type,
    length,
    data: column.values,
    nullBitmap: nullCount > 0 ? column.validity : undefined,
    nullCount,
  } as never);
}

function required(name: string, values: Float64Array): [Field, Data] {
  return [
    new Field(name, new Float64(), false),
    makeData({ type: new Float64(), length: values.length, data: values }),
  ];
}

function finite(row: number, column: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw rowError(row, column, 'a finite number', value);
  return value;
}

function whole(row: number, column: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw rowError(row, column, 'a non-negative whole number', value);
  return value;
}

function rowError(row: number, column: string, expected: string, value: unknown): InvalidInputError {
  return new InvalidInputError(`bar ${row}: ${column} must be ${expected}, got ${String(value)}`);
}
