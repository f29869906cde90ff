// The demo tickers' real 2021–2025 splits and plausible quarterly dividends, and the raw (unadjusted) prices they imply.
import type { CorporateActions, Split } from '../actions/parse.js';
import type { BarRow } from '../bars/types.js';
import { dayToMs, tradingDaysBetween } from '../calendar/nyse.js';
import { hashInts, hashString, roundTo } from './prng.js';

/**
 * Real splits of the demo tickers from 2021 to 2025, by the date shares first traded split-adjusted
 * (the ex-date), as the companies announced them: NVIDIA 4-for-1 (2021-07-20) and 10-for-1
 * (2024-06-10), Amazon 20-for-1 (2022-06-06), Alphabet 20-for-1 (2022-07-18), Tesla 3-for-1
 * (2022-08-25), Walmart 3-for-1 (2024-02-26), Netflix 10-for-1 (2025-11-17). No other demo ticker
 * split in those years.
 */
export const DEMO_SPLITS: Readonly<Record<string, readonly { exDate: string; from: number; to: number }[]>> = {
  NVDA: [
    { exDate: '2021-07-20', from: 1, to: 4 },
    { exDate: '2024-06-10', from: 1, to: 10 },
  ],
  AMZN: [{ exDate: '2022-06-06', from: 1, to: 20 }],
  GOOGL: [{ exDate: '2022-07-18', from: 1, to: 20 }],
  TSLA: [{ exDate: '2022-08-25', from: 1, to: 3 }],
  WMT: [{ exDate: '2024-02-26', from: 1, to: 3 }],
  NFLX: [{ exDate: '2025-11-17', from: 1, to: 10 }],
};

type Payer = [quarterly2021: number, growth: number, months: number[], since?: string, until?: string];

/**
 * Dividend payers: the 2021 payment per period in today's split-adjusted dollars (so NVIDIA's
 * 0.004 was 0.16 a share before its 2021 split), yearly growth, ex-dividend months, and when
 * payments began or stopped (Meta and Alphabet began in 2024, Disney resumed in 2024 twice a
 * year, Intel suspended after August 2024). Ballpark figures, not a record.
 */
const PAYERS: Record<string, Payer> = {
  AAPL: [0.205, 0.045, [2, 5, 8, 11]],
  MSFT: [0.56, 0.1, [2, 5, 8, 11]],
  GOOGL: [0.2, 0.05, [3, 6, 9, 12], '2024-06-01'],
  META: [0.5, 0.05, [3, 6, 9, 12], '2024-02-01'],
  NVDA: [0.004, 0, [3, 6, 9, 12]],
  'BF-B': [0.18, 0.06, [3, 6, 9, 12]],
  JPM: [0.9, 0.08, [1, 4, 7, 10]],
  V: [0.32, 0.13, [2, 5, 8, 11]],
  MA: [0.44, 0.15, [1, 4, 7, 10]],
  JNJ: [1.01, 0.05, [2, 5, 8, 11]],
  UNH: [1.25, 0.14, [3, 6, 9, 12]],
  PFE: [0.39, 0.02, [2, 5, 8, 11]],
  MRK: [0.65, 0.07, [3, 6, 9, 12]],
  PG: [0.79, 0.06, [1, 4, 7, 10]],
  KO: [0.42, 0.05, [3, 6, 9, 12]],
  PEP: [1.02, 0.07, [3, 6, 9, 12]],
  WMT: [0.1833, 0.03, [3, 5, 8, 12]],
  XOM: [0.87, 0.03, [2, 5, 8, 11]],
  CVX: [1.29, 0.06, [2, 5, 8, 11]],
  HD: [1.65, 0.1, [3, 6, 9, 12]],
  MCD: [1.29, 0.08, [3, 6, 8, 11]],
  NKE: [0.275, 0.1, [3, 6, 9, 12]],
  DIS: [0.45, 0, [1, 7], '2024-01-01'],
  T: [0.3, 0, [1, 4, 7, 10]],
  VZ: [0.6275, 0.02, [1, 4, 7, 10]],
  INTC: [0.3475, 0.03, [2, 5, 8, 11], undefined, '2024-08-31'],
  CSCO: [0.37, 0.03, [1, 4, 7, 10]],
  ORCL: [0.32, 0.05, [1, 4, 7, 10]],
  IBM: [1.63, 0.01, [2, 5, 8, 11]],
  CAT: [1.03, 0.08, [1, 4, 7, 10]],
  GS: [1.25, 0.2, [3, 6, 9, 12]],
  SPY: [1.4, 0.05, [3, 6, 9, 12]],
  QQQ: [0.45, 0.05, [3, 6, 9, 12]],
};

function splitsOf(symbol: string): Split[] {
  return (DEMO_SPLITS[symbol] ?? []).map((s) => ({ exDate: dayToMs(s.exDate), from: s.from, to: s.to }));
}

/** How many of today's shares one share of `time`'s date is: the product of to/from over later splits. */
export function splitScale(symbol: string, time: number): number {
  let scale = 1;
  for (const s of splitsOf(symbol)) if (s.exDate > time) scale *= s.to / s.from;
  return scale;
}

/**
 * A year's splits and dividends. Each dividend's ex-date is the first trading day on or after a
 * day of its month drawn from (seed, ticker, year, month), between the 5th and the 19th; its amount
 * is per share as held then (raw), with four decimals.
 */
export function demoCorporateActions(symbol: string, year: number, seed: number): CorporateActions {
  const splits = splitsOf(symbol).filter((s) => new Date(s.exDate).getUTCFullYear() === year);
  const payer = PAYERS[symbol];
  const dividends: CorporateActions['dividends'] = [];
  if (payer) {
    const [base, growth, months, since, until] = payer;
    for (const month of months) {
      const day = 5 + (hashInts(seed, hashString(symbol), year, month, 11) % 15);
      const start = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const exDay = tradingDaysBetween(start, `${year}-${String(month).padStart(2, '0')}-28`)[0];
      if (!exDay || (since && exDay < since) || (until && exDay > until)) continue;
      const exDate = dayToMs(exDay);
      const amount = roundTo(base * (1 + growth) ** (year - 2021) * splitScale(symbol, exDate), 4);
      dividends.push({ exDate, amount, currency: 'USD' });
    }
  }
  return { splits, dividends };
}

/**
 * The walk's bars are split-adjusted as of today; real raw prices were higher by every later
 * split's ratio and volumes lower, so RAW shows the drop at an ex-date and SPLIT removes it.
 * Prices stay whole cents and vwap four decimals (within [low, high]); trades are left as they are.
 */
export function rawBars(symbol: string, bars: BarRow[]): BarRow[] {
  if (!DEMO_SPLITS[symbol]) return bars;
  return bars.map((bar) => {
    const scale = splitScale(symbol, bar.time);
    if (scale === 1) return bar;
    const open = roundTo(bar.open * scale, 2);
    const high = roundTo(bar.high * scale, 2);
    const low = roundTo(bar.low * scale, 2);
    const close = roundTo(bar.close * scale, 2);
    const raw: BarRow = { ...bar, open, high, low, close, volume: Math.max(1, Math.round(bar.volume / scale)) };
    if (bar.vwap !== undefined) raw.vwap = Math.min(high, Math.max(low, roundTo(bar.vwap * scale, 4)));
    return raw;
  });
}
