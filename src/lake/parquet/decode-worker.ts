// Worker thread that decodes Parquet with parquet-wasm: a wasm panic on a corrupt page kills this thread, never the server.
import { parentPort } from 'node:worker_threads';
import { tableFromIPC, type Table } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { decodeColumns } from './decode-arrow.js';
import type { DecodeJob, DecodeReply, FromWorker, ToWorker } from './decode-pool.js';
import { SegmentBlob } from './segment-blob.js';

/**
 * Rows per decoded batch: the rows being read, so a file arrives as one Arrow batch, but capped:
 * the reader allocates whole batches up front, and an oversized batch for a small file costs more
 * than decoding it (1<<17 rows made a 250-row file 4× slower to read).
 */
const MAX_BATCH = 1 << 16;

const port = parentPort!;
const waiting = new Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>();
let nextRequest = 1;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Bytes the prefetched segments lack are asked of the main thread, which owns the store. */
function fetchRange(start: number, end: number): Promise<Uint8Array> {
  const request = nextRequest++;
  return new Promise((resolve, reject) => {
    waiting.set(request, { resolve, reject });
    post({ kind: 'fetch', request, start, end });
  });
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'bytes') {
    const entry = waiting.get(message.request);
    waiting.delete(message.request);
    if (message.bytes) entry?.resolve(message.bytes);
    else entry?.reject(new Error(message.error ?? 'fetch failed'));
    return;
  }
  void decode(message.job).then((reply) => {
    const transfer = reply.ok ? [reply.columns.time, ...Object.values(reply.columns.values)].flatMap((v) => (v ? [v.buffer] : [])) : [];
    post({ kind: 'reply', reply }, transfer as ArrayBuffer[]);
  });
});

async function decode(job: DecodeJob): Promise<DecodeReply> {
  const blob = new SegmentBlob(job.size, job.segments, fetchRange);
  let file: pw.ParquetFile | undefined;
  try {
    const columns = [...(job.names.time === undefined ? [] : [job.names.time]), ...Object.values(job.names.values)].filter((c, i, all) => all.indexOf(c) === i);
    const batchSize = Math.max(1, Math.min(job.rows, MAX_BATCH));
    const options = { columns, rowGroups: job.rowGroups, batchSize };
    let arrow = readWhole(job, options);
    if (!arrow) {
      // fromFile only calls size/slice/arrayBuffer, so the look-alike stands in for a Blob.
      file = await pw.ParquetFile.fromFile(blob as unknown as Blob);
      // concurrency 1: the bytes are already here (fetches are the exception), and parallel readers only add scheduling.
      arrow = tableFromIPC((await file.read({ ...options, concurrency: 1 })).intoIPCStream());
    }
    return { id: job.id, ok: true, columns: decodeColumns(arrow, job.names), fetched: blob.fetched.length };
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
function readWhole(job: DecodeJob, options: pw.ReaderOptions): Table | undefined {
  const whole = job.segments.find((s) => s.start === 0 && s.bytes.byteLength === job.size)?.bytes;
  if (!whole) return undefined;
  try {
    const arrow = tableFromIPC(pw.readParquet(whole, options).intoIPCStream());
    return arrow.numRows === job.rows ? arrow : undefined;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) throw new TrapError(error);
    return undefined;
  }
}

/** Carries a wasm trap past decode()'s catch, so it crashes the thread instead of becoming a reply. */
class TrapError extends Error {
  constructor(readonly trap: Error) {
    super(trap.message);
  }
}
