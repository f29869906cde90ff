// Fills an empty lake with the deterministic demo data set (daily bars, minute bars, fundamentals, corporate actions), a few bounded-parallel puts at a time.
import type { BarRow } from '../bars/types.js';
import { CancelledError, isLakeError } from '../errors.js';
import {
  JSON_CONTENT_TYPE,
  PARQUET_CONTENT_TYPE,
  corporateActionsKey,
  corporateActionsMetadata,
  dailyTicksKey,
  fundamentalsKey,
  fundamentalsMetadata,
  minuteTicksKey,
  normalizeTicker,
  ticksMetadata,
} from '../layout.js';
import { forEachBounded } from '../parallel.js';
import { writeBarsParquet } from '../parquet/write.js';
import { actionsDocument } from '../actions/parse.js';
import { demoCorporateActions, rawBars } from './corporate-actions.js';
import type { ObjectStore } from '../store/types.js';
import { REFERENCE_KEY } from '../reference.js';
import { demoFundamentals, fundamentalsJson, quarterEnd } from './fundamentals.js';
import { minuteBarsForDay } from './minute.js';
import { DEMO_SEED } from './prng.js';
import { dailyBars } from './random-walk.js';
import { DEMO_TICKERS, demoTicker } from './tickers.js';
import { demoReferenceJson } from './reference.js';

/** Written first as "writing" and rewritten as "complete" last, so a crashed run is finished by the next one. */
export const DEMO_MARKER_KEY = 'lakeql-demo.json';
export const DEMO_YEARS: readonly number[] = [2021, 2022, 2023, 2024, 2025];
export const DEMO_MINUTE_SYMBOLS: readonly string[] = ['AAPL', 'MSFT', 'SPY'];
/** Puts in flight; each holds at most one generated object (≤ ~300 KB), so memory stays small. */
export const DEFAULT_DEMO_CONCURRENCY = 16;

export interface DemoLakeProgress {
  done: number;
  total: number;
  key: string;
  bytes: number;
}

export interface DemoLakeOptions {
  /** Years of daily bars and fundamentals (default 2021–2025). */
  years?: number[];
  /** Symbols (default: the 39 of DEMO_TICKERS); unknown ones get stable made-up parameters. */
  tickers?: string[];
  /** Symbols with minute bars (default AAPL, MSFT, SPY). */
  minuteSymbols?: string[];
  /** Months of minute bars, ending with December of the last year (default 3). */
  minuteMonths?: number;
  seed?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DemoLakeProgress) => void;
}

export interface DemoLakeReport {
  /** Objects written, the marker included. */
  objects: number;
  /** Their total size, the marker included. */
  bytes: number;
  ms: number;
}

export interface DemoObject {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  body: () => Uint8Array | string;
}

/**
 * Writes the demo lake into `store` unless it already holds one (complete marker) or holds any
 * other data under `data/`: a real lake is never touched. Returns what was written, or
 * undefined when nothing was. The same options always produce byte-identical objects.
 */
export async function ensureDemoLake(
  store: ObjectStore,
  options: DemoLakeOptions = {},
): Promise<DemoLakeReport | undefined> {
  const started = performance.now();
  const marker = await readMarker(store);
  if (marker?.status === 'complete') return undefined;
  if (!marker) {
    const page = await store.list({ prefix: 'data/', maxKeys: 1 });
    if (page.objects.length > 0) return undefined;
  }
  const { description, tasks } = planDemoLake(options);
  const putMarker = async (status: 'writing' | 'complete') => {
    const body = JSON.stringify({ ...description, status }, null, 2);
    await store.put(DEMO_MARKER_KEY, body, { contentType: JSON_CONTENT_TYPE, signal: options.signal });
    return Buffer.byteLength(body);
  };
  await putMarker('writing');
  const bytes = await putAll(store, tasks, options);
  const markerBytes = await putMarker('complete');
  return { objects: tasks.length + 1, bytes: bytes + markerBytes, ms: Math.round(performance.now() - started) };
}

