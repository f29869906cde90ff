// Adjustment factors from splits and cash dividends, as Alpaca and CRSP define them: a step function of the bar's trading date.
import type { CorporateActions } from '../actions/parse.js';
import { InvalidDataError } from '../errors.js';

export const ADJUSTMENTS = ['RAW', 'SPLIT', 'DIVIDEND', 'ALL'] as const;
export type Adjustment = (typeof ADJUSTMENTS)[number];

export function isAdjustment(value: string): value is Adjustment {
  return (ADJUSTMENTS as readonly string[]).includes(value);
}

/** One event's effect on every bar dated before its ex-date. */
export interface AdjustmentEvent {
  exDate: number;
  price: number;
  volume: number;
}

/**
 * Factors by ex-date: a bar whose trading date has `k` ex-dates on or before it (`k` =
 * upperBound(exDates, day)) is multiplied by `price[k]` and `volume[k]`, the products of every
 * later event's factors. `price[n]` and `volume[n]` are 1: bars on or after the last ex-date are raw.
 */
export interface AdjustmentSchedule {
  exDates: Float64Array;
  price: Float64Array;
  volume: Float64Array;
}

export interface FactorOptions {
  /** Only events with ex-date ≤ asOf (UTC midnight ms) apply; absent = every event. */
  asOf?: number;
  /**
   * The raw close of the last trading day before `exDate` (the last bar the lake holds before it),
   * or undefined when the lake holds no bar before it — then the dividend adjusts nothing.
   */
  closeBefore: (exDate: number) => number | undefined;
}

/** The dividends whose factor needs a previous close: those the adjustment and asOf keep. */
export function dividendsNeeded(actions: CorporateActions, adjustment: Adjustment, asOf?: number): number[] {
  if (adjustment !== 'DIVIDEND' && adjustment !== 'ALL') return [];
  return actions.dividends.filter((d) => asOf === undefined || d.exDate <= asOf).map((d) => d.exDate);
}

/**
 * Per event: a split of `from` → `to` multiplies earlier prices by from/to and volumes by to/from; a
 * dividend multiplies earlier prices by 1 − amount / previous raw close and leaves volume alone.
 * A dividend not below the previous close would turn prices negative: that is bad data, refused.
 */
export function adjustmentEvents(
  actions: CorporateActions,
  adjustment: Adjustment,
  options: FactorOptions,
): AdjustmentEvent[] {
  const events: AdjustmentEvent[] = [];
  const keep = (exDate: number) => options.asOf === undefined || exDate <= options.asOf;
  if (adjustment === 'SPLIT' || adjustment === 'ALL') {
    for (const s of actions.splits)
      if (keep(s.exDate)) events.push({ exDate: s.exDate, price: s.from / s.to, volume: s.to / s.from });
  }
  if (adjustment === 'DIVIDEND' || adjustment === 'ALL') {
    for (const d of actions.dividends) {
      if (!keep(d.exDate)) continue;
      const close = options.closeBefore(d.exDate);
      if (close === undefined) continue;
      const factor = 1 - d.amount / close;
      if (!(factor > 0 && Number.isFinite(factor))) {
        throw new InvalidDataError(
          `the dividend of ${d.amount} with ex-date ${day(d.exDate)} is not below the previous close ${close}: it cannot be adjusted for`,
        );
      }
      events.push({ exDate: d.exDate, price: factor, volume: 1 });
    }
  }
  return events.sort((a, b) => a.exDate - b.exDate);
}

/** Compounds events (same-day events multiply) into the step function bars are looked up in. */
export function buildSchedule(events: AdjustmentEvent[]): AdjustmentSchedule {
  const sorted = [...events].sort((a, b) => a.exDate - b.exDate);
  const n = sorted.length;
  const schedule: AdjustmentSchedule = {
    exDates: new Float64Array(n),
    price: new Float64Array(n + 1),
    volume: new Float64Array(n + 1),
  };
  schedule.price[n] = 1;
  schedule.volume[n] = 1;
  for (let k = n - 1; k >= 0; k--) {
    schedule.exDates[k] = sorted[k].exDate;
    schedule.price[k] = schedule.price[k + 1] * sorted[k].price;
    schedule.volume[k] = schedule.volume[k + 1] * sorted[k].volume;
  }
  return schedule;
}

/** Number of ex-dates on or before `day`: the index of the factors that apply to a bar of that date. */
export function stepOf(schedule: AdjustmentSchedule, day: number): number {
  const dates = schedule.exDates;
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid] <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
