// The datasets the catalog index holds, one table row each: where its keys live and how a key names symbol, year and part.
import { ROOTS, isTicker, MAX_YEAR, MIN_YEAR } from '../layout.js';

/** Where one file sits in its dataset: `part` is the month, the quarter, or 0 for one file a year. */
export interface FileSlot {
  symbol: string;
  year: number;
  part: number;
}

export interface IndexedDataset {
  /** The name resolvers ask for ('daily', 'minute', 'fundamental', …). */
  name: string;
  /** Every key of the dataset starts with this; a refresh lists exactly these roots. */
  root: string;
  /** The key's slot, or null for a key outside the layout (other writers leave all sorts). */
  parse(key: string): FileSlot | null;
  /** The inverse of parse: the index keeps slots, not keys, and rebuilds keys when asked. */
  key(slot: FileSlot): string;
}

/**
 * A dataset with keys `{root}{SYMBOL}/{YEAR}/{file}` (or `/{YEAR}/{MM}/{file}` with `monthly`);
 * `file` may hold one `{part}` placeholder (`Q{part}.json`).
 */
export function yearlyDataset(
  name: string,
  root: string,
  file: string,
  parts?: { min: number; max: number; monthDir?: boolean },
): IndexedDataset {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('\\{part\\}', '(\\d{1,2})');
  const body = parts?.monthDir ? `(\\d{4})/(\\d{2})/${escaped}` : `(\\d{4})/${escaped}`;
  const pattern = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^/]+)/${body}$`);
  return {
    name,
    root,
    parse(key) {
      const m = pattern.exec(key);
      if (!m) return null;
      const year = Number(m[2]);
      const part = parts ? Number(m[3]) : 0;
      if (year < MIN_YEAR || year > MAX_YEAR || !isTicker(m[1])) return null;
      if (parts && (part < parts.min || part > parts.max)) return null;
      return { symbol: m[1], year, part };
    },
    key({ symbol, year, part }) {
      if (parts?.monthDir) return `${root}${symbol}/${year}/${String(part).padStart(2, '0')}/${file}`;
      return `${root}${symbol}/${year}/${file.replace('{part}', String(part))}`;
    },
  };
}

/** A new dataset is one more row here. */
export const INDEXED_DATASETS: readonly IndexedDataset[] = [
  yearlyDataset('daily', ROOTS.daily, 'ticks.parquet'),
  yearlyDataset('minute', ROOTS.minute, 'ticks.parquet', { min: 1, max: 12, monthDir: true }),
  yearlyDataset('fundamental', ROOTS.fundamental, 'Q{part}.json', { min: 1, max: 4 }),
  yearlyDataset('corporateActions', ROOTS.corporateActions, 'actions.json'),
];

/** The dataset a key belongs to and its slot there, or null. */
export function locate(
  key: string,
  datasets: readonly IndexedDataset[] = INDEXED_DATASETS,
): { dataset: number; slot: FileSlot } | null {
  for (let i = 0; i < datasets.length; i++) {
    if (!key.startsWith(datasets[i].root)) continue;
    const slot = datasets[i].parse(key);
    return slot ? { dataset: i, slot } : null;
  }
  return null;
}
