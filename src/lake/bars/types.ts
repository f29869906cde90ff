// The one in-memory shape of an OHLCV bar, shared by the Parquet writer, the readers and the demo lake.
import type { Resolution } from '../layout.js';

export interface BarRow {
  /** UTC ms: midnight of the trading date for daily bars, the start of the minute for minute bars. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares traded; a whole number. */
  volume: number;
  vwap?: number;
  /** Number of trades; a whole number. */
  trades?: number;
}

/** Name of the time column in a bar file: DATE32 `date` for daily bars, TIMESTAMP(ms, UTC) `timestamp` for minute bars. */
export const TIME_COLUMN = { DAILY: 'date', MINUTE: 'timestamp' } as const satisfies Record<Resolution, string>;
