// A small pool of decode workers: parallel decoding on every core, and a crashed worker is replaced, not fatal.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ValueRole } from './bar-columns.js';
import type { DecodedColumns } from './decode-arrow.js';
import type { Segment } from './read-footer.js';

export interface DecodeJob {
  id: number;
  key: string;
  size: number;
  segments: Segment[];
  /** The columns this job decodes; `time` only in the one part of a file that carries it. */
  names: { time?: string; values: Partial<Record<ValueRole, string>> };
  rowGroups?: number[];
  /** Rows in the row groups read (from the footer): sizes the decode batches. */
  rows: number;
}

/** What decodeJob answers for one job. */
export type JobResult =
  /** `fetched`: slices the prefetched segments did not cover (each cost a round trip to the store). */
  { id: number; ok: true; columns: DecodedColumns; fetched: number } | { id: number; ok: false; message: string };

/**
 * Where one job's time went, in milliseconds. The worker measures its own part with its own clock
 * and sends the durations with the reply; the pool adds what only the main thread sees. Each
 * thread's `performance.now()` has its own origin, so only durations cross, never instants.
 */
export interface DecodeTiming {
  /** Main thread: waiting in the pool's queue for a free worker (from the first try, when a crash sent the job again). */
  queueMs: number;
  /** Main thread: from handing the job's batch to a worker until its reply was taken; holds the two below, the messages each way and any wait for this thread's event loop. */
  workerMs: number;
  /** Worker: behind the jobs ahead of this one in the same batch. */
  batchWaitMs: number;
  /** Worker: decoding this job, waits for bytes fetched on demand included. */
  decodeMs: number;
}

/** The worker's answer for one job: the result, its own timings, and the bytes of the columns it sends back. */
export type WorkerReply = JobResult & Pick<DecodeTiming, 'batchWaitMs' | 'decodeMs'> & { bytes: number };

/** What a decode resolves with. */
export type DecodeReply = JobResult & { timing: DecodeTiming; bytes: number };

/** Reads bytes `[start, end)` of the file being decoded, for slices the segments lack. */
export type RangeFetcher = (start: number, end: number) => Promise<Uint8Array>;

/** Jobs go in batches (one message each way), decoded one after another; `fetch` names the job it is for. */
export type ToWorker =
  | { kind: 'jobs'; jobs: DecodeJob[] }
  | { kind: 'bytes'; request: number; bytes?: Uint8Array; error?: string };
export type FromWorker =
  | { kind: 'replies'; replies: WorkerReply[] }
  | { kind: 'fetch'; job: number; request: number; start: number; end: number };

export interface DecodePoolOptions {
  /** Worker threads; default one per core, at most 4 (decoding is CPU-bound, the event loop needs a core too). */
  size?: number;
  /** A decode running longer than this is treated as stuck: its worker is replaced. */
  timeoutMs?: number;
}

interface Pending {
  /** Holds the caller's segments: a dispatch sends a copy, so the job can be sent again after a crash. */
  job: DecodeJob;
  fetch: RangeFetcher;
  /** Sent alone: it was in a batch whose worker died, and only a batch of one says which file it was. */
  alone?: boolean;
  resolve(reply: DecodeReply): void;
  reject(error: Error): void;
  /** A failed fetch for this job: it, not the decoder's resulting crash, is what the caller is told. */
  fetchError?: Error;
  /** performance.now() when decode() was called, and when the job's batch last went to a worker. */
  queuedAt: number;
  sentAt?: number;
}

interface Slot {
  worker: Worker;
  /** The batch being decoded; empty when idle. */
  current: Pending[];
  timer?: NodeJS.Timeout;
}

/**
 * A batch is bounded by its bytes: small files (a daily year is ~12 KB) share a message and a
 * worker's wake-up (360 daily files went in ~125 messages), while a large file travels alone.
 */
const BATCH_BYTES = 1024 * 1024;
const BATCH_JOBS = 32;

/** Raised when a worker died mid-job (a wasm panic on a corrupt page) or ran past the timeout. */
export class DecoderCrashError extends Error {}

export class DecodePool {
  /** Most workers running at once. */
  readonly size: number;
  private readonly timeoutMs: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private pumpScheduled = false;

