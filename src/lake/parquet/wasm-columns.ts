// Reads columns parquet-wasm has decoded straight out of its memory, through the Arrow C data interface: no IPC round trip, no arrow-js batch.
import {
  type DataType,
  DateDay,
  DateMillisecond,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  TimeUnit,
  Timestamp,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
} from 'apache-arrow';
import type { ColumnChunk } from './decode-arrow.js';

/**
 * The C structs on wasm32 (https://arrow.apache.org/docs/format/CDataInterface.html): 64-bit
 * integers at 8-byte offsets, pointers 4 bytes wide.
 * ArrowSchema: format 0, name 4, metadata 8, flags 16, n_children 24, children 32, dictionary 36.
 * ArrowArray: length 0, null_count 8, offset 16, n_buffers 24, n_children 32, buffers 40, children 44, dictionary 48.
 */
export const SCHEMA = { format: 0, name: 4, nChildren: 24, children: 32, dictionary: 36 } as const;
export const ARRAY = {
  length: 0,
  nullCount: 8,
  offset: 16,
  nBuffers: 24,
  nChildren: 32,
  buffers: 40,
  children: 44,
  dictionary: 48,
} as const;

/**
 * The parquet-wasm release these offsets were checked against (test/bars/wasm-columns-layout.test.ts
 * reads every field through them and compares with apache-arrow's IPC reading of the same data).
 * No maintained JS reader of the C data interface is installed (apache-arrow has none; arrow-js-ffi
 * is a separate package), so a new parquet-wasm (a wasm64 build would widen every pointer) fails
 * that test until it is run again and this is updated.
 */
export const VERIFIED_PARQUET_WASM = '0.8.0';

type View =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;
interface Layout {
  type: DataType;
  values: (new (buffer: ArrayBuffer, byteOffset: number, length: number) => View) & { BYTES_PER_ELEMENT: number };
}

/**
 * The formats read here: flat, fixed-width numbers, dates and timestamps, which is what bar columns
 * almost always are. Anything else (strings, decimals, dictionaries, nested) is left to the IPC path.
 */
function layoutOf(format: string): Layout | undefined {
  switch (format) {
    case 'tdD':
      return { type: new DateDay(), values: Int32Array };
    case 'tdm':
      return { type: new DateMillisecond(), values: BigInt64Array };
    case 'g':
      return { type: new Float64(), values: Float64Array };
    case 'f':
      return { type: new Float32(), values: Float32Array };
    case 'c':
      return { type: new Int8(), values: Int8Array };
    case 'C':
      return { type: new Uint8(), values: Uint8Array };
    case 's':
      return { type: new Int16(), values: Int16Array };
    case 'S':
      return { type: new Uint16(), values: Uint16Array };
    case 'i':
      return { type: new Int32(), values: Int32Array };
    case 'I':
      return { type: new Uint32(), values: Uint32Array };
    case 'l':
      return { type: new Int64(), values: BigInt64Array };
    case 'L':
      return { type: new Uint64(), values: BigUint64Array };
  }
  const timestamp = /^ts([smun]):(.*)$/.exec(format);
  if (!timestamp) return undefined;
  const unit = { s: TimeUnit.SECOND, m: TimeUnit.MILLISECOND, u: TimeUnit.MICROSECOND, n: TimeUnit.NANOSECOND }[
    timestamp[1] as 's' | 'm' | 'u' | 'n'
  ];
  return { type: new Timestamp(unit, timestamp[2] || null), values: BigInt64Array };
}

/**
 * Chunks of the named columns of one record batch (a struct array) exported by parquet-wasm, as
 * views into `memory`: valid until the exported table is freed, so decode them before that.
 * Undefined when any wanted column has a layout not read here, or a buffer is misaligned for its
 * type: the caller then takes the IPC path, which reads everything.
 */
export function batchColumns(
  memory: ArrayBuffer,
  arrayPtr: number,
  schemaPtr: number,
  wanted: ReadonlySet<string>,
): { rows: number; columns: Map<string, ColumnChunk> } | undefined {
  const view = new DataView(memory);
  const u32 = (at: number) => view.getUint32(at, true);
  const i64 = (at: number) => Number(view.getBigInt64(at, true));
  if (i64(arrayPtr + ARRAY.offset) !== 0) return undefined;
  const count = i64(schemaPtr + SCHEMA.nChildren);
  if (count !== i64(arrayPtr + ARRAY.nChildren)) return undefined;
  const columns = new Map<string, ColumnChunk>();
  for (let c = 0; c < count; c++) {
    const field = u32(u32(schemaPtr + SCHEMA.children) + 4 * c);
    const name = cString(memory, u32(field + SCHEMA.name));
    // A name seen twice is ambiguous here: the IPC path settles it as every other read does.
    if (!wanted.has(name)) continue;
    if (columns.has(name)) return undefined;
    const layout =
      u32(field + SCHEMA.dictionary) === 0 ? layoutOf(cString(memory, u32(field + SCHEMA.format))) : undefined;
    if (!layout) return undefined;
    const array = u32(u32(arrayPtr + ARRAY.children) + 4 * c);
    if (i64(array + ARRAY.nBuffers) !== 2) return undefined;
    const length = i64(array + ARRAY.length);
    const offset = i64(array + ARRAY.offset);
    const nullCount = i64(array + ARRAY.nullCount);
    const buffers = u32(array + ARRAY.buffers);
    const validity = u32(buffers);
    const width = layout.values.BYTES_PER_ELEMENT;
    const values = u32(buffers + 4) + offset * width;
    if (values % width !== 0) return undefined;
    columns.set(name, {
      type: layout.type,
      length,
      values: new layout.values(memory, values, length),
      // A null count of -1 means "not computed": the bitmap is then applied, as for any count but 0.
      nullCount: validity === 0 ? 0 : nullCount,
      nullBitmap: validity === 0 ? undefined : new Uint8Array(memory, validity, Math.ceil((offset + length) / 8)),
      offset,
    } as ColumnChunk);
  }
  return columns.size === wanted.size ? { rows: i64(arrayPtr + ARRAY.length), columns } : undefined;
}

const utf8 = new TextDecoder();

/** A NUL-terminated UTF-8 string; formats and most column names are short ASCII, built without a decoder call. */
function cString(memory: ArrayBuffer, at: number): string {
  const bytes = new Uint8Array(memory, at);
  let text = '';
  for (let i = 0; i < 64; i++) {
    const byte = bytes[i];
    if (byte === 0) return text;
    if (byte >= 0x80) break;
    text += String.fromCharCode(byte);
  }
  return utf8.decode(bytes.subarray(0, bytes.indexOf(0)));
}
