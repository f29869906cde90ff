// Pins the Arrow C data interface layout wasm-columns.ts reads out of parquet-wasm's memory: every struct field, against apache-arrow's IPC reading of the same file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  Dictionary,
  Float64,
  Int32,
  Int64,
  Table,
  tableFromIPC,
  tableToIPC,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { ARRAY, batchColumns, SCHEMA, VERIFIED_PARQUET_WASM } from '../../src/lake/parquet/wasm-columns.js';

const require = createRequire(import.meta.url);

const n = 700;
const table = new Table({
  ts: vectorFromArray(
    Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : 1_700_000_000_000 + i * 60_000)),
    new TimestampMillisecond('UTC'),
  ),
  close: vectorFromArray(
    Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : i / 7)),
    new Float64(),
  ),
  volume: vectorFromArray(
    Array.from({ length: n }, (_, i) => BigInt(i) * 100n),
    new Int64(),
  ),
  exchange: vectorFromArray(
    Array.from({ length: n }, (_, i) => ['XNYS', 'XNAS', 'ARCX'][i % 3]),
    new Dictionary(new Utf8(), new Int32()),
  ),
});
const bytes = pw.writeParquet(
  pw.Table.fromIPCStream(tableToIPC(table, 'stream')),
  new pw.WriterPropertiesBuilder().setMaxRowGroupSize(250).build(),
);

/** The exported record batches, read field by field through the offsets, before the wasm table is freed. */
function exported<T>(use: (memory: ArrayBuffer, schema: number, arrays: number[]) => T): T {
  const wasm = pw.readParquet(bytes, { batchSize: 250 });
  const ffi = wasm.toFFI();
  try {
    return use(
      pw.wasmMemory().buffer as ArrayBuffer,
      ffi.schemaAddr(),
      Array.from({ length: ffi.numArrays() }, (_, i) => ffi.arrayAddr(i)),
    );
  } finally {
    ffi.free();
    wasm.free();
  }
}

function reader(memory: ArrayBuffer) {
  const view = new DataView(memory);
  const u32 = (at: number) => view.getUint32(at, true);
  const i64 = (at: number) => Number(view.getBigInt64(at, true));
  const str = (at: number) => {
    const b = new Uint8Array(memory, at);
    return new TextDecoder().decode(b.subarray(0, b.indexOf(0)));
  };
  return { u32, i64, str };
}

