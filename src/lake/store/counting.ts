// CountingStore: counts calls per method on any store, for metrics and for tests that assert on round trips.
import {
  type GetOptions, type GetResult, isMultipartStore, isPresigner, type ListOptions, type ListPage, type MultipartStore, type ObjectHead,
  type ObjectStore, type Presigner, type PutBody, type PutOptions, type PutResult, type StoreCapabilities,
} from './types.js';

export type StoreMethod =
  | 'list' | 'head' | 'get' | 'put' | 'delete' | 'presignGet' | 'presignPut' | 'createMultipartUpload' | 'uploadPart'
  | 'completeMultipartUpload' | 'abortMultipartUpload' | 'listMultipartUploads' | 'listParts';

export interface CountingStoreOptions {
  /** Called on every call, before it runs (e.g. to increment a Prometheus counter). */
  onCall?: (method: StoreMethod, store: string) => void;
}

/**
 * Counts a call when it is made, whether it then succeeds or fails. Optional capabilities are
 * forwarded (and counted) only when the inner store has them, so `isPresigner` stays truthful.
 */
export class CountingStore implements ObjectStore {
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
  private calls = new Map<StoreMethod, number>();

  constructor(readonly inner: ObjectStore, private readonly options: CountingStoreOptions = {}) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
    if (isPresigner(inner)) {
      this.presignGet = (key, o) => this.counted('presignGet', () => inner.presignGet(key, o));
      this.presignPut = (key, o) => this.counted('presignPut', () => inner.presignPut(key, o));
    }
    if (isMultipartStore(inner)) {
      this.createMultipartUpload = (key, o) => this.counted('createMultipartUpload', () => inner.createMultipartUpload(key, o));
      this.uploadPart = (key, id, n, body, signal) => this.counted('uploadPart', () => inner.uploadPart(key, id, n, body, signal));
      this.completeMultipartUpload = (key, id, parts) => this.counted('completeMultipartUpload', () => inner.completeMultipartUpload(key, id, parts));
      this.abortMultipartUpload = (key, id) => this.counted('abortMultipartUpload', () => inner.abortMultipartUpload(key, id));
      this.listMultipartUploads = (prefix) => this.counted('listMultipartUploads', () => inner.listMultipartUploads(prefix));
      this.listParts = (key, id) => this.counted('listParts', () => inner.listParts(key, id));
    }
  }

  /** Calls of one method so far. */
  count(method: StoreMethod): number {
    return this.calls.get(method) ?? 0;
  }

  /** Calls of all methods so far. */
  total(): number {
    let sum = 0;
    for (const n of this.calls.values()) sum += n;
    return sum;
  }

  /** Non-zero counts by method, e.g. `{ list: 2, get: 5 }`. */
  snapshot(): Partial<Record<StoreMethod, number>> {
    return Object.fromEntries(this.calls);
  }

  reset(): void {
    this.calls.clear();
  }

  list(options?: ListOptions): Promise<ListPage> {
    return this.counted('list', () => this.inner.list(options));
  }

  head(key: string): Promise<ObjectHead> {
    return this.counted('head', () => this.inner.head(key));
  }

  get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.counted('get', () => this.inner.get(key, options));
  }

  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return this.counted('put', () => this.inner.put(key, body, options));
  }

  delete(key: string): Promise<void> {
    return this.counted('delete', () => this.inner.delete(key));
  }

  private async counted<T>(method: StoreMethod, call: () => Promise<T>): Promise<T> {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    this.options.onCall?.(method, this.kind);
    return call();
  }
}
