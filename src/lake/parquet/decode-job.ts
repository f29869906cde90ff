// Decodes one job's bytes with parquet-wasm into Float64Array columns: the work a decode worker does per file, without the messaging.
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { decodeChunks, decodeColumns, type DecodedColumns } from './decode-arrow.js';
import type { DecodeJob, JobResult } from './decode-pool.js';
import { SegmentBlob } from './segment-blob.js';
import { batchColumns } from './wasm-columns.js';

/**
 * Rows per decoded batch: the rows being read, so a file arrives as one Arrow batch, but capped:
 * the reader allocates whole batches up front, and an oversized batch for a small file costs more
 * than decoding it (1<<17 rows made a 250-row file 4× slower to read).
 */
const MAX_BATCH = 1 << 16;

/**
 * A reply for the job: its columns, or why the file cannot be decoded. A wasm trap is thrown, not
 * answered: it poisons this wasm instance, so the thread must end (the pool replaces it).
 * `fetch` reads bytes the job's segments lack.
 */
export async function decodeJob(
  job: DecodeJob,
  fetch: (start: number, end: number) => Promise<Uint8Array>,
): Promise<JobResult> {
  const blob = new SegmentBlob(job.size, job.segments, fetch);
  let file: pw.ParquetFile | undefined;
  try {
    const columns = columnNames(job);
    const batchSize = Math.max(1, Math.min(job.rows, MAX_BATCH));
    const options = { columns, rowGroups: job.rowGroups, batchSize };
    let decoded = readWhole(job, options);
    if (!decoded) {
      // fromFile only calls size/slice/arrayBuffer, so the look-alike stands in for a Blob.
      file = await pw.ParquetFile.fromFile(blob as unknown as Blob);
      // concurrency 1: the bytes are already here (fetches are the exception), and parallel readers only add scheduling.
      decoded = columnsOf(await file.read({ ...options, concurrency: 1 }), job);
    }
    return { id: job.id, ok: true, columns: decoded, fetched: blob.fetched.length };
  } catch (error) {
    if (error instanceof TrapError) throw error.trap;
    return { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    file?.free();
  }
}

/**
 * A small file arrives whole with its footer's suffix GET: the synchronous reader skips the async
 * Blob machinery, about a quarter of the wasm time of a ~250-row daily file. It is only a shortcut:
 * when it fails or its row count disagrees with the footer's (a lying file), the file goes through
 * the async reader, so bad files are judged exactly as before. A wasm trap poisons this instance,
 * so it is not retried here: rethrown, it ends the thread and the pool replaces it.
 */
function readWhole(job: DecodeJob, options: pw.ReaderOptions): DecodedColumns | undefined {
  const whole = wholeFile(job);
  if (!whole) return undefined;
  let table: pw.Table;
  try {
    table = pw.readParquet(whole, options);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) throw new TrapError(error);
    return undefined;
  }
  try {
    const decoded = columnsOf(table, job);
    return decoded.rows === job.rows ? decoded : undefined;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) throw new TrapError(error);
    return undefined;
  }
}

/** The file's bytes when one segment holds all of it (a small file arrives whole with its footer). */
export function wholeFile(job: Pick<DecodeJob, 'segments' | 'size'>): Uint8Array | undefined {
  return job.segments.find((s) => s.start === 0 && s.bytes.byteLength === job.size)?.bytes;
}

/**
 * The job's columns out of a wasm table, which this frees. The batches are read where they lie in
 * wasm memory, through the Arrow C data interface, and copied once into the Float64Arrays returned,
 * rather than serialized to IPC and parsed into arrow-js again: that hop was a quarter of a small
 * file's decode. Columns of other layouts than flat numbers and times go the IPC way.
 */
function columnsOf(table: pw.Table, job: DecodeJob): DecodedColumns {
  const ffi = table.toFFI();
  let consumed = false;
  try {
    const names = columnNames(job);
    const batches = inPlace(ffi, new Set(names));
    if (batches) {
      const rows = batches.reduce((n, b) => n + b.rows, 0);
      // decodeChunks copies every value out, so the views may die with the wasm table afterwards.
      return decodeChunks(rows, (name) => batches.map((b) => b.columns.get(name)!), job.names);
    }
    consumed = true;
    return decodeColumns(tableFromIPC(table.intoIPCStream()), job.names);
  } finally {
    ffi.free();
    if (!consumed) table.free();
  }
}

function inPlace(
  ffi: pw.FFIStream,
  wanted: ReadonlySet<string>,
): NonNullable<ReturnType<typeof batchColumns>>[] | undefined {
  const count = ffi.numArrays();
  if (count === 0) return undefined;
  // Taken after the read: growing wasm memory replaces its buffer.
  const memory = pw.wasmMemory().buffer as ArrayBuffer;
  const batches = [];
  for (let i = 0; i < count; i++) {
    const batch = batchColumns(memory, ffi.arrayAddr(i), ffi.schemaAddr(), wanted);
    if (!batch) return undefined;
    batches.push(batch);
  }
  return batches;
}

function columnNames(job: DecodeJob): string[] {
  return [...(job.names.time === undefined ? [] : [job.names.time]), ...Object.values(job.names.values)].filter(
    (c, i, all) => all.indexOf(c) === i,
  );
}

/** Carries a wasm trap past decode()'s catch, so it crashes the thread instead of becoming a reply. */
class TrapError extends Error {
  constructor(readonly trap: Error) {
    super(trap.message);
  }
}
