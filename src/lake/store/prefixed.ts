// PrefixedStore: a store seen through a key prefix, for lakes at s3://bucket/some/prefix.
import { assertValidKey, assertValidPrefix } from './keys.js';
import { assertValidListPrefix } from './list-options.js';
import {
  type GetOptions, type GetResult, isMultipartStore, isPresigner, type ListOptions, type ListPage, type MultipartStore, type ObjectHead,
  type ObjectStore, type Presigner, type PutBody, type PutOptions, type PutResult, type StoreCapabilities,
} from './types.js';

/**
 * Every key is relative to `prefix`; nothing outside it is reachable or listed. Presigning and
 * multipart are forwarded only when the inner store has them, as own properties set in the
 * constructor, so `isPresigner` / `isMultipartStore` stay truthful for the wrapper.
 * Errors come from the inner store and name the full key.
 */
export class PrefixedStore implements ObjectStore {
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  /** Empty, or ending in "/". */
  readonly prefix: string;
  readonly presignGet?: Presigner['presignGet'];
  readonly presignPut?: Presigner['presignPut'];
  readonly createMultipartUpload?: MultipartStore['createMultipartUpload'];
  readonly uploadPart?: MultipartStore['uploadPart'];
  readonly completeMultipartUpload?: MultipartStore['completeMultipartUpload'];
  readonly abortMultipartUpload?: MultipartStore['abortMultipartUpload'];
  readonly listMultipartUploads?: MultipartStore['listMultipartUploads'];
  readonly listParts?: MultipartStore['listParts'];

  constructor(readonly inner: ObjectStore, prefix: string) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    assertValidPrefix(this.prefix);
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
    if (isPresigner(inner)) {
      this.presignGet = async (key, options) => inner.presignGet(this.full(key), options);
      this.presignPut = async (key, options) => inner.presignPut(this.full(key), options);
    }
    if (isMultipartStore(inner)) {
      this.createMultipartUpload = async (key, options) => inner.createMultipartUpload(this.full(key), options);
      this.uploadPart = async (key, uploadId, partNumber, body, signal) => inner.uploadPart(this.full(key), uploadId, partNumber, body, signal);
      this.completeMultipartUpload = async (key, uploadId, parts) => inner.completeMultipartUpload(this.full(key), uploadId, parts);
      this.abortMultipartUpload = async (key, uploadId) => inner.abortMultipartUpload(this.full(key), uploadId);
      this.listMultipartUploads = async (prefix = '') => {
        assertValidListPrefix(prefix);
        const uploads = await inner.listMultipartUploads(this.prefix + prefix);
        return uploads.map((u) => ({ ...u, key: u.key.slice(this.prefix.length) }));
      };
      this.listParts = async (key, uploadId) => inner.listParts(this.full(key), uploadId);
    }
  }

  /**
   * Checked before joining: "../x" under a prefix could otherwise name a key outside it.
   * Called only inside async functions, so a bad key is a rejection like any other failure.
   */
  private full(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    assertValidListPrefix(prefix);
    const page = await this.inner.list({
      ...options,
      prefix: this.prefix + prefix,
      startAfter: options.startAfter === undefined ? undefined : this.prefix + options.startAfter,
      endBefore: options.endBefore === undefined ? undefined : this.prefix + options.endBefore,
    });
    const strip = (key: string) => key.slice(this.prefix.length);
    return {
      objects: page.objects.map((o) => ({ ...o, key: strip(o.key) })),
      commonPrefixes: page.commonPrefixes.map(strip),
      nextContinuationToken: page.nextContinuationToken,
    };
  }

  async head(key: string): Promise<ObjectHead> {
    return { ...(await this.inner.head(this.full(key))), key };
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const result = await this.inner.get(this.full(key), options);
    return { ...result, head: { ...result.head, key } };
  }

  async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(this.full(key), body, options);
  }

  async delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }
}
