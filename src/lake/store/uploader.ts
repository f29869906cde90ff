// Picks the StreamingUploader for a store: lib-storage for S3 (through any key prefix), parts over MultipartStore elsewhere.
import { NotSupportedError } from '../errors.js';
import { MultipartStreamUploader, type MultipartHooks } from './multipart-upload.js';
import { PrefixedStore } from './prefixed.js';
import { S3Store } from './s3/store.js';
import { S3StreamUploader } from './s3/upload.js';
import type { StreamingUploader } from './streaming.js';
import { isMultipartStore, type ObjectStore } from './types.js';

/**
 * Only PrefixedStore is seen through (its key mapping is known); any other decorator (counting,
 * fault injection) is respected by driving the parts through the decorated store instead.
 */
export function uploaderFor(store: ObjectStore, hooks: MultipartHooks = {}): StreamingUploader {
  let inner: ObjectStore = store;
  let prefix = '';
  while (inner instanceof PrefixedStore) {
    prefix = inner.prefix + prefix;
    inner = inner.inner;
  }
  if (inner instanceof S3Store) return new S3StreamUploader(inner.getS3Client(), inner.bucket, prefix, hooks);
  if (isMultipartStore(store)) return new MultipartStreamUploader(store, hooks);
  throw new NotSupportedError(`the ${store.kind} store has no multipart uploads, which upload jobs need`);
}
