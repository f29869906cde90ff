// Store and uploader decorators that report every completed write (put, multipart completion, streamed upload, delete).
import type { StreamingUploader, StreamUploadOptions, StreamUploadResult } from '../store/streaming.js';
import {
  type GetOptions, type GetResult, isMultipartStore, isPresigner, type ListOptions, type ListPage, type MultipartStore, type ObjectHead,
  type ObjectStore, type Presigner, type PutBody, type PutOptions, type PutResult, type StoreCapabilities,
} from '../store/types.js';
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

export class WatchedStore implements ObjectStore {
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  readonly presignGet?: Presigner['presignGet'];
  readonly presignPut?: Presigner['presignPut'];
  readonly createMultipartUpload?: MultipartStore['createMultipartUpload'];
  readonly uploadPart?: MultipartStore['uploadPart'];
  readonly completeMultipartUpload?: MultipartStore['completeMultipartUpload'];
  readonly abortMultipartUpload?: MultipartStore['abortMultipartUpload'];
  readonly listMultipartUploads?: MultipartStore['listMultipartUploads'];
  readonly listParts?: MultipartStore['listParts'];

  constructor(readonly inner: ObjectStore, private readonly listener: WriteListener) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
    if (isPresigner(inner)) {
      this.presignGet = (key, o) => inner.presignGet(key, o);
      this.presignPut = (key, o) => inner.presignPut(key, o);
    }
    if (isMultipartStore(inner)) {
      this.createMultipartUpload = (key, o) => inner.createMultipartUpload(key, o);
      this.uploadPart = (key, id, n, body, signal) => inner.uploadPart(key, id, n, body, signal);
      this.completeMultipartUpload = async (key, id, parts) => {
        const result = await inner.completeMultipartUpload(key, id, parts);
        await reportWrite(inner, key, listener);
        return result;
      };
      this.abortMultipartUpload = (key, id) => inner.abortMultipartUpload(key, id);
      this.listMultipartUploads = (prefix) => inner.listMultipartUploads(prefix);
      this.listParts = (key, id) => inner.listParts(key, id);
    }
  }

  list(options?: ListOptions): Promise<ListPage> {
    return this.inner.list(options);
  }

  head(key: string): Promise<ObjectHead> {
    return this.inner.head(key);
  }

  get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.inner.get(key, options);
  }

  async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    await reportWrite(this.inner, key, this.listener);
    return result;
  }

  async delete(key: string): Promise<void> {
    await this.inner.delete(key);
    await this.listener(key, null);
  }
}

/** The streaming uploader counterpart: lib-storage uploads go around the store, so they are watched here. */
export function watchUploader(uploader: StreamingUploader, store: ObjectStore, listener: WriteListener): StreamingUploader {
  return {
    async uploadStream(key: string, body: Readable | Uint8Array, options: StreamUploadOptions): Promise<StreamUploadResult> {
      const result = await uploader.uploadStream(key, body, options);
      await reportWrite(store, key, listener);
      return result;
    },
  };
}
