// Bar queries over a symbol's files: lazily, file by file in time order, so a page reads only the files it reaches.
import type { SymbolIndex } from '../catalog.js';
import { InvalidInputError } from '../errors.js';
import { resolveBarColumns } from '../parquet/bar-columns.js';
import { DAY_MS, newYorkDayStart } from '../calendar/new-york.js';
import { adjustTable } from './adjust.js';
import { checkEvery } from './interval.js';
import type { AdjustmentSchedule } from './adjust-factors.js';
import { planFiles, type DayRange, type PlannedFile } from './plan.js';
import type { BarFileReader, BarTable } from './reader.js';
import { Resampler, type BarBatch } from './resample.js';
import { regularRows, type BarSession } from './session.js';
import { isIntraday, type Timeframe } from './timeframe.js';

export interface BarQuery extends DayRange {
  timeframe: Timeframe;
  /** Timeframes per bar (checked by checkEvery); default 1. */
  every?: number;
  /** REGULAR keeps only regular-session rows of minute files (daily files are unchanged); default EXTENDED, every row. */
  session?: BarSession;
  /** Bucket start (UTC ms) of the last bar already served: only later buckets are produced. */
  after?: number;
  /** Factors applied to each file's rows before they are resampled (see loadAdjustment); absent = raw. */
  adjustment?: AdjustmentSchedule;
}

export interface StreamOptions {
  /** Bars per batch yielded. */
  batchSize?: number;
  /** Files decoded ahead of the one being folded, so decoding overlaps on the worker pool. */
  readAhead?: number;
}

export function checkRange(range: DayRange): void {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new InvalidInputError(`from (${iso(range.from)}) is after to (${iso(range.to)})`);
  }
}

/** The files a query needs, after the cursor. Exposed so the export can check them before it sends a byte. */
export function filesFor(index: SymbolIndex, query: BarQuery): PlannedFile[] {
  checkRange(query);
  checkEvery(query.timeframe, query.every ?? 1);
  const after = query.after ?? -Infinity;
  // A file whose span ends a day or more before the cursor's bucket holds nothing later than it.
  return planFiles(index, query.timeframe, query).filter((f) => f.end + DAY_MS > after);
}

/** Reads every planned file's footer and maps its columns: a file that cannot be read as bars fails here, early. */
export async function checkFiles(reader: BarFileReader, files: PlannedFile[]): Promise<void> {
  await Promise.all(files.map(async ({ file }) => resolveBarColumns(file.key, (await reader.footer(file)).footer)));
}

/** Bars in time order, in batches. Stop iterating early and no further file is read. */
export async function* streamBars(
  reader: BarFileReader,
  index: SymbolIndex,
  query: BarQuery,
  options: StreamOptions = {},
): AsyncGenerator<BarBatch> {
  const files = filesFor(index, query);
  const resampler = new Resampler(query.timeframe, options.batchSize ?? 8192, query.after, query.every ?? 1);
  // Small files are mostly fixed costs (a GET, a worker round trip), so several are kept in flight;
  // the window starts at one file and doubles as the consumer keeps reading, so a short page that
  // ends in its first file does not pay for decoding the next eight. Its cap is well above the
  // pool's size because a small file's GET waits on the store, not on a core: more reads in flight
  // keep the workers fed (4 per worker left the reads mostly serial with decoding; 16 gained no more than 8).
  const maxAhead = Math.max(1, options.readAhead ?? reader.pool.size * 8);
  let ahead = 1;
  const pending: Promise<BarTable>[] = [];
  const start = (i: number) => {
    const promise = readPlanned(reader, files[i], query);
    // Held for later; a failure surfaces when its turn comes, or not at all if iteration stops first.
    promise.catch(() => undefined);
    pending.push(promise);
  };
  let next = 0;
  for (let i = 0; i < files.length; i++) {
    while (next < files.length && next <= i + ahead) start(next++);
    const read = await pending.shift()!;
    const table = adjustTable(
      query.session === 'REGULAR' && files[i].file.dataset === 'minute' ? regularRows(read) : read,
      query.adjustment,
    );
    const [lo, hi] = rowsWithin(table, query);
    for (const batch of resampler.push(table, lo, hi)) yield batch;
    ahead = Math.min(maxAhead, ahead * 2);
  }
  const rest = resampler.finish();
  if (rest) yield rest;
}

/**
 * Reads a file, only the row groups whose time statistics overlap the query when the footer has
 * them. A file with none overlapping (a neighbour month read for its edge days, say) costs its
 * footer only.
 */
async function readPlanned(reader: BarFileReader, planned: PlannedFile, query: BarQuery): Promise<BarTable> {
  const { file } = planned;
  const info = await reader.info(file);
  const bounds = timeBounds(file.dataset, query);
  const groups: number[] = [];
  for (let g = 0; g < info.rowGroups.length; g++) {
    const { minTime, maxTime, numRows } = info.rowGroups[g];
    if (numRows === 0) continue;
    if (minTime === undefined || maxTime === undefined || (maxTime >= bounds.lo && minTime < bounds.hi)) groups.push(g);
  }
  if (groups.length === 0) return EMPTY;
  return reader.read(file, groups.length === info.rowGroups.length ? undefined : groups);
}

const EMPTY: BarTable = { rows: 0, time: new Float64Array(0), day: new Float64Array(0), values: {} };

/**
 * Raw time bounds `[lo, hi)` a row must fall in to matter, for pruning row groups by statistics:
 * daily rows are dates; minute rows are instants, filtered by their New York date.
 */
function timeBounds(dataset: 'daily' | 'minute', query: BarQuery): { lo: number; hi: number } {
  const from = query.from ?? -Infinity;
  const end = query.to === undefined ? Infinity : query.to + DAY_MS;
  // Rows dated before the cursor's bucket start belong to buckets already served.
  const after = query.after ?? -Infinity;
  if (dataset === 'daily') return { lo: Math.max(from, after), hi: end };
  const instant = (day: number) => (Number.isFinite(day) ? newYorkDayStart(day) : day);
  const lo = Math.max(instant(from), isIntraday(query.timeframe) ? after : instant(after));
  return { lo, hi: instant(end) };
}

/** Rows `[lo, hi)` whose trading day is within the range (days are sorted, as times are). */
function rowsWithin(table: BarTable, range: DayRange): [number, number] {
  const lo = range.from === undefined ? 0 : lowerBound(table.day, range.from);
  const hi = range.to === undefined ? table.rows : lowerBound(table.day, range.to + DAY_MS);
  return [lo, Math.max(lo, hi)];
}

/** Index of the first value ≥ target in ascending `values` (values.length when none). */
export function lowerBound(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function iso(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}
