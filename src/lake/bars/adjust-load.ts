// Builds a symbol's adjustment schedule from the lake: its corporate-actions documents and, for dividends, the raw close before each ex-date.
import { readSymbolActions } from '../actions/store.js';
import type { SymbolIndex } from '../catalog.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import {
  adjustmentEvents,
  buildSchedule,
  dividendsNeeded,
  type Adjustment,
  type AdjustmentSchedule,
} from './adjust-factors.js';
import type { BarFile, BarFileReader } from './reader.js';

export interface AdjustmentRequest {
  adjustment: Adjustment;
  /** UTC midnight ms; only events with ex-date ≤ asOf apply. */
  asOf?: number;
}

/**
 * Undefined for RAW (nothing is read). Otherwise every year's actions document of the symbol is
 * read, whatever range the bars cover (a split in 2024 adjusts bars of 2021), and for each dividend
 * the previous close: the last bar before its ex-date in the daily file of its year (or an earlier
 * one), or in the minute files when a year has no daily file. Those reads go through the bar
 * reader's caches, so the bars that follow reuse them.
 */
export async function loadAdjustment(
  reader: BarFileReader,
  store: ObjectStore,
  index: SymbolIndex,
  request: AdjustmentRequest,
): Promise<AdjustmentSchedule | undefined> {
  if (request.adjustment === 'RAW') return undefined;
  const actions = await readSymbolActions(store, index);
  const closes = new Map<number, number | undefined>();
  await Promise.all(
    dividendsNeeded(actions, request.adjustment, request.asOf).map(async (exDate) =>
      closes.set(exDate, await closeBefore(reader, index, exDate)),
    ),
  );
  return buildSchedule(
    adjustmentEvents(actions, request.adjustment, { asOf: request.asOf, closeBefore: (exDate) => closes.get(exDate) }),
  );
}

/** The close of the last bar (with a close) dated before `exDate`, searching back year by year, or undefined. */
export async function closeBefore(
  reader: BarFileReader,
  index: SymbolIndex,
  exDate: number,
): Promise<number | undefined> {
  const exYear = new Date(exDate).getUTCFullYear();
  const years = [...new Set([...index.daily.keys(), ...index.minute.keys()])]
    .filter((y) => y <= exYear)
    .sort((a, b) => b - a);
  for (const year of years) {
    const daily = index.daily.get(year);
    const files: BarFile[] = daily
      ? [barFile(daily, 'daily')]
      : [...(index.minute.get(year) ?? new Map<number, ObjectMeta>())]
          // A month starting after the ex-date holds nothing before it.
          .filter(([month]) => Date.UTC(year, month - 1, 1) <= exDate)
          .sort((a, b) => b[0] - a[0])
          .map(([, object]) => barFile(object, 'minute'));
    for (const file of files) {
      const table = await reader.read(file);
      const close = table.values.close;
      if (!close) continue;
      for (let i = table.rows - 1; i >= 0; i--) if (table.day[i] < exDate && !Number.isNaN(close[i])) return close[i];
    }
  }
  return undefined;
}

function barFile(object: ObjectMeta, dataset: BarFile['dataset']): BarFile {
  return { key: object.key, size: object.size, etag: object.etag, lastModified: object.lastModified, dataset };
}
