// ForwardingStore: the base of store decorators, forwarding every method of the store interfaces to an inner store.
import {
  type GetOptions,
  type GetResult,
  isMultipartStore,
  isPresigner,
  type ListOptions,
  type ListPage,
  type MultipartStore,
  type MultipartUploadInfo,
  type ObjectHead,
  type ObjectStore,
  type Presigner,
  type PutBody,
  type PutOptions,
  type PutResult,
  type StoreCapabilities,
  type UploadedPart,
} from './types.js';

/** A store with every optional capability: what a decorator may be asked to forward. */
export type FullStore = ObjectStore & Presigner & MultipartStore;
export type StoreMethod = {
  [K in keyof FullStore]: FullStore[K] extends (...args: never[]) => unknown ? K : never;
}[keyof FullStore];

export const OBJECT_STORE_METHODS = ['list', 'head', 'get', 'put', 'delete'] as const;
export const PRESIGNER_METHODS = ['presignGet', 'presignPut'] as const;
export const MULTIPART_METHODS = [
  'createMultipartUpload',
  'uploadPart',
  'completeMultipartUpload',
  'abortMultipartUpload',
  'listMultipartUploads',
  'listParts',
] as const;

/** Every method of the three interfaces; the type below fails to compile when one is missing. */
export const STORE_METHODS = [...OBJECT_STORE_METHODS, ...PRESIGNER_METHODS, ...MULTIPART_METHODS] as const;
type Unlisted = Exclude<StoreMethod, (typeof STORE_METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

/**
 * Forwards every call to `inner` through `forward`, so a decorator overrides only what it changes
 * (or `forward` itself, to see every call) and cannot forget a method: a method the base forwards
 * unchanged still reaches the inner store. Optional capabilities exist on the decorator only when
 * the inner store has them, so `isPresigner` / `isMultipartStore` stay truthful for the wrapper.
 */
export class ForwardingStore implements ObjectStore {
  readonly kind: string;
  readonly capabilities: StoreCapabilities;

  constructor(readonly inner: ObjectStore) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
    // An own property set to undefined hides the prototype's method, so the capability checks answer no.
    if (!isPresigner(inner))
      for (const method of PRESIGNER_METHODS) Object.defineProperty(this, method, { value: undefined });
    if (!isMultipartStore(inner))
      for (const method of MULTIPART_METHODS) Object.defineProperty(this, method, { value: undefined });
  }

  /** Every method ends here; override to observe calls without naming each method. */
  protected forward<M extends StoreMethod>(method: M, args: Parameters<FullStore[M]>): ReturnType<FullStore[M]> {
    return ((this.inner as FullStore)[method] as (...a: unknown[]) => ReturnType<FullStore[M]>)(...args);
  }

  list(options?: ListOptions): Promise<ListPage> {
    return this.forward('list', [options]);
  }

  head(key: string): Promise<ObjectHead> {
    return this.forward('head', [key]);
  }

  get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.forward('get', [key, options]);
  }

  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return this.forward('put', [key, body, options]);
  }

  delete(key: string): Promise<void> {
    return this.forward('delete', [key]);
  }

  presignGet(key: string, options: Parameters<Presigner['presignGet']>[1]): Promise<string> {
    return this.forward('presignGet', [key, options]);
  }

  presignPut(key: string, options: Parameters<Presigner['presignPut']>[1]): Promise<string> {
    return this.forward('presignPut', [key, options]);
  }

  createMultipartUpload(key: string, options?: Omit<PutOptions, 'mode' | 'contentLength'>): Promise<string> {
    return this.forward('createMultipartUpload', [key, options]);
  }

  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ etag: string }> {
    return this.forward('uploadPart', [key, uploadId, partNumber, body, signal]);
  }

  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<PutResult> {
    return this.forward('completeMultipartUpload', [key, uploadId, parts]);
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return this.forward('abortMultipartUpload', [key, uploadId]);
  }

  listMultipartUploads(prefix?: string): Promise<MultipartUploadInfo[]> {
    return this.forward('listMultipartUploads', [prefix]);
  }

  listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return this.forward('listParts', [key, uploadId]);
  }
}
