// Which files a bar query reads, in time order, found through the catalog's index of the key layout (no listing of its own).
import type { SymbolIndex } from '../catalog.js';
import type { ObjectMeta } from '../store/types.js';
import { DAY_MS, newYorkDayStart } from '../calendar/new-york.js';
import type { BarFile } from './reader.js';
import { isIntraday, type Timeframe } from './timeframe.js';

export interface PlannedFile {
  file: BarFile;
  /** The calendar span the file's key names, `[start, end)` in UTC ms: a year, or a month for minute files. */
  start: number;
  end: number;
}

/** Inclusive trading-day bounds (UTC-midnight ms); absent means unbounded. */
export interface DayRange {
  from?: number;
  to?: number;
}

/**
 * MINUTE and HOUR read the minute files (one per month). Coarser timeframes read each year's daily file,
 * and fall back to that year's minute files (aggregated by New York date) when the year has no
 * daily file. A minute file is partitioned by UTC month while its bars are filtered by New York
 * date, so minute files are picked by the UTC instants the range's New York dates span: a range
 * ending on a month's last day also reads the next month's file, whose first hours are that
 * evening in New York, and one starting on the 1st reads no earlier month.
 */
export function planFiles(index: SymbolIndex, timeframe: Timeframe, range: DayRange): PlannedFile[] {
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  const overlaps = (start: number, end: number, slack: number) => start < to + DAY_MS + slack && end > from - slack;
  const firstInstant = Number.isFinite(from) ? newYorkDayStart(from) : -Infinity;
  const endInstant = Number.isFinite(to) ? newYorkDayStart(to + DAY_MS) : Infinity;
  const minuteFiles = (year: number): PlannedFile[] =>
    [...(index.minute.get(year) ?? new Map<number, ObjectMeta>())]
      .sort((a, b) => a[0] - b[0])
      .map(([month, object]) => ({
        file: barFile(object, 'minute'),
        start: Date.UTC(year, month - 1, 1),
        end: Date.UTC(year, month, 1),
      }))
      .filter((f) => f.start < endInstant && f.end > firstInstant);

  const years = [...new Set([...index.daily.keys(), ...index.minute.keys()])].sort((a, b) => a - b);
  const planned: PlannedFile[] = [];
  for (const year of years) {
    if (!overlaps(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1), DAY_MS)) continue;
    const daily = index.daily.get(year);
    if (!isIntraday(timeframe) && daily) {
      const start = Date.UTC(year, 0, 1);
      const end = Date.UTC(year + 1, 0, 1);
      if (overlaps(start, end, 0)) planned.push({ file: barFile(daily, 'daily'), start, end });
    } else {
      planned.push(...minuteFiles(year));
    }
  }
  return planned;
}

function barFile(object: ObjectMeta, dataset: BarFile['dataset']): BarFile {
  return { key: object.key, size: object.size, etag: object.etag, lastModified: object.lastModified, dataset };
}
