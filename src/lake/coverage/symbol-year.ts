// Coverage of a symbol-year from the lake: reads its bar files through the shared bar reader (raw rows, cached by ETag) and computes the report.
import { newYorkDay } from '../calendar/new-york.js';
import { msToDay } from '../calendar/nyse.js';
import type { BarFileReader } from '../bars/reader.js';
import type { SymbolIndex } from '../catalog.js';
import type { Resolution } from '../layout.js';
import { computeCoverage, type CoverageReport } from './coverage.js';

export interface SymbolYearCoverageOptions {
  index: SymbolIndex;
  year: number;
  resolution: Resolution;
  /** Injectable clock: decides whether `year` is still running. */
  now?: Date;
}

/** The report, or null when the year holds no file of that resolution. */
export async function symbolYearCoverage(
  reader: BarFileReader,
  options: SymbolYearCoverageOptions,
): Promise<CoverageReport | null> {
  const { index, year, resolution } = options;
  const today = msToDay(newYorkDay((options.now ?? new Date()).getTime()));
  if (resolution === 'DAILY') {
    const object = index.daily.get(year);
    if (!object) return null;
    const table = await reader.read({ ...object, dataset: 'daily' });
    return computeCoverage({ year, resolution, files: [table], today });
  }
  const months = [...(index.minute.get(year) ?? new Map())].sort((a, b) => a[0] - b[0]);
  if (months.length === 0) return null;
  // The reader's decode pool bounds the CPU; its cache keeps the tables for a following bars query.
  const files = await Promise.all(months.map(([, object]) => reader.read({ ...object, dataset: 'minute' })));
  return computeCoverage({ year, resolution, files, months: months.map(([m]) => m), today });
}
