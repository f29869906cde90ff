// Daily OHLCV bars from a seeded geometric random walk (mean-reverting to a drifting trend), anchored at each ticker's 2020-12-31 close.
import type { BarRow } from '../bars/types.js';
import { dayToMs, msToDay, tradingDaysBetween } from '../calendar/nyse.js';
import { InvalidInputError } from '../errors.js';
import { DEMO_SEED, gaussian, hashInts, hashString, mulberry32, normal, roundTo, unit } from './prng.js';
import type { DemoTicker } from './tickers.js';

/** Every walk passes through `ticker.price` at this date's close; earlier dates walk backwards from it. */
export const WALK_ANCHOR = '2020-12-31';
const DAY_MS = 86_400_000;
const TRADING_DAYS_PER_YEAR = 252;
/** Annual drift of the trend the log price reverts to. */
const DRIFT = 0.08;
/**
 * Daily persistence of the deviation from trend. A pure random walk over five years sends some
 * tickers to a few dollars; reverting with a ~140-day half-life keeps every price within a
 * plausible band (stationary spread ≈ 0.6 × annual volatility) while daily moves keep their size.
 */
const PERSISTENCE = 0.995;
const MIN_PRICE = 0.01;

/** Each day's shock depends only on (seed, ticker, date), so asking for 2024 alone gives the bars a 2021–2025 run gives for 2024. */
function dayShock(seed: number, tickerHash: number, dayNumber: number): number {
  const z = gaussian(unit(hashInts(seed, tickerHash, dayNumber, 0)), unit(hashInts(seed, tickerHash, dayNumber, 1)));
  // Rare jumps give the fat tails real returns have.
  return unit(hashInts(seed, tickerHash, dayNumber, 2)) < 0.01 ? 3 * z : z;
}

/**
 * Unrounded closes of every trading day in [from, to]: log price = trend + AR(1) deviation that is
 * 0 at the anchor. An AR(1) is time-reversible, so dates before the anchor run the same recursion
 * backwards and the path stays well-behaved in both directions.
 */
function closes(ticker: DemoTicker, seed: number, from: string, to: string): Map<string, { close: number; z: number }> {
  const lo = from < WALK_ANCHOR ? from : WALK_ANCHOR;
  const hi = to > WALK_ANCHOR ? to : WALK_ANCHOR;
  const days = tradingDaysBetween(lo, hi);
  const anchor = days.indexOf(WALK_ANCHOR);
  const th = hashString(ticker.symbol);
  const z = days.map((d) => dayShock(seed, th, dayToMs(d) / DAY_MS));
  const sd = ticker.volatility / Math.sqrt(TRADING_DAYS_PER_YEAR);
  const deviation = new Float64Array(days.length);
  for (let i = anchor + 1; i < days.length; i++) deviation[i] = PERSISTENCE * deviation[i - 1] + sd * z[i];
  for (let i = anchor - 1; i >= 0; i--) deviation[i] = PERSISTENCE * deviation[i + 1] - sd * z[i + 1];
  const out = new Map<string, { close: number; z: number }>();
  const base = Math.log(ticker.price);
  for (let i = 0; i < days.length; i++) {
    if (days[i] < from || days[i] > to) continue;
    const trend = base + (DRIFT / TRADING_DAYS_PER_YEAR) * (i - anchor);
    out.set(days[i], { close: Math.exp(trend + deviation[i]), z: z[i] });
  }
  return out;
}

const cents = (x: number) => Math.max(MIN_PRICE, roundTo(x, 2));

/**
 * Bars for every NYSE trading day in [from, to] (ISO dates), ascending; `time` is UTC midnight.
 * Prices are whole cents, so low ≤ open, close ≤ high holds exactly; vwap has 4 decimals and lies
 * in [low, high]; volume and trades are positive whole numbers.
 */
export function dailyBars(ticker: DemoTicker, from: string, to: string, seed = DEMO_SEED): BarRow[] {
  if (from > to) throw new InvalidInputError(`from ${from} is after to ${to}`);
  // Two weeks back always reaches the previous session (the longest closure, Sept 2001, was four days).
  const lookback = msToDay(dayToMs(from) - 14 * DAY_MS);
  const walk = [...closes(ticker, seed, lookback, to)];
  const th = hashString(ticker.symbol);
  const sd = ticker.volatility / Math.sqrt(TRADING_DAYS_PER_YEAR);
  const bars: BarRow[] = [];
  for (let i = 1; i < walk.length; i++) {
    const [date, { close: rawClose, z }] = walk[i];
    if (date < from) continue;
    const prevClose = walk[i - 1][1].close;
    const time = dayToMs(date);
    const rng = mulberry32(hashInts(seed, th, time / DAY_MS, 3));
    const open = cents(prevClose * Math.exp(0.3 * sd * normal(rng)));
    const close = cents(rawClose);
    const high = Math.max(cents(Math.max(open, close) * Math.exp(0.6 * sd * Math.abs(normal(rng)))), open, close);
    const low = Math.min(cents(Math.min(open, close) * Math.exp(-0.6 * sd * Math.abs(normal(rng)))), open, close);
    const typical = (high + low + close) / 3;
    const vwap = Math.min(high, Math.max(low, roundTo(typical + (rng() - 0.5) * 0.3 * (high - low), 4)));
    // Big moves trade more: volume scales with the size of the day's shock.
    const volume = Math.max(
      1,
      Math.round(ticker.avgVolume * Math.exp(0.3 * normal(rng) - 0.045) * (0.75 + 0.3 * Math.abs(z))),
    );
    const avgTradeSize = 60 + 90 * rng();
    const trades = Math.max(1, Math.round(volume / avgTradeSize));
    bars.push({ time, open, high, low, close, volume, vwap, trades });
  }
  return bars;
}

/** The bars of one calendar year. */
export function dailyBarsForYear(ticker: DemoTicker, year: number, seed = DEMO_SEED): BarRow[] {
  return dailyBars(ticker, `${year}-01-01`, `${year}-12-31`, seed);
}
