// Reads a Parquet footer with one suffix GET (two when the footer is larger than the first guess), never the whole object.
import { InvalidDataError, isLakeError, StoreError } from '../errors.js';
import { getBytes } from '../store/helpers.js';
import type { ByteRange, ObjectStore } from '../store/types.js';
import { parseFooter, type Footer } from './footer.js';

/** The object being read, as a listing describes it: its size bounds every range, its ETag pins one version. */
export interface FileRef {
  key: string;
  size: number;
  etag?: string;
}

/** Bytes already fetched, at their offset in the file. */
export interface Segment {
  start: number;
  bytes: Uint8Array;
}

export interface FooterRead {
  footer: Footer;
  /** The file's last bytes as fetched: they often hold whole column chunks of small files, so decoding reuses them. */
  tail: Segment;
}

/**
 * How much of the end to fetch first. A daily file of one year (≈ 15 KB) arrives whole; the footer of a
 * month of minute bars is a few KB. Footers above this (thousands of row groups or columns) cost a second GET.
 */
export const FOOTER_GUESS = 64 * 1024;

const MAGIC = 0x31524150; // "PAR1" read as a little-endian u32

export async function readFooter(store: ObjectStore, file: FileRef, signal?: AbortSignal): Promise<FooterRead> {
  const { key, size } = file;
  if (size < 12) throw new InvalidDataError(`${key}: ${size} bytes is too small to be a Parquet file`, { key });
  let tail: Segment;
  if (store.capabilities.ranges) {
    const length = Math.min(size, FOOTER_GUESS);
    tail = { start: size - length, bytes: await getRange(store, file, { suffix: length }, signal) };
  } else {
    tail = { start: 0, bytes: await getRange(store, file, undefined, signal) };
  }
  const view = new DataView(tail.bytes.buffer, tail.bytes.byteOffset, tail.bytes.byteLength);
  const n = tail.bytes.byteLength;
  if (n < 8 || view.getUint32(n - 4, true) !== MAGIC)
    throw new InvalidDataError(`${key}: not a Parquet file (no PAR1 at the end)`, { key });
  const metadataLength = view.getUint32(n - 8, true);
  const metadataStart = size - 8 - metadataLength;
  if (metadataStart < 4)
    throw new InvalidDataError(`${key}: corrupt Parquet footer (length ${metadataLength} for a ${size}-byte file)`, {
      key,
    });
  if (metadataStart < tail.start) {
    const more = await getRange(store, file, { start: metadataStart, end: tail.start - 1 }, signal);
    tail = { start: metadataStart, bytes: concat(more, tail.bytes) };
  }
  const offset = metadataStart - tail.start;
  let footer: Footer;
  try {
    footer = parseFooter(tail.bytes.subarray(offset, offset + metadataLength));
  } catch (cause) {
    throw new InvalidDataError(`${key}: corrupt Parquet footer (${(cause as Error).message})`, { key, cause });
  }
  for (const group of footer.rowGroups) {
    for (const chunk of group.chunks) {
      if (chunk.start < 4 || chunk.end > metadataStart || chunk.end < chunk.start) {
        throw new InvalidDataError(`${key}: corrupt Parquet footer (a column chunk points outside the file)`, { key });
      }
    }
  }
  return { footer, tail };
}

/** The bytes of a range (or the whole object), pinned to the listed ETag so every piece comes from one version. */
export async function getRange(
  store: ObjectStore,
  file: FileRef,
  range: ByteRange | undefined,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  try {
    return await getBytes(store, file.key, { range, ifMatch: file.etag, signal });
  } catch (error) {
    if (isLakeError(error)) throw error;
    // A body that breaks off mid-stream is the store's failure, not the file's: worth retrying.
    throw new StoreError(`${file.key}: reading the object failed (${(error as Error).message})`, {
      key: file.key,
      cause: error,
      retryable: true,
    });
  }
}

/**
 * Fetches the byte ranges `[start, end)` not already covered by `have`, merging ranges that lie
 * within `gap` bytes of each other into one GET (a few wasted bytes are cheaper than a round trip).
 */
export async function fetchSegments(
  store: ObjectStore,
  file: FileRef,
  ranges: { start: number; end: number }[],
  have: Segment[],
  options: { gap?: number; signal?: AbortSignal } = {},
): Promise<Segment[]> {
  const gap = options.gap ?? 1024 * 1024;
  const needed = ranges
    .filter((r) => r.end > r.start && !have.some((s) => s.start <= r.start && s.start + s.bytes.byteLength >= r.end))
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const r of needed) {
    const last = merged.at(-1);
    if (last && r.start <= last.end + gap) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  if (!store.capabilities.ranges && merged.length > 0)
    return [{ start: 0, bytes: await getRange(store, file, undefined, options.signal) }];
  return Promise.all(
    merged.map(async (r) => ({
      start: r.start,
      bytes: await getRange(store, file, { start: r.start, end: r.end - 1 }, options.signal),
    })),
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
