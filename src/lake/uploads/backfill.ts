// The seed's upload_directory_parallel as a job: plan, then files in parallel (parts in parallel inside each), retried per file.
import { setMaxListeners } from 'node:events';
import { CancelledError, InvalidInputError, NotSupportedError, PermissionDeniedError } from '../errors.js';
import { runPool } from '../jobs/pool.js';
import { withRetry } from '../jobs/retry.js';
import type { JobSpec } from '../jobs/service.js';
import type { JobTracker } from '../jobs/tracker.js';
import type { PlanEntry } from '../jobs/types.js';
import { effectivePartSize, MIN_PART_SIZE, uploadMemory } from '../store/streaming.js';
import { isJobFatal, type TransferEngine } from './engine.js';
import { attributesFor } from './metadata.js';
import { resolveInside } from './paths.js';
import { planBackfill, type BackfillRequest, type PlannedFile } from './plan.js';
import { openSource } from './source-file.js';

export interface BackfillOptions extends BackfillRequest {
  /** Files in flight at once (the seed's max_workers); each large file also has up to queueSize parts in flight. */
  concurrency?: number;
  partSize?: number;
  dryRun?: boolean;
}

/** Checks the arguments and the source directory now, so a bad request is an error of the call, not a failed job. */
export async function backfillJob(engine: TransferEngine, options: BackfillOptions): Promise<JobSpec> {
  const { uploadRoot } = engine;
  if (!uploadRoot) throw new NotSupportedError('backfills are disabled: set LAKEQL_UPLOAD_ROOT to the directory they may read from');
  const concurrency = options.concurrency ?? engine.defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > engine.maxConcurrency) {
    throw new InvalidInputError(`concurrency must be 1–${engine.maxConcurrency}, got ${concurrency}`);
  }
  const partSize = options.partSize ?? engine.defaults.partSize;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > 5 * 1024 ** 3) {
    throw new InvalidInputError(`partSize must be ${MIN_PART_SIZE} bytes (5 MiB, S3's minimum) to 5 GiB, got ${partSize}`);
  }
  await resolveInside(uploadRoot, options.source, 'source');
  return {
    kind: 'BACKFILL',
    description: `${options.source} → ${options.prefix ?? '(same path in the lake)'} (${options.mode ?? 'OVERWRITE'})`,
    dryRun: options.dryRun ?? false,
    work: (tracker) => runBackfill(engine, uploadRoot, { ...options, concurrency, partSize }, tracker),
  };
}

async function runBackfill(engine: TransferEngine, uploadRoot: string, options: BackfillOptions & { concurrency: number; partSize: number }, tracker: JobTracker): Promise<void> {
  const { store } = engine;
  const signal = tracker.signal;
  // A job-local stop: the user's cancel, or the first failure no file can escape.
  const stop = new AbortController();
  // Every file in flight listens to it (retry sleeps, uploads, requests): hundreds of listeners are expected.
  setMaxListeners(0, stop.signal);
  const onCancel = () => stop.abort();
  signal.addEventListener('abort', onCancel, { once: true });
  let fatal: unknown;
  try {
    try {
      // One cheap request first: a missing bucket or refused credentials fail the job here, before any planning.
      await store.list({ prefix: options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '', maxKeys: 1 });
    } catch (error) {
      tracker.jobError({ path: options.source, key: options.prefix ?? '', attempts: 1 }, error);
      throw error;
    }
    const plan = await planBackfill(store, uploadRoot, options, options.partSize, signal);
    const entries: PlanEntry[] = [
      ...plan.files.map(({ path, key, size, action, reason }) => ({ path, key, size, action, ...(reason ? { reason } : {}) })),
      ...plan.refused.map(({ path, key, message }) => ({ path, key, size: 0, action: 'REFUSE' as const, reason: message })),
    ];
    const uploads = plan.files.filter((f) => f.action === 'UPLOAD');
    tracker.plan({
      totalFiles: plan.files.length + plan.refused.length,
      totalBytes: uploads.reduce((sum, f) => sum + f.size, 0),
      skippedFiles: plan.files.length - uploads.length,
      ...(options.dryRun ? { plan: entries } : {}),
    });
    if (options.dryRun) return;
    for (const r of plan.refused) tracker.fileFailed({ path: r.path, key: r.key, attempts: 0 }, new PermissionDeniedError(r.message, { key: r.key }));

    // Largest first: a big file started last would run alone at the end while every other slot
    // idles; started first, its parts overlap the stream of small files (and the plan stays in path order).
    const order = [...uploads].sort((a, b) => b.size - a.size);
    await runPool(order, options.concurrency, async (file) => {
      try {
        await uploadFile(engine, file, options.partSize, tracker, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return; // cancelled, or collateral of a fatal error: neither done nor failed
        if (isJobFatal(error)) {
          fatal ??= error;
          stop.abort();
        }
        tracker.fileFailed({ path: file.path, key: file.key, attempts: (error as { attempts?: number }).attempts ?? 1 }, error);
      }
    }, stop.signal);
    if (fatal) throw fatal;
  } finally {
    signal.removeEventListener('abort', onCancel);
  }
}

async function uploadFile(engine: TransferEngine, file: PlannedFile, partSize: number, tracker: JobTracker, signal: AbortSignal): Promise<void> {
  const queueSize = engine.defaults.queueSize;
  const release = await engine.budget.acquire(uploadMemory(file.size, partSize, queueSize), signal);
  const { contentType, metadata } = attributesFor(file.key);
  let attempts = 0;
  const single = file.size <= effectivePartSize(partSize, file.size);
  const grace = single ? afterGrace(signal, SINGLE_UPLOAD_GRACE_MS) : undefined;
  const graced = grace?.signal;
  try {
    await withRetry(async (attempt) => {
      attempts = attempt;
      const source = await openSource(file, single);
      try {
        await engine.uploader.uploadStream(file.key, source.body, {
          contentType, metadata, contentLength: file.size, partSize, queueSize,
          // A cancel does not cut a single-request upload short at once: with its bytes sent, the
          // server may already have stored the object while the client sees an abort, and the job
          // would report fewer doneFiles than objects landed. Given SINGLE_UPLOAD_GRACE_MS to finish
          // (one part's bytes at most), it is counted; only a request stuck longer is cut. Multipart
          // uploads stop between parts and are aborted, so nothing of them lands.
          signal: single ? graced : signal,
          onProgress: (sent) => tracker.progress(file.key, sent),
        });
      } finally {
        await source.close();
      }
    }, { ...engine.retry, signal });
    tracker.fileDone(file.key, file.size);
  } catch (error) {
    if (signal.aborted && !(error instanceof CancelledError)) throw new CancelledError();
    throw Object.assign(error as object, { attempts });
  } finally {
    grace?.dispose();
    release();
  }
}

/** How long a single-request upload under way may still finish after a cancel. */
export const SINGLE_UPLOAD_GRACE_MS = 2_000;

/** A signal that aborts `ms` after `signal` does. */
function afterGrace(signal: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => { timer = setTimeout(() => controller.abort(signal.reason), ms); };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => { clearTimeout(timer); signal.removeEventListener('abort', onAbort); },
  };
}
