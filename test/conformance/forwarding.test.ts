// Every store decorator forwards every method of the store interfaces, and claims a capability only when its inner store has it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WatchedStore } from '../../src/lake/catalog-index/watched-store.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import {
  ForwardingStore,
  type FullStore,
  OBJECT_STORE_METHODS,
  STORE_METHODS,
  type StoreMethod,
} from '../../src/lake/store/forwarding.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { PrefixedStore } from '../../src/lake/store/prefixed.js';
import { S3Store } from '../../src/lake/store/s3/store.js';
import { isMultipartStore, isPresigner, type ObjectStore } from '../../src/lake/store/types.js';

const KEY = 'data/ticks/daily/AAPL/2024/ticks.parquet';
const head = (key: string) => ({ key, size: 1, etag: '"e"', lastModified: new Date(0), metadata: {} });

/** What each method answers in the recording store: enough for the decorators to do their own work on the result. */
const ANSWERS: Record<StoreMethod, (...args: never[]) => unknown> = {
  list: () => ({ objects: [], commonPrefixes: [] }),
  head: (key: string) => head(key),
  get: (key: string) => ({ head: head(key), body: Readable.from([]) }),
  put: () => ({ etag: '"e"' }),
  delete: () => undefined,
  presignGet: () => 'https://signed/get',
  presignPut: () => 'https://signed/put',
  createMultipartUpload: () => 'upload-1',
  uploadPart: () => ({ etag: '"p"' }),
  completeMultipartUpload: () => ({ etag: '"c"' }),
  abortMultipartUpload: () => undefined,
  listMultipartUploads: () => [],
  listParts: () => [],
};

/** A store with the given methods that records each call (method and first argument). */
function recordingStore(methods: readonly StoreMethod[]): { store: ObjectStore; calls: [StoreMethod, unknown][] } {
  const calls: [StoreMethod, unknown][] = [];
  const store: Record<string, unknown> = { kind: 'recording', capabilities: { ranges: true, createOnly: true } };
  for (const method of methods) {
    store[method] = async (...args: never[]) => {
      calls.push([method, args[0]]);
      return ANSWERS[method](...args);
    };
  }
  return { store: store as unknown as ObjectStore, calls };
}

/** One call of each method with plausible arguments. */
const CALLS: Record<StoreMethod, (s: FullStore) => Promise<unknown>> = {
  list: (s) => s.list({ prefix: 'data/' }),
  head: (s) => s.head(KEY),
  get: (s) => s.get(KEY),
  put: (s) => s.put(KEY, 'x'),
  delete: (s) => s.delete(KEY),
  presignGet: (s) => s.presignGet(KEY, { expiresIn: 60 }),
  presignPut: (s) => s.presignPut(KEY, { expiresIn: 60 }),
  createMultipartUpload: (s) => s.createMultipartUpload(KEY),
  uploadPart: (s) => s.uploadPart(KEY, 'upload-1', 1, new Uint8Array(1)),
  completeMultipartUpload: (s) => s.completeMultipartUpload(KEY, 'upload-1', [{ partNumber: 1, etag: '"p"' }]),
  abortMultipartUpload: (s) => s.abortMultipartUpload(KEY, 'upload-1'),
  listMultipartUploads: (s) => s.listMultipartUploads('data/'),
  listParts: (s) => s.listParts(KEY, 'upload-1'),
};

const DECORATORS: [string, (inner: ObjectStore) => ObjectStore][] = [
  ['ForwardingStore', (inner) => new ForwardingStore(inner)],
  ['CountingStore', (inner) => new CountingStore(inner)],
  ['PrefixedStore', (inner) => new PrefixedStore(inner, 'lake/')],
  ['WatchedStore', (inner) => new WatchedStore(inner, () => {})],
];

describe('the list of store methods', () => {
  it('is every method the real backends implement (S3 has them all, the directory backend all but presigning)', () => {
    const methodsOf = (proto: object) =>
      new Set(
        Object.getOwnPropertyNames(proto).filter((n) => typeof (proto as Record<string, unknown>)[n] === 'function'),
      );
    const s3 = methodsOf(S3Store.prototype);
    for (const method of STORE_METHODS) expect(s3.has(method), `S3Store.${method}`).toBe(true);
    const local = methodsOf(LocalStore.prototype);
    for (const method of STORE_METHODS.filter((m) => !m.startsWith('presign')))
      expect(local.has(method), `LocalStore.${method}`).toBe(true);
  });
});

describe.each(DECORATORS)('%s', (name, wrap) => {
  it('forwards every method of ObjectStore, Presigner and MultipartStore to its inner store', async () => {
    const { store, calls } = recordingStore(STORE_METHODS);
    const decorated = wrap(store) as FullStore;
    for (const method of STORE_METHODS) {
      expect(typeof decorated[method], `${name}.${method}`).toBe('function');
      calls.length = 0;
      await CALLS[method](decorated);
      expect(
        calls.map(([m]) => m),
        `${name}.${method} reached the inner store`,
      ).toContain(method);
    }
  });

  it('has presigning and multipart only when its inner store has them', () => {
    const plain = wrap(recordingStore(OBJECT_STORE_METHODS).store);
    expect([isPresigner(plain), isMultipartStore(plain)]).toEqual([false, false]);
    for (const method of STORE_METHODS) {
      const present = typeof (plain as Partial<FullStore>)[method] === 'function';
      expect(present, `${name}.${method} without an inner one`).toBe(
        (OBJECT_STORE_METHODS as readonly string[]).includes(method),
      );
    }
    const full = wrap(recordingStore(STORE_METHODS).store);
    expect([isPresigner(full), isMultipartStore(full)]).toEqual([true, true]);
  });
});

describe('PrefixedStore', () => {
  it('overrides every method itself, since each takes or returns keys: none is passed through unprefixed', async () => {
    for (const method of STORE_METHODS) expect(Object.hasOwn(PrefixedStore.prototype, method), method).toBe(true);
    const { store, calls } = recordingStore(STORE_METHODS);
    const prefixed = new PrefixedStore(store, 'lake/') as unknown as FullStore;
    for (const method of STORE_METHODS) await CALLS[method](prefixed);
    for (const [method, first] of calls) {
      if (method === 'list') expect((first as { prefix: string }).prefix).toBe('lake/data/');
      else expect(first, method).toMatch(/^lake\/data\//);
    }
  });
});

describe('on a real directory store', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it.each(DECORATORS)(
    '%s keeps multipart and reports no presigner, as the directory backend does',
    async (_name, wrap) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-forwarding-'));
      dirs.push(dir);
      const decorated = wrap(new LocalStore(dir));
      expect([isPresigner(decorated), isMultipartStore(decorated)]).toEqual([false, true]);
      await decorated.put('a/b.json', '{}');
      expect((await decorated.head('a/b.json')).size).toBe(2);
      if (!isMultipartStore(decorated)) throw new Error('unreachable');
      const id = await decorated.createMultipartUpload('a/c.bin');
      await decorated.uploadPart('a/c.bin', id, 1, new Uint8Array([1, 2, 3]));
      expect((await decorated.listParts('a/c.bin', id)).map((p) => p.size)).toEqual([3]);
      await decorated.abortMultipartUpload('a/c.bin', id);
    },
  );
});
