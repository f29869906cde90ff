// The streaming-upload capability on every backend: progress as sent, validation before commit, clean-up of our stale uploads.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidDataError } from '../../src/lake/errors.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { OwnUploads } from '../../src/lake/store/own-uploads.js';
import { isMultipartStore, type MultipartStore, type ObjectStore } from '../../src/lake/store/types.js';
import { uploaderFor } from '../../src/lake/store/uploader.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { backends } from './backends.js';
import { bytesOf, md5, MiB, objectBytes } from './support.js';

for (const backend of backends()) {
  describe(`streaming uploads on ${backend.name}`, () => {
    let store: ObjectStore & MultipartStore;
    let close: () => void;
    beforeAll(async () => {
      const opened = await backend.open('uploader');
      if (!isMultipartStore(opened.store)) throw new Error('every backend has multipart');
      store = opened.store as ObjectStore & MultipartStore;
      close = opened.close;
    });
    afterAll(() => close());

    const progressOf = () => {
      const seen: number[] = [];
      return { seen, onProgress: (n: number) => seen.push(n) };
    };

    it.each([
      ['one request, from memory', 300_000, false],
      ['multipart, from a stream', 12 * MiB + 5, true],
    ])('%s: bytes intact, progress increasing to the size', async (_name, size, stream) => {
      const bytes = bytesOf(size, size);
      const key = `up/${size}.bin`;
      const { seen, onProgress } = progressOf();
      const uploader = uploaderFor(store, new OwnUploads(store));
      const result = await uploader.uploadStream(
        key,
        stream ? Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]) : bytes,
        {
          partSize: 5 * MiB,
          contentType: 'application/octet-stream',
          metadata: { symbol: 'X' },
          onProgress,
        },
      );
      expect(result.size).toBe(size);
      expect(result.parts).toBe(stream ? 3 : 0);
      expect(md5(await objectBytes(store, key))).toBe(md5(bytes));
      expect((await store.head(key)).metadata).toEqual({ symbol: 'X' });
      expect(seen.at(-1)).toBe(size);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    });

    it.each([
      ['one request', 200_000],
      ['multipart', 11 * MiB],
    ])('%s: a failed check before commit leaves no object and no upload', async (_name, size) => {
      const key = `invalid/${size}.bin`;
      const uploader = uploaderFor(store, new OwnUploads(store));
      await expect(
        uploader.uploadStream(key, Readable.from([bytesOf(3, size)]), {
          partSize: 5 * MiB,
          beforeCommit: () => {
            throw new InvalidDataError('not a Parquet file', { key });
          },
        }),
      ).rejects.toMatchObject({ code: 'INVALID_DATA' });
      await expect(store.head(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await store.listMultipartUploads('invalid/')).toEqual([]);
      const markers = [];
      for await (const o of listAll(store, { prefix: '_lakeql/' })) markers.push(o.key);
      expect(markers).toEqual([]);
    });

    it("at start-up, aborts our own multipart uploads older than the age, and leaves young ones and other tools' alone", async () => {
      let now = Date.now();
      const own = new OwnUploads(store, () => now);
      const stale = await store.createMultipartUpload('crash/stale.bin');
      await own.onCreated('crash/stale.bin', stale);
      now += 3_600_000;
      const young = await store.createMultipartUpload('crash/young.bin');
      await own.onCreated('crash/young.bin', young);
      const foreign = await store.createMultipartUpload('crash/boto3.bin');
      const result = await own.abortStale(1_800_000);
      expect(result).toEqual({ aborted: ['crash/stale.bin'], errors: [] });
      const left = (await store.listMultipartUploads('crash/')).map((u) => u.key).sort();
      expect(left).toEqual(['crash/boto3.bin', 'crash/young.bin']);
      const markers = [];
      for await (const o of listAll(store, { prefix: '_lakeql/' })) markers.push(o.key);
      expect(markers).toEqual([OwnUploads.markerKey(young)]);
      await store.abortMultipartUpload('crash/young.bin', young);
      await own.onEnded('crash/young.bin', young);
      await store.abortMultipartUpload('crash/boto3.bin', foreign);
    });
  });
}

for (const { name, reason } of skippedS3Servers()) it.skip(`streaming uploads on ${name}: ${reason}`, () => {});
