// A small pool of decode workers: parallel decoding on every core, and a crashed worker is replaced, not fatal.
import { availableParallelism } from 'node:os';
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

export type DecodeReply =
  /** `fetched`: slices the prefetched segments did not cover (each cost a round trip to the store). */
  | { id: number; ok: true; columns: DecodedColumns; fetched: number }
  | { id: number; ok: false; message: string };

/** Reads bytes `[start, end)` of the file being decoded, for slices the segments lack. */
export type RangeFetcher = (start: number, end: number) => Promise<Uint8Array>;

export type ToWorker = { kind: 'job'; job: DecodeJob } | { kind: 'bytes'; request: number; bytes?: Uint8Array; error?: string };
export type FromWorker = { kind: 'reply'; reply: DecodeReply } | { kind: 'fetch'; request: number; start: number; end: number };

export interface DecodePoolOptions {
  /** Worker threads; default one per core, at most 4 (decoding is CPU-bound, the event loop needs a core too). */
  size?: number;
  /** A decode running longer than this is treated as stuck: its worker is replaced. */
  timeoutMs?: number;
}

interface Pending {
  job: DecodeJob;
  fetch: RangeFetcher;
  resolve(reply: DecodeReply): void;
  reject(error: Error): void;
  /** A failed fetch for this job: it, not the decoder's resulting crash, is what the caller is told. */
  fetchError?: Error;
}

interface Slot {
  worker: Worker;
  current?: Pending;
  timer?: NodeJS.Timeout;
}

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

  constructor(options: DecodePoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Decodes off the event loop; rejects with DecoderCrashError when the worker dies (it is replaced). */
  decode(job: Omit<DecodeJob, 'id'>, fetch: RangeFetcher): Promise<DecodeReply> {
    if (this.closed) return Promise.reject(new Error('decode pool is closed'));
    // Copies the caller keeps (cached footers reuse their tail) and the worker owns: transferring the
    // caller's own buffers could detach a Buffer from Node's shared pool along with other callers' bytes.
    const segments = job.segments.map((s) => ({ start: s.start, bytes: new Uint8Array(s.bytes) }));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, segments, id: this.nextId++ }, fetch, resolve, reject });
      this.pump();
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
    for (const pending of this.queue.splice(0)) pending.reject(new Error('decode pool closed'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.current);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.current = pending;
      // Referenced only while busy: an idle pool never keeps the process alive, a busy one must.
      slot.worker.ref();
      slot.timer = setTimeout(() => this.fail(slot!, new DecoderCrashError(`decoding took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
      const transfer = pending.job.segments.map((s) => s.bytes.buffer as ArrayBuffer).filter((b, i, all) => all.indexOf(b) === i);
      slot.worker.postMessage({ kind: 'job', job: pending.job } satisfies ToWorker, transfer);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(workerEntry());
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (message: FromWorker) => {
      const pending = slot.current;
      if (!pending) return;
      if (message.kind === 'fetch') {
        pending.fetch(message.start, message.end).then(
          (bytes) => {
            const own = new Uint8Array(bytes);
            worker.postMessage({ kind: 'bytes', request: message.request, bytes: own } satisfies ToWorker, [own.buffer]);
          },
          (error: Error) => {
            pending.fetchError = error;
            worker.postMessage({ kind: 'bytes', request: message.request, error: error.message } satisfies ToWorker);
          },
        );
        return;
      }
      if (pending.job.id !== message.reply.id) return;
      this.finish(slot);
      pending.resolve(message.reply);
      this.pump();
    });
    worker.on('error', (error) => this.fail(slot, new DecoderCrashError(`the Parquet decoder crashed: ${error.message}`)));
    worker.on('exit', () => this.fail(slot, new DecoderCrashError('the Parquet decoder exited')));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.current = undefined;
    slot.worker.unref();
  }

  /** Rejects the slot's job, retires the worker (its wasm memory may be corrupt) and lets the queue go on. */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    const pending = slot.current;
    this.finish(slot);
    void slot.worker.terminate();
    pending?.reject(pending.fetchError ?? error);
    if (!this.closed) this.pump();
  }
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
  const api = new URL(manifest.exports['./esm/api'].import!.default!, pathToFileURL(require.resolve('tsx/package.json')));
  const code = `import { register } from ${JSON.stringify(api.href)}; register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
