// The directory backend's file-system layer: root confinement, temp files and atomic publish.
import { randomBytes } from 'node:crypto';
import { createWriteStream, type BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AlreadyExistsError,
  InvalidInputError,
  InvalidKeyError,
  NotFoundError,
  NotSupportedError,
  PermissionDeniedError,
} from '../../errors.js';
import { assertValidKey } from '../keys.js';
import { conflictError, translateFsError } from './errors.js';

/** Everything lakeql keeps beside the objects lives under this first segment, which no key may use. */
export const INTERNAL_DIR = '.lakeql';
const STORE = 'local';
/** Temp files older than this are leftovers of a crashed writer (nothing legitimate takes a day to write). */
const STALE_TEMP_MS = 24 * 3600 * 1000;
/** A delete pruning the parent we just created can only race a publish so often in a row. */
const PUBLISH_ATTEMPTS = 10;

/** The key rules plus the one the directory backend adds: the internal tree is not addressable. */
export function assertLocalKey(key: string): void {
  assertValidKey(key);
  if (key === INTERNAL_DIR || key.startsWith(`${INTERNAL_DIR}/`))
    throw new InvalidKeyError(`keys under "${INTERNAL_DIR}/" are reserved for the directory backend`, { key });
}

/**
 * An opaque tag that changes whenever the bytes do: our own writes always publish a new inode
 * (rename/link of a fresh temp file), and another writer's in-place edit changes mtime or size.
 */
export function etagOf(stats: BigIntStats): string {
  return `"${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}-${stats.ino.toString(16)}"`;
}

export function mtimeOf(stats: BigIntStats): Date {
  return new Date(Number(stats.mtimeNs / 1_000_000n));
}

export class LocalFs {
  private realRootPromise?: Promise<string>;
  private tmpDirPromise?: Promise<string>;

  constructor(
    readonly root: string,
    private readonly fsync: boolean,
  ) {}

  /** The root with symlinks resolved (e.g. /tmp → /private/tmp), against which confinement is checked. */
  realRoot(): Promise<string> {
    this.realRootPromise ??= fs.realpath(this.root).catch((error: NodeJS.ErrnoException) => {
      this.realRootPromise = undefined;
      if (error.code === 'ENOENT')
        throw new NotFoundError(`lake directory ${this.root} does not exist`, {
          store: STORE,
          backendCode: 'ENOENT',
          cause: error,
        });
      throw translateFsError(error, undefined, `open lake directory ${this.root}`);
    });
    return this.realRootPromise;
  }

  /** Where lakeql's own files go: `.lakeql/<name>` under the root. */
  async internalPath(...parts: string[]): Promise<string> {
    return path.join(await this.realRoot(), INTERNAL_DIR, ...parts);
  }

  /**
   * Why this is not a plain path.join: a symlink inside the lake may point anywhere. A path is
   * usable only if, with every symlink resolved, it is still under the root and not in the
   * internal tree. Checked on a realpath, this guards against links lying in the tree, not
   * against a concurrent attacker swapping directories between the check and the use; reads
   * check the opened file instead where the system allows (see local/read.ts).
   */
  confined(realRoot: string, realPath: string, key: string, allowRoot = false): string {
    const rel = path.relative(realRoot, realPath);
    const inside =
      rel === ''
        ? allowRoot
        : !rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== INTERNAL_DIR;
    if (!inside) {
      throw new PermissionDeniedError(`key "${key}" resolves outside the lake directory through a symlink`, {
        key,
        store: STORE,
        backendCode: 'SYMLINK_ESCAPE',
      });
    }
    return realPath;
  }

  /** The real path of an existing object; NotFoundError when there is none. */
  async resolveExisting(key: string): Promise<string> {
    const realRoot = await this.realRoot();
    let real: string;
    try {
      real = await fs.realpath(path.join(realRoot, key));
    } catch (error) {
      throw translateFsError(error, key, 'read');
    }
    return this.confined(realRoot, real, key);
  }

  /** The real path of the object's parent directory, or undefined when the parent does not exist. */
  async resolveParent(key: string): Promise<string | undefined> {
    const realRoot = await this.realRoot();
    try {
      return this.confined(realRoot, await fs.realpath(path.join(realRoot, path.dirname(key))), key, true);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw translateFsError(error, key);
    }
  }

