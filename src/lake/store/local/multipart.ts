// Multipart uploads for the directory backend, with S3's rules, so an upload engine needs no per-backend code.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { normalizeMetadata } from '../body.js';
import { translateFsError } from './errors.js';
import { assertLocalKey, etagOf, type LocalFs } from './fs.js';
import type { LocalSidecars } from './sidecar.js';
import type { MultipartUploadInfo, PutOptions, PutResult, UploadedPart } from '../types.js';

/** S3's rule: every part but the last is at least 5 MiB. Kept here too so tests on disk catch what S3 would reject. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;
const STORE = 'local';
const UPLOAD_ID = /^[0-9a-f]{32}$/;

interface UploadRecord {
  key: string;
  initiated: string;
  contentType?: string;
  metadata: Record<string, string>;
}

function noSuchUpload(key: string, uploadId: string): NotFoundError {
  return new NotFoundError(`no multipart upload ${uploadId} for "${key}"`, {
    key,
    store: STORE,
    backendCode: 'NoSuchUpload',
  });
}

/**
 * Parts live in `.lakeql/uploads/<uploadId>/` until completion concatenates them into a temp file
 * and publishes it like any put. As on S3, an upload abandoned by a crashed writer stays until
 * someone aborts it (`listMultipartUploads` finds them).
 */
export class LocalMultipart {
  constructor(
    private readonly local: LocalFs,
    private readonly sidecars: LocalSidecars,
    private readonly fsync: boolean,
  ) {}

  private async uploadDir(uploadId: string): Promise<string> {
    return this.local.internalPath('uploads', uploadId);
  }

  /** The upload's record; NotFound unless it exists and belongs to this key (ids are not guessable paths). */
  private async load(key: string, uploadId: string): Promise<{ dir: string; record: UploadRecord }> {
    assertLocalKey(key);
    if (!UPLOAD_ID.test(uploadId)) throw noSuchUpload(key, uploadId);
    const dir = await this.uploadDir(uploadId);
    try {
      const record = JSON.parse(await fs.readFile(path.join(dir, 'upload.json'), 'utf8')) as UploadRecord;
      if (record.key !== key) throw noSuchUpload(key, uploadId);
      return { dir, record };
    } catch (error) {
      if (error instanceof NotFoundError || (error as NodeJS.ErrnoException).code === 'ENOENT')
        throw noSuchUpload(key, uploadId);
      throw translateFsError(error, key, 'read the multipart upload of');
    }
  }

