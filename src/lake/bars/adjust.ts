// Applies an adjustment schedule to decoded bar columns: prices and vwap by the price factor, volume by the volume factor, no rounding.
import type { BarTable } from './reader.js';
import { stepOf, type AdjustmentSchedule } from './adjust-factors.js';

const PRICE_ROLES = ['open', 'high', 'low', 'close', 'vwap'] as const;

/**
 * A new table whose rows are scaled by the factors of their trading date (`table.day`, sorted);
 * times, days and trades are shared with the input, which is never modified (it may be a cached
 * decode). Values stay doubles: an adjusted price is `raw × factor`, not rounded to cents. A table
 * whose rows all fall on or after the last ex-date is returned as it is.
 */
export function adjustTable(table: BarTable, schedule: AdjustmentSchedule | undefined): BarTable {
  const n = table.rows;
  if (!schedule || n === 0) return table;
  const { day } = table;
  const steps = schedule.exDates.length;
  let k = stepOf(schedule, day[0]);
  if (k === steps) return table;
  const values: BarTable['values'] = { ...table.values };
  const price = PRICE_ROLES.filter((role) => table.values[role]).map(
    (role) => [table.values[role]!, (values[role] = new Float64Array(n))] as const,
  );
  const rawVolume = table.values.volume;
  const volume = rawVolume ? (values.volume = new Float64Array(n)) : undefined;
  let i = 0;
  while (i < n) {
    while (k < steps && schedule.exDates[k] <= day[i]) k++;
    // Rows up to the next ex-date share one factor.
    const limit = k < steps ? schedule.exDates[k] : Infinity;
    let j = i;
    while (j < n && day[j] < limit) j++;
    const p = schedule.price[k];
    const v = schedule.volume[k];
    for (const [from, to] of price) for (let r = i; r < j; r++) to[r] = from[r] * p;
    if (volume) for (let r = i; r < j; r++) volume[r] = rawVolume![r] * v;
    i = j;
  }
  return { ...table, values };
}
