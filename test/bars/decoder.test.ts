// The decode pool on its own (bytes the prefetch missed are fetched on demand, a failing fetch is reported as itself, parts split across workers agree), and the in-place column reader.
import {
  DateDay,
  Float32,
  Float64,
  Int16,
  Int64,
  Int8,
  Table,
  tableFromIPC,
  tableToIPC,
  TimestampMicrosecond,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { PreconditionFailedError } from '../../src/lake/errors.js';
import { decodeChunks, decodeColumns, mergeColumns } from '../../src/lake/parquet/decode-arrow.js';
import { DecodePool, type DecodeReply } from '../../src/lake/parquet/decode-pool.js';
import { SegmentBlob } from '../../src/lake/parquet/segment-blob.js';
import { batchColumns } from '../../src/lake/parquet/wasm-columns.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';

const rows: BarRow[] = Array.from({ length: 6000 }, (_, i) => ({
  time: Date.UTC(2024, 0, 2, 14, 30) + i * 60_000,
  open: 100 + i / 7,
  high: 101 + i / 7,
  low: 99 + i / 7,
  close: 100.5 + i / 7,
  volume: 1000 + i,
  vwap: 100.2 + i / 7,
  trades: 5 + (i % 9),
}));
const bytes = writeBarsParquet(rows, { resolution: 'MINUTE', rowGroupSize: 1000 });
const names = {
  time: 'timestamp',
  values: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', vwap: 'vwap', trades: 'trades' },
};
const fromBytes = async (start: number, end: number) => bytes.slice(start, end);

describe('SegmentBlob', () => {
  it('serves slices from one segment, stitches adjacent ones, and fetches the rest', async () => {
    const fetched: [number, number][] = [];
    const blob = new SegmentBlob(
      bytes.length,
      [
        { start: 0, bytes: bytes.slice(0, 100) },
        { start: 100, bytes: bytes.slice(100, 300) },
      ],
      async (a, b) => {
        fetched.push([a, b]);
        return bytes.slice(a, b);
      },
    );
    expect(new Uint8Array(await blob.slice(10, 50).arrayBuffer())).toEqual(bytes.slice(10, 50));
    expect(new Uint8Array(await blob.slice(50, 250).arrayBuffer())).toEqual(bytes.slice(50, 250));
    expect(fetched).toEqual([]);
    expect(new Uint8Array(await blob.slice(250, 400).arrayBuffer())).toEqual(bytes.slice(250, 400));
    expect(fetched).toEqual([[250, 400]]);
  });
});

describe('DecodePool', () => {
  const pool = new DecodePool({ size: 2 });

  it('decodes with only the footer prefetched, fetching the column chunks on demand', async () => {
    const tail = { start: bytes.length - 2000, bytes: bytes.slice(bytes.length - 2000) };
    const reply = await pool.decode(
      { key: 'k', size: bytes.length, segments: [tail], names, rows: rows.length },
      fromBytes,
    );
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.fetched).toBeGreaterThan(0);
    const bars = mergeColumns([reply.columns]);
    expect(Array.from(bars.time)).toEqual(rows.map((r) => r.time));
    expect(Array.from(bars.values.vwap!)).toEqual(rows.map((r) => r.vwap));
  });

  it('reports a failed fetch as that failure (say, the object changed), not as a decoder crash', async () => {
    const tail = { start: bytes.length - 2000, bytes: bytes.slice(bytes.length - 2000) };
    const failing = async () => {
      throw new PreconditionFailedError('object "k" has changed', { key: 'k' });
    };
    await expect(
      pool.decode({ key: 'k', size: bytes.length, segments: [tail], names, rows: rows.length }, failing),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    // The pool replaced the worker and goes on.
    const ok = await pool.decode(
      { key: 'k', size: bytes.length, segments: [{ start: 0, bytes }], names, rows: rows.length },
      fromBytes,
    );
    expect(ok.ok).toBe(true);
  });

  it('column parts decoded on different workers, with chosen row groups, line up row for row', async () => {
    const segments = [{ start: 0, bytes }];
    const job = (part: { time?: string; values: Record<string, string> }) =>
      pool.decode({ key: 'k', size: bytes.length, segments, names: part, rowGroups: [1, 3], rows: 2000 }, fromBytes);
    const [a, b] = await Promise.all([
      job({ time: 'timestamp', values: { open: 'open', vwap: 'vwap' } }),
      job({ values: { close: 'close', trades: 'trades' } }),
    ]);
    if (!a.ok || !b.ok) throw new Error('decode failed');
    const bars = mergeColumns([a.columns, b.columns]);
    const expected = [...rows.slice(1000, 2000), ...rows.slice(3000, 4000)];
    expect(bars.rows).toBe(2000);
    expect(Array.from(bars.time)).toEqual(expected.map((r) => r.time));
    expect(Array.from(bars.values.close!)).toEqual(expected.map((r) => r.close));
    expect(Array.from(bars.values.trades!)).toEqual(expected.map((r) => r.trades));
  });

  it('small files share a worker message, yet a file that crashes the decoder fails alone', async () => {
    const one = new DecodePool({ size: 1 });
    try {
      const daily = Array.from({ length: 250 }, (_, i) => ({
        time: Date.UTC(2024, 0, 2) + i * 86_400_000,
        open: 10 + i,
        high: 11 + i,
        low: 9 + i,
        close: 10.5 + i,
        volume: 1000 + i,
      }));
      const good = writeBarsParquet(daily, { resolution: 'DAILY' });
      // Garbled data pages under a valid footer: parquet-wasm panics, which kills the worker thread.
      const bad = good.slice();
      for (let i = 200; i < Math.min(2200, bad.length - 2000); i++) bad[i] = (i * 7) & 255;
      const dailyNames = { time: 'date', values: { close: 'close' } };
      const job = (bytes: Uint8Array) =>
        one
          .decode(
            { key: 'k', size: bytes.length, segments: [{ start: 0, bytes }], names: dailyNames, rows: daily.length },
            fromBytes,
          )
          .then(
            (reply: DecodeReply) => reply,
            (error: Error) => error,
          );
      // Queued in one turn, so they travel to the single worker as one batch.
      const results = await Promise.all([job(good), job(good), job(bad), job(good), job(good)]);
      const crashed = results[2];
      expect(crashed).toBeInstanceOf(Error);
      expect((crashed as Error).message).toMatch(/the Parquet decoder crashed/);
      for (const i of [0, 1, 3, 4]) {
        const reply = results[i] as DecodeReply;
        expect(reply.ok, `job ${i}`).toBe(true);
        if (reply.ok) expect(Array.from(reply.columns.values.close!)).toEqual(daily.map((d) => d.close));
      }
    } finally {
      await one.close();
    }
  });
});

describe('columns read in place from wasm memory', () => {
  // Every layout the in-place reader takes, with nulls, several batches and a column sliced by an
  // offset; the IPC path (tableFromIPC) is the reference.
  const n = 1000;
  const table = new Table({
    date: vectorFromArray(
      Array.from({ length: n }, (_, i) => 19_000 + i),
      new DateDay(),
    ),
    ts: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : 1_700_000_000_000 + i * 60_000)),
      new TimestampMicrosecond('UTC'),
    ),
    f32: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i / 8)),
      new Float32(),
    ),
    f64: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i / 3)),
      new Float64(),
    ),
    i8: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 100) - 50),
      new Int8(),
    ),
    i16: vectorFromArray(
      Array.from({ length: n }, (_, i) => i - 500),
      new Int16(),
    ),
    i64: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : BigInt(i) * 1_000_000_007n)),
      new Int64(),
    ),
    u64: vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i) * 3n),
      new Uint64(),
    ),
    text: vectorFromArray(
      Array.from({ length: n }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')}`),
      new Utf8(),
    ),
  });
  const bytes = pw.writeParquet(
    pw.Table.fromIPCStream(tableToIPC(table, 'stream')),
    new pw.WriterPropertiesBuilder().setMaxRowGroupSize(300).build(),
  );
  const numeric = ['f32', 'f64', 'i8', 'i16', 'i64', 'u64'] as const;
  const names = {
    time: 'ts',
    values: Object.fromEntries(numeric.map((c, i) => [['open', 'high', 'low', 'close', 'volume', 'vwap'][i], c])),
  };

  /** Decodes the columns in place, the views read before the wasm table is freed. */
  const inPlace = <T>(columns: string[], use: (batches: ReturnType<typeof batchColumns>[]) => T): T => {
    const wasm = pw.readParquet(bytes, { columns, batchSize: 256 });
    const ffi = wasm.toFFI();
    try {
      return use(
        Array.from({ length: ffi.numArrays() }, (_, i) =>
          batchColumns(pw.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(i), ffi.schemaAddr(), new Set(columns)),
        ),
      );
    } finally {
      ffi.free();
      wasm.free();
    }
  };

  it('agree with the IPC path on dates, timestamps, floats and integers, nulls included', () => {
    const columns = ['ts', ...numeric];
    const reference = decodeColumns(
      tableFromIPC(pw.readParquet(bytes, { columns, batchSize: 256 }).intoIPCStream()),
      names,
    );
    const decoded = inPlace(columns, (batches) => {
      expect(batches.length).toBeGreaterThan(1);
      const views = batches.map((b) => b!);
      return decodeChunks(
        views.reduce((sum, b) => sum + b.rows, 0),
        (name) => views.map((v) => v.columns.get(name)!),
        names,
      );
    });
    expect(decoded.rows).toBe(n);
    expect(Array.from(decoded.time!)).toEqual(Array.from(reference.time!));
    for (const role of Object.keys(names.values) as (keyof typeof decoded.values)[]) {
      expect(Array.from(decoded.values[role]!), role).toEqual(Array.from(reference.values[role]!));
    }
    expect(decoded.values.open!.some(Number.isNaN)).toBe(true);
    expect(decoded.time!.some(Number.isNaN)).toBe(true);
  });

  it('leaves strings (and any layout it does not read) to the IPC path', () => {
    expect(inPlace(['date', 'text'], (batches) => batches.every((b) => b === undefined))).toBe(true);
    expect(inPlace(['date', 'f64'], (batches) => batches.every((b) => b !== undefined))).toBe(true);
  });
});
