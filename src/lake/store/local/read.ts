// Opens and reads the directory backend's objects: confinement is checked on the file actually opened, and small reads take one call.
import * as fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { NotFoundError, StoreError } from '../../errors.js';
import { BufferedBody } from '../body.js';
import { translateFsError } from './errors.js';
import type { LocalFs } from './fs.js';

const STORE = 'local';
/**
 * Linux's O_PATH (absent from fs.constants; this value on every architecture Node runs Linux on):
 * resolves the path and pins the inode without opening the file for I/O, so nothing a link leads
 * to outside the lake (a device, a FIFO) and nothing but a regular file inside it is ever opened.
 * That costs one round trip more than opening for reading and checking afterwards; a deliberate
 * price. The probe below checks the flag behaves so.
 */
const O_PATH = 0o10000000;
/** O_NONBLOCK: a FIFO dropped into the lake must not park a thread-pool thread in open() forever. */
const O_READ = fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK;
/**
 * Ranges up to this size are read into one buffer with one read() — Parquet footers and column
 * chunks, whole daily files; larger bodies stream in chunks of this size. Either way a get in
 * flight holds at most this much memory of its own.
 */
export const ONE_SHOT_MAX = 1024 * 1024;

const open = promisify(fs.open);
const read = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    fs.read(fd, buffer, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))),
  );
const fstat = (fd: number) =>
  new Promise<BigIntStats>((resolve, reject) => fs.fstat(fd, { bigint: true }, (e, s) => (e ? reject(e) : resolve(s))));
/**
 * A read-only descriptor has nothing to flush, so its close never waits on a device: it is closed
 * in place, which costs less than handing it to the thread pool.
 */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed: nothing is lost.
  }
}

/** An object opened for reading, and the stats of exactly the inode the descriptor reads. */
export interface OpenedObject {
  fd: number;
  stats: BigIntStats;
}

/**
 * Why not realpath, then open: a directory on the path can be swapped for a symlink between the
 * check and the open. Instead (Linux) the key is opened with O_PATH, which pins one inode; the
 * kernel's name for what was pinned (/proc/self/fd/N, with every link resolved) is checked to lie
 * in the lake; its stats come from the descriptor; and the bytes are read by reopening
 * /proc/self/fd/N, which opens that very inode whatever the path leads to by then. Check and use
 * are about one file, with no window between them. The steps after the O_PATH open are made
 * synchronously, for each thread-pool round trip saved is a good part of a small read's cost (a
 * whole-history daily query reads hundreds of ~12 KB files): the readlink, the fstat and the
 * reopen of the pinned inode are answered from kernel memory (on NFS and FUSE normally too: the
 * path walk has just fetched the attributes), and a read-only descriptor closes without waiting.
 * The path walk and the read, which may wait on a disk, stay on the thread pool; the walk also
 * makes every get yield to the event loop once, so a caller polling for a key cannot starve I/O.
 * Without /proc (macOS, BSD, a sandbox without procfs) the path is realpath-checked and then
 * opened, which guards against links lying in the tree but not against a concurrent swapper.
 */
export class LocalReader {
  private procFd?: boolean;

  constructor(private readonly local: LocalFs) {}

  /** The object's stats; NotFound for anything but a regular file. On Linux it is never opened for I/O. */
  async stat(key: string): Promise<BigIntStats> {
    const realRoot = await this.local.realRoot();
    if (!this.usesProcFd(realRoot)) {
      const real = await this.local.resolveExisting(key);
      try {
        return assertFile(await fsp.stat(real, { bigint: true }), key);
      } catch (error) {
        throw translateFsError(error, key, 'read');
      }
    }
    const pinned = await this.pin(realRoot, key);
    fs.closeSync(pinned.fd);
    return pinned.stats;
  }

