// The market overview: each symbol's last daily bar at or before a date, with the previous close, read from the last row groups only.
import { DAY_MS } from '../calendar/new-york.js';
import { ROOTS, parseKey } from '../layout.js';
import { listAll } from '../store/helpers.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import type { BarFileReader, BarTable } from './reader.js';

export interface SnapshotRow {
  ticker: string;
  /** UTC midnight of the bar's trading date. */
  time: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number;
  volume: number | null;
  /** The close of the trading day before `time` in the lake, when there is one. */
  previousClose: number | null;
  change: number | null;
  changePercent: number | null;
}

/** Files read at once across symbols: enough to hide S3 latency, few enough to keep memory flat. */
export const SNAPSHOT_PARALLELISM = 16;

/** Every symbol's daily files by year, from one listing of the daily root. */
export async function dailyFilesBySymbol(store: ObjectStore): Promise<Map<string, Map<number, ObjectMeta>>> {
  const bySymbol = new Map<string, Map<number, ObjectMeta>>();
  for await (const object of listAll(store, { prefix: ROOTS.daily })) {
    const parsed = parseKey(object.key);
    if (parsed?.kind !== 'ticks' || parsed.resolution !== 'DAILY') continue;
    let years = bySymbol.get(parsed.symbol);
    if (!years) bySymbol.set(parsed.symbol, (years = new Map()));
    years.set(parsed.year, object);
  }
  return bySymbol;
}

/**
 * The last bar at or before `asOf` (UTC midnight of a date; undefined = the newest) and the close
 * before it. Years are tried newest first, and in each file the row groups newest first, skipping
 * those whose statistics start after `asOf`: for an ordinary daily file that is one footer read and
 * one row group read; a bar that is the first of its year costs the previous year's last group too.
 */
export async function snapshotOf(reader: BarFileReader, ticker: string, daily: Map<number, ObjectMeta>, asOf?: number): Promise<SnapshotRow | null> {
  const limit = asOf ?? Number.POSITIVE_INFINITY;
  const lastYear = asOf === undefined ? Number.POSITIVE_INFINITY : new Date(asOf).getUTCFullYear();
  const years = [...daily.keys()].filter((y) => y <= lastYear).sort((a, b) => b - a);
  /** Newest first: the bar we report, then the one before it. */
  const found: { table: BarTable; row: number }[] = [];
  for (const year of years) {
    const object = daily.get(year)!;
    const file = { key: object.key, size: object.size, etag: object.etag, lastModified: object.lastModified, dataset: 'daily' as const };
    const { rowGroups } = await reader.info(file);
    for (let g = rowGroups.length - 1; g >= 0 && found.length < 2; g--) {
      const { minTime, numRows } = rowGroups[g];
      if (numRows === 0 || (minTime !== undefined && dayOf(minTime) > limit)) continue;
      const table = await reader.read(file, [g]);
      for (let row = lastRowAtOrBefore(table, limit); row >= 0 && found.length < 2; row--) {
        // A duplicated date (some writers append twice) is one trading day, not a previous close.
        if (found.length === 1 && table.time[row] === found[0].table.time[found[0].row]) continue;
        if (table.values.close?.[row] !== undefined && !Number.isNaN(table.values.close[row])) found.push({ table, row });
      }
    }
    if (found.length === 2) break;
  }
  if (found.length === 0) return null;
  const [{ table, row }, before] = found;
  const value = (role: keyof BarTable['values']) => {
    const v = table.values[role]?.[row];
    return v === undefined || Number.isNaN(v) ? null : v;
  };
  const close = value('close')!;
  const previousClose = before ? before.table.values.close![before.row] : null;
  const change = previousClose === null ? null : close - previousClose;
  return {
    ticker, time: table.time[row], open: value('open'), high: value('high'), low: value('low'), close, volume: value('volume'),
    previousClose, change, changePercent: change === null || previousClose === 0 ? null : (change / previousClose!) * 100,
  };
}

function dayOf(time: number): number {
  return time - (((time % DAY_MS) + DAY_MS) % DAY_MS);
}

/** Index of the last row with time ≤ limit (rows are sorted by time), or -1. */
function lastRowAtOrBefore(table: BarTable, limit: number): number {
  let lo = 0;
  let hi = table.rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table.time[mid] <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
