// Which multipart uploads are lakeql's: a marker object per upload, so a restart can abort what a crash left behind.
import { createHash } from 'node:crypto';
import { isLakeError } from '../errors.js';
import { listAll } from './helpers.js';
import type { MultipartHooks } from './multipart-upload.js';
import { isMultipartStore, type ObjectStore } from './types.js';

/**
 * ListMultipartUploads shows key, upload id and start time, but not the metadata an upload was
 * created with, so "ours" cannot be read off the listing. Instead every multipart upload lakeql
 * starts gets a small marker object under this prefix (written before its first part, deleted
 * once it is completed or aborted), independent of the key layout, shared by every instance
 * that serves the same lake.
 *
 * Why bucket lifecycle rules (AbortIncompleteMultipartUpload after a few days) are still needed:
 * a crash between CreateMultipartUpload and the marker's PUT leaves an upload with no marker (a
 * resumed job finds those of its own files through its file log, see abortLeftovers, but an
 * upload outside a job stays); a marker's PUT or DELETE can itself fail; an instance may never
 * restart; and uploads started by other tools (the seed's boto3 scripts) are not ours to abort.
 * Parts of such uploads are billed until something aborts them, and only S3 itself is sure to.
 */
export const MARKER_PREFIX = '_lakeql/multipart/';

interface Marker {
  key: string;
  uploadId: string;
  createdAt: number;
  /** The instance that started the upload (with Redis): whoever declares it dead aborts its uploads, whatever their age. */
  owner?: string;
  /** The job the upload belongs to: its resume after a crash aborts what the crashed run left of the key. */
  job?: string;
}

export class OwnUploads implements MultipartHooks {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
    private readonly owner?: string,
  ) {}

  /** Upload ids are opaque and may hold characters keys should not; their hash names the marker. */
  static markerKey(uploadId: string): string {
    return `${MARKER_PREFIX}${createHash('sha256').update(uploadId).digest('hex').slice(0, 40)}.json`;
  }

  async onCreated(key: string, uploadId: string, job?: string): Promise<void> {
    const marker: Marker = {
      key,
      uploadId,
      createdAt: this.now(),
      ...(this.owner ? { owner: this.owner } : {}),
      ...(job ? { job } : {}),
    };
    await this.store.put(OwnUploads.markerKey(uploadId), JSON.stringify(marker), { contentType: 'application/json' });
  }

  async onEnded(_key: string, uploadId: string): Promise<void> {
    await this.store.delete(OwnUploads.markerKey(uploadId));
  }

  /**
   * Aborts lakeql's multipart uploads started more than `maxAgeMs` ago (a live upload on another
   * instance is younger than that) and removes their markers. Uploads without a marker are left alone.
   */
  async abortStale(maxAgeMs: number): Promise<{ aborted: string[]; errors: string[] }> {
    const cutoff = this.now() - maxAgeMs;
    return this.abortWhere((marker) => marker.createdAt < cutoff, cutoff);
  }

  /**
   * Aborts the unfinished uploads of exactly `key` that a crashed run of `job` may have left: those
   * whose marker names the job, and those with no marker at all (the crash came between
   * CreateMultipartUpload and the marker's PUT). Only called for a key the job's file log left at
   * `starting`, so the listing is one request per file that was in flight at the crash. An
   * upload another lakeql job marked is spared; an unmarked one another tool started on the very
   * same key at that moment is not, and its writer sees NoSuchUpload (the job is about to
   * replace that object anyway).
   */
  async abortLeftovers(key: string, job: string): Promise<number> {
    if (!isMultipartStore(this.store)) return 0;
    let aborted = 0;
    for (const upload of await this.store.listMultipartUploads(key)) {
      if (upload.key !== key) continue;
      const markerKey = OwnUploads.markerKey(upload.uploadId);
      const marker = await this.read(markerKey);
      if (marker && marker.job !== job) continue;
      try {
        await this.store.abortMultipartUpload(key, upload.uploadId);
      } catch (error) {
        if (!(isLakeError(error) && error.code === 'NOT_FOUND')) throw error;
      }
      if (marker) await this.store.delete(markerKey);
      aborted++;
    }
    return aborted;
  }

  /** Aborts every upload a dead instance started, however young. */
  async abortOwnedBy(owner: string): Promise<{ aborted: string[]; errors: string[] }> {
    return this.abortWhere((marker) => marker.owner === owner, -Infinity);
  }

  /** `cutoff`: unreadable markers whose object is older than this are deleted. */
  private async abortWhere(
    doomed: (marker: Marker) => boolean,
    cutoff: number,
  ): Promise<{ aborted: string[]; errors: string[] }> {
    const aborted: string[] = [];
    const errors: string[] = [];
    if (!isMultipartStore(this.store)) return { aborted, errors };
    for await (const object of listAll(this.store, { prefix: MARKER_PREFIX })) {
      try {
        const marker = await this.read(object.key);
        if (!marker) {
          // Unreadable markers are only deleted once old, by their object's own date.
          if (object.lastModified.getTime() < cutoff) await this.store.delete(object.key);
          continue;
        }
        if (!doomed(marker)) continue;
        try {
          await this.store.abortMultipartUpload(marker.key, marker.uploadId);
        } catch (error) {
          if (!(isLakeError(error) && error.code === 'NOT_FOUND')) throw error;
        }
        await this.store.delete(object.key);
        aborted.push(marker.key);
      } catch (error) {
        errors.push(`${object.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { aborted, errors };
  }

  private async read(key: string): Promise<Marker | undefined> {
    try {
      const { body } = await this.store.get(key);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Marker>;
      if (typeof parsed.key !== 'string' || typeof parsed.uploadId !== 'string' || typeof parsed.createdAt !== 'number')
        return undefined;
      return parsed as Marker;
    } catch (error) {
      if (isLakeError(error) && error.code === 'NOT_FOUND') return undefined;
      if (error instanceof SyntaxError) return undefined;
      throw error;
    }
  }
}
