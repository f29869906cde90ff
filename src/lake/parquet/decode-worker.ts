// Worker thread that decodes Parquet with parquet-wasm: a wasm panic on a corrupt page kills this thread, never the server.
import { parentPort } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { decodeBars } from './decode-arrow.js';
import type { FromWorker, ToWorker } from './decode-pool.js';
import { SegmentBlob } from './segment-blob.js';

/** Rows per decoded batch: large, so a file arrives in few Arrow batches (each costs a copy and a loop restart). */
const BATCH_SIZE = 1 << 17;

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
    const transfer = reply.ok ? [reply.bars.time.buffer, ...Object.values(reply.bars.values).map((v) => v!.buffer)] : [];
    post({ kind: 'reply', reply }, transfer as ArrayBuffer[]);
  });
});

async function decode(job: Extract<ToWorker, { kind: 'job' }>['job']): Promise<import('./decode-pool.js').DecodeReply> {
  const blob = new SegmentBlob(job.size, job.segments, fetchRange);
  let file: pw.ParquetFile | undefined;
  try {
    // fromFile only calls size/slice/arrayBuffer, so the look-alike stands in for a Blob.
    file = await pw.ParquetFile.fromFile(blob as unknown as Blob);
    const columns = [job.names.time, ...Object.values(job.names.values)].filter((c, i, all) => all.indexOf(c) === i);
    const table = await file.read({ columns, rowGroups: job.rowGroups, batchSize: BATCH_SIZE });
    const arrow = tableFromIPC(table.intoIPCStream());
    return { id: job.id, ok: true, bars: decodeBars(arrow, job.names), fetched: blob.fetched.length };
  } catch (error) {
    return { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    file?.free();
  }
}
