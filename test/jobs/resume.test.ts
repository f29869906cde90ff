// Byte-level resume on every backend: an interrupted multipart upload sends only its missing parts; a cut-off download continues with a ranged GET.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRecord, JobFileLog } from '../../src/lake/jobs/file-log.js';
import type { S3RequestEvent } from '../../src/lake/store/s3/observe.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { MARKER_PREFIX, OwnUploads } from '../../src/lake/store/own-uploads.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { GetOptions, MultipartStore, ObjectStore } from '../../src/lake/store/types.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { downloadFile, tempPathFor } from '../../src/lake/uploads/download-file.js';
import { downloadJob } from '../../src/lake/uploads/download.js';
import { createBucket, s3Servers, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';
import { bytesOf, harness, md5, MiB, objectBytes, tempDir } from './support.js';

interface Opened {
  store: ObjectStore & MultipartStore;
  /** UploadPart requests (S3) or calls (directory) so far. */
  parts(): number;
  /** GETs so far, with the options each was asked with. */
  gets: GetOptions[];
  close(): void;
}

/** Records every get's options, whatever the backend; the rest of the store is untouched. */
function recordGets(store: ObjectStore, gets: GetOptions[]): ObjectStore & MultipartStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'get')
        return (key: string, options: GetOptions = {}) => {
          gets.push(options);
          return target.get(key, options);
        };
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as ObjectStore & MultipartStore;
}

const backends: { name: string; open(hint: string): Promise<Opened> }[] = [
  {
    name: 'directory',
    async open(hint) {
      const counting = new CountingStore(new LocalStore(await tempDir(`${hint}-lake`)));
      const gets: GetOptions[] = [];
      return { store: recordGets(counting, gets), parts: () => counting.count('uploadPart'), gets, close: () => {} };
    },
  },
  ...s3Servers().map((server) => ({
    name: server.name,
    async open(hint: string): Promise<Opened> {
      const events: S3RequestEvent[] = [];
      const s3 = s3StoreOn(server, await createBucket(server, hint), { onRequest: (e) => events.push(e) });
      const gets: GetOptions[] = [];
      return {
        store: recordGets(s3, gets),
        parts: () => events.filter((e) => e.operation === 'UploadPart').length,
        gets,
        close: () => s3.close(),
      };
    },
  })),
];

/** A file log as a journal would hand it to a restarted job, holding what the earlier run recorded. */
function fileLog(
  previous: [string, FileRecord][],
  jobId = 'job-1',
): JobFileLog & { started: JobFileLog['started']; records: Map<string, FileRecord> } {
  const records = new Map<string, FileRecord>();
  return {
    jobId,
    previous: new Map(previous),
    records,
    async starting(key, record) {
      records.set(key, { state: 'starting', ...record });
    },
    async started(key, record) {
      records.set(key, { state: 'started', ...record });
    },
    async done(key, record) {
      records.set(key, { state: 'done', ...record });
    },
  };
}

const PART = 5 * MiB;
const SIZE = 4 * PART + 12_345; // five parts, the last short
const KEY = 'data/ticks/minute/BIG/2024/01/ticks.parquet';

