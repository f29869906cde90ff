// PrefixedStore: a store seen through a key prefix, for lakes at s3://bucket/some/prefix.
import { ForwardingStore } from './forwarding.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import { assertValidListPrefix } from './list-options.js';
import type {
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  MultipartUploadInfo,
  ObjectHead,
  ObjectStore,
  Presigner,
  PutBody,
  PutOptions,
  PutResult,
  UploadedPart,
} from './types.js';

/**
 * Every key is relative to `prefix`; nothing outside it is reachable or listed. Every method takes
 * or returns keys, so each one is overridden here (a test checks that none is left to the base,
 * which would pass a key through unprefixed). Errors come from the inner store and name the full key.
 */
export class PrefixedStore extends ForwardingStore {
  /** Empty, or ending in "/". */
  readonly prefix: string;

  constructor(inner: ObjectStore, prefix: string) {
    super(inner);
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    assertValidPrefix(this.prefix);
  }

  /**
   * Checked before joining: "../x" under a prefix could otherwise name a key outside it.
   * Called only inside async functions, so a bad key is a rejection like any other failure.
   */
  private full(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  override async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    assertValidListPrefix(prefix);
    const page = await super.list({
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

  override async head(key: string): Promise<ObjectHead> {
    return { ...(await super.head(this.full(key))), key };
  }

  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    const result = await super.get(this.full(key), options);
    return { ...result, head: { ...result.head, key } };
  }

  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return super.put(this.full(key), body, options);
  }

  override async delete(key: string): Promise<void> {
    return super.delete(this.full(key));
  }

  override async presignGet(key: string, options: Parameters<Presigner['presignGet']>[1]): Promise<string> {
    return super.presignGet(this.full(key), options);
  }

  override async presignPut(key: string, options: Parameters<Presigner['presignPut']>[1]): Promise<string> {
    return super.presignPut(this.full(key), options);
  }

  override async createMultipartUpload(
    key: string,
    options?: Omit<PutOptions, 'mode' | 'contentLength'>,
  ): Promise<string> {
    return super.createMultipartUpload(this.full(key), options);
  }

  override async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    return super.uploadPart(this.full(key), uploadId, partNumber, body, signal);
  }

  override async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    return super.completeMultipartUpload(this.full(key), uploadId, parts);
  }

  override async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return super.abortMultipartUpload(this.full(key), uploadId);
  }

  override async listMultipartUploads(prefix = ''): Promise<MultipartUploadInfo[]> {
    assertValidListPrefix(prefix);
    const uploads = await super.listMultipartUploads(this.prefix + prefix);
    return uploads.map((u) => ({ ...u, key: u.key.slice(this.prefix.length) }));
  }

  override async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return super.listParts(this.full(key), uploadId);
  }
}
