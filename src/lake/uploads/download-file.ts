// One object into a local file: through a temp file named after the object's ETag, so a cut-off download continues where it stopped.
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, InvalidDataError, isLakeError, StoreError } from '../errors.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';

/** Stream errors after the response began: the connection, not the object, failed; try again. */
const CUT_OFF = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/** An ETag that is the MD5 of the whole object (S3 single-part, no SSE-KMS): a resumed file can be checked against it. */
const PLAIN_MD5 = /^"?([0-9a-f]{32})"?$/;

export interface DownloadFileResult {
  /** Bytes asked of the store by this call (less than the size when a partial file was continued). */
  fetched: number;
  /** Where the download continued from, when it did. */
  resumedAt?: number;
  /** The object as it was downloaded (another ETag and size when it changed since it was listed). */
  object: ObjectMeta;
}

/**
 * Into `.<name>.<etag-hash>.lakeql-tmp` beside the target, renamed over it when complete:
 * readers never see half a file. A temp file left by a cut-off attempt or a killed process is
 * continued with a ranged GET pinned by `If-Match` to the same ETag; a 412 (the object changed)
 * throws the partial bytes away and downloads the new object whole. A continued file whose
 * ETag is a plain MD5 is checked against it before it is published.
 */
export async function downloadFile(
  store: ObjectStore,
  listed: ObjectMeta,
  target: string,
  signal: AbortSignal,
  onProgress: (received: number) => void,
): Promise<DownloadFileResult> {
  let object = listed;
  try {
    try {
      return await attempt(store, object, target, signal, onProgress);
    } catch (error) {
      if (!(isLakeError(error) && error.code === 'PRECONDITION_FAILED')) throw error;
      // Changed since it was listed (or since the partial file was written): the object as it is now, whole.
      const head = await store.head(object.key);
      object = { key: head.key, size: head.size, etag: head.etag, lastModified: head.lastModified };
      return await attempt(store, object, target, signal, onProgress);
    }
  } catch (error) {
    if (signal.aborted) throw new CancelledError();
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EISDIR' || code === 'ENOTDIR') {
      throw new InvalidDataError(`${object.key}: a file and a directory would share the path ${target}`, {
        key: object.key,
      });
    }
    if (CUT_OFF.has(code))
      throw new StoreError(`${object.key}: the download was cut off`, {
        key: object.key,
        retryable: true,
        cause: error,
      });
    throw error;
  }
}

export function tempPathFor(target: string, etag: string): string {
  const tag = createHash('sha256').update(etag).digest('hex').slice(0, 16);
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}.lakeql-tmp`);
}

async function attempt(
  store: ObjectStore,
  object: ObjectMeta,
  target: string,
  signal: AbortSignal,
  onProgress: (received: number) => void,
): Promise<DownloadFileResult> {
  if (!object.etag)
    throw new StoreError(`${object.key}: the store gave no ETag, which a download needs to stay consistent`, {
      key: object.key,
    });
  const tmp = tempPathFor(target, object.etag);
  let start = await partialSize(tmp);
  if (start === 0 || start > object.size) {
    await fs.rm(tmp, { force: true });
    start = 0;
  }
  let received = start;
  let keep = false;
  try {
    if (start < object.size || object.size === 0) {
      const { body } = await store.get(object.key, {
        signal,
        ifMatch: object.etag,
        ...(start > 0 ? { range: { start } } : {}),
      });
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          onProgress(received);
          done(null, chunk);
        },
      });
      // O_EXCL for a fresh file, O_NOFOLLOW to continue one: neither follows a link planted at the temp name.
      const flags = start > 0 ? constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW : 'wx';
      let out: fs.FileHandle;
      try {
        out = await fs.open(tmp, flags);
      } catch (error) {
        body.destroy();
        throw error;
      }
      // A cut-off leaves a prefix worth continuing; anything else below discards it.
      keep = true;
      await pipeline(body, counter, out.createWriteStream(), { signal });
    } else {
      onProgress(received);
    }
    if (received !== object.size)
      throw new StoreError(`${object.key}: got ${received} of ${object.size} bytes`, {
        key: object.key,
        retryable: true,
      });
    const md5 = PLAIN_MD5.exec(object.etag)?.[1];
    if (start > 0 && md5 && (await md5Of(tmp)) !== md5) {
      keep = false;
      throw new StoreError(`${object.key}: the continued file does not match the object's MD5; downloading it again`, {
        key: object.key,
        retryable: true,
      });
    }
    // rename replaces a link at the target itself, never the file it points to.
    await fs.rename(tmp, target);
    keep = true;
    return { fetched: received - start, ...(start > 0 ? { resumedAt: start } : {}), object };
  } catch (error) {
    const cutOff =
      CUT_OFF.has((error as NodeJS.ErrnoException).code ?? '') ||
      (isLakeError(error) && error.retryable && error.code !== 'CANCELLED');
    if (!(keep && cutOff && !signal.aborted)) await fs.rm(tmp, { force: true }).catch(() => {});
    throw error;
  }
}

/** Bytes of a temp file left by an earlier attempt; 0 when there is none or it is not a plain file. */
async function partialSize(tmp: string): Promise<number> {
  try {
    const stats = await fs.lstat(tmp);
    if (stats.isFile()) return stats.size;
    await fs.rm(tmp, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return 0;
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