describe('the Arrow C data interface as parquet-wasm exports it', () => {
  it(`is read from the parquet-wasm release its offsets were verified against (${VERIFIED_PARQUET_WASM})`, () => {
    // The package's exports hide package.json: find it above the module Node resolves.
    const entry = require.resolve('parquet-wasm');
    const root = entry.slice(
      0,
      entry.lastIndexOf(`${path.sep}parquet-wasm${path.sep}`) + `${path.sep}parquet-wasm`.length,
    );
    const installed = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(
      installed,
      `parquet-wasm ${installed}: run this file's tests, then set VERIFIED_PARQUET_WASM in src/lake/parquet/wasm-columns.ts`,
    ).toBe(VERIFIED_PARQUET_WASM);
  });

  it('has the schema fields where SCHEMA says: formats, names, children, dictionaries', () => {
    const reference = tableFromIPC(pw.readParquet(bytes).intoIPCStream());
    const fields = exported((memory, schema) => {
      const { u32, i64, str } = reader(memory);
      expect(str(u32(schema + SCHEMA.format))).toBe('+s');
      return Array.from({ length: i64(schema + SCHEMA.nChildren) }, (_, c) => {
        const field = u32(u32(schema + SCHEMA.children) + 4 * c);
        const dictionary = u32(field + SCHEMA.dictionary);
        return {
          name: str(u32(field + SCHEMA.name)),
          format: str(u32(field + SCHEMA.format)),
          children: i64(field + SCHEMA.nChildren),
          dictionary: dictionary === 0 ? undefined : str(u32(dictionary + SCHEMA.format)),
        };
      });
    });
    expect(fields.map((f) => f.name)).toEqual(reference.schema.fields.map((f) => f.name));
    expect(fields).toEqual([
      { name: 'ts', format: 'tsm:UTC', children: 0, dictionary: undefined },
      { name: 'close', format: 'g', children: 0, dictionary: undefined },
      { name: 'volume', format: 'l', children: 0, dictionary: undefined },
      // A dictionary column: its indices' format, and the values' schema behind the dictionary pointer.
      { name: 'exchange', format: 'i', children: 0, dictionary: 'u' },
    ]);
    expect(reference.getChild('exchange')!.type).toBeInstanceOf(Dictionary);
  });

  it('has the array fields where ARRAY says: lengths, null counts, offsets, buffers, children, dictionaries', () => {
    const reference = tableFromIPC(pw.readParquet(bytes, { batchSize: 250 }).intoIPCStream());
    const batches = exported((memory, _schema, arrays) => {
      const { u32, i64 } = reader(memory);
      return arrays.map((array) => {
        expect(i64(array + ARRAY.offset)).toBe(0);
        expect(i64(array + ARRAY.nBuffers)).toBe(1);
        expect(u32(array + ARRAY.dictionary)).toBe(0);
        return {
          length: i64(array + ARRAY.length),
          children: Array.from({ length: i64(array + ARRAY.nChildren) }, (_, c) => {
            const child = u32(u32(array + ARRAY.children) + 4 * c);
            return {
              length: i64(child + ARRAY.length),
              nullCount: i64(child + ARRAY.nullCount),
              buffers: i64(child + ARRAY.nBuffers),
              dictionary: u32(child + ARRAY.dictionary) !== 0,
            };
          }),
        };
      });
    });
    expect(batches.map((b) => b.length)).toEqual(reference.batches.map((b) => b.numRows));
    batches.forEach((batch, i) => {
      const ref = reference.batches[i];
      expect(batch.children.map((c) => c.length)).toEqual(ref.schema.fields.map(() => ref.numRows));
      expect(batch.children.map((c) => c.nullCount)).toEqual(
        ref.schema.fields.map((f) => ref.getChild(f.name)!.nullCount),
      );
      expect(batch.children.map((c) => c.buffers)).toEqual([2, 2, 2, 2]);
      expect(batch.children.map((c) => c.dictionary)).toEqual([false, false, false, true]);
    });
  });

  it('reads the values through the buffers as apache-arrow does, and leaves a dictionary column to the IPC path', () => {
    const reference = tableFromIPC(pw.readParquet(bytes, { batchSize: 250 }).intoIPCStream());
    exported((memory, schema, arrays) => {
      arrays.forEach((array, i) => {
        const read = batchColumns(memory, array, schema, new Set(['ts', 'close', 'volume']))!;
        expect(read.rows).toBe(reference.batches[i].numRows);
        for (const name of ['ts', 'close', 'volume']) {
          const chunk = read.columns.get(name)!;
          const ref = reference.batches[i].getChild(name)!;
          const valid = (row: number) =>
            chunk.nullBitmap === undefined ||
            ((chunk.nullBitmap[(chunk.offset + row) >> 3] >> ((chunk.offset + row) & 7)) & 1) === 1;
          const got = Array.from({ length: chunk.length }, (_, row) => (valid(row) ? chunk.values[row] : null));
          const want = Array.from({ length: ref.length }, (_, row) => {
            const v = ref.get(row);
            return v === null ? null : name === 'volume' ? BigInt(v) : name === 'ts' ? BigInt(v) : v;
          });
          expect(got, `${name}, batch ${i}`).toEqual(want);
        }
        expect(batchColumns(memory, array, schema, new Set(['close', 'exchange']))).toBeUndefined();
      });
    });
  });
});
