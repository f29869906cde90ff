// Backfills on every backend: 500+ files with multipart ones, exact bytes, metadata, monotone progress, exact statistics.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingStore } from '../../src/lake/store/counting.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { isMultipartStore, type ObjectStore } from '../../src/lake/store/types.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { downloadJob } from '../../src/lake/uploads/download.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { backends } from './backends.js';
import {
  assertMonotone,
  harness,
  md5,
  MiB,
  objectBytes,
  tempDir,
  writeSourceTree,
  type SourceFile,
} from './support.js';

for (const backend of backends()) {
  describe(`backfill on ${backend.name}`, () => {
    let store: ObjectStore;
    let close: () => void;
    let uploadRoot: string;
    let files: SourceFile[];
    const large = [11 * MiB + 123, 6 * MiB + 7];

    beforeAll(async () => {
      ({ store, close } = await backend.open('backfill'));
      uploadRoot = await tempDir('upload-root');
      files = await writeSourceTree(uploadRoot, 'data/ticks/daily', 500, large);
    });
    afterAll(() => close());

    it("uploads 502 files (two multipart) with the seed's keys and metadata, exact bytes, monotone progress and exact statistics", async () => {
      const h = harness(store, { uploadRoot, partSize: 5 * MiB });
      const started = await h.jobs.start(
        await backfillJob(h.engine, { source: 'data/ticks/daily', concurrency: 16, validate: false }),
      );
      expect(started.state).toBe('QUEUED');
      const final = (await h.jobs.wait(started.id))!;
      expect(final.errors).toEqual([]);
      const totalBytes = files.reduce((s, f) => s + f.size, 0);
      expect(final).toMatchObject({
        state: 'SUCCEEDED',
        kind: 'BACKFILL',
        totalFiles: 502,
        doneFiles: 502,
        failedFiles: 0,
        skippedFiles: 0,
        totalBytes,
        transferredBytes: totalBytes,
      });
      expect(final.finishedAt! >= final.startedAt!).toBe(true);
      expect(final.bytesPerSecond).toBeGreaterThan(0);

      const published = h.published.get(started.id)!;
      assertMonotone(published);
      expect(published.map((s) => s.state).filter((s, i, all) => s !== all[i - 1])).toEqual([
        'QUEUED',
        'RUNNING',
        'SUCCEEDED',
      ]);
      // The total is known before the first byte moves.
      const firstProgress = published.find((s) => s.transferredBytes > 0)!;
      expect(firstProgress.totalBytes).toBe(totalBytes);
      // Progress is reported while the large files are still going, not only per finished file.
      expect(
        published.some((s) => s.state === 'RUNNING' && s.transferredBytes > 0 && s.transferredBytes < totalBytes),
      ).toBe(true);
      expect(published.at(-1)).toEqual(final);

      // Every object equals its source, byte for byte.
      const keys = new Map<string, number>();
      for await (const o of listAll(store, { prefix: 'data/' })) keys.set(o.key, o.size);
      expect(keys.size).toBe(502);
      for (const file of files) {
        const key = `data/ticks/daily/${file.path}`;
        expect(keys.get(key), key).toBe(file.size);
        expect(md5(await objectBytes(store, key)), key).toBe(file.md5);
      }
      // The seed's metadata for keys in the layout; none for keys outside it.
      const head = await store.head(`data/ticks/daily/${files[0].path}`);
      expect(head.metadata).toEqual({ symbol: 'T000', year: '2000', 'data-type': 'daily-ticks' });
      expect(head.contentType).toBe('application/vnd.apache.parquet');
      expect((await store.head(`data/ticks/daily/${files[500].path}`)).metadata).toEqual({});

      // The large files went in parts (3 and 2 of 5 MiB), the small ones in one request each.
      if (store instanceof CountingStore) {
        expect(store.count('createMultipartUpload')).toBe(2);
        expect(store.count('uploadPart')).toBe(5);
      } else {
        expect((await store.head(`data/ticks/daily/${files[500].path}`)).etag).toMatch(/-3"$/);
        expect((await store.head(`data/ticks/daily/${files[501].path}`)).etag).toMatch(/-2"$/);
      }
      if (isMultipartStore(store)) expect(await store.listMultipartUploads()).toEqual([]);
      const markers = [];
      for await (const o of listAll(store, { prefix: '_lakeql/' })) markers.push(o.key);
      expect(markers).toEqual([]);
    });

    it('SKIP_EXISTING leaves existing keys alone; SYNC re-uploads only what changed (size + checksum); dryRun writes nothing', async () => {
      const root = await tempDir('upload-sync');
      const tree = await writeSourceTree(root, 'data/ticks/daily', 12, [6 * MiB]);
      const h = harness(store, { uploadRoot: root, partSize: 5 * MiB });
      const run = async (options: Parameters<typeof backfillJob>[1]) =>
        (await h.jobs.wait((await h.jobs.start(await backfillJob(h.engine, options))).id))!;
      const prefix = 'sync/daily';
      const first = await run({ source: 'data/ticks/daily', prefix, mode: 'SYNC' });
      expect(first).toMatchObject({ state: 'SUCCEEDED', doneFiles: 13, skippedFiles: 0 });

      // Same size, different bytes: only a checksum tells; and one file grows.
      const changed = path.join(root, 'data/ticks/daily', tree[3].path);
      const bytes = await fs.readFile(changed);
      bytes[10] ^= 0xff;
      await fs.writeFile(changed, bytes);
      await fs.appendFile(path.join(root, 'data/ticks/daily', tree[5].path), 'more');

      const dry = await run({ source: 'data/ticks/daily', prefix, mode: 'SYNC', dryRun: true });
      expect(dry).toMatchObject({
        state: 'SUCCEEDED',
        dryRun: true,
        totalFiles: 13,
        skippedFiles: 11,
        doneFiles: 0,
        transferredBytes: 0,
      });
      const uploads = dry
        .plan!.filter((p) => p.action === 'UPLOAD')
        .map((p) => p.path)
        .sort();
      expect(uploads).toEqual([tree[3].path, tree[5].path].sort());
      expect(dry.plan!.filter((p) => p.action === 'SKIP').every((p) => p.reason === 'unchanged')).toBe(true);
      expect(md5(await objectBytes(store, `${prefix}/${tree[3].path}`))).toBe(tree[3].md5); // dry run wrote nothing

      const sync = await run({ source: 'data/ticks/daily', prefix, mode: 'SYNC' });
      expect(sync).toMatchObject({
        state: 'SUCCEEDED',
        totalFiles: 13,
        doneFiles: 2,
        skippedFiles: 11,
        totalBytes: bytes.length + tree[5].size + 4,
      });
      expect(md5(await objectBytes(store, `${prefix}/${tree[3].path}`))).toBe(md5(bytes));

      const skip = await run({ source: 'data/ticks/daily', prefix, mode: 'SKIP_EXISTING', include: ['T000/**'] });
      expect(skip).toMatchObject({ state: 'SUCCEEDED', totalFiles: 12, doneFiles: 0, skippedFiles: 12, totalBytes: 0 });
    });

    it("downloads a prefix into the download root, every file whole, as the seed's download_directory_parallel lays it out", async () => {
      const downloadRoot = await tempDir('download-root');
      const h = harness(store, { uploadRoot, downloadRoot });
      const prefix = 'data/ticks/daily/T001';
      const started = await h.jobs.start(await downloadJob(h.engine, { prefix, destination: 'out/T001' }));
      const final = (await h.jobs.wait(started.id))!;
      const expected = files.filter((f) => f.path.startsWith('T001/'));
      expect(final).toMatchObject({
        state: 'SUCCEEDED',
        totalFiles: expected.length,
        doneFiles: expected.length,
        failedFiles: 0,
      });
      expect(final.transferredBytes).toBe(expected.reduce((s, f) => s + f.size, 0));
      assertMonotone(h.published.get(started.id)!);
      for (const f of expected) {
        // The seed: relative = key.replace(prefix, '').lstrip('/').
        const local = path.join(downloadRoot, 'out/T001', f.path.slice('T001/'.length));
        expect(md5(await fs.readFile(local))).toBe(f.md5);
      }
      const names = await fs.readdir(path.join(downloadRoot, 'out/T001'), { recursive: true });
      expect(names.filter((n) => String(n).includes('lakeql-tmp'))).toEqual([]);
    });
  });
}

for (const { name, reason } of skippedS3Servers()) it.skip(`backfill on ${name}: ${reason}`, () => {});
