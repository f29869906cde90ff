// A temp file an upload's bytes are appended to while its reader, if any, reads behind the writer; removed by dispose().
import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Name prefix of spill files, so an operator (or a test) can tell them apart in a shared temp directory. */
export const SPILL_PREFIX = 'lakeql-upload-';

const READ_BYTES = 64 * 1024;

/**
 * One file handle serves the writer and the reader; every operation on it runs in turn, so a read
 * never sees a half-written chunk and dispose() closes the handle only after the last one.
 */
export class SpillFile {
  readonly path: string;
  private readonly handle: Promise<FileHandle>;
  private queue: Promise<unknown> = Promise.resolve();
  private written = 0;
  private readAt = 0;
  private ended = false;
  private disposed?: Promise<void>;

  constructor(dir: string) {
    this.path = path.join(dir, `${SPILL_PREFIX}${randomBytes(8).toString('hex')}`);
    // Owner-only, and never an existing file (a link planted under the same name included).
    this.handle = open(this.path, 'wx+', 0o600);
    this.handle.catch(() => {}); // the failure reaches whoever calls append/read; this only keeps it from being "unhandled" first
  }

  append(chunk: Buffer): Promise<void> {
    return this.run(async (file) => {
      for (let done = 0; done < chunk.length; ) {
        const { bytesWritten } = await file.write(chunk, done, chunk.length - done, this.written + done);
        done += bytesWritten;
      }
      this.written += chunk.length;
    });
  }

  /** The writer is done: a reader that catches up gets the end. Queued, so no read queued earlier sees the end before the last append. */
  end(): void {
    this.run(async () => {
      this.ended = true;
    }).catch(() => {});
  }

  /** The next bytes behind the writer; `null` at the end, `undefined` when the reader has caught up with a writer still going. */
  read(): Promise<Buffer | null | undefined> {
    return this.run(async (file) => {
      const available = this.written - this.readAt;
      if (available === 0) return this.ended ? null : undefined;
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, available));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, this.readAt);
      this.readAt += bytesRead;
      return buffer.subarray(0, bytesRead);
    });
  }

  /** Closes and removes the file once what is queued has run; idempotent. */
  dispose(): Promise<void> {
    this.disposed ??= this.queue.then(async () => {
      const file = await this.handle.catch(() => undefined);
      await file?.close().catch(() => {});
      await rm(this.path, { force: true }).catch(() => {});
    });
    return this.disposed;
  }

  private run<T>(operation: (file: FileHandle) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.disposed) throw new Error('the spill file was already removed');
      return operation(await this.handle);
    });
    this.queue = next.catch(() => {});
    return next;
  }
}
