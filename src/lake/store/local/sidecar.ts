// Content type and user metadata of the directory backend's objects, kept in `.lakeql/meta/<key>.json` and remembered per process.
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { NotSupportedError } from '../../errors.js';
import { translateFsError } from './errors.js';
import type { LocalFs } from './fs.js';

const STORE = 'local';
/** Sidecars remembered per store: entries of ≈ 0.5 KB (key, ETag, content type, a few metadata pairs), so ≤ ~2 MB. */
const CACHE_ENTRIES = 4096;
/** A sidecar is a few hundred bytes (S3 caps user metadata at 2 KB); one read of this size takes all of it. */
const READ_SIZE = 8192;
const O_READ = fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK;
const open = promisify(fs.open);
const read = promisify(fs.read);

export interface Sidecar {
  contentType?: string;
  metadata: Record<string, string>;
}

interface Stored extends Sidecar {
  etag?: string;
}

/** A sidecar read started early (see prefetch); undefined when there was no need to start one. */
export type PendingSidecar = Promise<Stored | undefined> | undefined;

/**
 * The sidecar records the ETag of the bytes it describes. A reader that finds a different ETag
 * (another writer replaced the file, or a put is between its two renames) ignores it, so
 * metadata can go missing for a moment but is never attributed to the wrong bytes.
 * Limitation: keys "x" and "x.json/..." cannot both carry metadata (their sidecars collide).
 *
 * Why remembering sidecars is safe: every put publishes a new inode, hence a new ETag E, and
 * only the put that published E writes a sidecar for E. So a sidecar once read for E stays the
 * right one for as long as the object's ETag is E, and serving it from memory attaches it to
 * exactly the bytes a fresh read would. (ETags that collide — an inode reused within one
 * timestamp tick at the same size — would fool ifMatch just the same; the cache adds no case.)
 * Only sidecars found are remembered: an object is published before its sidecar is written, so
 * "no sidecar for E" may be a put between its two steps, and is asked again next time.
 */
export class LocalSidecars {
  private readonly cache = new Map<string, { etag: string; sidecar: Sidecar }>();

  constructor(private readonly local: LocalFs) {}

  private async file(key: string): Promise<string> {
    return this.local.internalPath('meta', `${key}.json`);
  }

  async write(key: string, etag: string, sidecar: Sidecar): Promise<void> {
    const file = await this.file(key);
    try {
      if (sidecar.contentType === undefined && Object.keys(sidecar.metadata).length === 0) {
        await fsp.rm(file, { force: true });
      } else {
        await fsp.mkdir(path.dirname(file), { recursive: true });
        const tmp = await this.local.tempPath();
        await fsp.writeFile(tmp, JSON.stringify({ etag, ...sidecar }), { flag: 'wx' });
        await fsp.rename(tmp, file).catch(async (error) => {
          await fsp.rm(tmp, { force: true }).catch(() => {});
          throw error;
        });
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        throw new NotSupportedError(`metadata of "${key}" collides with the metadata of another key`, {
          key,
          store: STORE,
          backendCode: code,
          cause: error,
        });
      }
      throw translateFsError(error, key, 'write metadata of');
    }
    // This put published E, so what it wrote (or removed) is the sidecar of E.
    this.remember(key, etag, sidecar);
  }

  async remove(key: string): Promise<void> {
    this.cache.delete(key);
    await fsp.rm(await this.file(key), { force: true }).catch(() => {});
  }

  /**
   * Starts reading the key's sidecar unless one is remembered, so the read overlaps the object's
   * open; `of` checks it against the ETag of the bytes actually opened. Never rejects.
   */
  prefetch(key: string): PendingSidecar {
    return this.cache.has(key) ? undefined : this.readFile(key);
  }

  /** The sidecar of the object whose bytes have ETag `etag` (none when the stored one describes other bytes). */
  async of(key: string, etag: string, prefetched?: PendingSidecar): Promise<Sidecar> {
    const known = this.cache.get(key);
    if (known?.etag === etag) {
      this.cache.delete(key); // re-insert: Map order is the eviction order
      this.cache.set(key, known);
      return copy(known.sidecar);
    }
    const stored = await (prefetched ?? this.readFile(key));
    if (stored?.etag !== etag) return { metadata: {} };
    const sidecar: Sidecar = { contentType: stored.contentType, metadata: { ...stored.metadata } };
    this.remember(key, etag, sidecar);
    return copy(sidecar);
  }

  private remember(key: string, etag: string, sidecar: Sidecar): void {
    this.cache.delete(key);
    this.cache.set(key, { etag, sidecar: copy(sidecar) });
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
  }

  /**
   * open + one read, not fs.readFile's open + fstat + read + read + close: the close is not waited
   * for, and a short read of a regular file is its end. Were it not, the JSON would not parse and
   * the sidecar would count as missing, never as another object's.
   */
  private async readFile(key: string): Promise<Stored | undefined> {
    let fd: number;
    try {
      fd = await open(await this.file(key), O_READ);
    } catch {
      return undefined;
    }
    try {
      const chunks: Buffer[] = [];
      for (;;) {
        const buffer = Buffer.allocUnsafe(READ_SIZE);
        const { bytesRead } = await read(fd, buffer, 0, READ_SIZE, null);
        chunks.push(buffer.subarray(0, bytesRead));
        if (bytesRead < READ_SIZE) break;
      }
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Stored;
      return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
    } catch {
      return undefined;
    } finally {
      fs.close(fd, () => {});
    }
  }
}

/** Callers get their own objects: a caller editing `head.metadata` must not edit what is remembered. */
function copy(sidecar: Sidecar): Sidecar {
  return { contentType: sidecar.contentType, metadata: { ...sidecar.metadata } };
}
