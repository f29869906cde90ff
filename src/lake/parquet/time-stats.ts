// What a footer says without decoding a page: row count, column types, and the time range from min/max statistics.
import { COLUMN_NAMES } from './bar-columns.js';
import { parseIsoTime } from './decode-arrow.js';
import type { ColumnChunk, Footer, FooterColumn } from './footer.js';

export interface ParquetInfo {
  rowCount: number;
  columns: { name: string; type: string }[];
  /** The column read as time (first of COLUMN_NAMES.time present, any case), if any. */
  timeColumn?: string;
  /** Per row group: its rows and time range in UTC ms (undefined where the writer left no statistics). */
  rowGroups: { numRows: number; minTime?: number; maxTime?: number }[];
  /** Whole-file time range; undefined unless every non-empty row group has statistics. */
  minTime?: number;
  maxTime?: number;
}

const DAY_MS = 86_400_000;
const JULIAN_EPOCH_DAY = 2_440_588; // Julian day number of 1970-01-01, the INT96 day base

export function footerInfo(footer: Footer): ParquetInfo {
  const columns = footer.columns.map((c) => ({ name: c.name, type: c.type }));
  const index = timeColumnIndex(footer.columns);
  const column = index >= 0 ? footer.columns[index] : undefined;
  const rowGroups = footer.rowGroups.map((g) => {
    const chunk = column ? g.chunks[index] : undefined;
    return {
      numRows: g.numRows,
      minTime: chunk && statTime(column!, chunk.min),
      maxTime: chunk && statTime(column!, chunk.max),
    };
  });
  let minTime: number | undefined;
  let maxTime: number | undefined;
  let complete = column !== undefined;
  for (const g of rowGroups) {
    if (g.numRows === 0) continue;
    if (g.minTime === undefined || g.maxTime === undefined) complete = false;
    else {
      minTime = minTime === undefined ? g.minTime : Math.min(minTime, g.minTime);
      maxTime = maxTime === undefined ? g.maxTime : Math.max(maxTime, g.maxTime);
    }
  }
  return {
    rowCount: footer.numRows,
    columns,
    timeColumn: column?.name,
    rowGroups,
    minTime: complete ? minTime : undefined,
    maxTime: complete ? maxTime : undefined,
  };
}

export function timeColumnIndex(columns: FooterColumn[]): number {
  for (const name of COLUMN_NAMES.time) {
    const i = columns.findIndex((c) => c.depth === 1 && c.name.toLowerCase() === name);
    if (i >= 0) return i;
  }
  return -1;
}

/** A statistics value of the time column as UTC ms, in the column's physical encoding; undefined if unknown. */
function statTime(column: FooterColumn, bytes: ColumnChunk['min']): number | undefined {
  if (!bytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { physical, logical } = column;
  if (physical === 'INT32' && logical.kind === 'date' && bytes.byteLength === 4) return view.getInt32(0, true) * DAY_MS;
  if (physical === 'INT64' && logical.kind === 'timestamp' && bytes.byteLength === 8) {
    const v = view.getBigInt64(0, true);
    const divisor = logical.unit === 'MILLIS' ? 1n : logical.unit === 'MICROS' ? 1_000n : 1_000_000n;
    // Floor division, as the decoder does: a time just before the epoch stays on its own millisecond.
    const q = v / divisor;
    return Number(v % divisor < 0n ? q - 1n : q);
  }
  if (physical === 'INT96' && bytes.byteLength === 12) {
    const nanos = view.getBigInt64(0, true);
    const day = view.getInt32(8, true);
    return (day - JULIAN_EPOCH_DAY) * DAY_MS + Number(nanos / 1_000_000n);
  }
  if (physical === 'BYTE_ARRAY') {
    const t = parseIsoTime(new TextDecoder().decode(bytes));
    // Statistics of strings may be truncated prefixes (parquet-mr cuts long values): only trust full parses.
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
