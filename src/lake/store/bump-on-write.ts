// Wraps a store so that every write made through lakeql (put, delete, a completed multipart upload) bumps the lake version once it is done.
import type { LakeVersionCounter } from '../lake-version.js';
import type { ObjectStore } from './types.js';

const WRITES = new Set<PropertyKey>(['put', 'delete', 'completeMultipartUpload']);

/**
 * The bump comes after the write settles (failed ones too: a failed put may still have replaced
 * the object), never before: a reader that sees the new token must also see the new bytes, or
 * an ETag built from the token would label the old answer as the new one.
 */
export function bumpOnWrite<T extends ObjectStore>(store: T, version: LakeVersionCounter): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(property);
      if (!fn) {
        const method = value as (...args: unknown[]) => Promise<unknown>;
        fn = WRITES.has(property)
          ? async (...args: unknown[]) => {
              try {
                return await method.apply(target, args);
              } finally {
                version.bump();
              }
            }
          : method.bind(target);
        wrapped.set(property, fn);
      }
      return fn;
    },
  });
}
