// Moving averages over closes, computed in the page from the bars already loaded.

/** Simple moving average of `period` values; null until the window is full. */
export function sma(values: readonly number[], period: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length).fill(null);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= period) sum -= values[i - period];
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Exponential moving average seeded with the SMA of the first `period` values (the usual charting convention). */
export function ema(values: readonly number[], period: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length).fill(null);
  if (values.length < period) return out;
  const k = 2 / (period + 1);
  let prev = values.slice(0, period).reduce((a, b) => a + b, 0) / period;
  out[period - 1] = prev;
  for (let i = period; i < values.length; i++) {
    prev = values[i] * k + prev * (1 - k);
    out[i] = prev;
  }
  return out;
}

/** The averages the chart offers; `id` is what the URL carries. */
export const AVERAGES = [
  { id: 'sma20', label: 'SMA 20', color: '#f59e0b', compute: (v: readonly number[]) => sma(v, 20) },
  { id: 'sma50', label: 'SMA 50', color: '#3b82f6', compute: (v: readonly number[]) => sma(v, 50) },
  { id: 'sma200', label: 'SMA 200', color: '#a855f7', compute: (v: readonly number[]) => sma(v, 200) },
  { id: 'ema21', label: 'EMA 21', color: '#10b981', compute: (v: readonly number[]) => ema(v, 21) },
] as const;

export type AverageId = (typeof AVERAGES)[number]['id'];
