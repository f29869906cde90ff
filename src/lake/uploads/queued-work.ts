// Backfills and downloads cut into queue items (job-queue.ts): the plan made once, then batches of files any instance's workers run.
import { setMaxListeners } from 'node:events';
import { InvalidInputError, NotFoundError, PermissionDeniedError } from '../errors.js';
import type { JobFileLog } from '../jobs/file-log.js';
import type { FileProgress } from '../jobs/item-progress.js';
import type { QueuedWork } from '../jobs/job-queue.js';
import { describe } from '../jobs/tracker.js';
import type { FileError, JobKind } from '../jobs/types.js';
import { listAll } from '../store/helpers.js';
import { MARKER_PREFIX } from '../store/own-uploads.js';
import { forEachBounded } from '../parallel.js';
import type { BackfillOptions } from './backfill.js';
import { directoryMaker, downloadObject, type DownloadOptions } from './download.js';
import { isJobFatal, type TransferEngine } from './engine.js';
import { checkDirectoryInside, ensureDirectoryInside } from './paths.js';
import { planBackfill, type PlannedFile } from './plan.js';
import { uploadFile } from './upload-file.js';
import { tickTargetOf, validateSourceTickFile } from './validate-source.js';

/**
 * Files per item, and bytes: a batch is what one worker slot runs (with the job's `concurrency`
 * inside it), so it is small enough that a worker's death costs little to redo and large enough
 * that the queue is not a round trip per 20 KB file. A file larger than the byte bound is an item
 * of its own; its multipart upload resumes at the part on whichever instance takes it over.
 */
export const ITEM_FILES = 25;
export const ITEM_BYTES = 64 * 1024 * 1024;

type Backfill = BackfillOptions & { concurrency: number; partSize: number };
type Download = DownloadOptions & { concurrency: number };
type RemoteObject = { key: string; size: number; etag?: string };

/** Groups files (biggest first) into items of at most ITEM_FILES files and ITEM_BYTES bytes. */
export function batches<T extends { size: number }>(files: T[]): T[][] {
  const items: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of [...files].sort((a, b) => b.size - a.size)) {
    if (current.length > 0 && (current.length >= ITEM_FILES || bytes + file.size > ITEM_BYTES)) {
      items.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length > 0) items.push(current);
  return items;
}

export function queuedTransfers(engine: TransferEngine): QueuedWork {
  return {
    async plan(kind, request, signal) {
      if (kind === 'BACKFILL') return planBackfillItems(engine, request as Backfill, signal);
      if (kind === 'DOWNLOAD') return planDownloadItems(engine, request as Download);
      throw new InvalidInputError(`a ${kind} job does not run on the queue`);
    },
    keysOf(_kind: JobKind, item) {
      return (item as { key: string }[]).map((f) => f.key);
    },
    run(kind, request, item, progress, log) {
      if (kind === 'BACKFILL')
        return runBackfillItem(engine, request as Backfill, item as PlannedFile[], progress, log);
      return runDownloadItem(engine, request as Download, item as RemoteObject[], progress, log);
    },
  };
}

function fileError(path: string, key: string, cause: unknown): FileError {
  return { path, key, attempts: 1, ...describe(cause) };
}

async function planBackfillItems(engine: TransferEngine, options: Backfill, signal: AbortSignal) {
  if (!engine.uploadRoot)
    throw new InvalidInputError('backfills are disabled on the instance that took this job: set LAKEQL_UPLOAD_ROOT');
  // One cheap request first: a missing bucket or refused credentials fail the job here, before any planning.
  await engine.store.list({ prefix: options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '', maxKeys: 1 });
  const plan = await planBackfill(engine.store, engine.uploadRoot, options, options.partSize, signal);
  const uploads = plan.files.filter((f) => f.action === 'UPLOAD');
  return {
    totalFiles: plan.files.length + plan.refused.length,
    totalBytes: uploads.reduce((sum, f) => sum + f.size, 0),
    skippedFiles: plan.files.length - uploads.length,
    refused: plan.refused.map(
      (r) =>
        [r.key, fileError(r.path, r.key, new PermissionDeniedError(r.message, { key: r.key }))] as [string, FileError],
    ),
    items: batches(uploads),
  };
}

async function runBackfillItem(
  engine: TransferEngine,
  options: Backfill,
  files: PlannedFile[],
  progress: FileProgress,
  log: JobFileLog,
): Promise<void> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  progress.signal.addEventListener('abort', onAbort, { once: true });
  const context = { engine, tracker: progress, partSize: options.partSize, signal: stop.signal, log };
  let fatal: unknown;
  try {
    await forEachBounded(
      files,
      options.concurrency,
      async (file) => {
        try {
          const target = options.validate === false ? undefined : tickTargetOf(file.key);
          if (target) await validateSourceTickFile(file, file.key, target);
          await uploadFile(context, file);
        } catch (error) {
          if (stop.signal.aborted) return;
          if (isJobFatal(error)) {
            fatal ??= error;
            stop.abort();
          }
          progress.fileFailed(
            { path: file.path, key: file.key, attempts: (error as { attempts?: number }).attempts ?? 1 },
            error,
          );
        }
      },
      { signal: stop.signal },
    );
  } finally {
    progress.signal.removeEventListener('abort', onAbort);
  }
  if (fatal) throw fatal;
}

async function planDownloadItems(engine: TransferEngine, options: Download) {
  if (!engine.downloadRoot)
    throw new InvalidInputError('downloads are disabled on the instance that took this job: set LAKEQL_DOWNLOAD_ROOT');
  await checkDirectoryInside(engine.downloadRoot, options.destination, 'destination');
  const objects: RemoteObject[] = [];
  for await (const object of listAll(engine.store, { prefix: options.prefix })) {
    if (!object.key.startsWith(`${MARKER_PREFIX.split('/')[0]}/`))
      objects.push({ key: object.key, size: object.size, ...(object.etag ? { etag: object.etag } : {}) });
  }
  // An empty prefix is almost always a typo: say so, and leave no empty directory behind.
  if (objects.length === 0)
    throw new NotFoundError(`no objects under "${options.prefix}" in the lake: nothing downloaded`);
  await ensureDirectoryInside(engine.downloadRoot, options.destination, 'destination');
  return {
    totalFiles: objects.length,
    totalBytes: objects.reduce((s, o) => s + o.size, 0),
    skippedFiles: 0,
    refused: [],
    items: batches(objects),
  };
}

async function runDownloadItem(
  engine: TransferEngine,
  options: Download,
  objects: RemoteObject[],
  progress: FileProgress,
  log: JobFileLog,
): Promise<void> {
  const destination = await ensureDirectoryInside(engine.downloadRoot!, options.destination, 'destination');
  const target = { prefix: options.prefix, directory: directoryMaker(destination) };
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  progress.signal.addEventListener('abort', onAbort, { once: true });
  let fatal: unknown;
  try {
    await forEachBounded(
      objects,
      options.concurrency,
      async (object) => {
        try {
          await downloadObject(engine, target, object, progress, stop.signal, log);
        } catch (error) {
          fatal ??= error;
          stop.abort();
        }
      },
      { signal: stop.signal },
    );
  } finally {
    progress.signal.removeEventListener('abort', onAbort);
  }
  if (fatal) throw fatal;
}
