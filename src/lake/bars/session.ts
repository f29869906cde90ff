// Trading sessions of minute bars: REGULAR keeps the NYSE's 09:30–16:00 New York minutes (13:00 on early closes), EXTENDED keeps every row.
import { isoDay } from '../calendar/new-york.js';
import { session as regularSession } from '../calendar/nyse.js';
import type { DecodedBars } from '../parquet/decode-arrow.js';
import type { BarTable } from './reader.js';

export const BAR_SESSIONS = ['REGULAR', 'EXTENDED'] as const;
export type BarSession = (typeof BAR_SESSIONS)[number];

/** EXTENDED: today's behaviour and Alpaca's default for minute bars (everything the file holds). */
export const DEFAULT_SESSION: BarSession = 'EXTENDED';

export function isBarSession(value: string): value is BarSession {
  return (BAR_SESSIONS as readonly string[]).includes(value);
}

/** `[open, close)` in UTC ms of a New York date's regular session; empty on weekends and holidays. */
function sessionBounds(day: number): { open: number; close: number } {
  let found: ReturnType<typeof regularSession> = null;
  try {
    found = regularSession(isoDay(day));
  } catch {
    // The calendar covers 1900–2100; a row dated outside it has no session it can vouch for.
  }
  return found ? { open: found.open, close: found.close } : { open: 0, close: 0 };
}

/**
 * The rows of a minute table inside their date's regular session, in order. The table itself when
 * every row is (nothing copied); otherwise new columns holding only those rows. Sessions are looked
 * up once per date: rows are in time order, so dates come in runs.
 */
export function regularRows(table: BarTable): BarTable {
  const { time, day } = table;
  const keep = new Uint8Array(table.rows);
  let kept = 0;
  let current = NaN;
  let bounds = { open: 0, close: 0 };
  for (let i = 0; i < table.rows; i++) {
    if (day[i] !== current) {
      current = day[i];
      bounds = sessionBounds(current);
    }
    if (time[i] >= bounds.open && time[i] < bounds.close) {
      keep[i] = 1;
      kept++;
    }
  }
  if (kept === table.rows) return table;
  const pick = (column: Float64Array) => {
    const out = new Float64Array(kept);
    for (let i = 0, j = 0; i < column.length; i++) if (keep[i]) out[j++] = column[i];
    return out;
  };
  const values: DecodedBars['values'] = {};
  for (const [role, column] of Object.entries(table.values))
    values[role as keyof DecodedBars['values']] = pick(column!);
  return { rows: kept, time: pick(time), day: pick(day), values };
}
