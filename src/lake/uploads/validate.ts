// Checks an uploaded tick file before it counts: Parquet magic and footer, bar columns, and dates inside the key's year/month.
import { Transform, type TransformCallback } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { InvalidDataError, InvalidInputError, isLakeError } from '../errors.js';
import { newYorkDay } from '../calendar/new-york.js';
import { resolveBarColumns } from '../parquet/bar-columns.js';
import { decodeBars } from '../parquet/decode-arrow.js';
import { parseFooter, type Footer } from '../parquet/footer.js';
import { readFooter } from '../parquet/read-footer.js';
import { footerInfo } from '../parquet/time-stats.js';
import type { Resolution } from '../layout.js';
import type { ObjectStore } from '../store/types.js';

/** What the key says the file holds. */
export interface TickTarget {
  resolution: Resolution;
  symbol: string;
  year: number;
  month?: number;
}

/** Bar columns an uploaded tick file must have (any accepted spelling); vwap and trades are optional. */
export const REQUIRED_UPLOAD_ROLES = ['open', 'high', 'low', 'close', 'volume'] as const;
/** The most of a file's end kept while it streams past; a larger footer (tens of thousands of row groups) is refused. */
export const MAX_FOOTER_BYTES = 8 * 1024 * 1024;
const MAGIC = Buffer.from('PAR1');

/**
 * Watches a stream go by and keeps its first bytes and its last MAX_FOOTER_BYTES, so the footer
 * can be checked after the last byte without holding the file. When the whole file fits in what
 * is kept (small files), `whole()` returns it, for checks statistics alone cannot answer.
 */
export class ParquetTap extends Transform {
  private head = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Not `size` or `length`: lib-storage would take either for the stream's total length. */
  bytesSeen = 0;

  /** @param announced the exact size the client announced (an upload job's total): one byte more fails the stream at once. */
  constructor(private readonly announced?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.announced !== undefined && this.bytesSeen > this.announced) {
      return done(
        new InvalidInputError(`the file is larger than the ${this.announced} bytes announced for its upload job`),
      );
    }
    if (this.head.length < 4) this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= MAX_FOOTER_BYTES)
      this.tailBytes -= this.tail.shift()!.length;
    done(null, chunk);
  }

  /** The file, when every byte is still held. */
  whole(): Buffer | undefined {
    return this.tailBytes === this.bytesSeen ? Buffer.concat(this.tail) : undefined;
  }

  validate(key: string, target: TickTarget): void {
    if (this.announced !== undefined && this.bytesSeen !== this.announced) {
      throw new InvalidInputError(
        `${key}: the file has ${this.bytesSeen} bytes, not the ${this.announced} announced for its upload job`,
        { key },
      );
    }
    if (this.bytesSeen < 12 || !this.head.equals(MAGIC))
      throw invalid(key, 'not a Parquet file (no PAR1 at the start)');
    const tail = Buffer.concat(this.tail);
    if (!tail.subarray(tail.length - 4).equals(MAGIC)) throw invalid(key, 'not a Parquet file (no PAR1 at the end)');
    const length = tail.readUInt32LE(tail.length - 8);
    if (length + 12 > this.bytesSeen)
      throw invalid(key, `corrupt footer (length ${length} for a ${this.bytesSeen}-byte file)`);
    if (length + 8 > tail.length)
      throw invalid(key, `footer of ${length} bytes is larger than the ${MAX_FOOTER_BYTES} bytes an upload may have`);
    let footer: Footer;
    try {
      footer = parseFooter(tail.subarray(tail.length - 8 - length, tail.length - 8));
    } catch (cause) {
      throw invalid(key, `corrupt footer (${(cause as Error).message})`, cause);
    }
    checkFooter(key, footer, target, this.whole());
  }
}

/** The same checks on an object already in the store (completeUpload), reading only its footer by range. */
export async function validateStoredTickFile(
  store: ObjectStore,
  key: string,
  size: number,
  etag: string | undefined,
  target: TickTarget,
): Promise<void> {
  const { footer, tail } = await readFooter(store, { key, size, etag });
  const whole = tail.start === 0 ? Buffer.from(tail.bytes) : undefined;
  if (whole && !whole.subarray(0, 4).equals(MAGIC)) throw invalid(key, 'not a Parquet file (no PAR1 at the start)');
  checkFooter(key, footer, target, whole);
}

export function checkFooter(key: string, footer: Footer, target: TickTarget, whole?: Uint8Array): void {
  const map = resolveBarColumns(key, footer);
  const missing = REQUIRED_UPLOAD_ROLES.filter((role) => !map.values[role]);
  if (missing.length > 0)
    throw invalid(key, `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (footer.numRows === 0) return;
  const info = footerInfo(footer);
  let min = info.minTime;
  let max = info.maxTime;
  if (min === undefined || max === undefined) {
    // No statistics: only a file small enough to hold can be checked row by row.
    if (!whole)
      throw invalid(
        key,
        `the time column "${map.time.name}" has no min/max statistics, so its dates cannot be checked while streaming`,
      );
    ({ min, max } = timeRange(key, whole, map.time.name));
  }
  const [from, to] = allowedRange(target);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  // Minute bars may be stamped in UTC while belonging to the New York trading date (after-hours at month end).
  const inside = (t: number) =>
    (t >= from && t < to) || (target.resolution === 'MINUTE' && newYorkDay(t) >= from && newYorkDay(t) < to);
  if (!inside(min) || !inside(max)) {
    const where =
      target.month === undefined ? `${target.year}` : `${target.year}-${String(target.month).padStart(2, '0')}`;
    throw invalid(key, `holds dates from ${day(min)} to ${day(max)}, outside ${where} that its key names`);
  }
}

function allowedRange(target: TickTarget): [number, number] {
  if (target.resolution === 'MINUTE' && target.month !== undefined) {
    return [Date.UTC(target.year, target.month - 1, 1), Date.UTC(target.year, target.month, 1)];
  }
  return [Date.UTC(target.year, 0, 1), Date.UTC(target.year + 1, 0, 1)];
}

function timeRange(key: string, bytes: Uint8Array, column: string): { min: number; max: number } {
  try {
    const table = tableFromIPC(pw.readParquet(bytes).intoIPCStream());
    const { time } = decodeBars(table, { time: column, values: {} });
    let min = Infinity;
    let max = -Infinity;
    for (const t of time) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (min === Infinity) throw invalid(key, 'no row has a time');
    return { min, max };
  } catch (error) {
    if (isLakeError(error)) throw error;
    throw invalid(key, `cannot decode (${(error as Error).message})`, error);
  }
}

function invalid(key: string, message: string, cause?: unknown): InvalidDataError {
  return new InvalidDataError(`${key}: ${message}`, { key, cause });
}
