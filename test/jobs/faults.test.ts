// Transfers through a faulty network (503 SlowDown, resets) and against a missing bucket, via a proxy that counts requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../src/lake/store/s3/store.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { downloadJob } from '../../src/lake/uploads/download.js';
import { createBucket, s3ClientConfig, s3Servers, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { harness, md5, MiB, objectBytes, tempDir, writeSourceTree } from './support.js';

for (const server of s3Servers()) {
  describe(`transfers through a faulty network to ${server.name}`, () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(server.endpoint, { faultRate: 0.1, seed: 20241128 });
    });
    afterAll(() => proxy.close());

    it('a backfill succeeds with every file intact while 10% of requests get 503 SlowDown or a reset', async () => {
      const bucket = await createBucket(server, 'faults');
      const store = new S3Store({ bucket, clientConfig: { ...s3ClientConfig(server), endpoint: proxy.url } });
      const direct = s3StoreOn(server, bucket);
      try {
        const root = await tempDir('faults');
        const files = await writeSourceTree(root, 'data/ticks/daily', 300, [11 * MiB]);
        const h = harness(store, { uploadRoot: root, partSize: 5 * MiB, attempts: 10 });
        const before = proxy.requests.length;
        const final = (await h.jobs.wait(
          (
            await h.jobs.start(
              await backfillJob(h.engine, { source: 'data/ticks/daily', concurrency: 16, validate: false }),
            )
          ).id,
        ))!;
        expect(final.errors).toEqual([]);
        expect(final).toMatchObject({
          state: 'SUCCEEDED',
          doneFiles: 301,
          failedFiles: 0,
          transferredBytes: final.totalBytes,
        });
        const injected = proxy.requests.slice(before).filter((r) => r.fault);
        expect(injected.filter((r) => r.fault === 'slowdown').length).toBeGreaterThan(5);
        expect(injected.filter((r) => r.fault !== 'slowdown').length).toBeGreaterThan(5);
        for (const file of files)
          expect(md5(await objectBytes(direct, `data/ticks/daily/${file.path}`)), file.path).toBe(file.md5);
        expect(await direct.listMultipartUploads()).toEqual([]);

        // And back down through the same faults.
        const downloadRoot = await tempDir('faults-down');
        const dh = harness(store, { downloadRoot, attempts: 10 });
        const down = (await dh.jobs.wait(
          (
            await dh.jobs.start(await downloadJob(dh.engine, { prefix: 'data/ticks/daily/T00', destination: 'x' }))
          ).id,
        ))!;
        expect(down).toMatchObject({ state: 'SUCCEEDED', totalFiles: 200, doneFiles: 200, failedFiles: 0 });
      } finally {
        store.close();
        direct.close();
      }
    });

    it('a missing bucket fails the job at once with NoSuchBucket, without a retry storm', async () => {
      const counting = await startFaultProxy(server.endpoint);
      const store = new S3Store({
        bucket: `lakeql-missing-${Date.now().toString(36)}`,
        clientConfig: { ...s3ClientConfig(server), endpoint: counting.url },
      });
      try {
        const root = await tempDir('missing');
        await writeSourceTree(root, 'data', 200);
        const h = harness(store, { uploadRoot: root, downloadRoot: root });
        const started = Date.now();
        const final = (await h.jobs.wait((await h.jobs.start(await backfillJob(h.engine, { source: 'data' }))).id))!;
        expect(final.state).toBe('FAILED');
        expect(final.errors[0]).toMatchObject({ code: 'NOT_FOUND', backendCode: 'NoSuchBucket' });
        expect(final.message).toMatch(/does not exist/);
        expect(counting.requests.length).toBeLessThanOrEqual(2);
        expect(Date.now() - started).toBeLessThan(5_000);

        const down = (await h.jobs.wait(
          (
            await h.jobs.start(await downloadJob(h.engine, { prefix: '', destination: 'out' }))
          ).id,
        ))!;
        expect(down.state).toBe('FAILED');
        expect(down.errors[0].backendCode).toBe('NoSuchBucket');
        expect(counting.requests.length).toBeLessThanOrEqual(4);
      } finally {
        store.close();
        await counting.close();
      }
    });
  });
}

for (const { name, reason } of skippedS3Servers()) it.skip(`faulty network to ${name}: ${reason}`, () => {});
