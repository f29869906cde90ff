// The catalog index's data: symbols in key order, and per symbol and dataset the files by year and part, kept compact.
import { compareSymbols } from '../catalog.js';
import type { ObjectMeta } from '../store/types.js';
import { INDEXED_DATASETS, type FileSlot, type IndexedDataset } from './datasets.js';

/**
 * One file as a listing showed it. No key (rebuilt from the slot), the date as epoch milliseconds
 * (a number, not a Date): about 100 bytes a file with its ETag string, instead of ~300 for ObjectMeta.
 */
export class FileEntry {
  constructor(
    readonly size: number,
    readonly etag: string | undefined,
    readonly modified: number,
  ) {}

  static of(meta: Pick<ObjectMeta, 'size' | 'etag' | 'lastModified'>): FileEntry {
    return new FileEntry(meta.size, meta.etag, meta.lastModified.getTime());
  }

  same(other: FileEntry): boolean {
    return this.size === other.size && this.etag === other.etag && this.modified === other.modified;
  }
}

/** year × 100 + part: one small integer (a V8 Smi, no allocation) as the map key. */
const slotKey = (year: number, part: number) => year * 100 + part;

/** One symbol's files: per dataset (by table position) a map from slot key to file. */
export type SymbolFiles = (Map<number, FileEntry> | undefined)[];

export interface SymbolListing {
  ticker: string;
  files: SymbolFiles;
}

export class CatalogSnapshot {
  readonly #symbols = new Map<string, SymbolFiles>();
  /** Sorted lazily: a build adds symbols in listing order per dataset, which interleave. */
  #sorted: string[] | undefined;
  #files = 0;
  /** The estimate is a walk over every file: kept until the next change, so a metrics scrape is cheap. */
  #bytes: number | undefined;

  constructor(readonly datasets: readonly IndexedDataset[] = INDEXED_DATASETS) {}

  get fileCount(): number {
    return this.#files;
  }

  get symbolCount(): number {
    return this.#symbols.size;
  }

  /** Sets (or with `entry` null, removes) one file; returns whether anything changed. */
  set(dataset: number, slot: FileSlot, entry: FileEntry | null): boolean {
    this.#bytes = undefined;
    let files = this.#symbols.get(slot.symbol);
    const k = slotKey(slot.year, slot.part);
    if (entry === null) {
      const map = files?.[dataset];
      if (!map?.delete(k)) return false;
      this.#files--;
      if (map.size === 0) files![dataset] = undefined;
      if (files!.every((m) => m === undefined)) {
        this.#symbols.delete(slot.symbol);
        this.#sorted = undefined;
      }
      return true;
    }
    if (!files) {
      // Interned: every slot of a symbol shares the one ticker string the map holds.
      this.#symbols.set(slot.symbol, (files = []));
      this.#sorted = undefined;
    }
    let map = files[dataset];
    if (!map) files[dataset] = map = new Map();
    const old = map.get(k);
    if (old?.same(entry)) return false;
    if (!old) this.#files++;
    map.set(k, entry);
    return true;
  }

  get(dataset: number, slot: FileSlot): FileEntry | undefined {
    return this.#symbols.get(slot.symbol)?.[dataset]?.get(slotKey(slot.year, slot.part));
  }

  has(ticker: string): boolean {
    return this.#symbols.has(ticker);
  }

  /** Every file of one symbol in one dataset, by (year, part), as listings return them. */
  files(ticker: string, dataset: number): { year: number; part: number; meta: ObjectMeta }[] {
    const map = this.#symbols.get(ticker)?.[dataset];
    if (!map) return [];
    const out: { year: number; part: number; meta: ObjectMeta }[] = [];
    for (const [k, entry] of map) {
      const year = Math.floor(k / 100);
      const part = k % 100;
      const key = this.datasets[dataset].key({ symbol: ticker, year, part });
      out.push({
        year,
        part,
        meta: { key, size: entry.size, etag: entry.etag, lastModified: new Date(entry.modified) },
      });
    }
    return out.sort((a, b) => a.year - b.year || a.part - b.part);
  }

  /** Datasets (by name) that hold anything of this symbol. */
  datasetsOf(ticker: string): string[] {
    const files = this.#symbols.get(ticker);
    return files ? this.datasets.filter((_, i) => files[i] !== undefined).map((d) => d.name) : [];
  }

  /** Tickers in S3 key order (BRK.B before BRK), from just after `after`, starting with `prefix`. */
  page(options: { prefix?: string; first: number; after?: string }): { tickers: string[]; hasNextPage: boolean } {
    const sorted = this.sorted();
    const prefix = options.prefix ?? '';
    let i = prefix ? lowerBound(sorted, prefix) : 0;
    if (options.after !== undefined) i = Math.max(i, upperBound(sorted, options.after));
    const tickers: string[] = [];
    for (; i < sorted.length && tickers.length <= options.first; i++) {
      if (!sorted[i].startsWith(prefix)) break;
      tickers.push(sorted[i]);
    }
    return { tickers: tickers.slice(0, options.first), hasNextPage: tickers.length > options.first };
  }

  /** How many tickers start with `prefix`. */
  count(prefix = ''): number {
    if (!prefix) return this.#symbols.size;
    const sorted = this.sorted();
    let n = 0;
    for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i].startsWith(prefix); i++) n++;
    return n;
  }

  /** True when both hold the same files with the same sizes, ETags and dates. */
  equals(other: CatalogSnapshot): boolean {
    if (other.#files !== this.#files || other.#symbols.size !== this.#symbols.size) return false;
    for (const [ticker, files] of this.#symbols) {
      const theirs = other.#symbols.get(ticker);
      if (!theirs) return false;
      for (let d = 0; d < this.datasets.length; d++) {
        const a = files[d];
        const b = theirs[d];
        if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
        if (!a || !b) continue;
        for (const [k, entry] of a) {
          const o = b.get(k);
          if (!o?.same(entry)) return false;
        }
      }
    }
    return true;
  }

  /**
   * Bytes this snapshot holds, estimated: a file ~104 (its FileEntry, the boxed date, its Map entry
   * and the table's spare room) + its ETag string (~16 + length), a symbol ~160 + its ticker, each
   * dataset map ~80. Calibrated against the heap `npm run bench:index` measures (173 B/key there).
   */
  estimatedBytes(): number {
    return (this.#bytes ??= this.#estimate());
  }

  #estimate(): number {
    let bytes = this.#symbols.size * 160;
    for (const [ticker, files] of this.#symbols) {
      bytes += ticker.length;
      for (const map of files) {
        if (!map) continue;
        bytes += 80;
        for (const entry of map.values())
          bytes +=
            104 +
            (entry.etag ? 16 + entry.etag.length : 0) +
            (Number.isInteger(entry.modified) && entry.modified < 2 ** 30 ? 0 : 12);
      }
    }
    return bytes;
  }

  private sorted(): string[] {
    return (this.#sorted ??= [...this.#symbols.keys()].sort(compareSymbols));
  }
}

/** First index whose ticker sorts at or after `prefix` in key order (prefix/ ≤ ticker/ is not what a prefix means, so compare raw). */
function lowerBound(sorted: string[], prefix: string): number {
  // Tickers sharing a prefix are contiguous in key order except around "." and "-" (BRK.B < BRK):
  // their keys compare as `${t}/`; a prefix compares as itself, which sorts before all its extensions.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (`${sorted[mid]}/` < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose ticker sorts strictly after `after` in key order. */
function upperBound(sorted: string[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSymbols(sorted[mid], after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
