// Store and uploader decorators that report every completed write (put, multipart completion, streamed upload, delete).
import type { StreamingUploader, StreamUploadOptions, StreamUploadResult } from '../store/streaming.js';
import { ForwardingStore } from '../store/forwarding.js';
import type { ObjectStore, PutBody, PutOptions, PutResult } from '../store/types.js';
import type { Readable } from 'node:stream';
import { locate } from './datasets.js';
import { FileEntry } from './snapshot.js';

/** What a completed write left at the key: its listing entry, null when deleted, 'unknown' when it could not be read back. */
export type WrittenEntry = FileEntry | null | 'unknown';
export type WriteListener = (key: string, entry: WrittenEntry) => void | Promise<void>;

/**
 * Reads a written key back with one HEAD (size, ETag and date as a listing would show them) before
 * reporting it; keys outside the indexed layout are reported without one. The write's promise
 * settles only after the listener ran, so the caller's next query already sees the write.
 */
export async function reportWrite(store: ObjectStore, key: string, listener: WriteListener): Promise<void> {
  if (!locate(key)) return listener(key, null);
  let entry: WrittenEntry;
  try {
    entry = FileEntry.of(await store.head(key));
  } catch {
    entry = 'unknown';
  }
  await listener(key, entry);
}

/** Reports every completed write (put, multipart completion, delete); everything else is forwarded unchanged. */
export class WatchedStore extends ForwardingStore {
  constructor(
    inner: ObjectStore,
    private readonly listener: WriteListener,
  ) {
    super(inner);
  }

  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const result = await super.put(key, body, options);
    await reportWrite(this.inner, key, this.listener);
    return result;
  }

  override async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    const result = await super.completeMultipartUpload(key, uploadId, parts);
    await reportWrite(this.inner, key, this.listener);
    return result;
  }

  override async delete(key: string): Promise<void> {
    await super.delete(key);
    await this.listener(key, null);
  }
}

/** The streaming uploader counterpart: lib-storage uploads go around the store, so they are watched here. */
export function watchUploader(
  uploader: StreamingUploader,
  store: ObjectStore,
  listener: WriteListener,
): StreamingUploader {
  return {
    async uploadStream(
      key: string,
      body: Readable | Uint8Array,
      options: StreamUploadOptions,
    ): Promise<StreamUploadResult> {
      const result = await uploader.uploadStream(key, body, options);
      await reportWrite(store, key, listener);
      return result;
    },
  };
}
