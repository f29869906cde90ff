// Cancelling a backfill in the middle of a multipart upload: CANCELLED, no object, no multipart upload left, no marker.
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/lake/errors.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { S3Store } from '../../src/lake/store/s3/store.js';
import type { MultipartStore, ObjectStore } from '../../src/lake/store/types.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { createBucket, s3ClientConfig, s3Servers, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';
import { startFaultProxy } from './fault-proxy.js';
import { harness, MiB, tempDir, writeSourceTree } from './support.js';

/** Parts take a while, so there is time to cancel while some are in flight. */
class SlowParts extends CountingStore {
  constructor(inner: LocalStore, delayMs: number) {
    super(inner);
    const upload = this.uploadPart.bind(this);
    (this as { uploadPart: MultipartStore['uploadPart'] }).uploadPart = async (key, id, n, body, signal) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return upload(key, id, n, body, signal);
    };
  }
}

async function cancelMidway(store: ObjectStore, check: MultipartStore & ObjectStore, multipartStarted: () => boolean) {
  const root = await tempDir('cancel');
  const [file] = await writeSourceTree(root, 'data', 0, [26 * MiB]);
  const key = `data/${file.path}`;
  const h = harness(store, { uploadRoot: root, partSize: 5 * MiB });
  const { id } = await h.jobs.start(await backfillJob(h.engine, { source: 'data' }));
  const deadline = Date.now() + 20_000;
  while (!(h.published.get(id) ?? []).some((s) => s.transferredBytes > 0)) {
    if (Date.now() > deadline) throw new Error('no progress to cancel in');
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(multipartStarted()).toBe(true);
  const final = (await h.jobs.cancel(id))!;
  expect(final.state).toBe('CANCELLED');
  expect(final.transferredBytes).toBeGreaterThan(0);
  expect(final.transferredBytes).toBeLessThan(file.size);
  expect(final.doneFiles + final.failedFiles).toBe(0);
  await expect(check.head(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  expect(await check.listMultipartUploads()).toEqual([]);
  const markers = [];
  for await (const o of listAll(check, { prefix: '_lakeql/' })) markers.push(o.key);
  expect(markers).toEqual([]);
}

describe('cancel during a multipart upload', () => {
  it('on the directory backend', async () => {
    const local = new LocalStore(await tempDir('cancel-lake'));
    const slow = new SlowParts(local, 300);
    await cancelMidway(slow, local, () => slow.count('createMultipartUpload') === 1 && slow.count('uploadPart') >= 1);
  });

  for (const server of s3Servers()) {
    it(`on ${server.name}`, async () => {
      const bucket = await createBucket(server, 'cancel');
      const proxy = await startFaultProxy(server.endpoint, {
        delayMs: (r) => (r.path.includes('partNumber=') ? 300 : 0),
      });
      const store = new S3Store({ bucket, clientConfig: { ...s3ClientConfig(server), endpoint: proxy.url } });
      const direct = s3StoreOn(server, bucket);
      try {
        await cancelMidway(store, direct, () =>
          proxy.requests.some((r) => r.method === 'POST' && r.path.includes('uploads')),
        );
        // Every part request either never reached the server or was answered; the upload itself was aborted.
        expect(proxy.requests.some((r) => r.method === 'DELETE' && r.path.includes('uploadId='))).toBe(true);
      } finally {
        store.close();
        direct.close();
        await proxy.close();
      }
    });
  }
  for (const { name, reason } of skippedS3Servers()) it.skip(`on ${name}: ${reason}`, () => {});
});

/** Each put is stored at once but answered 400 ms later, as a server whose reply is slow: a cancel in between sees an object that landed. */
class SlowAnswers extends CountingStore {
  constructor(inner: LocalStore) {
    super(inner);
    const put = this.put.bind(this);
    this.put = async (key, body, options) => {
      const result = await put(key, body, options);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 400);
        options?.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new CancelledError());
          },
          { once: true },
        );
      });
      return result;
    };
  }
}

describe('cancel while single-request uploads are in flight', () => {
  it('reports doneFiles equal to the objects that landed', async () => {
    const local = new LocalStore(await tempDir('cancel-count-lake'));
    const root = await tempDir('cancel-count');
    await writeSourceTree(root, 'data', 24);
    const h = harness(new SlowAnswers(local), { uploadRoot: root, partSize: 5 * MiB });
    const { id } = await h.jobs.start(await backfillJob(h.engine, { source: 'data', concurrency: 4 }));
    const deadline = Date.now() + 20_000;
    while (!(h.published.get(id) ?? []).some((s) => s.doneFiles >= 1)) {
      if (Date.now() > deadline) throw new Error('no file finished to cancel after');
      await new Promise((r) => setTimeout(r, 5));
    }
    // Inside the next files' 400 ms: stored, not yet answered.
    await new Promise((r) => setTimeout(r, 150));
    const final = (await h.jobs.cancel(id))!;
    expect(final.state).toBe('CANCELLED');
    const landed = [];
    for await (const o of listAll(local, { prefix: 'data/' })) landed.push(o.key);
    expect(final.doneFiles).toBeGreaterThan(0);
    expect(final.doneFiles).toBeLessThan(24);
    expect(final.failedFiles).toBe(0);
    expect(landed.length).toBe(final.doneFiles);
  }, 60_000);
});