for (const backend of backends) {
  describe(`byte-level resume on ${backend.name}`, () => {
    let opened: Opened;
    let uploadRoot: string;
    let source: string;
    const bytes = bytesOf(4242, SIZE);

    beforeAll(async () => {
      opened = await backend.open('resume');
      uploadRoot = await tempDir('resume-root');
      source = path.join(uploadRoot, 'data/ticks/minute/BIG/2024/01/ticks.parquet');
      await fs.mkdir(path.dirname(source), { recursive: true });
      await fs.writeFile(source, bytes);
    });
    afterAll(() => opened.close());

    /** What a run killed after `k` parts leaves: an upload holding parts 1..k, and the journal's record of it. */
    async function interrupted(k: number, corrupt?: number): Promise<FileRecord> {
      const { store } = opened;
      const uploadId = await store.createMultipartUpload(KEY, {});
      for (let n = 1; n <= k; n++) {
        const part = Buffer.from(bytes.subarray((n - 1) * PART, Math.min(SIZE, n * PART)));
        if (n === corrupt) part[17] ^= 0xff;
        await store.uploadPart(KEY, uploadId, n, part);
      }
      const stats = await fs.stat(source);
      return { state: 'started', uploadId, partSize: PART, size: stats.size, mtimeMs: stats.mtimeMs };
    }

    async function backfill(log: JobFileLog) {
      const h = harness(opened.store, { uploadRoot, partSize: PART });
      const before = opened.parts();
      const started = await h.jobs.start(
        await backfillJob(h.engine, { source: 'data/ticks/minute', concurrency: 2, validate: false }),
        { files: log },
      );
      const final = (await h.jobs.wait(started.id))!;
      return { final, sentParts: opened.parts() - before };
    }

    it('lists the parts an unfinished upload holds, each with the MD5 of its bytes as ETag', async () => {
      const record = (await interrupted(2)) as Extract<FileRecord, { state: 'started' }>;
      const parts = await opened.store.listParts(KEY, record.uploadId);
      expect(parts).toEqual(
        [1, 2].map((n) => ({ partNumber: n, size: PART, etag: `"${md5(bytes.subarray((n - 1) * PART, n * PART))}"` })),
      );
      await opened.store.abortMultipartUpload(KEY, record.uploadId);
      await expect(opened.store.listParts(KEY, record.uploadId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('an upload interrupted after k of n parts sends exactly n − k parts, and the object equals its source', async () => {
      const record = await interrupted(3);
      const log = fileLog([[KEY, record]]);
      const { final, sentParts } = await backfill(log);
      expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 1, transferredBytes: SIZE });
      expect(sentParts).toBe(5 - 3);
      expect(md5(await objectBytes(opened.store, KEY))).toBe(md5(bytes));
      expect(log.records.get(KEY)).toMatchObject({ state: 'done', size: SIZE });
      expect(await opened.store.listMultipartUploads(KEY)).toEqual([]);
    });

    it('a held part whose bytes differ from the source is sent again; the matching ones are not', async () => {
      const { final, sentParts } = await backfill(fileLog([[KEY, await interrupted(3, 2)]]));
      expect(final.state).toBe('SUCCEEDED');
      expect(sentParts).toBe(5 - 3 + 1);
      expect(md5(await objectBytes(opened.store, KEY))).toBe(md5(bytes));
    });

    it('a source changed since the interrupted run is sent whole, and the old upload aborted', async () => {
      const record = await interrupted(4);
      const later = new Date(Date.now() + 5_000);
      await fs.utimes(source, later, later);
      const { final, sentParts } = await backfill(fileLog([[KEY, record]]));
      expect(final.state).toBe('SUCCEEDED');
      expect(sentParts).toBe(5);
      expect(md5(await objectBytes(opened.store, KEY))).toBe(md5(bytes));
      expect(await opened.store.listMultipartUploads(KEY)).toEqual([]);
    });

    it('a run killed before it recorded its upload id: the resume aborts what that run left of the key, not what another job holds', async () => {
      const { store } = opened;
      const own = new OwnUploads(store);
      // The crash came after CreateMultipartUpload: once after the marker's PUT, once before it.
      const marked = await store.createMultipartUpload(KEY, {});
      await own.onCreated(KEY, marked, 'job-1');
      const unmarked = await store.createMultipartUpload(KEY, {});
      await store.uploadPart(KEY, unmarked, 1, Buffer.from(bytes.subarray(0, PART)));
      // Another job's upload of the same key, alive as far as anyone knows.
      const other = await store.createMultipartUpload(KEY, {});
      await own.onCreated(KEY, other, 'job-2');
      const stats = await fs.stat(source);
      const log = fileLog([[KEY, { state: 'starting', size: stats.size, mtimeMs: stats.mtimeMs }]], 'job-1');

      const { final, sentParts } = await backfill(log);
      expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 1, transferredBytes: SIZE });
      expect(sentParts).toBe(5);
      expect(md5(await objectBytes(store, KEY))).toBe(md5(bytes));
      expect((await store.listMultipartUploads(KEY)).map((u) => u.uploadId)).toEqual([other]);
      const markers: string[] = [];
      for await (const o of listAll(store, { prefix: MARKER_PREFIX })) markers.push(o.key);
      expect(markers).toEqual([OwnUploads.markerKey(other)]);
      // The journal says `starting` before each new upload and `started` once its id is known.
      expect(log.records.get(KEY)).toMatchObject({ state: 'done' });

      await store.abortMultipartUpload(KEY, other);
      await own.onEnded(KEY, other);
    });

    it('a new multipart upload is on record as `starting` before CreateMultipartUpload and as `started` with its id before any part', async () => {
      const { store } = opened;
      const seen: string[] = [];
      const log = fileLog([]);
      const watched: JobFileLog = {
        ...log,
        async starting(key, record) {
          seen.push(`starting, ${(await store.listMultipartUploads(KEY)).length} uploads`);
          await log.starting(key, record);
        },
        async started(key, record) {
          const parts = await store.listParts(KEY, record.uploadId);
          seen.push(`started, ${parts.length} parts`);
          await log.started(key, record);
        },
      };
      const { final } = await backfill(watched);
      expect(final.state).toBe('SUCCEEDED');
      expect(seen).toEqual(['starting, 0 uploads', 'started, 0 parts']);
      const markers: string[] = [];
      for await (const o of listAll(store, { prefix: MARKER_PREFIX })) markers.push(o.key);
      expect(markers).toEqual([]);
    });

    it('a file an earlier run stored from the same source is not sent again', async () => {
      const stats = await fs.stat(source);
      const { final, sentParts } = await backfill(
        fileLog([[KEY, { state: 'done', size: stats.size, mtimeMs: stats.mtimeMs }]]),
      );
      expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 1 });
      expect(sentParts).toBe(0);
    });

    it('a download cut off mid-file continues the partial temp file with a ranged GET pinned to the ETag', async () => {
      const downloadRoot = await tempDir('resume-dl');
      await opened.store.put(KEY, bytes);
      const meta = await opened.store.head(KEY);
      const target = path.join(downloadRoot, 'out/BIG/2024/01/ticks.parquet');
      await fs.mkdir(path.dirname(target), { recursive: true });
      // What a killed download leaves: the first bytes, in the temp file named after the object's ETag.
      const cut = 7 * MiB + 3;
      await fs.writeFile(tempPathFor(target, meta.etag!), bytes.subarray(0, cut));
      const h = harness(opened.store, { downloadRoot });
      opened.gets.length = 0;
      const started = await h.jobs.start(
        await downloadJob(h.engine, { prefix: 'data/ticks/minute/', destination: 'out' }),
      );
      const final = (await h.jobs.wait(started.id))!;
      expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 1 });
      expect(opened.gets).toEqual([expect.objectContaining({ range: { start: cut }, ifMatch: meta.etag })]);
      expect(md5(await fs.readFile(target))).toBe(md5(bytes));
      expect((await fs.readdir(path.dirname(target))).filter((n) => n.endsWith('.lakeql-tmp'))).toEqual([]);
    });

    it('an object changed since the partial file was written is downloaded whole again (412 → a whole GET)', async () => {
      const downloadRoot = await tempDir('resume-dl-changed');
      await opened.store.put(KEY, bytes);
      const old = await opened.store.head(KEY);
      const target = path.join(downloadRoot, 'ticks.parquet');
      await fs.writeFile(tempPathFor(target, old.etag!), bytes.subarray(0, 3 * MiB));
      const replacement = bytesOf(777, 2 * MiB + 5);
      await opened.store.put(KEY, replacement);
      opened.gets.length = 0;
      const result = await downloadFile(
        opened.store,
        { key: KEY, size: old.size, etag: old.etag, lastModified: old.lastModified },
        target,
        new AbortController().signal,
        () => {},
      );
      expect(opened.gets).toEqual([
        expect.objectContaining({ range: { start: 3 * MiB }, ifMatch: old.etag }),
        expect.not.objectContaining({ range: expect.anything() }),
      ]);
      expect(result).toMatchObject({ fetched: replacement.length, object: { size: replacement.length } });
      expect(md5(await fs.readFile(target))).toBe(md5(replacement));
      expect((await fs.readdir(downloadRoot)).sort()).toEqual(['ticks.parquet']);
      await opened.store.put(KEY, bytes);
    });
  });
}
for (const { name, reason } of skippedS3Servers()) it.skip(`byte-level resume on ${name}: ${reason}`, () => {});
