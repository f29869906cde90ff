// The seed's upload_directory_parallel as a job: plan, then files in parallel (parts in parallel inside each), retried per file.
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { InvalidInputError, NotSupportedError, PermissionDeniedError } from '../errors.js';
import type { JobFileLog } from '../jobs/file-log.js';
import type { JobSpec } from '../jobs/job-spec.js';
import type { JobTracker } from '../jobs/tracker.js';
import type { PlanEntry } from '../jobs/types.js';
import { forEachBounded } from '../parallel.js';
import { MIN_PART_SIZE } from '../store/streaming.js';
import { isJobFatal, type TransferEngine } from './engine.js';
import { pathFilter } from './glob.js';
import { resolveInside } from './paths.js';
import { DEFAULT_INCLUDE, planBackfill, type BackfillRequest } from './plan.js';
import { uploadFile } from './upload-file.js';
import { tickTargetOf, validateSourceTickFile } from './validate-source.js';
import { inSpan } from '../trace.js';

export interface BackfillOptions extends BackfillRequest {
  /** Files in flight at once (the seed's max_workers); each large file also has up to queueSize parts in flight. */
  concurrency?: number;
  partSize?: number;
  dryRun?: boolean;
  /**
   * Check tick files (data/ticks/…) as single uploads are checked before sending them: Parquet
   * magic and footer, bar columns, dates inside the key's year or month. Default true; false copies
   * bytes as they are (a raw mirror of another lake).
   */
  validate?: boolean;
}

/** Checks the arguments and the source directory now, so a bad request is an error of the call, not a failed job. */
export async function backfillJob(engine: TransferEngine, options: BackfillOptions): Promise<JobSpec> {
  const { uploadRoot } = engine;
  if (!uploadRoot)
    throw new NotSupportedError('backfills are disabled: set LAKEQL_UPLOAD_ROOT to the directory they may read from');
  const concurrency = options.concurrency ?? engine.defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > engine.maxConcurrency) {
    throw new InvalidInputError(`concurrency must be 1–${engine.maxConcurrency}, got ${concurrency}`);
  }
  const partSize = options.partSize ?? engine.defaults.partSize;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > 5 * 1024 ** 3) {
    throw new InvalidInputError(
      `partSize must be ${MIN_PART_SIZE} bytes (5 MiB, S3's minimum) to 5 GiB, got ${partSize}`,
    );
  }
  pathFilter(options.include?.length ? options.include : DEFAULT_INCLUDE, options.exclude);
  const source = await resolveInside(uploadRoot, options.source, 'source');
  if (!(await stat(source)).isDirectory()) {
    throw new InvalidInputError(
      `source "${options.source}" is a file, not a directory: a backfill uploads the files below a directory (pick files with include patterns)`,
    );
  }
  return {
    kind: 'BACKFILL',
    description: `${options.source} → ${options.prefix ?? '(same path in the lake)'} (${options.mode ?? 'OVERWRITE'})`,
    dryRun: options.dryRun ?? false,
    request: { kind: 'BACKFILL', options: { ...options, concurrency, partSize } },
    work: (tracker, context) =>
      runBackfill(engine, uploadRoot, { ...options, concurrency, partSize }, tracker, context?.files),
  };
}

async function runBackfill(
  engine: TransferEngine,
  uploadRoot: string,
  options: BackfillOptions & { concurrency: number; partSize: number },
  tracker: JobTracker,
  files?: JobFileLog,
): Promise<void> {
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
      ...plan.files.map(({ path, key, size, action, reason }) => ({
        path,
        key,
        size,
        action,
        ...(reason ? { reason } : {}),
      })),
      ...plan.refused.map(({ path, key, message }) => ({
        path,
        key,
        size: 0,
        action: 'REFUSE' as const,
        reason: message,
      })),
    ];
    const uploads = plan.files.filter((f) => f.action === 'UPLOAD');
    tracker.plan({
      totalFiles: plan.files.length + plan.refused.length,
      totalBytes: uploads.reduce((sum, f) => sum + f.size, 0),
      skippedFiles: plan.files.length - uploads.length,
      ...(options.dryRun ? { plan: entries } : {}),
    });
    if (options.dryRun) return;
    for (const r of plan.refused)
      tracker.fileFailed(
        { path: r.path, key: r.key, attempts: 0 },
        new PermissionDeniedError(r.message, { key: r.key }),
      );

    // Largest first: a big file started last would run alone at the end while every other slot
    // idles; started first, its parts overlap the stream of small files (and the plan stays in path order).
    const order = [...uploads].sort((a, b) => b.size - a.size);
    const context = { engine, tracker, partSize: options.partSize, signal: stop.signal, log: files };
    await forEachBounded(
      order,
      options.concurrency,
      async (file) => {
        try {
          await inSpan(
            'lakeql.job.item',
            {
              'lakeql.job.id': tracker.id,
              'lakeql.job.kind': 'BACKFILL',
              'lakeql.key': file.key,
              'lakeql.bytes': file.size,
            },
            async () => {
              const target = options.validate === false ? undefined : tickTargetOf(file.key);
              if (target) await validateSourceTickFile(file, file.key, target);
              await uploadFile(context, file);
            },
          );
        } catch (error) {
          if (stop.signal.aborted) return; // cancelled, or collateral of a fatal error: neither done nor failed
          if (isJobFatal(error)) {
            fatal ??= error;
            stop.abort();
          }
          tracker.fileFailed(
            { path: file.path, key: file.key, attempts: (error as { attempts?: number }).attempts ?? 1 },
            error,
          );
        }
      },
      { signal: stop.signal },
    );
    if (fatal) throw fatal;
  } finally {
    signal.removeEventListener('abort', onCancel);
  }
}
