// The lake's key layout as pure functions with inverse parsers: the only place that knows where things live.
import { InvalidKeyError } from './errors.js';

export type Resolution = 'DAILY' | 'MINUTE';

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

/**
 * Tickers as exchanges and data vendors spell them: 1–10 upper-case letters or digits starting
 * with a letter, optionally one class suffix after "." or "-" (BRK.B, BF-B).
 */
const TICKER = /^[A-Z][A-Z0-9]{0,9}(?:[.-][A-Z0-9]{1,5})?$/;

export const ROOTS = {
  daily: 'data/ticks/daily/',
  minute: 'data/ticks/minute/',
  fundamental: 'data/fundamental/',
  corporateActions: 'data/corporate-actions/',
} as const;
export type Dataset = keyof typeof ROOTS;
export const DATASETS = Object.keys(ROOTS) as Dataset[];

/** Upper-cases and checks a ticker; throws InvalidKeyError naming what is wrong. */
export function normalizeTicker(input: string): string {
  const ticker = input.trim().toUpperCase();
  if (!TICKER.test(ticker)) {
    throw new InvalidKeyError(
      `"${truncate(input)}" is not a ticker: expected 1–10 letters or digits starting with a letter, optionally a class suffix like BRK.B or BF-B`,
    );
  }
  return ticker;
}

export function isTicker(input: string): boolean {
  return TICKER.test(input);
}

export function assertYear(year: number): number {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidKeyError(`year ${year} is out of range: expected a whole year from ${MIN_YEAR} to ${MAX_YEAR}`);
  }
  return year;
}

export function assertQuarter(quarter: number): number {
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)
    throw new InvalidKeyError(`quarter ${quarter} is out of range: expected 1 to 4`);
  return quarter;
}

export function assertMonth(month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new InvalidKeyError(`month ${month} is out of range: expected 1 to 12`);
  return month;
}

export function dailyTicksKey(symbol: string, year: number): string {
  return `${ROOTS.daily}${normalizeTicker(symbol)}/${assertYear(year)}/ticks.parquet`;
}

export function minuteTicksKey(symbol: string, year: number, month: number): string {
  return `${ROOTS.minute}${normalizeTicker(symbol)}/${assertYear(year)}/${String(assertMonth(month)).padStart(2, '0')}/ticks.parquet`;
}

export function ticksKey(resolution: Resolution, symbol: string, year: number, month?: number): string {
  if (resolution === 'DAILY') return dailyTicksKey(symbol, year);
  if (month === undefined) throw new InvalidKeyError('minute tick files are per month: a month is required');
  return minuteTicksKey(symbol, year, month);
}

export function fundamentalsKey(symbol: string, year: number, quarter: number): string {
  return `${ROOTS.fundamental}${normalizeTicker(symbol)}/${assertYear(year)}/Q${assertQuarter(quarter)}.json`;
}

/** One year of a symbol's splits and cash dividends: `data/corporate-actions/NVDA/2024/actions.json`. */
export function corporateActionsKey(symbol: string, year: number): string {
  return `${ROOTS.corporateActions}${normalizeTicker(symbol)}/${assertYear(year)}/actions.json`;
}

/** The prefix holding every object of one symbol in one dataset: `data/ticks/daily/AAPL/`. */
export function symbolPrefix(dataset: Dataset, symbol: string): string {
  return `${ROOTS[dataset]}${normalizeTicker(symbol)}/`;
}

export type ParsedKey =
  | { kind: 'ticks'; resolution: 'DAILY'; symbol: string; year: number }
  | { kind: 'ticks'; resolution: 'MINUTE'; symbol: string; year: number; month: number }
  | { kind: 'fundamentals'; symbol: string; year: number; quarter: number }
  | { kind: 'corporate-actions'; symbol: string; year: number };

const DAILY_KEY = /^data\/ticks\/daily\/([^/]+)\/(\d{4})\/ticks\.parquet$/;
const MINUTE_KEY = /^data\/ticks\/minute\/([^/]+)\/(\d{4})\/(\d{2})\/ticks\.parquet$/;
const FUNDAMENTAL_KEY = /^data\/fundamental\/([^/]+)\/(\d{4})\/Q([1-4])\.json$/;
const ACTIONS_KEY = /^data\/corporate-actions\/([^/]+)\/(\d{4})\/actions\.json$/;

/** The inverse of the key builders: null for any key outside the layout (other writers leave all sorts). */
export function parseKey(key: string): ParsedKey | null {
  let m = DAILY_KEY.exec(key);
  if (m)
    return validYear(m[2]) && isTicker(m[1])
      ? { kind: 'ticks', resolution: 'DAILY', symbol: m[1], year: Number(m[2]) }
      : null;
  m = MINUTE_KEY.exec(key);
  if (m) {
    const month = Number(m[3]);
    return validYear(m[2]) && isTicker(m[1]) && month >= 1 && month <= 12
      ? { kind: 'ticks', resolution: 'MINUTE', symbol: m[1], year: Number(m[2]), month }
      : null;
  }
  m = FUNDAMENTAL_KEY.exec(key);
  if (m)
    return validYear(m[2]) && isTicker(m[1])
      ? { kind: 'fundamentals', symbol: m[1], year: Number(m[2]), quarter: Number(m[3]) }
      : null;
  m = ACTIONS_KEY.exec(key);
  if (m)
    return validYear(m[2]) && isTicker(m[1]) ? { kind: 'corporate-actions', symbol: m[1], year: Number(m[2]) } : null;
  return null;
}

/** The symbol of a dataset-level common prefix (`data/ticks/daily/AAPL/` → AAPL), or null. */
export function parseSymbolPrefix(dataset: Dataset, prefix: string): string | null {
  const root = ROOTS[dataset];
  if (!prefix.startsWith(root) || !prefix.endsWith('/')) return null;
  const symbol = prefix.slice(root.length, -1);
  return isTicker(symbol) ? symbol : null;
}

/** Object metadata as the seed's writers set it (`symbol`, `year`, `data-type`). */
export function ticksMetadata(
  resolution: Resolution,
  symbol: string,
  year: number,
  month?: number,
): Record<string, string> {
  const metadata: Record<string, string> = {
    symbol: normalizeTicker(symbol),
    year: String(assertYear(year)),
    'data-type': resolution === 'DAILY' ? 'daily-ticks' : 'minute-ticks',
  };
  if (month !== undefined) metadata.month = String(assertMonth(month));
  return metadata;
}

export function fundamentalsMetadata(symbol: string, year: number, quarter: number): Record<string, string> {
  return {
    symbol: normalizeTicker(symbol),
    year: String(assertYear(year)),
    quarter: String(assertQuarter(quarter)),
    'data-type': 'fundamentals',
  };
}

export function corporateActionsMetadata(symbol: string, year: number): Record<string, string> {
  return { symbol: normalizeTicker(symbol), year: String(assertYear(year)), 'data-type': 'corporate-actions' };
}

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';
export const JSON_CONTENT_TYPE = 'application/json';

function validYear(text: string): boolean {
  const year = Number(text);
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
