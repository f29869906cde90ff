// Turns the Arrow columns parquet-wasm decodes into plain Float64Arrays: UTC ms for time, numbers (NaN = null) for values.
import {
  DateUnit,
  makeVector,
  TimeUnit,
  Type,
  type Data,
  type Decimal,
  type Table,
  type Timestamp,
  type Vector,
} from 'apache-arrow';
import type { ValueRole } from './bar-columns.js';

/** One file's bars, column-wise. `time` has no gaps (rows without a time are dropped); a value of NaN is a null. */
export interface DecodedBars {
  rows: number;
  time: Float64Array;
  values: Partial<Record<ValueRole, Float64Array>>;
}

/** Some of a file's columns, row-aligned with the other parts decoded from the same row groups. */
export interface DecodedColumns {
  rows: number;
  time?: Float64Array;
  values: Partial<Record<ValueRole, Float64Array>>;
}

export class DecodeError extends Error {}

const DAY_MS = 86_400_000;
const TWO_32 = 4_294_967_296;

/**
 * The parts of an Arrow column chunk the decoders read: an arrow-js Data, or a view of one in
 * parquet-wasm's memory (wasm-columns.ts) with `values` starting at the chunk's first row and
 * `offset` applying to the validity bitmap only.
 */
export type ColumnChunk = Pick<Data, 'type' | 'length' | 'values' | 'nullCount' | 'nullBitmap' | 'offset'>;

type ColumnNames = { time?: string; values: Partial<Record<ValueRole, string>> };

/** `names` maps roles to the table's column names (as resolveBarColumns found them); `time` only in the part that has it. */
export function decodeColumns(table: Table, names: ColumnNames): DecodedColumns {
  return decodeChunks(table.numRows, (name) => table.getChild(name)?.data, names);
}

/** The same from any source of column chunks: `chunksOf(name)` gives a column's chunks in row order, undefined if absent. */
export function decodeChunks(
  n: number,
  chunksOf: (name: string) => readonly ColumnChunk[] | undefined,
  names: ColumnNames,
): DecodedColumns {
  // One buffer for all the columns: fewer buffers to allocate, transfer and collect than one each.
  const block = new Float64Array(n * ((names.time === undefined ? 0 : 1) + Object.keys(names.values).length));
  let used = 0;
  const column = () => block.subarray(n * used, n * ++used);
  let time: Float64Array | undefined;
  if (names.time !== undefined) {
    const chunks = chunksOf(names.time);
    if (!chunks) throw new DecodeError(`column "${names.time}" was not decoded`);
    time = column();
    let offset = 0;
    for (const data of chunks) {
      decodeTime(data, time, offset, names.time);
      offset += data.length;
    }
  }
  const values: DecodedColumns['values'] = {};
  for (const [role, name] of Object.entries(names.values) as [ValueRole, string][]) {
    const chunks = chunksOf(name);
    if (!chunks) throw new DecodeError(`column "${name}" was not decoded`);
    const out = column();
    let at = 0;
    for (const data of chunks) {
      decodeNumber(data, out, at, name);
      at += data.length;
    }
    values[role] = out;
  }
  return { rows: n, time, values };
}

/**
 * Joins column parts of the same rows into bars. Rows without a time cannot be placed on the time
 * axis: they are dropped rather than given an invented one.
 */
export function mergeColumns(parts: DecodedColumns[]): DecodedBars {
  const rows = parts[0]?.rows ?? 0;
  let time = parts.find((p) => p.time)?.time;
  if (!time) throw new DecodeError('no part holds the time column');
  let values: DecodedBars['values'] = {};
  for (const part of parts) {
    if (part.rows !== rows) throw new DecodeError(`column parts disagree on the row count (${part.rows} vs ${rows})`);
    Object.assign(values, part.values);
  }
  let kept = 0;
  for (let i = 0; i < rows; i++) if (!Number.isNaN(time[i])) kept++;
  if (kept < rows) {
    const t = time;
    const keep = (column: Float64Array) => column.filter((_, i) => !Number.isNaN(t[i]));
    values = Object.fromEntries(Object.entries(values).map(([role, column]) => [role, keep(column!)]));
    time = keep(time);
  }
  return { rows: kept, time, values };
}

/** All of a table's bar columns at once (one part). */
export function decodeBars(
  table: Table,
  names: { time: string; values: Partial<Record<ValueRole, string>> },
): DecodedBars {
  return mergeColumns([decodeColumns(table, names)]);
}

function decodeTime(data: ColumnChunk, out: Float64Array, at: number, name: string): void {
  const type = data.type;
  const n = data.length;
  switch (type.typeId) {
    case Type.Date: {
      if ((type as unknown as { unit: DateUnit }).unit === DateUnit.DAY) {
        const days = data.values as Int32Array;
        for (let i = 0; i < n; i++) out[at + i] = days[i] * DAY_MS;
      } else int64(data.values, n, out, at, 1, 1);
      break;
    }
    case Type.Timestamp: {
      const unit = (type as Timestamp).unit;
      if (unit === TimeUnit.SECOND) int64(data.values, n, out, at, 1, 1000);
      else if (unit === TimeUnit.MILLISECOND) int64(data.values, n, out, at, 1, 1);
      else int64(data.values, n, out, at, unit === TimeUnit.MICROSECOND ? 1_000 : 1_000_000, 1);
      break;
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
    case Type.Binary:
    case Type.LargeBinary:
    case Type.Dictionary: {
      // Vector.get knows every string, view and dictionary layout: no need to reimplement them for a rare encoding.
      const vector: Vector = makeVector(data as Data);
      for (let i = 0; i < n; i++) {
        const raw = vector.get(i);
        if (raw === null || raw === undefined) {
          out[at + i] = NaN;
          continue;
        }
        const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array);
        const ms = parseIsoTime(text);
        if (Number.isNaN(ms))
          throw new DecodeError(`row ${at + i}: ${name} "${text.slice(0, 40)}" is not an ISO-8601 date or time`);
        out[at + i] = ms;
      }
      return; // nulls already handled
    }
    default:
      throw new DecodeError(
        `time column "${name}" decoded as ${String(type)}, which is not a date, timestamp or string`,
      );
  }
  applyNulls(data, out, at);
}