  async create(key: string, options: Omit<PutOptions, 'mode' | 'contentLength'> = {}): Promise<string> {
    assertLocalKey(key);
    const metadata = normalizeMetadata(options.metadata, key);
    const uploadId = randomBytes(16).toString('hex');
    const dir = await this.uploadDir(uploadId);
    const record: UploadRecord = {
      key,
      initiated: new Date().toISOString(),
      contentType: options.contentType,
      metadata,
    };
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'upload.json'), JSON.stringify(record), { flag: 'wx' });
    } catch (error) {
      throw translateFsError(error, key, 'start a multipart upload of');
    }
    return uploadId;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new InvalidInputError(`part number must be 1–${MAX_PART_NUMBER}, got ${partNumber}`, { key, store: STORE });
    }
    const { dir } = await this.load(key, uploadId);
    signal?.throwIfAborted();
    const tmp = path.join(dir, `${partNumber}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.writeFile(tmp, body, { flag: 'wx', flush: this.fsync, signal });
      // Re-uploading a part number replaces it, as on S3.
      await fs.rename(tmp, path.join(dir, `${partNumber}.part`));
    } catch (error) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchUpload(key, uploadId);
      throw translateFsError(error, key, 'upload a part of');
    }
    return { etag: `"${createHash('md5').update(body).digest('hex')}"` };
  }

  async complete(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult> {
    const { dir, record } = await this.load(key, uploadId);
    if (parts.length === 0)
      throw new InvalidInputError('a multipart upload needs at least one part', {
        key,
        store: STORE,
        backendCode: 'MalformedXML',
      });
    for (let i = 1; i < parts.length; i++) {
      if (parts[i].partNumber <= parts[i - 1].partNumber) {
        throw new InvalidInputError('parts must be listed in ascending part-number order', {
          key,
          store: STORE,
          backendCode: 'InvalidPartOrder',
        });
      }
    }
    const files = parts.map((p) => path.join(dir, `${p.partNumber}.part`));
    const sizes = await Promise.all(
      files.map((f, i) =>
        fs.stat(f).then(
          (s) => s.size,
          () => {
            throw new InvalidInputError(`part ${parts[i].partNumber} was never uploaded`, {
              key,
              store: STORE,
              backendCode: 'InvalidPart',
            });
          },
        ),
      ),
    );
    sizes.slice(0, -1).forEach((size, i) => {
      if (size < MIN_PART_SIZE)
        throw new InvalidInputError(
          `part ${parts[i].partNumber} is ${size} bytes; every part but the last must be at least 5 MiB`,
          { key, store: STORE, backendCode: 'EntityTooSmall' },
        );
    });
    const tmp = await this.local.tempPath();
    try {
      const out = createWriteStream(tmp, { flags: 'wx', flush: this.fsync });
      // Each part's MD5 is checked while copying: the bytes published are the bytes the caller named.
      for (const [i, file] of files.entries()) {
        const hash = createHash('md5');
        const tee = new Transform({
          transform: (chunk: Buffer, _enc, done) => {
            hash.update(chunk);
            done(null, chunk);
          },
        });
        await pipeline(createReadStream(file), tee, out, { end: i === files.length - 1 });
        if (`"${hash.digest('hex')}"` !== quote(parts[i].etag)) {
          out.destroy();
          throw new InvalidInputError(`part ${parts[i].partNumber}'s ETag does not match the uploaded part`, {
            key,
            store: STORE,
            backendCode: 'InvalidPart',
          });
        }
      }
      if (!out.writableFinished)
        await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
      const stats = await fs.stat(tmp, { bigint: true });
      const etag = etagOf(stats);
      await this.local.publish(tmp, key, 'overwrite');
      await this.sidecars.write(key, etag, { contentType: record.contentType, metadata: record.metadata });
      await fs.rm(dir, { recursive: true, force: true });
      return { etag };
    } catch (error) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw translateFsError(error, key, 'complete the multipart upload of');
    }
  }

  /** Idempotent: aborting an upload that is already gone (or was completed) is not an error. */
  async abort(key: string, uploadId: string): Promise<void> {
    assertLocalKey(key);
    if (!UPLOAD_ID.test(uploadId)) return;
    try {
      await this.load(key, uploadId);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
    await fs.rm(await this.uploadDir(uploadId), { recursive: true, force: true }).catch((error) => {
      throw translateFsError(error, key, 'abort the multipart upload of');
    });
  }

  /** Each part's ETag is its MD5, as uploadPart answered: read back from disk, so it names the bytes actually kept. */
  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    const { dir } = await this.load(key, uploadId);
    const names = await fs.readdir(dir).catch((error) => {
      throw translateFsError(error, key, 'list the parts of');
    });
    const parts: UploadedPart[] = [];
    for (const name of names) {
      const match = /^(\d+)\.part$/.exec(name);
      if (!match) continue;
      const hash = createHash('md5');
      let size = 0;
      try {
        for await (const chunk of createReadStream(path.join(dir, name))) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // replaced or aborted meanwhile
        throw translateFsError(error, key, 'list the parts of');
      }
      parts.push({ partNumber: Number(match[1]), etag: `"${hash.digest('hex')}"`, size });
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async list(prefix = ''): Promise<MultipartUploadInfo[]> {
    const root = await this.local.internalPath('uploads');
    const ids = await fs.readdir(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw translateFsError(error, undefined, 'list multipart uploads');
    });
    const uploads: MultipartUploadInfo[] = [];
    for (const uploadId of ids.filter((id) => UPLOAD_ID.test(id))) {
      try {
        const record = JSON.parse(await fs.readFile(path.join(root, uploadId, 'upload.json'), 'utf8')) as UploadRecord;
        if (record.key.startsWith(prefix))
          uploads.push({ key: record.key, uploadId, initiated: new Date(record.initiated) });
      } catch {
        // an upload being created or aborted right now
      }
    }
    return uploads.sort((a, b) =>
      a.key === b.key
        ? a.initiated.getTime() - b.initiated.getTime()
        : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)),
    );
  }
}

function quote(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