  /**
   * Creates the key's parent directories one segment at a time, checking each after it exists:
   * `mkdir -p` would follow a symlinked segment and create directories outside the root.
   */
  async resolveForWrite(key: string): Promise<string> {
    const name = path.basename(key);
    const existing = await this.resolveParent(key);
    if (existing !== undefined) return path.join(existing, name);
    const realRoot = await this.realRoot();
    let dir = realRoot;
    for (const segment of key.split('/').slice(0, -1)) {
      const next = path.join(dir, segment);
      try {
        await fs.mkdir(next);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') throw conflictError(key, error);
        if (code !== 'EEXIST') throw translateFsError(error, key, 'write');
      }
      let real: string;
      try {
        real = this.confined(realRoot, await fs.realpath(next), key);
        if (!(await fs.stat(real)).isDirectory())
          throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw conflictError(key, error);
        throw translateFsError(error, key, 'write');
      }
      dir = real;
    }
    return path.join(dir, name);
  }

  private tmpDir(): Promise<string> {
    this.tmpDirPromise ??= (async () => {
      const dir = await this.internalPath('tmp');
      await fs.mkdir(dir, { recursive: true });
      await sweepStale(dir);
      return dir;
    })().catch((error) => {
      this.tmpDirPromise = undefined;
      throw translateFsError(error, undefined, 'create the temp directory');
    });
    return this.tmpDirPromise;
  }

  /** A fresh, unique, not yet existing path in the temp dir (same file system as the objects, so rename is atomic). */
  async tempPath(): Promise<string> {
    return path.join(await this.tmpDir(), `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
  }

  /** Streams a body into a new temp file; returns its path and stats. The caller publishes or removes it. */
  async writeTemp(body: Readable, key: string, signal?: AbortSignal): Promise<{ tmp: string; stats: BigIntStats }> {
    const tmp = await this.tempPath();
    try {
      // `flush` fsyncs before close: only then does a rename survive power loss with its bytes.
      await pipeline(body, createWriteStream(tmp, { flags: 'wx', flush: this.fsync }), { signal });
      return { tmp, stats: await fs.stat(tmp, { bigint: true }) };
    } catch (error) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw translateFsError(error, key, 'write');
    }
  }

  /**
   * Makes a finished temp file the object, atomically. `create` uses link(), which fails with
   * EEXIST if anything is there, so exactly one of many concurrent creators wins. Retries when a
   * concurrent delete prunes the parent directory between its creation and the rename.
   */
  async publish(tmp: string, key: string, mode: 'create' | 'overwrite'): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        let target: string;
        try {
          target = await this.resolveForWrite(key);
        } catch (error) {
          if (error instanceof NotFoundError && attempt < PUBLISH_ATTEMPTS) continue;
          throw error;
        }
        try {
          if (mode === 'create') await fs.link(tmp, target);
          else await fs.rename(tmp, target);
          return;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && attempt < PUBLISH_ATTEMPTS) continue;
          if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'ENOTDIR') throw conflictError(key, error);
          if (code === 'EEXIST' && mode === 'create') {
            if ((await fs.lstat(target).catch(() => undefined))?.isDirectory()) throw conflictError(key, error);
            throw new AlreadyExistsError(`object "${key}" already exists`, {
              key,
              store: STORE,
              backendCode: code,
              cause: error,
            });
          }
          if (mode === 'create' && (code === 'ENOTSUP' || code === 'EXDEV')) {
            throw new NotSupportedError('create-only writes need hard links, which this file system does not offer', {
              key,
              store: STORE,
              backendCode: code,
              cause: error,
            });
          }
          throw translateFsError(error, key, 'write');
        }
      }
    } finally {
      // After link() the temp name is a second link to the object; after rename it is gone already.
      await fs.rm(tmp, { force: true }).catch(() => {});
    }
  }

  /** S3 has no directories: once a delete empties one, remove it (and its emptied parents) so listings stay exact. */
  async pruneEmptyParents(key: string): Promise<void> {
    const realRoot = await this.realRoot();
    const segments = key.split('/').slice(0, -1);
    while (segments.length > 0) {
      try {
        await fs.rmdir(path.join(realRoot, ...segments));
      } catch {
        return;
      }
      segments.pop();
    }
  }

  assertContentLength(expected: number | undefined, actual: bigint, key: string): void {
    if (expected !== undefined && BigInt(expected) !== actual) {
      throw new InvalidInputError(`contentLength was ${expected} but the body had ${actual} bytes`, {
        key,
        store: STORE,
        backendCode: 'IncompleteBody',
      });
    }
  }
}

async function sweepStale(dir: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const stats = await fs.stat(file).catch(() => undefined);
    if (stats && stats.mtimeMs < cutoff) await fs.rm(file, { force: true, recursive: true }).catch(() => {});
  }
}
