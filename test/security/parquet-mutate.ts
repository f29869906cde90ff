// Builds hostile Parquet files from a valid one: absurd row counts and value counts in the footer, huge declared page sizes.
import { decodeStruct, encodeStruct, int, items, setInt, sub, type TStruct } from './thrift-codec.js';

/** The footer of a Parquet file as a typed tree, and where it starts. */
export function readFooterTree(file: Uint8Array): { footer: TStruct; start: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(file.byteLength - 8, true);
  const start = file.byteLength - 8 - length;
  return { footer: decodeStruct(file, start).value, start };
}

/** `body` (everything before the footer) with `footer` encoded after it, length and magic appended. */
export function withFooter(body: Uint8Array, footer: TStruct): Uint8Array {
  const meta = encodeStruct(footer);
  const out = new Uint8Array(body.byteLength + meta.byteLength + 8);
  out.set(body, 0);
  out.set(meta, body.byteLength);
  new DataView(out.buffer).setUint32(body.byteLength + meta.byteLength, meta.byteLength, true);
  out.set([0x50, 0x41, 0x52, 0x31], out.byteLength - 4);
  return out;
}

/** Sets every row count (file and row groups) to `rows`. */
export function withRowCount(file: Uint8Array, rows: number): Uint8Array {
  const { footer, start } = readFooterTree(file);
  setInt(footer, 3, rows);
  for (const group of items(footer, 4)) setInt((group as { v: TStruct }).v, 3, rows);
  return withFooter(file.subarray(0, start), footer);
}

/** Sets every column chunk's num_values to `values`. */
export function withValueCount(file: Uint8Array, values: number): Uint8Array {
  const { footer, start } = readFooterTree(file);
  for (const group of items(footer, 4)) {
    for (const chunk of items((group as { v: TStruct }).v, 1)) setInt(sub((chunk as { v: TStruct }).v, 3), 5, values);
  }
  return withFooter(file.subarray(0, start), footer);
}

/**
 * Rewrites the first page header of the first column chunk with `uncompressed_page_size` (field 2)
 * set to `size`, then moves every later byte and every offset the footer holds by however much
 * longer the header became, so the file is consistent apart from the lie.
 */
export function withPageSize(file: Uint8Array, size: number): Uint8Array {
  const { footer, start } = readFooterTree(file);
  const group0 = (items(footer, 4)[0] as { v: TStruct }).v;
  const meta0 = sub((items(group0, 1)[0] as { v: TStruct }).v, 3);
  const at = int(meta0, 11) ?? int(meta0, 9)!;
  const { value: header, end } = decodeStruct(file, at);
  setInt(header, 2, size, 5);
  const encoded = encodeStruct(header);
  const delta = encoded.byteLength - (end - at);
  const body = new Uint8Array(start + delta);
  body.set(file.subarray(0, at), 0);
  body.set(encoded, at);
  body.set(file.subarray(end, start), at + encoded.byteLength);
  const shift = (s: TStruct, id: number) => {
    const v = int(s, id);
    if (v !== undefined && v > at) setInt(s, id, v + delta);
  };
  for (const group of items(footer, 4)) {
    const g = (group as { v: TStruct }).v;
    shift(g, 5);
    for (const chunk of items(g, 1)) {
      const c = (chunk as { v: TStruct }).v;
      for (const id of [2, 4, 6]) shift(c, id);
      const m = sub(c, 3);
      for (const id of [9, 10, 11]) shift(m, id);
      if (m === meta0) setInt(m, 7, int(m, 7)! + delta);
    }
  }
  return withFooter(body, footer);
}
