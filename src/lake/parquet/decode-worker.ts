// Worker thread that decodes Parquet with parquet-wasm: a wasm panic on a corrupt page kills this thread, never the server.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { DecodedColumns } from './decode-arrow.js';
import { decodeJob } from './decode-job.js';
import type { DecodeJob, FromWorker, ToWorker, WorkerReply } from './decode-pool.js';

const port = parentPort!;
const waiting = new Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>();
let nextRequest = 1;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Bytes the prefetched segments lack are asked of the main thread, which owns the store. */
function fetchRange(job: number, start: number, end: number): Promise<Uint8Array> {
  const request = nextRequest++;
  return new Promise((resolve, reject) => {
    waiting.set(request, { resolve, reject });
    post({ kind: 'fetch', job, request, start, end });
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
  void decodeAll(message.jobs);
});

/**
 * One job after another (each fails alone), answered in one message. A wasm trap ends the thread
 * instead. Each reply carries this thread's timings of its job: the main thread cannot see how
 * long a job waited here behind the others of its batch, nor how long the decode itself took.
 */
async function decodeAll(jobs: DecodeJob[]): Promise<void> {
  const received = performance.now();
  const replies: WorkerReply[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const job of jobs) {
    const start = performance.now();
    const result = await decodeJob(job, (a, b) => fetchRange(job.id, a, b));
    const decodeMs = performance.now() - start;
    const buffers = result.ok ? columnBuffers(result.columns) : [];
    transfer.push(...buffers);
    const bytes = buffers.reduce((n, b) => n + b.byteLength, 0);
    replies.push({ ...result, batchWaitMs: start - received, decodeMs, bytes });
  }
  post({ kind: 'replies', replies }, transfer);
}

/** The buffers behind a reply's columns, each once (columns may share one). */
function columnBuffers(columns: DecodedColumns): ArrayBuffer[] {
  return [
    ...new Set([columns.time, ...Object.values(columns.values)].flatMap((v) => (v ? [v.buffer as ArrayBuffer] : []))),
  ];
}
