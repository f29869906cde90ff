// The one ObjectStore conformance suite: every backend and decorator runs it; what one cannot do is skipped by name.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CancelledError,
  InvalidInputError,
  InvalidKeyError,
  type LakeError,
  NotFoundError,
  PreconditionFailedError,
} from '../../src/lake/errors.js';
import { getBytes, listAll, listPages } from '../../src/lake/store/helpers.js';
import { isMultipartStore, isPresigner, type ListPage, type ObjectStore } from '../../src/lake/store/types.js';

/** Features a target may lack; each maps to the reason it is skipped. */
export type ConformanceFeature =
  | 'presign'
  | 'multipart'
  | 'listMultipartUploads'
  | 'atomicCreate'
  | 'suffixRange'
  | 'noSuchUpload';

export interface ConformanceTarget {
  name: string;
  /** The store for the whole suite; each test keeps to its own key prefix inside it. */
  setup(): Promise<{ store: ObjectStore; teardown?: () => Promise<void> }>;
  /** A store of the same kind whose every I/O fails (missing directory or bucket): proves validation comes first. */
  unreachable(): ObjectStore;
  /** Requests that reached the backend so far, when the target can tell. */
  ioCount?: () => number;
  skip?: Partial<Record<ConformanceFeature, string>>;
}

const MiB = 1024 * 1024;

/** Keys of the listing tests, in UTF-8 byte order (not UTF-16 order: "～" U+FF5E sorts before "😀" only in bytes). */
export const LISTING_KEYS = ['a-c', 'a/b', 'a/c/d', 'a0', 'b/x/y', 'c.txt', 'z', 'é', '～', '😀'];

export const INVALID_KEYS: [string, string][] = [
  ['empty', ''],
  ['leading slash', '/a'],
  ['empty segment', 'a//b'],
  ['trailing slash', 'a/'],
  ['dot-dot segment', 'a/../b'],
  ['only dot-dot', '..'],
  ['dot segment', 'a/./b'],
  ['NUL', 'a\u0000b'],
  ['backslash', 'a\\b'],
  ['over 1024 bytes', 'k'.repeat(1025)],
];

