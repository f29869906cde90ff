// Reads bar files through two caches keyed by key + ETag (footers; decoded columns bounded by bytes), so an overwritten file is never served stale.
import { sharedDecodePool, type DecodePool } from '../parquet/decode-pool.js';
import type { DecodedBars } from '../parquet/decode-arrow.js';
import { readBars } from '../parquet/read.js';
import { readFooter, type FileRef, type FooterRead } from '../parquet/read-footer.js';
import { footerInfo, type ParquetInfo } from '../parquet/time-stats.js';
import type { ObjectStore } from '../store/types.js';
import { ByteLru } from './cache.js';
import { SingleFlight } from '../single-flight.js';
import { DAY_MS, newYorkDay } from '../calendar/new-york.js';
import { inSpan } from '../trace.js';

export type BarDataset = 'daily' | 'minute';

export interface BarFile extends FileRef {
  dataset: BarDataset;
  /** Stands in for the ETag in cache keys when a store has none. */
  lastModified?: Date;
}

/** A decoded file, sorted by time, with each row's trading day (UTC midnight of its date) alongside. */
export interface BarTable extends DecodedBars {
  day: Float64Array;
}

export interface BarReaderOptions {
  /** Budget for decoded files; default 256 MiB (about 4 M bars with every column). */
  cacheBytes?: number;
  /** Budget for footers and the file tails read with them; default 32 MiB. */
  footerCacheBytes?: number;
  /** Default: the process's shared pool (idle workers do not keep the process alive). */
  pool?: DecodePool;
}

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export class BarFileReader {
  readonly decoded: ByteLru<BarTable>;
  readonly footers: ByteLru<FooterRead & { info: ParquetInfo }>;
  readonly pool: DecodePool;
  /**
   * Concurrent requests for the same version share one read. A file replaced between listing and
   * reading fails the ETag precondition: that is reported, not retried here, since the listing the
   * caller holds is what is stale (the next request lists again and gets the new ETag).
   */
  private readonly reads = new SingleFlight();

  constructor(
    readonly store: ObjectStore,
    options: BarReaderOptions = {},
  ) {
    this.decoded = new ByteLru(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.footers = new ByteLru(options.footerCacheBytes ?? 32 * 1024 * 1024);
    this.pool = options.pool ?? sharedDecodePool();
  }

  /** Row count, columns and time range from the footer alone: range reads, never the whole object. */
  async info(file: FileRef & { lastModified?: Date }): Promise<ParquetInfo> {
    return (await this.footer(file)).info;
  }

  async footer(file: FileRef & { lastModified?: Date }): Promise<FooterRead & { info: ParquetInfo }> {
    const key = `${versionKey(file)}#footer`;
    const cached = this.footers.get(key);
    if (cached) return cached;
    return this.reads.run(key, () =>
      inSpan('lakeql.parquet.footer', { 'lakeql.key': file.key, 'lakeql.bytes': file.size }, async () => {
        const raw = await readFooter(this.store, file);
        const read = { ...raw, info: footerInfo(raw.footer) };
        // The tail dominates; each column chunk's parsed metadata is roughly 100 bytes.
        const chunks = read.footer.rowGroups.length * read.footer.columns.length;
        this.footers.set(key, read, read.tail.bytes.byteLength + 100 * chunks);
        return read;
      }),
    );
  }

  /** The file's bars (only `rowGroups` when given), decoded once per version and kept while the budget allows. */
  async read(file: BarFile, rowGroups?: number[]): Promise<BarTable> {
    const key = `${versionKey(file)}#${rowGroups ? rowGroups.join(',') : 'all'}`;
    const cached = this.decoded.get(key);
    if (cached) return cached;
    // Traced on a miss only: a hit costs nothing worth a span, and a page may touch hundreds of cached files.
    const attributes = {
      'lakeql.key': file.key,
      'lakeql.bars.dataset': file.dataset,
      ...(rowGroups ? { 'lakeql.parquet.row_groups': rowGroups.length } : {}),
    };
    return this.reads.run(key, () =>
      inSpan('lakeql.bars.read', attributes, async (span) => {
        const footer = await this.footer(file);
        const table = normalize(await readBars(this.store, this.pool, file, { footer, rowGroups }), file.dataset);
        this.decoded.set(key, table, table.time.byteLength * (2 + Object.keys(table.values).length));
        span.setAttribute('lakeql.rows', table.rows);
        return table;
      }),
    );
  }
}

/** Cache identity of one version of an object. Without an ETag, size and mtime have to do. */
export function versionKey(file: FileRef & { lastModified?: Date }): string {
  return `${file.key}\u0000${file.etag ?? `${file.size}@${file.lastModified?.getTime() ?? 0}`}`;
}

/**
 * Daily rows are keyed by their UTC calendar date (a timestamp at any hour of that date counts as
 * the date); minute rows keep their instant and gain their New York trading date. Rows out of
 * time order (some writers partition, then concatenate) are sorted, stably.
 */
function normalize(bars: DecodedBars, dataset: BarDataset): BarTable {
  const n = bars.rows;
  const time = bars.time;
  const day = new Float64Array(n);
  if (dataset === 'daily') {
    for (let i = 0; i < n; i++) time[i] = day[i] = time[i] - (((time[i] % DAY_MS) + DAY_MS) % DAY_MS);
  } else {
    for (let i = 0; i < n; i++) day[i] = newYorkDay(time[i]);
  }
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (time[i] < time[i - 1]) sorted = false;
  const table: BarTable = { rows: n, time, day, values: bars.values };
  if (sorted) return table;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
  const permute = (column: Float64Array) => Float64Array.from(order, (i) => column[i]);
  const values: DecodedBars['values'] = {};
  for (const [role, column] of Object.entries(bars.values))
    values[role as keyof DecodedBars['values']] = permute(column!);
  return { rows: n, time: permute(time), day: permute(day), values };
}
