// writeBars: rows from a client written as one zstd Parquet file per key, replacing the file or merged into it by time.
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { BarRow } from '../bars/types.js';
import { newYorkDay } from '../calendar/new-york.js';
import { InvalidDataError, InvalidInputError, isLakeError } from '../errors.js';
import { PARQUET_CONTENT_TYPE, ticksMetadata, type Resolution } from '../layout.js';
import { resolveBarColumns } from '../parquet/bar-columns.js';
import { decodeBars } from '../parquet/decode-arrow.js';
import { parseFooter } from '../parquet/footer.js';
import { writeBarsParquet } from '../parquet/write.js';
import { getBytes } from '../store/helpers.js';
import type { ObjectStore } from '../store/types.js';
import { tickTarget, type StoredObject } from './objects.js';

export type WriteMode = 'REPLACE' | 'MERGE';
/** Rows one writeBars call may carry: a year of minute bars for one month is ~8,000; this leaves room for extended hours. */
export const MAX_BARS_PER_WRITE = 200_000;

/** Merges of one key are serialised in this process: two at once would each miss the other's rows. */
const locks = new Map<string, Promise<unknown>>();

export async function writeBars(
  store: ObjectStore,
  args: {
    symbol: string;
    year: number;
    resolution: Resolution;
    month?: number | null;
    bars: BarRow[];
    mode: WriteMode;
  },
): Promise<StoredObject & { rows: number }> {
  const { key, target } = tickTarget(args);
  if (args.bars.length > MAX_BARS_PER_WRITE)
    throw new InvalidInputError(`at most ${MAX_BARS_PER_WRITE} bars per call, got ${args.bars.length}`);
  const [from, to] =
    target.month === undefined
      ? [Date.UTC(target.year, 0, 1), Date.UTC(target.year + 1, 0, 1)]
      : [Date.UTC(target.year, target.month - 1, 1), Date.UTC(target.year, target.month, 1)];
  args.bars.forEach((bar, i) => {
    const day = target.resolution === 'MINUTE' ? newYorkDay(bar.time) : bar.time;
    if (!Number.isFinite(bar.time) || ((bar.time < from || bar.time >= to) && (day < from || day >= to))) {
      throw new InvalidInputError(
        `bar ${i}: ${Number.isFinite(bar.time) ? new Date(bar.time).toISOString() : bar.time} is outside the ${target.month === undefined ? `year ${target.year}` : `month ${target.year}-${String(target.month).padStart(2, '0')}`} of ${key}`,
      );
    }
  });
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      const rows =
        args.mode === 'MERGE'
          ? merge(await existingBars(store, key, target.resolution), args.bars)
          : merge([], args.bars);
      const bytes = writeBarsParquet(rows, { resolution: target.resolution });
      const metadata = ticksMetadata(target.resolution, target.symbol, target.year, target.month);
      const { etag } = await store.put(key, bytes, { contentType: PARQUET_CONTENT_TYPE, metadata });
      return { key, size: bytes.byteLength, etag, contentType: PARQUET_CONTENT_TYPE, metadata, rows: rows.length };
    });
  locks.set(key, run);
  try {
    return await run;
  } finally {
    if (locks.get(key) === run) locks.delete(key);
  }
}

/** By time, later rows winning: a MERGE replaces the bars it names and keeps the rest. */
function merge(existing: BarRow[], incoming: BarRow[]): BarRow[] {
  const byTime = new Map<number, BarRow>();
  for (const bar of existing) byTime.set(bar.time, bar);
  for (const bar of incoming) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

async function existingBars(store: ObjectStore, key: string, resolution: Resolution): Promise<BarRow[]> {
  let bytes: Uint8Array;
  try {
    bytes = await getBytes(store, key);
  } catch (error) {
    if (isLakeError(error) && error.code === 'NOT_FOUND') return [];
    throw error;
  }
  try {
    const length = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(bytes.byteLength - 8);
    const footer = parseFooter(bytes.subarray(bytes.byteLength - 8 - length, bytes.byteLength - 8));
    const names = resolveBarColumns(key, footer);
    const decoded = decodeBars(tableFromIPC(pw.readParquet(bytes).intoIPCStream()), {
      time: names.time.name,
      values: names.values,
    });
    const rows: BarRow[] = [];
    const v = decoded.values;
    for (let i = 0; i < decoded.rows; i++) {
      const time = resolution === 'DAILY' ? Math.floor(decoded.time[i] / 86_400_000) * 86_400_000 : decoded.time[i];
      const row: BarRow = {
        time,
        open: v.open?.[i] ?? NaN,
        high: v.high?.[i] ?? NaN,
        low: v.low?.[i] ?? NaN,
        close: v.close?.[i] ?? NaN,
        volume: v.volume?.[i] ?? NaN,
      };
      if (v.vwap && !Number.isNaN(v.vwap[i])) row.vwap = v.vwap[i];
      if (v.trades && !Number.isNaN(v.trades[i])) row.trades = v.trades[i];
      if ([row.open, row.high, row.low, row.close, row.volume].some(Number.isNaN)) {
        throw new InvalidDataError(
          `${key}: row ${i} of the stored file lacks open, high, low, close or volume; MERGE cannot keep it (use REPLACE)`,
          { key },
        );
      }
      rows.push(row);
    }
    return rows;
  } catch (error) {
    if (isLakeError(error)) throw error;
    throw new InvalidDataError(
      `${key}: the stored file cannot be read for MERGE (${(error as Error).message}); use REPLACE`,
      { key, cause: error },
    );
  }
}