function decodeNumber(data: ColumnChunk, out: Float64Array, at: number, name: string): void {
  const type = data.type;
  const n = data.length;
  switch (type.typeId) {
    case Type.Float:
      if (data.values instanceof Uint16Array)
        throw new DecodeError(`column "${name}" is a half-precision float, which lakeql does not read`);
      out.set(data.values as Float32Array | Float64Array, at);
      // ±Infinity is no price or volume, and neither JSON nor GraphQL's Float can carry it: read it as null.
      for (let i = at; i < at + n; i++) if (out[i] === Infinity || out[i] === -Infinity) out[i] = NaN;
      break;
    case Type.Int:
      if (data.values instanceof BigInt64Array || data.values instanceof BigUint64Array)
        int64(data.values, n, out, at, 1, 1, !(type as unknown as { isSigned: boolean }).isSigned, name);
      else out.set(data.values as Int32Array, at);
      break;
    case Type.Decimal:
      decimal(data, out, at, name);
      break;
    default:
      throw new DecodeError(`column "${name}" decoded as ${String(type)}, which is not a number`);
  }
  applyNulls(data, out, at);
}

/**
 * Int64 to Number without BigInt arithmetic: each value is read as two 32-bit words and divided
 * by `divisor` (1, 1e3, 1e6 to reach ms) with exact integer steps, flooring toward −∞ as a time
 * unit change must. Values beyond 2^53 after division cannot be held exactly and are an error.
 */
function int64(
  values: ArrayLike<unknown> & { buffer: ArrayBufferLike; byteOffset: number },
  n: number,
  out: Float64Array,
  at: number,
  divisor: number,
  multiplier: number,
  unsigned = false,
  name = 'time',
): void {
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i] >>> 0;
    const hi = unsigned ? words[2 * i + 1] >>> 0 : words[2 * i + 1];
    let v: number;
    if (divisor === 1) v = hi * TWO_32 + lo;
    else {
      // (hi·2^32 + lo) / d = q·2^32 + (r·2^32 + lo) / d with hi = q·d + r; the second term stays below 2^53.
      const q = Math.floor(hi / divisor);
      const t = (hi - q * divisor) * TWO_32 + lo;
      v = q * TWO_32 + (t - (t % divisor)) / divisor;
    }
    v *= multiplier;
    if (!Number.isSafeInteger(v))
      throw new DecodeError(`row ${at + i}: ${name} value is beyond ±2^53 and cannot be represented exactly`);
    out[at + i] = v;
  }
}

/** 128/256-bit two's-complement decimals: exact when the unscaled value fits 2^53, BigInt otherwise. */
function decimal(data: ColumnChunk, out: Float64Array, at: number, name: string): void {
  const { scale, bitWidth } = data.type as Decimal;
  const words = data.values as Uint32Array;
  const stride = bitWidth / 32;
  const pow = 10 ** scale;
  for (let i = 0; i < data.length; i++) {
    const base = i * stride;
    const lo = words[base];
    const hi = words[base + 1];
    let upperZero = true;
    let upperOnes = true;
    for (let w = 2; w < stride; w++) {
      if (words[base + w] !== 0) upperZero = false;
      if (words[base + w] !== 0xffffffff) upperOnes = false;
    }
    let unscaled: number;
    if (upperZero && hi < 0x200000) unscaled = hi * TWO_32 + lo;
    else if (upperOnes && hi >= 0xffe00000) unscaled = (hi - TWO_32) * TWO_32 + lo;
    else {
      let big = 0n;
      for (let w = stride - 1; w >= 0; w--) big = (big << 32n) | BigInt(words[base + w]);
      if (words[base + stride - 1] >= 0x80000000) big -= 1n << BigInt(bitWidth);
      const value = Number(big) / pow;
      if (!Number.isFinite(value)) throw new DecodeError(`row ${at + i}: ${name} decimal is out of range`);
      out[at + i] = value;
      continue;
    }
    out[at + i] = scale === 0 ? unscaled : unscaled / pow;
  }
}

function applyNulls(data: ColumnChunk, out: Float64Array, at: number): void {
  if (!data.nullCount || !data.nullBitmap) return;
  const bitmap = data.nullBitmap;
  const start = data.offset;
  for (let i = 0; i < data.length; i++) {
    const bit = start + i;
    if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) out[at + i] = NaN;
  }
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i;

/**
 * `YYYY-MM-DD`, optionally with `THH:MM[:SS[.fff…]]` and a zone (`Z`, `±HH:MM`, `±HHMM`, `UTC`).
 * A time without a zone is read as UTC, as the lake's layout stores times; sub-millisecond digits
 * are dropped. NaN for anything else.
 */
export function parseIsoTime(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Number(`${frac}000`.slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(t);
  if (
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 60
  )
    return NaN;
  const z = zone.toUpperCase();
  if (z !== 'Z' && z !== 'UTC') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}