function bytes(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function md5(b: Uint8Array): string {
  return createHash('md5').update(b).digest('hex');
}

async function rejection(promise: Promise<unknown>): Promise<LakeError> {
  try {
    await promise;
  } catch (error) {
    return error as LakeError;
  }
  throw new Error('expected a rejection');
}

export function runObjectStoreConformance(target: ConformanceTarget): void {
  describe(`ObjectStore conformance: ${target.name}`, () => {
    let store: ObjectStore;
    let teardown: (() => Promise<void>) | undefined;
    let seq = 0;
    /** A fresh key prefix per test, so tests share one store without seeing each other. */
    const ns = () => `t${++seq}-${Math.random().toString(36).slice(2, 8)}/`;
    const skip = (feature: ConformanceFeature) => target.skip?.[feature];
    const title = (text: string, feature: ConformanceFeature) =>
      skip(feature) ? `${text} — skipped: ${skip(feature)}` : text;

    beforeAll(async () => {
      ({ store, teardown } = await target.setup());
    });
    afterAll(async () => {
      await teardown?.();
    });

    describe('put, get, head', () => {
      it('round-trips bytes, content type and lower-cased metadata', async () => {
        const key = `${ns()}data/one.bin`;
        const body = bytes(1000);
        const put = await store.put(key, body, {
          contentType: 'application/vnd.apache.parquet',
          metadata: { Symbol: 'AAPL', 'data-type': 'daily-ticks' },
        });
        const head = await store.head(key);
        expect(head).toMatchObject({
          key,
          size: 1000,
          contentType: 'application/vnd.apache.parquet',
          metadata: { symbol: 'AAPL', 'data-type': 'daily-ticks' },
        });
        expect(head.etag).toBeTypeOf('string');
        expect(put.etag).toBe(head.etag);
        expect(Math.abs(head.lastModified.getTime() - Date.now())).toBeLessThan(3600_000);
        const got = await store.get(key);
        expect(got.head).toMatchObject({
          key,
          size: 1000,
          etag: head.etag,
          contentType: head.contentType,
          metadata: head.metadata,
        });
        expect(got.range).toBeUndefined();
        got.body.destroy();
        expect(md5(await getBytes(store, key))).toBe(md5(body));
      });

      it('stores a string as UTF-8 and defaults the content type to application/octet-stream', async () => {
        const key = `${ns()}text`;
        await store.put(key, 'grüße 📈');
        expect(Buffer.from(await getBytes(store, key)).toString('utf8')).toBe('grüße 📈');
        const head = await store.head(key);
        expect(head.size).toBe(Buffer.byteLength('grüße 📈'));
        expect(head.contentType).toBe('application/octet-stream');
        expect(head.metadata).toEqual({});
      });

      it('stores an empty object', async () => {
        const key = `${ns()}empty`;
        await store.put(key, new Uint8Array(0));
        expect((await store.head(key)).size).toBe(0);
        expect((await getBytes(store, key)).byteLength).toBe(0);
      });

      it('accepts a Readable with contentLength', async () => {
        const key = `${ns()}readable`;
        const body = bytes(300_000, 7);
        const chunks = [body.subarray(0, 100_000), body.subarray(100_000, 250_000), body.subarray(250_000)];
        await store.put(key, Readable.from(chunks), { contentLength: body.length, contentType: 'text/csv' });
        expect(md5(await getBytes(store, key))).toBe(md5(body));
        expect((await store.head(key)).contentType).toBe('text/csv');
      });

      it('accepts an async iterable of unknown length', async () => {
        const key = `${ns()}iterable`;
        const body = bytes(200_000, 3);
        async function* chunks() {
          for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536);
        }
        await store.put(key, chunks(), { metadata: { origin: 'stream' } });
        expect(md5(await getBytes(store, key))).toBe(md5(body));
        expect((await store.head(key)).metadata).toEqual({ origin: 'stream' });
      });

      it('accepts an async iterable of unknown length larger than one upload part (9 MiB)', async () => {
        const key = `${ns()}big-iterable`;
        const chunk = bytes(MiB, 11);
        async function* chunks() {
          for (let i = 0; i < 9; i++) yield chunk;
        }
        await store.put(key, chunks(), { contentType: 'application/x-big' });
        const head = await store.head(key);
        expect(head.size).toBe(9 * MiB);
        expect(head.contentType).toBe('application/x-big');
        const tail = await getBytes(store, key, { range: { suffix: 10 } });
        expect(Buffer.from(tail).equals(chunk.subarray(MiB - 10))).toBe(true);
      });

      it('rejects a contentLength that contradicts a buffer body', async () => {
        const key = `${ns()}mismatch`;
        expect(await rejection(store.put(key, bytes(10), { contentLength: 11 }))).toBeInstanceOf(InvalidInputError);
      });

      it('overwrites by default, and the ETag changes with the bytes', async () => {
        const key = `${ns()}over`;
        const first = await store.put(key, 'version 1');
        const second = await store.put(key, 'version 2!');
        expect(second.etag).not.toBe(first.etag);
        expect((await store.head(key)).etag).toBe(second.etag);
        expect(Buffer.from(await getBytes(store, key)).toString()).toBe('version 2!');
      });

      it('replaces metadata on overwrite', async () => {
        const key = `${ns()}meta`;
        await store.put(key, 'a', { metadata: { one: '1' }, contentType: 'text/plain' });
        await store.put(key, 'b', { metadata: { two: '2' } });
        const head = await store.head(key);
        expect(head.metadata).toEqual({ two: '2' });
        expect(head.contentType).toBe('application/octet-stream');
      });

      it('NotFound on head and get of a missing key, and of a "directory"', async () => {
        const p = ns();
        await store.put(`${p}dir/file`, 'x');
        for (const key of [`${p}missing`, `${p}dir`]) {
          const headError = await rejection(store.head(key));
          expect(headError).toBeInstanceOf(NotFoundError);
          expect(headError.code).toBe('NOT_FOUND');
          expect(await rejection(store.get(key))).toBeInstanceOf(NotFoundError);
        }
      });

      it('cancels a get or put whose signal is already aborted', async () => {
        const key = `${ns()}cancel`;
        const controller = new AbortController();
        controller.abort();
        expect(await rejection(store.put(key, 'x', { signal: controller.signal }))).toBeInstanceOf(CancelledError);
        await store.put(key, 'x');
        expect(await rejection(store.get(key, { signal: controller.signal }))).toBeInstanceOf(CancelledError);
      });
    });

    describe('create mode', () => {
      it('a second create fails with AlreadyExists and leaves the object alone', async () => {
        const key = `${ns()}once`;
        await store.put(key, 'first', { mode: 'create' });
        const error = await rejection(store.put(key, 'second', { mode: 'create' }));
        expect(error).toBeInstanceOf(AlreadyExistsError);
        expect(error.code).toBe('ALREADY_EXISTS');
        expect(Buffer.from(await getBytes(store, key)).toString()).toBe('first');
      });

      it.skipIf(!!skip('atomicCreate'))(
        title('of concurrent creates of one key, exactly one wins', 'atomicCreate'),
        async () => {
          const key = `${ns()}race`;
          const results = await Promise.allSettled(
            Array.from({ length: 8 }, (_, i) => store.put(key, `writer ${i}`, { mode: 'create' })),
          );
          const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
          expect(winners).toHaveLength(1);
          for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
          expect(Buffer.from(await getBytes(store, key)).toString()).toBe(`writer ${winners[0]}`);
        },
      );
    });

    describe('conditional and ranged reads', () => {
      it('ifMatch passes with the current ETag and fails with PreconditionFailed once the object changed', async () => {
        const key = `${ns()}cond`;
        const { etag } = await store.put(key, 'v1');
        expect(Buffer.from(await getBytes(store, key, { ifMatch: etag })).toString()).toBe('v1');
        await store.put(key, 'v2 longer');
        const error = await rejection(store.get(key, { ifMatch: etag }));
        expect(error).toBeInstanceOf(PreconditionFailedError);
        expect(error.code).toBe('PRECONDITION_FAILED');
      });

      it('returns inclusive, open-ended and clamped ranges with the full size in head', async () => {
        const key = `${ns()}range`;
        const body = bytes(100);
        await store.put(key, body);
        const cases: [{ start: number; end?: number }, number, number][] = [
          [{ start: 10, end: 19 }, 10, 19],
          [{ start: 90 }, 90, 99],
          [{ start: 95, end: 500 }, 95, 99],
          [{ start: 0, end: 0 }, 0, 0],
        ];
        for (const [range, start, end] of cases) {
          const got = await store.get(key, { range });
          expect(got.range).toEqual({ start, end });
          expect(got.head.size).toBe(100);
          const part = Buffer.from(await getBytes(store, key, { range }));
          expect(part.equals(body.subarray(start, end + 1))).toBe(true);
          got.body.destroy();
        }
      });

      it.skipIf(!!skip('suffixRange'))(
        title('returns suffix ranges (Parquet footers), longer suffixes meaning the whole object', 'suffixRange'),
        async () => {
          const key = `${ns()}suffix`;
          const body = bytes(100, 5);
          await store.put(key, body);
          const got = await store.get(key, { range: { suffix: 8 } });
          expect(got.range).toEqual({ start: 92, end: 99 });
          expect(got.head.size).toBe(100);
          got.body.destroy();
          expect(Buffer.from(await getBytes(store, key, { range: { suffix: 8 } })).equals(body.subarray(92))).toBe(
            true,
          );
          expect(Buffer.from(await getBytes(store, key, { range: { suffix: 500 } })).equals(body)).toBe(true);
        },
      );

      it('rejects unsatisfiable and malformed ranges with InvalidInput', async () => {
        const key = `${ns()}bad-range`;
        await store.put(key, bytes(10));
        expect(await rejection(store.get(key, { range: { start: 10 } }))).toBeInstanceOf(InvalidInputError);
        for (const range of [{ start: 5, end: 4 }, { start: -1 }, { suffix: 0 }, { start: 1.5 }]) {
          expect(await rejection(target.unreachable().get(key, { range }))).toBeInstanceOf(InvalidInputError);
        }
      });
    });

    describe('delete', () => {
      it('removes an object and is idempotent', async () => {
        const key = `${ns()}gone`;
        await store.put(key, 'x');
        await store.delete(key);
        expect(await rejection(store.head(key))).toBeInstanceOf(NotFoundError);
        await store.delete(key);
        await store.delete(`${ns()}never-existed/deep/key`);
      });

      it('leaves no empty "directory" behind in listings', async () => {
        const p = ns();
        await store.put(`${p}d/e/f`, 'x');
        await store.put(`${p}keep`, 'y');
        await store.delete(`${p}d/e/f`);
        const page = await store.list({ prefix: p, delimiter: '/' });
        expect(page.commonPrefixes).toEqual([]);
        expect(page.objects.map((o) => o.key)).toEqual([`${p}keep`]);
      });
    });

    describe('list', () => {
      let p: string;
      const all = () => LISTING_KEYS.map((k) => p + k);
      beforeAll(async () => {
        p = ns();
        // Sizes differ per key so a mix-up between entries would show.
        await Promise.all(LISTING_KEYS.map((k, i) => store.put(p + k, bytes(i + 1))));
      });

      it('lists every key under a prefix in UTF-8 byte order ("a-c" < "a/b" < "a0", "～" < "😀")', async () => {
        const page = await store.list({ prefix: p });
        expect(page.objects.map((o) => o.key)).toEqual(all());
        expect(page.objects.map((o) => o.size)).toEqual(LISTING_KEYS.map((_, i) => i + 1));
        for (const o of page.objects) {
          expect(o.etag).toBeTypeOf('string');
          expect(o.lastModified).toBeInstanceOf(Date);
        }
        expect(page.commonPrefixes).toEqual([]);
        expect(page.nextContinuationToken).toBeUndefined();
      });

      it('rolls keys up to the delimiter into common prefixes', async () => {
        const page = await store.list({ prefix: p, delimiter: '/' });
        expect(page.objects.map((o) => o.key)).toEqual(['a-c', 'a0', 'c.txt', 'z', 'é', '～', '😀'].map((k) => p + k));
        expect(page.commonPrefixes).toEqual([`${p}a/`, `${p}b/`]);
      });

      it('applies a partial-segment prefix and nested prefixes with the delimiter', async () => {
        const partial = await store.list({ prefix: `${p}a`, delimiter: '/' });
        expect(partial.objects.map((o) => o.key)).toEqual([`${p}a-c`, `${p}a0`]);
        expect(partial.commonPrefixes).toEqual([`${p}a/`]);
        const nested = await store.list({ prefix: `${p}a/`, delimiter: '/' });
        expect(nested.objects.map((o) => o.key)).toEqual([`${p}a/b`]);
        expect(nested.commonPrefixes).toEqual([`${p}a/c/`]);
      });

      it('pages with maxKeys and continuation tokens, without losing or repeating a key', async () => {
        const pages: ListPage[] = [];
        for await (const page of listPages(store, { prefix: p, maxKeys: 3 })) pages.push(page);
        expect(pages.flatMap((pg) => pg.objects.map((o) => o.key))).toEqual(all());
        for (const page of pages) expect(page.objects.length).toBeLessThanOrEqual(3);
        expect(pages[0].objects).toHaveLength(3);
        expect(pages[0].nextContinuationToken).toBeTypeOf('string');
        // S3 may end with one empty page when the last full page ended exactly at the end.
        expect(pages.length).toBeGreaterThanOrEqual(4);
        expect(pages.length).toBeLessThanOrEqual(5);
      });

      it('counts common prefixes against maxKeys when paging with a delimiter', async () => {
        const pages: ListPage[] = [];
        for await (const page of listPages(store, { prefix: p, delimiter: '/', maxKeys: 2 })) pages.push(page);
        for (const page of pages) expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(2);
        expect(pages.flatMap((pg) => pg.objects.map((o) => o.key))).toEqual(
          ['a-c', 'a0', 'c.txt', 'z', 'é', '～', '😀'].map((k) => p + k),
        );
        expect(pages.flatMap((pg) => pg.commonPrefixes)).toEqual([`${p}a/`, `${p}b/`]);
        expect(pages.slice(0, -1).every((pg) => pg.objects.length + pg.commonPrefixes.length === 2)).toBe(true);
      });

      it('starts after a key (startAfter), also one that is not itself stored', async () => {
        const after = await store.list({ prefix: p, startAfter: `${p}a/b` });
        expect(after.objects.map((o) => o.key)).toEqual(all().slice(2));
        const between = await store.list({ prefix: p, startAfter: `${p}b` });
        expect(between.objects.map((o) => o.key)).toEqual(all().slice(4));
        const keys: string[] = [];
        for await (const o of listAll(store, { prefix: p, startAfter: `${p}a0`, maxKeys: 2 })) keys.push(o.key);
        expect(keys).toEqual(all().slice(4));
      });

      it('ends before a bound (endBefore), also across pages and with a delimiter', async () => {
        const bounded = await store.list({ prefix: p, endBefore: `${p}b/` });
        expect(bounded.objects.map((o) => o.key)).toEqual(all().filter((k) => k < `${p}b/`));
        expect(bounded.nextContinuationToken).toBeUndefined();
        const keys: string[] = [];
        for await (const o of listAll(store, { prefix: p, startAfter: `${p}a-c`, endBefore: `${p}c.txt`, maxKeys: 2 }))
          keys.push(o.key);
        expect(keys).toEqual(all().filter((k) => k > `${p}a-c` && k < `${p}c.txt`));
        const rolled = await store.list({ prefix: p, delimiter: '/', endBefore: `${p}b0` });
        expect(rolled.commonPrefixes).toEqual([`${p}a/`, `${p}b/`]);
        expect(rolled.objects.map((o) => o.key)).toEqual([`${p}a-c`, `${p}a0`]);
        expect(rolled.nextContinuationToken).toBeUndefined();
      });

      it('returns an empty page for a prefix nothing matches', async () => {
        for (const prefix of [`${p}nothing/`, `${p}zz`, `${ns()}`]) {
          const page = await store.list({ prefix });
          expect(page).toEqual({ objects: [], commonPrefixes: [], nextContinuationToken: undefined });
          expect(await store.list({ prefix, delimiter: '/' })).toEqual({
            objects: [],
            commonPrefixes: [],
            nextContinuationToken: undefined,
          });
        }
      });

      it('caps maxKeys at 1000 and rejects non-positive values', async () => {
        expect((await store.list({ prefix: p, maxKeys: 5000 })).objects).toHaveLength(LISTING_KEYS.length);
        for (const maxKeys of [0, -1, 1.5])
          expect(await rejection(store.list({ prefix: p, maxKeys }))).toBeInstanceOf(InvalidInputError);
      });
    });

    describe('key rules', () => {
      for (const [what, key] of INVALID_KEYS) {
        it(`rejects a key with ${what} before any I/O`, async () => {
          const io = target.ioCount?.();
          const unreachable = target.unreachable();
          for (const s of [store, unreachable]) {
            // Thunks, so each call starts only when awaited; a synchronous throw fails the test (stores reject).
            const calls: (() => Promise<unknown>)[] = [
              () => s.head(key),
              () => s.get(key),
              () => s.put(key, 'x'),
              () => s.put(key, 'x', { mode: 'create' }),
              () => s.delete(key),
            ];
            if (isMultipartStore(s))
              calls.push(
                () => s.createMultipartUpload(key),
                () => s.uploadPart(key, 'id', 1, new Uint8Array(1)),
              );
            if (isPresigner(s))
              calls.push(
                () => s.presignGet(key, { expiresIn: 60 }),
                () => s.presignPut(key, { expiresIn: 60 }),
              );
            for (const call of calls) {
              const error = await rejection(call());
              expect(error).toBeInstanceOf(InvalidKeyError);
              expect(error.code).toBe('INVALID_KEY');
            }
          }
          if (io !== undefined) expect(target.ioCount!()).toBe(io);
        });
      }

      it('rejects a listing prefix no valid key can start with', async () => {
        for (const prefix of ['/a', 'a//', 'a/../', 'a\u0000']) {
          expect(await rejection(target.unreachable().list({ prefix }))).toBeInstanceOf(InvalidKeyError);
        }
      });
    });

    describe('multipart', () => {
      const multipart = () => {
        if (!isMultipartStore(store)) throw new Error(`${target.name} does not implement MultipartStore`);
        return store;
      };

      it.skipIf(!!skip('multipart'))(
        title('uploads parts (≥ 5 MiB but the last), completes, and keeps type and metadata', 'multipart'),
        async () => {
          const m = multipart();
          const key = `${ns()}multi.bin`;
          const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(1234, 3)];
          const uploadId = await m.createMultipartUpload(key, {
            contentType: 'application/vnd.apache.parquet',
            metadata: { Symbol: 'MSFT' },
          });
          expect(uploadId).toBeTypeOf('string');
          const etags = await Promise.all(parts.map((part, i) => m.uploadPart(key, uploadId, i + 1, part)));
          const result = await m.completeMultipartUpload(
            key,
            uploadId,
            etags.map((e, i) => ({ partNumber: i + 1, etag: e.etag })),
          );
          const head = await store.head(key);
          expect(head).toMatchObject({
            size: 10 * MiB + 1234,
            contentType: 'application/vnd.apache.parquet',
            metadata: { symbol: 'MSFT' },
          });
          expect(result.etag).toBe(head.etag);
          expect(md5(await getBytes(store, key))).toBe(md5(Buffer.concat(parts)));
        },
      );

      it.skipIf(!!skip('multipart'))(
        title('refuses to complete when a part but the last is under 5 MiB', 'multipart'),
        async () => {
          const m = multipart();
          const key = `${ns()}small-parts`;
          const uploadId = await m.createMultipartUpload(key);
          const a = await m.uploadPart(key, uploadId, 1, bytes(1024));
          const b = await m.uploadPart(key, uploadId, 2, bytes(1024));
          const error = await rejection(
            m.completeMultipartUpload(key, uploadId, [
              { partNumber: 1, etag: a.etag },
              { partNumber: 2, etag: b.etag },
            ]),
          );
          expect(error).toBeInstanceOf(InvalidInputError);
          expect(error.backendCode).toBe('EntityTooSmall');
          await m.abortMultipartUpload(key, uploadId);
          expect(await rejection(store.head(key))).toBeInstanceOf(NotFoundError);
        },
      );

      it.skipIf(!!skip('multipart'))(
        title('aborts an upload idempotently, leaving no object', 'multipart'),
        async () => {
          const m = multipart();
          const key = `${ns()}aborted`;
          const uploadId = await m.createMultipartUpload(key);
          await m.uploadPart(key, uploadId, 1, bytes(100));
          await m.abortMultipartUpload(key, uploadId);
          await m.abortMultipartUpload(key, uploadId);
          expect(await rejection(store.head(key))).toBeInstanceOf(NotFoundError);
        },
      );

      const noSuchUpload = skip('multipart') ?? skip('noSuchUpload');
      it.skipIf(!!noSuchUpload)(
        title(
          'uploading a part to or completing an aborted upload is NotFound (NoSuchUpload)',
          skip('multipart') ? 'multipart' : 'noSuchUpload',
        ),
        async () => {
          const m = multipart();
          const key = `${ns()}aborted`;
          const uploadId = await m.createMultipartUpload(key);
          const part = await m.uploadPart(key, uploadId, 1, bytes(100));
          await m.abortMultipartUpload(key, uploadId);
          for (const call of [
            () => m.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag: part.etag }]),
            () => m.uploadPart(key, uploadId, 2, bytes(100)),
          ]) {
            const error = await rejection(call());
            expect(error).toBeInstanceOf(NotFoundError);
            expect(error.backendCode).toBe('NoSuchUpload');
          }
        },
      );

      it.skipIf(!!(skip('multipart') ?? skip('listMultipartUploads')))(
        title(
          'lists unfinished uploads by prefix, and forgets them once completed or aborted',
          skip('multipart') ? 'multipart' : 'listMultipartUploads',
        ),
        async () => {
          const m = multipart();
          const p = ns();
          const one = await m.createMultipartUpload(`${p}x/one`);
          const two = await m.createMultipartUpload(`${p}y/two`);
          const listed = await m.listMultipartUploads(p);
          expect(listed.map((u) => [u.key, u.uploadId])).toEqual([
            [`${p}x/one`, one],
            [`${p}y/two`, two],
          ]);
          for (const u of listed) expect(u.initiated).toBeInstanceOf(Date);
          expect((await m.listMultipartUploads(`${p}y/`)).map((u) => u.uploadId)).toEqual([two]);
          const part = await m.uploadPart(`${p}x/one`, one, 1, bytes(10));
          await m.completeMultipartUpload(`${p}x/one`, one, [{ partNumber: 1, etag: part.etag }]);
          await m.abortMultipartUpload(`${p}y/two`, two);
          expect(await m.listMultipartUploads(p)).toEqual([]);
        },
      );
    });

    describe('presigned URLs', () => {
      if (skip('presign')) {
        it(`presigned GET and PUT — skipped: ${skip('presign')}`, () => {
          // The capability check stays honest: no presigner means isPresigner says so.
          expect(isPresigner(store)).toBe(false);
        });
        return;
      }

      it('a presigned GET URL downloads the object over HTTP', async () => {
        if (!isPresigner(store)) throw new Error(`${target.name} is not a Presigner`);
        const key = `${ns()}download.bin`;
        const body = bytes(4096, 9);
        await store.put(key, body);
        const url = await store.presignGet(key, { expiresIn: 300 });
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
      });

      it('a presigned PUT URL signs type, length, metadata and checksum, and uploads when the client sends them', async () => {
        if (!isPresigner(store)) throw new Error(`${target.name} is not a Presigner`);
        const key = `${ns()}upload.json`;
        const body = Buffer.from(JSON.stringify({ hello: 'lake' }));
        const checksumSha256 = createHash('sha256').update(body).digest('base64');
        const url = await store.presignPut(key, {
          expiresIn: 300,
          contentType: 'application/json',
          contentLength: body.length,
          metadata: { Owner: 'alice' },
          checksumSha256,
        });
        const signed = new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];
        expect(signed).toEqual(
          expect.arrayContaining(['content-type', 'content-length', 'x-amz-meta-owner', 'x-amz-checksum-sha256']),
        );
        const headers = {
          'content-type': 'application/json',
          'x-amz-meta-owner': 'alice',
          'x-amz-checksum-sha256': checksumSha256,
        };
        const response = await fetch(url, { method: 'PUT', body, headers });
        expect(response.status).toBe(200);
        const head = await store.head(key);
        expect(head).toMatchObject({
          size: body.length,
          contentType: 'application/json',
          metadata: { owner: 'alice' },
        });
        expect(Buffer.from(await getBytes(store, key)).equals(body)).toBe(true);
      });

      it('presigning a key checks it like any other call', async () => {
        if (!isPresigner(store)) throw new Error(`${target.name} is not a Presigner`);
        expect(await rejection(store.presignPut('a/../b', { expiresIn: 60 }))).toBeInstanceOf(InvalidKeyError);
        expect(await rejection(store.presignGet('ok', { expiresIn: 0 }))).toBeInstanceOf(InvalidInputError);
      });
    });
  });
}