/** Every object of the demo lake as a key, its headers and a body made on demand (cheap: nothing is generated until asked). */
export function planDemoLake(options: Omit<DemoLakeOptions, 'concurrency' | 'signal' | 'onProgress'> = {}): {
  description: Record<string, unknown>;
  tasks: DemoObject[];
} {
  const seed = options.seed ?? DEMO_SEED;
  const years = [...new Set(options.years ?? DEMO_YEARS)].sort((a, b) => a - b);
  const tickers = [...new Set((options.tickers ?? DEMO_TICKERS.map((t) => t.symbol)).map(normalizeTicker))];
  const minuteSymbols = [...new Set((options.minuteSymbols ?? DEMO_MINUTE_SYMBOLS).map(normalizeTicker))];
  const months = minuteMonthsOf(years, options.minuteMonths ?? 3);
  const description = {
    generator: 'lakeql-demo',
    version: 2,
    seed,
    years,
    tickers,
    minuteSymbols,
    minuteMonths: months.map(([y, m]) => `${y}-${pad(m)}`),
  };

  const yearBars = barsCache(seed, [...years, ...months.map(([y]) => y)]);
  const tasks: DemoObject[] = [];
  for (const symbol of tickers) {
    for (const year of years) {
      tasks.push({
        key: dailyTicksKey(symbol, year),
        contentType: PARQUET_CONTENT_TYPE,
        metadata: ticksMetadata('DAILY', symbol, year),
        body: () => writeBarsParquet(yearBars(symbol, year), { resolution: 'DAILY' }),
      });
    }
  }
  for (const symbol of minuteSymbols) {
    for (const [year, month] of months) {
      tasks.push({
        key: minuteTicksKey(symbol, year, month),
        contentType: PARQUET_CONTENT_TYPE,
        metadata: ticksMetadata('MINUTE', symbol, year, month),
        body: () =>
          writeBarsParquet(minuteBarsForMonth(symbol, yearBars(symbol, year), month, seed), { resolution: 'MINUTE' }),
      });
    }
  }
  for (const symbol of tickers) {
    if (demoTicker(symbol).etf) continue;
    for (const year of years) {
      for (const quarter of [1, 2, 3, 4]) {
        tasks.push({
          key: fundamentalsKey(symbol, year, quarter),
          contentType: JSON_CONTENT_TYPE,
          metadata: fundamentalsMetadata(symbol, year, quarter),
          body: () =>
            fundamentalsJson(
              demoFundamentals(
                demoTicker(symbol),
                year,
                quarter,
                closeAtOrBefore(yearBars(symbol, year), quarterEnd(year, quarter)),
                seed,
              ),
            ),
        });
      }
    }
  }

  for (const symbol of tickers) {
    for (const year of years) {
      const actions = demoCorporateActions(symbol, year, seed);
      if (actions.splits.length + actions.dividends.length === 0) continue;
      tasks.push({
        key: corporateActionsKey(symbol, year),
        contentType: JSON_CONTENT_TYPE,
        metadata: corporateActionsMetadata(symbol, year),
        body: () => JSON.stringify(actionsDocument(symbol, year, actions), null, 2),
      });
    }
  }
  // Names for search and the console: what a data team would add from its security master.
  tasks.push({
    key: REFERENCE_KEY,
    contentType: JSON_CONTENT_TYPE,
    metadata: { 'data-type': 'reference' },
    body: () => demoReferenceJson(tickers),
  });

  return { description, tasks };
}

/** At most `concurrency` bodies exist at once: each is made when its put starts. The first failure stops the rest. */
async function putAll(store: ObjectStore, tasks: DemoObject[], options: DemoLakeOptions): Promise<number> {
  const { signal, onProgress } = options;
  let done = 0;
  let bytes = 0;
  await forEachBounded(tasks, options.concurrency ?? DEFAULT_DEMO_CONCURRENCY, async (task) => {
    if (signal?.aborted) throw new CancelledError('demo lake creation was cancelled');
    const body = task.body();
    await store.put(task.key, body, { contentType: task.contentType, metadata: task.metadata, signal });
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    bytes += size;
    done++;
    onProgress?.({ done, total: tasks.length, key: task.key, bytes: size });
  });
  return bytes;
}

async function readMarker(store: ObjectStore): Promise<{ status?: string } | undefined> {
  let result;
  try {
    result = await store.get(DEMO_MARKER_KEY);
  } catch (error) {
    if (isLakeError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of result.body) chunks.push(Buffer.from(chunk as Uint8Array));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string };
  } catch {
    // Unreadable marker: treat the run as unfinished and rewrite everything (the bytes are deterministic).
    return { status: 'writing' };
  }
}

/** The last `count` calendar months ending with December of the last demo year, as [year, month]. */
function minuteMonthsOf(years: number[], count: number): [number, number][] {
  if (years.length === 0 || count <= 0) return [];
  const last = years[years.length - 1];
  const months: [number, number][] = [];
  for (let i = count - 1; i >= 0; i--) {
    const index = last * 12 + 11 - i;
    months.push([Math.floor(index / 12), (index % 12) + 1]);
  }
  return months;
}

function minuteBarsForMonth(symbol: string, daily: BarRow[], month: number, seed: number): BarRow[] {
  const bars: BarRow[] = [];
  for (const day of daily)
    if (new Date(day.time).getUTCMonth() + 1 === month) bars.push(...minuteBarsForDay(symbol, day, seed));
  return bars;
}

function closeAtOrBefore(bars: BarRow[], date: string): number {
  const limit = Date.parse(`${date}T00:00:00Z`);
  let close = bars[0].close;
  for (const bar of bars) if (bar.time <= limit) close = bar.close;
  return close;
}

/**
 * Each symbol's walk is generated once over the whole span and split by year: generating year by
 * year would re-walk from the anchor every time. The walk is split-adjusted; the files hold raw
 * prices, as a vendor's unadjusted bars do.
 */
function barsCache(seed: number, years: number[]): (symbol: string, year: number) => BarRow[] {
  const first = Math.min(...years);
  const last = Math.max(...years);
  const cache = new Map<string, Map<number, BarRow[]>>();
  return (symbol, year) => {
    let byYear = cache.get(symbol);
    if (!byYear) {
      byYear = new Map(Array.from({ length: last - first + 1 }, (_, i) => [first + i, [] as BarRow[]]));
      for (const bar of rawBars(symbol, dailyBars(demoTicker(symbol), `${first}-01-01`, `${last}-12-31`, seed))) {
        byYear.get(new Date(bar.time).getUTCFullYear())!.push(bar);
      }
      cache.set(symbol, byYear);
    }
    return byYear.get(year) ?? [];
  };
}

function pad(month: number): string {
  return String(month).padStart(2, '0');
}