  /** Opens the object for reading; the caller owns the descriptor (readBody takes it over). */
  async open(key: string): Promise<OpenedObject> {
    const realRoot = await this.local.realRoot();
    if (!this.usesProcFd(realRoot)) return this.openByRealpath(key);
    const pinned = await this.pin(realRoot, key);
    try {
      return { fd: fs.openSync(`/proc/self/fd/${pinned.fd}`, O_READ), stats: pinned.stats };
    } catch (error) {
      throw translateFsError(error, key, 'read');
    } finally {
      // An O_PATH descriptor has no file operations behind it: closing it never blocks.
      fs.closeSync(pinned.fd);
    }
  }

  private async pin(realRoot: string, key: string): Promise<OpenedObject> {
    let fd: number;
    try {
      fd = await open(path.join(realRoot, key), O_PATH);
    } catch (error) {
      throw translateFsError(error, key, 'read');
    }
    try {
      // For a file unlinked since, the kernel appends " (deleted)": the directory part still tells where it was.
      this.local.confined(realRoot, fs.readlinkSync(`/proc/self/fd/${fd}`), key);
      return { fd, stats: assertFile(fs.fstatSync(fd, { bigint: true }), key) };
    } catch (error) {
      fs.closeSync(fd);
      throw translateFsError(error, key, 'read');
    }
  }

  private async openByRealpath(key: string): Promise<OpenedObject> {
    const real = await this.local.resolveExisting(key);
    let fd: number;
    try {
      fd = await open(real, O_READ);
    } catch (error) {
      throw translateFsError(error, key, 'read');
    }
    try {
      return { fd, stats: assertFile(await fstat(fd), key) };
    } catch (error) {
      closeQuietly(fd);
      throw translateFsError(error, key, 'read');
    }
  }

  /** Tested once per store, on the root itself: O_PATH must pin without opening, and /proc must name what it pinned. */
  private usesProcFd(realRoot: string): boolean {
    this.procFd ??= probeProcFd(realRoot);
    return this.procFd;
  }
}

function probeProcFd(realRoot: string): boolean {
  if (process.platform !== 'linux') return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(realRoot, O_PATH | fs.constants.O_DIRECTORY);
    if (fs.readlinkSync(`/proc/self/fd/${fd}`) !== realRoot) return false;
    fs.fstatSync(fd);
    try {
      fs.readSync(fd, Buffer.alloc(1));
    } catch (error) {
      // A pinned-only descriptor refuses I/O (EBADF); a plain one on a directory would say EISDIR.
      return (error as NodeJS.ErrnoException).code === 'EBADF';
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function assertFile(stats: BigIntStats, key: string): BigIntStats {
  if (!stats.isFile()) throw new NotFoundError(`no object "${key}"`, { key, store: STORE });
  return stats;
}

/**
 * The body for bytes `[start, end]` of an opened object (undefined: none, for an empty object).
 * Takes the descriptor over: it is closed once read, on error, or by the stream at its end.
 */
export async function readBody(
  fd: number,
  span: { start: number; end: number } | undefined,
  key: string,
): Promise<Readable> {
  if (span === undefined) {
    closeQuietly(fd);
    return new BufferedBody(Buffer.alloc(0));
  }
  const length = span.end - span.start + 1;
  if (length > ONE_SHOT_MAX)
    return fs.createReadStream('', { fd, start: span.start, end: span.end, highWaterMark: ONE_SHOT_MAX });
  try {
    const buffer = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length; ) {
      const bytesRead = await read(fd, buffer, filled, length - filled, span.start + filled);
      // Our writes never change a published inode; only another tool rewriting the file in place can.
      if (bytesRead === 0)
        throw new StoreError(`"${key}" shrank while being read (rewritten in place by another tool)`, {
          key,
          store: STORE,
          retryable: true,
        });
      filled += bytesRead;
    }
    return new BufferedBody(buffer);
  } catch (error) {
    throw translateFsError(error, key, 'read');
  } finally {
    closeQuietly(fd);
  }
}
