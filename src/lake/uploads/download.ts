// The seed's download_directory_parallel as a job: every object under a prefix into a directory below the download root.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, InvalidDataError, InvalidInputError, NotFoundError, NotSupportedError, StoreError } from '../errors.js';
import { runPool } from '../jobs/pool.js';
import { withRetry } from '../jobs/retry.js';
import type { JobSpec } from '../jobs/service.js';
import type { JobTracker } from '../jobs/tracker.js';
import { listAll } from '../store/helpers.js';
import { assertValidPrefix } from '../store/keys.js';
import { MARKER_PREFIX } from '../store/own-uploads.js';
import type { ObjectMeta } from '../store/types.js';
import { isJobFatal, type TransferEngine } from './engine.js';
import { checkDirectoryInside, ensureDirectoryInside } from './paths.js';

export interface DownloadOptions {
  prefix: string;
  /** Directory below the download root (relative to it, or absolute inside it); created when missing. */
  destination: string;
  concurrency?: number;
}

/** Stream errors after the response began: the connection, not the object, failed; try again. */
const CUT_OFF = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/** Bytes one download holds in memory: stream buffers only, whatever the object's size. */
const DOWNLOAD_MEMORY = 256 * 1024;

/** Checks the arguments and the destination now, so a bad request is an error of the call, not a failed job. */
export async function downloadJob(engine: TransferEngine, options: DownloadOptions): Promise<JobSpec> {
  const { downloadRoot } = engine;
  if (!downloadRoot) throw new NotSupportedError('downloads are disabled: set LAKEQL_DOWNLOAD_ROOT to the directory they may write to');
  assertValidPrefix(options.prefix);
  const concurrency = options.concurrency ?? engine.defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > engine.maxConcurrency) {
    throw new InvalidInputError(`concurrency must be 1–${engine.maxConcurrency}, got ${concurrency}`);
  }
  await checkDirectoryInside(downloadRoot, options.destination, 'destination');
  return {
    kind: 'DOWNLOAD',
    description: `${options.prefix || '(whole lake)'} → ${options.destination}`,
    work: (tracker) => runDownload(engine, downloadRoot, { ...options, concurrency }, tracker),
  };
}

/** The seed's `s3_key.replace(s3_prefix, '').lstrip('/')`, minus its surprise of replacing inner matches too. */
export function relativeTarget(key: string, prefix: string): string {
  const rest = key.slice(prefix.length).replace(/^\/+/, '');
  return rest === '' ? key.slice(key.lastIndexOf('/') + 1) : rest;
}

async function runDownload(engine: TransferEngine, downloadRoot: string, options: DownloadOptions & { concurrency: number }, tracker: JobTracker): Promise<void> {
  const { store } = engine;
  const objects: ObjectMeta[] = [];
  try {
    for await (const object of listAll(store, { prefix: options.prefix })) {
      if (!object.key.startsWith(MARKER_PREFIX.split('/')[0] + '/')) objects.push(object);
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
  const directories = new Map<string, Promise<string>>();
  // Each directory is created (and checked to stay inside the root) once, however many files land in it.
  const directory = (relativeDir: string) => {
    let made = directories.get(relativeDir);
    if (!made) {
      made = ensureDirectoryInside(destination, relativeDir, 'download target');
      directories.set(relativeDir, made);
    }
    return made;
  };
  let fatal: unknown;
  try {
    // Largest first, as for backfills: no big file left running alone at the end.
    await runPool([...objects].sort((a, b) => b.size - a.size), options.concurrency, async (object) => {
      const relative = relativeTarget(object.key, options.prefix);
      let attempts = 0;
      const release = await engine.budget.acquire(DOWNLOAD_MEMORY, stop.signal).catch(() => undefined);
      if (!release) return;
      try {
        await withRetry(async (attempt) => {
          attempts = attempt;
          const dir = await directory(path.posix.dirname(relative));
          await downloadOne(engine, object, path.join(dir, path.posix.basename(relative)), tracker, stop.signal);
        }, { ...engine.retry, signal: stop.signal });
        tracker.fileDone(object.key, object.size);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (isJobFatal(error)) {
          fatal ??= error;
          stop.abort();
        }
        tracker.fileFailed({ path: relative, key: object.key, attempts }, error);
      } finally {
        release();
      }
    }, stop.signal);
    if (fatal) throw fatal;
  } finally {
    tracker.signal.removeEventListener('abort', onCancel);
  }
}

/** Into a temp file beside the target, renamed over it when complete: readers never see half a file. */
async function downloadOne(engine: TransferEngine, object: ObjectMeta, target: string, tracker: JobTracker, signal: AbortSignal): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.lakeql-tmp`);
  let received = 0;
  try {
    const { body } = await engine.store.get(object.key, { signal, ifMatch: object.etag });
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        tracker.progress(object.key, received);
        done(null, chunk);
      },
    });
    // 'wx': the temp name is fresh; O_EXCL also refuses to follow a link planted at that name.
    await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx' }), { signal });
    if (received !== object.size) throw new StoreError(`${object.key}: got ${received} of ${object.size} bytes`, { key: object.key, retryable: true });
    // rename replaces a link at the target itself, never the file it points to.
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    if (signal.aborted) throw new CancelledError();
    if ((error as NodeJS.ErrnoException).code === 'EISDIR' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new InvalidDataError(`${object.key}: a file and a directory would share the path ${target}`, { key: object.key });
    }
    if (CUT_OFF.has((error as NodeJS.ErrnoException).code ?? '')) {
      throw new StoreError(`${object.key}: the download was cut off`, { key: object.key, retryable: true, cause: error });
    }
    throw error;
  }
}
