// The seed's download_directory_parallel as a job: every object under a prefix into a directory below the download root.
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, NotFoundError, NotSupportedError } from '../errors.js';
import type { JobFileLog, SourceStamp } from '../jobs/file-log.js';
import { withRetry } from '../jobs/retry.js';
import { forEachBounded } from '../parallel.js';
import type { JobSpec } from '../jobs/job-spec.js';
import type { JobTracker } from '../jobs/tracker.js';
import { listAll } from '../store/helpers.js';
import { assertValidPrefix } from '../store/keys.js';
import { MARKER_PREFIX } from '../store/own-uploads.js';
import type { ObjectMeta } from '../store/types.js';
import { downloadFile } from './download-file.js';
import { isJobFatal, type TransferEngine } from './engine.js';
import { checkDirectoryInside, ensureDirectoryInside } from './paths.js';
import { inSpan } from '../trace.js';

export interface DownloadOptions {
  prefix: string;
  /** Directory below the download root (relative to it, or absolute inside it); created when missing. */
  destination: string;
  concurrency?: number;
}

/** Bytes one download holds in memory: stream buffers only, whatever the object's size. */
const DOWNLOAD_MEMORY = 256 * 1024;

/** Checks the arguments and the destination now, so a bad request is an error of the call, not a failed job. */
export async function downloadJob(engine: TransferEngine, options: DownloadOptions): Promise<JobSpec> {
  const { downloadRoot } = engine;
  if (!downloadRoot)
    throw new NotSupportedError('downloads are disabled: set LAKEQL_DOWNLOAD_ROOT to the directory they may write to');
  assertValidPrefix(options.prefix);
  const concurrency = options.concurrency ?? engine.defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > engine.maxConcurrency) {
    throw new InvalidInputError(`concurrency must be 1–${engine.maxConcurrency}, got ${concurrency}`);
  }
  await checkDirectoryInside(downloadRoot, options.destination, 'destination');
  return {
    kind: 'DOWNLOAD',
    description: `${options.prefix || '(whole lake)'} → ${options.destination}`,
    request: { kind: 'DOWNLOAD', options: { ...options, concurrency } },
    work: (tracker, context) => runDownload(engine, downloadRoot, { ...options, concurrency }, tracker, context?.files),
  };
}

/** The seed's `s3_key.replace(s3_prefix, '').lstrip('/')`, minus its surprise of replacing inner matches too. */
export function relativeTarget(key: string, prefix: string): string {
  const rest = key.slice(prefix.length).replace(/^\/+/, '');
  return rest === '' ? key.slice(key.lastIndexOf('/') + 1) : rest;
}

async function runDownload(
  engine: TransferEngine,
  downloadRoot: string,
  options: DownloadOptions & { concurrency: number },
  tracker: JobTracker,
  files?: JobFileLog,
): Promise<void> {
  const { store } = engine;
  const objects: ObjectMeta[] = [];
  try {
    for await (const object of listAll(store, { prefix: options.prefix })) {
      if (!object.key.startsWith(`${MARKER_PREFIX.split('/')[0]}/`)) objects.push(object);
    }
  } catch (error) {
    tracker.jobError({ path: options.destination, key: options.prefix, attempts: 1 }, error);
    throw error;
  }
  // An empty prefix is almost always a typo: say so, and leave no empty directory behind.
  if (objects.length === 0) {
    const error = new NotFoundError(`no objects under "${options.prefix}" in the lake: nothing downloaded`);
    tracker.jobError({ path: options.destination, key: options.prefix, attempts: 1 }, error);
    throw error;
  }
  const destination = await ensureDirectoryInside(downloadRoot, options.destination, 'destination');
  tracker.plan({ totalFiles: objects.length, totalBytes: objects.reduce((s, o) => s + o.size, 0), skippedFiles: 0 });
  const stop = new AbortController();
  // Every file in flight listens to it (retry sleeps, uploads, requests): hundreds of listeners are expected.
  setMaxListeners(0, stop.signal);
  const onCancel = () => stop.abort();
  tracker.signal.addEventListener('abort', onCancel, { once: true });
  const directory = directoryMaker(destination);
  let fatal: unknown;
  try {
    // Largest first, as for backfills: no big file left running alone at the end.
    await forEachBounded(
      [...objects].sort((a, b) => b.size - a.size),
      options.concurrency,
      async (object) => {
        try {
          await downloadObject(engine, { prefix: options.prefix, directory }, object, tracker, stop.signal, files);
        } catch (error) {
          if (isJobFatal(error)) {
            fatal ??= error;
            stop.abort();
          }
        }
      },
      { signal: stop.signal },
    );
    if (fatal) throw fatal;
  } finally {
    tracker.signal.removeEventListener('abort', onCancel);
  }
}