  constructor(options: DecodePoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Decodes off the event loop; rejects with DecoderCrashError when the worker dies (it is replaced). */
  decode(job: Omit<DecodeJob, 'id'>, fetch: RangeFetcher): Promise<DecodeReply> {
    if (this.closed) return Promise.reject(new Error('decode pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, fetch, resolve, reject, queuedAt: performance.now() });
      this.schedulePump();
    });
  }

  /** Starts every worker now (they take a moment to load the wasm), so the first request does not wait for them. */
  warm(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const pending of [...this.queue.splice(0), ...slots.flatMap((s) => s.current)])
      pending.reject(new Error('decode pool closed'));
    for (const slot of slots) this.finish(slot);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /**
   * Jobs are handed out once the current turn of the event loop is over: reads finishing in the
   * same turn then travel to a worker in one message instead of one each.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.closed) this.pump();
    });
  }

  /** Hands queued jobs to idle workers, splitting the queue evenly between them. */
  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => s.current.length === 0).length + (this.size - this.slots.length);
      let slot = this.slots.find((s) => s.current.length === 0);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const batch = this.takeBatch(Math.ceil(this.queue.length / Math.max(1, idle)));
      const sentAt = performance.now();
      for (const pending of batch) pending.sentAt = sentAt;
      slot.current = batch;
      // Referenced only while busy: an idle pool never keeps the process alive, a busy one must.
      slot.worker.ref();
      slot.timer = setTimeout(
        () => this.fail(slot!, new DecoderCrashError(`decoding took longer than ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      // The bytes go by copy inside the message, not by transfer: transferring the caller's own
      // buffers would detach them (a cached footer reuses its tail, a Buffer may share Node's pool),
      // and a copy made here would be one more buffer for this thread's garbage collector.
      const jobs = batch.map(({ job }) => ({
        ...job,
        segments: job.segments.map((s) => ({ start: s.start, bytes: wholeBuffer(s.bytes) })),
      }));
      slot.worker.postMessage({ kind: 'jobs', jobs } satisfies ToWorker);
    }
  }

  /** Up to `count` jobs from the head of the queue, within the batch budget; a job marked alone goes by itself. */
  private takeBatch(count: number): Pending[] {
    const batch = [this.queue.shift()!];
    if (batch[0].alone) return batch;
    let bytes = segmentBytes(batch[0].job);
    while (batch.length < Math.min(count, BATCH_JOBS) && this.queue.length > 0 && !this.queue[0].alone) {
      const next = segmentBytes(this.queue[0].job);
      if (bytes + next > BATCH_BYTES) break;
      bytes += next;
      batch.push(this.queue.shift()!);
    }
    return batch;
  }

  private spawn(): Slot {
    const worker = new Worker(workerEntry());
    worker.unref();
    const slot: Slot = { worker, current: [] };
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'fetch') {
        const pending = slot.current.find((p) => p.job.id === message.job);
        if (!pending) return;
        pending.fetch(message.start, message.end).then(
          (bytes) => {
            const own = new Uint8Array(bytes);
            worker.postMessage({ kind: 'bytes', request: message.request, bytes: own } satisfies ToWorker, [
              own.buffer,
            ]);
          },
          (error: Error) => {
            pending.fetchError = error;
            worker.postMessage({ kind: 'bytes', request: message.request, error: error.message } satisfies ToWorker);
          },
        );
        return;
      }
      const batch = slot.current;
      if (batch.length === 0) return;
      this.finish(slot);
      const now = performance.now();
      for (const pending of batch) {
        const found = message.replies.find((r) => r.id === pending.job.id);
        if (found) {
          const { batchWaitMs, decodeMs, ...reply } = found;
          const sentAt = pending.sentAt ?? now;
          const timing = { queueMs: sentAt - pending.queuedAt, workerMs: now - sentAt, batchWaitMs, decodeMs };
          pending.resolve({ ...reply, timing });
        } else pending.reject(new DecoderCrashError('the Parquet decoder did not answer for this file'));
      }
      this.pump();
    });
    worker.on('error', (error) =>
      this.fail(slot, new DecoderCrashError(`the Parquet decoder crashed: ${error.message}`)),
    );
    worker.on('exit', () => this.fail(slot, new DecoderCrashError('the Parquet decoder exited')));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.current = [];
    slot.worker.unref();
  }

  /**
   * Retires the slot's worker (its wasm memory may be corrupt) and lets the queue go on. A batch of
   * one fails with the error; a larger batch goes back to the queue job by job, so only the file
   * that crashes the decoder (or hangs it) fails, and the others are decoded again.
   */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    const batch = slot.current;
    this.finish(slot);
    void slot.worker.terminate();
    if (batch.length === 1) batch[0].reject(batch[0].fetchError ?? error);
    else {
      // A failed fetch is its own job's answer; the rest are retried.
      const retry = batch.filter((p) => {
        if (p.fetchError) p.reject(p.fetchError);
        return !p.fetchError;
      });
      this.queue.unshift(...retry.map((p) => ({ ...p, alone: true })));
    }
    if (!this.closed) this.pump();
  }
}

/** A message carries a view's whole buffer: a view into a larger one is cut out first. */
function wholeBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

function segmentBytes(job: DecodeJob): number {
  return job.segments.reduce((n, s) => n + s.bytes.byteLength, 0);
}

let shared: DecodePool | undefined;

/** The process's pool: decoding capacity is per machine, so every reader shares one unless given its own. */
export function sharedDecodePool(): DecodePool {
  if (!shared || shared.isClosed) shared = new DecodePool();
  return shared;
}

/**
 * The worker's file next to this module: `.js` once built. From source (tsx, vitest) it is `.ts`,
 * and a worker starts without its parent's loader hooks (`--import tsx` in execArgv is not honoured
 * for the entry module on Node 20), so a `data:` bootstrap registers tsx's ESM API, then imports it.
 */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./decode-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return url;
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as { exports: Record<string, { import?: { default?: string } }> };
  const api = new URL(
    manifest.exports['./esm/api'].import!.default!,
    pathToFileURL(require.resolve('tsx/package.json')),
  );
  const code = `import { register } from ${JSON.stringify(api.href)}; register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
