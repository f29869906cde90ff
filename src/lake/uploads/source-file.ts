// Opens a planned backfill file for upload: the very file the plan saw, read the cheapest way its size allows.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidInputError, PermissionDeniedError } from '../errors.js';
import type { SourceFile } from './walk.js';

/**
 * Files up to this size are read with synchronous calls: four system calls of a few microseconds
 * on a local disk, where the promise API pays four thread-pool round trips (most of a small
 * file's client CPU in a backfill of thousands). The event loop is held for one such read at most.
 */
export const SYNC_READ_MAX = 256 * 1024;

export interface OpenedSource {
  body: Buffer | Readable;
  close(): Promise<void>;
}

/** `whole`: read into memory (files that go in one request); otherwise stream (multipart). */
export async function openSource(file: SourceFile, whole: boolean): Promise<OpenedSource> {
  if (whole && file.size <= SYNC_READ_MAX) return { body: readSmall(file), close: async () => {} };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file.real, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    check(file, await handle.stat());
    const body = whole ? await handle.readFile() : handle.createReadStream({ autoClose: false });
    if (Buffer.isBuffer(body) && body.length !== file.size) throw changed(file, body.length);
    return { body, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function readSmall(file: SourceFile): Buffer {
  let fd: number;
  try {
    fd = openSync(file.real, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    check(file, fstatSync(fd));
    const buffer = Buffer.allocUnsafe(file.size);
    let read = 0;
    while (read < file.size) {
      const n = readSync(fd, buffer, read, file.size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== file.size) throw changed(file, read);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** A path swapped for a link (or another file) since planning is refused: the opened inode must be the planned one. */
function check(file: SourceFile, stats: { ino: number; dev: number; size: number }): void {
  if (stats.ino !== file.ino || stats.dev !== file.dev)
    throw new PermissionDeniedError(`${file.path} was replaced since the backfill was planned`);
  if (stats.size !== file.size) throw changed(file, stats.size);
}

function changed(file: SourceFile, size: number): InvalidInputError {
  return new InvalidInputError(
    `${file.path} changed size since the backfill was planned (${file.size} → ${size} bytes)`,
  );
}

function unreadable(file: SourceFile, error: unknown): InvalidInputError {
  return new InvalidInputError(`cannot read ${file.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
}