async function sameFile(target: string, record: SourceStamp): Promise<boolean> {
  const stats = await fs.stat(target).catch(() => undefined);
  // biome-ignore lint/complexity/useOptionalChain: the answer is a boolean, never undefined
  return stats !== undefined && stats.isFile() && stats.size === record.size && stats.mtimeMs === record.mtimeMs;
}

/** Each directory is created (and checked to stay inside the root) once, however many files land in it. */
export function directoryMaker(destination: string): (relativeDir: string) => Promise<string> {
  const directories = new Map<string, Promise<string>>();
  return (relativeDir) => {
    let made = directories.get(relativeDir);
    if (!made) {
      made = ensureDirectoryInside(destination, relativeDir, 'download target');
      directories.set(relativeDir, made);
    }
    return made;
  };
}

/**
 * One object into its file below the destination, retried; its outcome goes through `tracker`.
 * Rethrows (after recording it) only a failure no other file can escape (isJobFatal).
 */
export async function downloadObject(
  engine: TransferEngine,
  target: { prefix: string; directory: (relativeDir: string) => Promise<string> },
  object: Pick<ObjectMeta, 'key' | 'size' | 'etag'>,
  tracker: Pick<JobTracker, 'id' | 'progress' | 'fileDone' | 'fileFailed'>,
  signal: AbortSignal,
  files?: JobFileLog,
): Promise<void> {
  const relative = relativeTarget(object.key, target.prefix);
  let attempts = 0;
  const release = await engine.budget.acquire(DOWNLOAD_MEMORY, signal).catch(() => undefined);
  if (!release) return;
  try {
    await inSpan(
      'lakeql.job.item',
      {
        'lakeql.job.id': tracker.id,
        'lakeql.job.kind': 'DOWNLOAD',
        'lakeql.key': object.key,
        'lakeql.bytes': object.size,
      },
      async () => {
        const dir = await target.directory(path.posix.dirname(relative));
        const file = path.join(dir, path.posix.basename(relative));
        const previous = files?.previous.get(object.key);
        // Downloaded by an earlier run of this job, and neither the object nor the file changed since.
        if (previous?.state === 'done' && previous.etag === object.etag && (await sameFile(file, previous))) {
          tracker.fileDone(object.key, object.size);
          return;
        }
        let got = object;
        await withRetry(
          async (attempt) => {
            attempts = attempt;
            got = (
              await downloadFile(engine.store, object as ObjectMeta, file, signal, (received) =>
                tracker.progress(object.key, received),
              )
            ).object;
          },
          { ...engine.retry, signal },
        );
        if (files) {
          const stats = await fs.stat(file);
          await files.done(object.key, {
            size: stats.size,
            mtimeMs: stats.mtimeMs,
            ...(got.etag ? { etag: got.etag } : {}),
          });
        }
        tracker.fileDone(object.key, got.size);
      },
    );
  } catch (error) {
    if (signal.aborted) return;
    tracker.fileFailed({ path: relative, key: object.key, attempts }, error);
    if (isJobFatal(error)) throw error;
  } finally {
    release();
  }
}
