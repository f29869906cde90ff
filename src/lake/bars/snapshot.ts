// The market overview: each symbol's last daily bar at or before a date, with the previous close, read from the last row groups only.
import { readActionsFile } from '../actions/store.js';
import { DAY_MS } from '../calendar/new-york.js';
import { ROOTS, parseKey } from '../layout.js';
import type { CatalogIndex } from '../catalog-index/catalog-index.js';
import { listAll } from '../store/helpers.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import { lowerBound } from './query.js';
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
  /**
   * The close of the trading day before `time` in the lake, divided by the ratio of any split whose
   * ex-date is `time` (as exchanges quote the reference price), so a split is not a -90 % day.
   */
  previousClose: number | null;
  change: number | null;
  changePercent: number | null;
}

/** Files read at once across symbols: enough to hide S3 latency, few enough to keep memory flat. */
export const SNAPSHOT_PARALLELISM = 16;

export interface SnapshotFiles {
  daily: Map<number, ObjectMeta>;
  corporateActions: Map<number, ObjectMeta>;
}

/**
 * Every symbol's daily files and corporate-actions documents by year: from the catalog index when it
 * is on (no request once fresh), else from one listing of each root.
 */
export async function snapshotFilesBySymbol(
  store: ObjectStore,
  catalog?: CatalogIndex,
): Promise<Map<string, SnapshotFiles>> {
  const bySymbol = new Map<string, SnapshotFiles>();
  if (catalog?.enabled) {
    const index = await catalog.current();
    const daily = index.datasets.findIndex((d) => d.name === 'daily');
    const actions = index.datasets.findIndex((d) => d.name === 'corporateActions');
    for (let after: string | undefined, more = true; more; ) {
      const page = index.page({ first: 10_000, after });
      for (const ticker of page.tickers) {
        const files: SnapshotFiles = { daily: new Map(), corporateActions: new Map() };
        for (const f of index.files(ticker, daily)) files.daily.set(f.year, f.meta);
        if (actions >= 0) for (const f of index.files(ticker, actions)) files.corporateActions.set(f.year, f.meta);
        if (files.daily.size > 0) bySymbol.set(ticker, files);
      }
      more = page.hasNextPage;
      after = page.tickers.at(-1);
    }
    return bySymbol;
  }
  const entry = (symbol: string) => {
    let files = bySymbol.get(symbol);
    if (!files) bySymbol.set(symbol, (files = { daily: new Map(), corporateActions: new Map() }));
    return files;
  };
  await Promise.all(
    [ROOTS.daily, ROOTS.corporateActions].map(async (root) => {
      for await (const object of listAll(store, { prefix: root })) {
        const parsed = parseKey(object.key);
        if (parsed?.kind === 'ticks' && parsed.resolution === 'DAILY')
          entry(parsed.symbol).daily.set(parsed.year, object);
        else if (parsed?.kind === 'corporate-actions') entry(parsed.symbol).corporateActions.set(parsed.year, object);
      }
    }),
  );
  for (const [symbol, files] of bySymbol) if (files.daily.size === 0) bySymbol.delete(symbol);
  return bySymbol;
}

/**
 * The last bar at or before `asOf` (UTC midnight of a date; undefined = the newest) and the close
 * before it. Years are tried newest first, and in each file the row groups newest first, skipping
 * those whose statistics start after `asOf`: for an ordinary daily file that is one footer read and
 * one row group read; a bar that is the first of its year costs the previous year's last group too.
 */
export async function snapshotOf(
  reader: BarFileReader,
  ticker: string,
  files: SnapshotFiles,
  asOf?: number,
): Promise<SnapshotRow | null> {
  const { daily } = files;
  const limit = asOf ?? Number.POSITIVE_INFINITY;
  const lastYear = asOf === undefined ? Number.POSITIVE_INFINITY : new Date(asOf).getUTCFullYear();
  const years = [...daily.keys()].filter((y) => y <= lastYear).sort((a, b) => b - a);
  /** Newest first: the bar we report, then the one before it. */
  const found: { table: BarTable; row: number }[] = [];
  for (const year of years) {
    const object = daily.get(year)!;
    const file = {
      key: object.key,
      size: object.size,
      etag: object.etag,
      lastModified: object.lastModified,
      dataset: 'daily' as const,
    };
    const { rowGroups } = await reader.info(file);
    for (let g = rowGroups.length - 1; g >= 0 && found.length < 2; g--) {
      const { minTime, numRows } = rowGroups[g];
      if (numRows === 0 || (minTime !== undefined && dayOf(minTime) > limit)) continue;
      const table = await reader.read(file, [g]);
      // Times are whole milliseconds: the last row ≤ limit is the one before the first ≥ limit + 1.
      for (let row = lowerBound(table.time, limit + 1) - 1; row >= 0 && found.length < 2; row--) {
        // A duplicated date (some writers append twice) is one trading day, not a previous close.
        if (found.length === 1 && table.time[row] === found[0].table.time[found[0].row]) continue;
        if (table.values.close?.[row] !== undefined && !Number.isNaN(table.values.close[row]))
          found.push({ table, row });
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
  const time = table.time[row];
  const previousClose = before
    ? before.table.values.close![before.row] / (await splitRatioOn(reader.store, ticker, files, time))
    : null;
  const change = previousClose === null ? null : close - previousClose;
  return {
    ticker,
    time,
    open: value('open'),
    high: value('high'),
    low: value('low'),
    close,
    volume: value('volume'),
    previousClose,
    change,
    changePercent: change === null || previousClose === 0 ? null : (change / previousClose!) * 100,
  };
}

/** The product of to/from of the splits whose ex-date is `day` (1 when none): one document read, only for symbols that have one that year. */
async function splitRatioOn(store: ObjectStore, ticker: string, files: SnapshotFiles, day: number): Promise<number> {
  const document = files.corporateActions.get(new Date(day).getUTCFullYear());
  if (!document) return 1;
  const { splits } = await readActionsFile(store, document, ticker);
  return splits.filter((s) => s.exDate === day).reduce((ratio, s) => ratio * (s.to / s.from), 1);
}

function dayOf(time: number): number {
  return time - (((time % DAY_MS) + DAY_MS) % DAY_MS);
}
