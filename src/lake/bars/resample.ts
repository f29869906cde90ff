// Folds time-ordered rows into timeframe buckets: first open, max high, min low, last close, summed volume and trades, volume-weighted vwap.
import type { ValueRole } from '../parquet/bar-columns.js';
import type { BarTable } from './reader.js';
import { intervalEnd, intervalStart } from './interval.js';
import { isIntraday, type Timeframe } from './timeframe.js';

/** Bars column-wise: `time` is the bucket start, `date` its trading date (UTC midnight); NaN marks a null value. */
export interface BarBatch {
  length: number;
  time: Float64Array;
  date: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  vwap: Float64Array;
  trades: Float64Array;
}

export const BAR_FIELDS = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'vwap',
  'trades',
] as const satisfies readonly ValueRole[];

export function emptyBatch(capacity: number): BarBatch {
  const column = () => new Float64Array(capacity);
  return {
    length: 0,
    time: column(),
    date: column(),
    open: column(),
    high: column(),
    low: column(),
    close: column(),
    volume: column(),
    vwap: column(),
    trades: column(),
  };
}

/**
 * Nulls (NaN) are skipped by every aggregate; an aggregate over nothing but nulls is null. A bucket
 * of one row passes that row's values through unchanged (so DAY over daily files is the file's own
 * numbers, not vwap·volume/volume). vwap of a larger bucket is Σ(vwap·volume)/Σvolume over the rows
 * that have both, and null when that volume is zero.
 */
export class Resampler {
  /** Allocated on the first bar it holds: a batch is ten columns of batchSize, too many to make for nothing. */
  private batch?: BarBatch;
  private start = NaN;
  private end = NaN;
  private date = 0;
  private count = 0;
  private open = NaN;
  private high = NaN;
  private low = NaN;
  private close = NaN;
  private volume = NaN;
  private trades = NaN;
  private vwapSum = 0;
  private vwapWeight = 0;
  private lastVwap = NaN;

  private readonly interval: { timeframe: Timeframe; every: number };
  /** Buckets keyed by instant (MINUTE, HOUR and their multiples) rather than by trading date. */
  private readonly intraday: boolean;

  /** `after`: only buckets starting strictly later are produced (the cursor of the previous page). `every`: timeframes per bucket (see interval.ts). */
  constructor(
    private readonly timeframe: Timeframe,
    private readonly batchSize: number,
    private readonly after = -Infinity,
    every = 1,
  ) {
    this.interval = { timeframe, every };
    this.intraday = isIntraday(timeframe);
  }

  /** Adds rows `[lo, hi)` of a table; rows must continue in time order from the previous call. Returns the batches filled. */
  push(table: BarTable, lo: number, hi: number): BarBatch[] {
    const full: BarBatch[] = [];
    const { time, day } = table;
    const v = table.values;
    const intraday = this.intraday;
    if (this.interval.every === 1 && (this.timeframe === 'MINUTE' || this.timeframe === 'DAY'))
      lo = this.copyAlone(table, lo, hi, full);
    for (let i = lo; i < hi; i++) {
      const key = intraday ? time[i] : day[i];
      if (!(key < this.end && key >= this.start)) {
        if (this.count > 0 && this.emit()) full.push(this.take());
        this.start = intervalStart(this.interval, time[i], day[i]);
        this.end = intervalEnd(this.interval, this.start, day[i]);
        this.date = intraday ? day[i] : this.start;
      }
      if (this.start <= this.after) continue;
      this.count++;
      const o = v.open ? v.open[i] : NaN;
      const h = v.high ? v.high[i] : NaN;
      const l = v.low ? v.low[i] : NaN;
      const c = v.close ? v.close[i] : NaN;
      const vol = v.volume ? v.volume[i] : NaN;
      const vw = v.vwap ? v.vwap[i] : NaN;
      const tr = v.trades ? v.trades[i] : NaN;
      if (Number.isNaN(this.open)) this.open = o;
      if (!(h <= this.high)) this.high = Number.isNaN(h) ? this.high : h;
      if (!(l >= this.low)) this.low = Number.isNaN(l) ? this.low : l;
      if (!Number.isNaN(c)) this.close = c;
      if (!Number.isNaN(vol)) this.volume = Number.isNaN(this.volume) ? vol : this.volume + vol;
      if (!Number.isNaN(tr)) this.trades = Number.isNaN(this.trades) ? tr : this.trades + tr;
      this.lastVwap = vw;
      if (!Number.isNaN(vw) && !Number.isNaN(vol)) {
        this.vwapSum += vw * vol;
        this.vwapWeight += vol;
      }
    }
    return full;
  }

  /**
   * The fast way through DAY bars of daily files and MINUTE bars of minute files, where nearly every
   * row is a bucket of its own: from `lo`, rows whose bucket no other row shares are copied
   * column-wise, unchanged (as a bucket of one row passes through). Stops before the first row
   * that may share its bucket, and before the last row, which stays for the general path to open,
   * since the next table may continue its bucket. Returns where the general path takes over.
   */
  private copyAlone(table: BarTable, lo: number, hi: number, full: BarBatch[]): number {
    const minute = this.timeframe === 'MINUTE';
    const key = minute ? table.time : table.day;
    const alone = (i: number) =>
      minute ? key[i] % 60_000 === 0 && key[i + 1] >= key[i] + 60_000 : key[i + 1] > key[i];
    // The open bucket must end before the first row copied, as the general path would see it end.
    if (lo >= hi - 1 || !alone(lo) || (this.count > 0 && key[lo] < this.end)) return lo;
    if (this.count > 0 && this.emit()) full.push(this.take());
    let i = lo;
    while (i < hi - 1 && key[i] <= this.after) i++;
    while (i < hi - 1 && alone(i)) {
      const b = (this.batch ??= emptyBatch(this.batchSize));
      let j = i + 1;
      const room = this.batchSize - b.length;
      while (j < hi - 1 && j - i < room && alone(j)) j++;
      const at = b.length;
      b.time.set(key.subarray(i, j), at);
      b.date.set(table.day.subarray(i, j), at);
      for (const field of BAR_FIELDS) {
        const column = table.values[field];
        if (column) b[field].set(column.subarray(i, j), at);
        else b[field].fill(NaN, at, at + j - i);
      }
      b.length += j - i;
      if (b.length === this.batchSize) full.push(this.take());
      i = j;
    }
    return i;
  }

  /** Ends the open bucket (no more rows): returns whatever is left, if anything. */
  finish(): BarBatch | undefined {
    if (this.count > 0) this.emit();
    return this.batch && this.batch.length > 0 ? this.take() : undefined;
  }

  /** Writes the open bucket into the batch; true when the batch is now full. */
  private emit(): boolean {
    const b = (this.batch ??= emptyBatch(this.batchSize));
    const i = b.length++;
    b.time[i] = this.start;
    b.date[i] = this.date;
    b.open[i] = this.open;
    b.high[i] = this.high;
    b.low[i] = this.low;
    b.close[i] = this.close;
    b.volume[i] = this.volume;
    b.trades[i] = this.trades;
    b.vwap[i] = this.count === 1 ? this.lastVwap : this.vwapWeight !== 0 ? this.vwapSum / this.vwapWeight : NaN;
    this.reset();
    return b.length === this.batchSize;
  }

  private reset(): void {
    this.count = 0;
    this.open = this.high = this.low = this.close = this.volume = this.trades = this.lastVwap = NaN;
    this.vwapSum = this.vwapWeight = 0;
  }

  private take(): BarBatch {
    const b = this.batch!;
    this.batch = undefined;
    return b;
  }
}
