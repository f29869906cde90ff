// Minute bars for one trading day, drawn as a Brownian bridge that reproduces that day's daily bar exactly.
import type { BarRow } from '../bars/types.js';
import { msToDay, regularSessionMinutes } from '../calendar/nyse.js';
import { InvalidInputError } from '../errors.js';
import { DEMO_SEED, hashInts, hashString, mulberry32, normal, roundTo } from './prng.js';

const DAY_MS = 86_400_000;

/**
 * The 390 bars of `day`'s regular session (UTC minute starts). They agree with the daily bar:
 * first open = open, last close = close, max high = high, min low = low, volumes sum to its
 * volume. Prices stay whole cents; vwap (4 decimals) lies in each bar's [low, high].
 */
export function minuteBarsForDay(symbol: string, day: BarRow, seed = DEMO_SEED): BarRow[] {
  const date = msToDay(day.time);
  const minutes = regularSessionMinutes(date);
  if (minutes.length === 0) throw new InvalidInputError(`${date} is not a trading day`);
  const n = minutes.length;
  const rng = mulberry32(hashInts(seed, hashString(symbol), day.time / DAY_MS, 7));
  const path = bridge(day, n, rng);

  const volumes = splitVolume(day.volume, n, rng);
  const tradeRate = (day.trades ?? Math.max(1, Math.round(day.volume / 100))) / day.volume;
  const bars: BarRow[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const open = roundTo(path[k], 2);
    const close = roundTo(path[k + 1], 2);
    const wiggle = Math.abs(normal(rng)) * 0.0004;
    const high = Math.min(day.high, Math.max(roundTo(Math.max(open, close) * (1 + wiggle), 2), open, close));
    const low = Math.max(day.low, Math.min(roundTo(Math.min(open, close) * (1 - wiggle), 2), open, close));
    const vwap = Math.min(high, Math.max(low, roundTo((open + high + low + close) / 4, 4)));
    const volume = volumes[k];
    bars[k] = {
      time: minutes[k],
      open,
      high,
      low,
      close,
      volume,
      vwap,
      trades: Math.max(1, Math.round(volume * tradeRate)),
    };
  }
  return bars;
}

/** n + 1 prices from open to close whose maximum is exactly `high` and minimum exactly `low`. */
function bridge(day: BarRow, n: number, rng: () => number): number[] {
  const { open, close, high, low } = day;
  const scale = (0.6 * Math.log(high / low) + 1e-4) / Math.sqrt(n);
  const walk = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) walk[k] = walk[k - 1] + normal(rng);
  const lo = Math.log(open);
  const slope = (Math.log(close) - lo) / n;
  const path = Array.from(walk, (w, k) => Math.exp(lo + slope * k + scale * (w - (k / n) * walk[n])));
  path[0] = open;
  path[n] = close;

  // Stretch the excursions above max(open, close) and below min(open, close) to touch high and low exactly.
  const top = Math.max(open, close);
  const bottom = Math.min(open, close);
  stretch(path, top, high, (x) => x > top, rng);
  stretch(path, bottom, low, (x) => x < bottom, rng);
  return path;
}

function stretch(
  path: number[],
  pivot: number,
  target: number,
  beyond: (x: number) => boolean,
  rng: () => number,
): void {
  if (target === pivot) {
    for (let k = 1; k < path.length - 1; k++) if (beyond(path[k])) path[k] = pivot;
    return;
  }
  let extreme = -1;
  for (let k = 1; k < path.length - 1; k++) {
    if (beyond(path[k]) && (extreme < 0 || Math.abs(path[k] - pivot) > Math.abs(path[extreme] - pivot))) extreme = k;
  }
  if (extreme < 0) {
    // The path never left [bottom, top]: put the day's extreme at a random interior minute.
    path[1 + Math.floor(rng() * (path.length - 2))] = target;
    return;
  }
  const factor = (target - pivot) / (path[extreme] - pivot);
  for (let k = 1; k < path.length - 1; k++) if (beyond(path[k])) path[k] = pivot + (path[k] - pivot) * factor;
  path[extreme] = target;
}

/** Splits a day's volume over n minutes with the intraday U shape (busy open and close), summing exactly. */
function splitVolume(total: number, n: number, rng: () => number): number[] {
  const weights = new Array<number>(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const x = (k - (n - 1) / 2) / ((n - 1) / 2);
    weights[k] = (1 + 2.5 * x * x + (k === n - 1 ? 6 : 0)) * Math.exp(0.4 * normal(rng));
    sum += weights[k];
  }
  const floors = weights.map((w) => Math.floor((w / sum) * total));
  let left = total - floors.reduce((a, b) => a + b, 0);
  // Largest remainders first; index breaks ties so the split is deterministic.
  const order = weights
    .map((w, k) => ({ k, rem: (w / sum) * total - floors[k] }))
    .sort((a, b) => b.rem - a.rem || a.k - b.k);
  for (let i = 0; left > 0; i = (i + 1) % n, left--) floors[order[i].k]++;
  return floors;
}
