// Single-file uploads as UPLOAD jobs over real HTTP, on the directory backend and S3, and across two instances sharing Redis.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { BarRow } from '../../src/lake/bars/types.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { isMultipartStore, type ObjectStore } from '../../src/lake/store/types.js';
import { lakeSetups, startOn } from '../support/lake-setups.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { MiB, objectBytes, tempDir } from '../jobs/support.js';
import { sse, startRedis, type RedisServer } from '../scale/support.js';

const DAY = 86_400_000;
const daily = (year: number, n: number): BarRow[] =>
  Array.from({ length: n }, (_, i) => {
    const close = 100 + ((i * 37) % 50);
    return {
      time: Date.UTC(year, 0, 2) + (i % 360) * DAY,
      open: close - 1,
      high: close + 2,
      low: close - 2,
      close,
      volume: 1000 + i,
    };
  });
const small = (year: number) => writeBarsParquet(daily(year, 250), { resolution: 'DAILY' });

/** More than one 5 MiB part: incompressible values (dates repeat; the checks only bound them). */
function bigDailyFile(year: number): Uint8Array {
  const rnd = Math.random;
  const rows: BarRow[] = Array.from({ length: 150_000 }, (_, i) => ({
    time: Date.UTC(year, 0, 1) + (i % 365) * DAY,
    open: rnd(),
    high: rnd() + 1,
    low: rnd() - 1,
    close: rnd(),
    volume: Math.floor(rnd() * 1e9),
    vwap: rnd(),
    trades: i,
  }));
  return writeBarsParquet(rows, { resolution: 'DAILY' });
}

type Result = { data?: any; errors?: { message: string; extensions?: any }[] };
const JOB =
  'id kind state seq key totalFiles doneFiles failedFiles totalBytes transferredBytes expiresAt message errors { path key code message }';
const PROGRESS = `subscription($id: ID!) { jobProgress(id: $id) { ${JOB} } }`;
const CREATE = `mutation($symbol: String!, $year: Int!, $n: SafeInt!) { createUploadJob(symbol: $symbol, year: $year, contentLength: $n) { ${JOB} } }`;
const UPLOAD = `mutation($file: File!, $symbol: String!, $year: Int!, $jobId: ID) {
  uploadTickFile(symbol: $symbol, year: $year, file: $file, jobId: $jobId) { key size }
}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(url: string, query: string, variables?: Record<string, unknown>): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Result;
}

/**
 * A GraphQL multipart request whose file arrives `chunk` bytes at a time, `pace()` ms apart: the
 * gateway streams it on as it comes, so a job's progress can be watched (and cancelled) mid-file.
 */
async function upload(
  url: string,
  bytes: Uint8Array,
  variables: Record<string, unknown>,
  pace: { chunk: number; delayMs: () => number } = { chunk: 1 << 20, delayMs: () => 0 },
): Promise<Result> {
  const boundary = `lakeql-test-${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('operations', JSON.stringify({ query: UPLOAD, variables: { ...variables, file: null } })) +
      field('map', JSON.stringify({ 0: ['variables.file'] })) +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="ticks.parquet"\r\nContent-Type: application/vnd.apache.parquet\r\n\r\n`,
  );
  let offset = -1;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset < 0) {
        offset = 0;
        return controller.enqueue(head);
      }
      if (offset >= bytes.byteLength) {
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        return controller.close();
      }
      const delay = pace.delayMs();
      if (delay > 0) await sleep(delay);
      const end = Math.min(bytes.byteLength, offset + pace.chunk);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
    },
  });
  const response = await fetch(url, {
    method: 'POST',
    body,
    duplex: 'half',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-graphql-yoga-csrf': '1' },
  } as RequestInit);
  return (await response.json()) as Result;
}

/** Follows a job over SSE; `first` resolves at its first snapshot, so an upload can start once the subscriber is in. */
function follow(
  url: string,
  id: string,
  onSnapshot?: (job: JobSnapshot) => void,
): { first: Promise<void>; all: Promise<JobSnapshot[]> } {
  let first!: () => void;
  const started = new Promise<void>((resolve) => (first = resolve));
  const all = sse(url, PROGRESS, { id }, (event: any) => {
    first();
    onSnapshot?.(event.data.jobProgress);
  }).then((events) => events.map((e: any) => e.data.jobProgress as JobSnapshot));
  return { first: Promise.race([started, all.then(() => {})]), all };
}

function expectMonotone(seen: JobSnapshot[]): void {
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i].seq).toBeGreaterThan(seen[i - 1].seq);
    expect(seen[i].transferredBytes).toBeGreaterThanOrEqual(seen[i - 1].transferredBytes);
  }
}

const setups = lakeSetups('upload-jobs');

for (const setup of setups) {
  describe(`UPLOAD jobs on ${setup.name}`, () => {
    let url: string;
    let store: ObjectStore;
    let stop: () => Promise<void>;
    const big = bigDailyFile(2023);

    beforeAll(async () => {
      ({ url, store, stop } = await startOn(setup));
    });
    afterAll(() => stop());

    const create = async (symbol: string, year: number, n: number): Promise<JobSnapshot> => {
      const result = await post(url, CREATE, { symbol, year, n });
      expect(result.errors).toBeUndefined();
      return result.data.createUploadJob;
    };

    const leftovers = async (prefix: string) => {
      const uploads = isMultipartStore(store) ? await store.listMultipartUploads(prefix) : [];
      const markers: string[] = [];
      for await (const o of listAll(store, { prefix: '_lakeql/' })) markers.push(o.key);
      return { uploads, markers };
    };

    it('progress follows the bytes the store receives, monotone, ending SUCCEEDED at transferred = total', async () => {
      expect(big.byteLength).toBeGreaterThan(5 * MiB);
      const job = await create('BIG', 2023, big.byteLength);
      expect(job).toMatchObject({
        kind: 'UPLOAD',
        state: 'QUEUED',
        seq: 1,
        key: 'data/ticks/daily/BIG/2023/ticks.parquet',
        totalFiles: 1,
        totalBytes: big.byteLength,
        transferredBytes: 0,
      });
      expect(Date.parse(job.expiresAt as unknown as string) - Date.now()).toBeGreaterThan(9 * 60_000);
      const listed = await post(url, 'query { jobs(kind: UPLOAD, state: QUEUED) { id } }');
      expect(listed.data.jobs.map((j: { id: string }) => j.id)).toContain(job.id);

      const watching = follow(url, job.id);
      await watching.first;
      // About a second of sending: the first part reaches the store while the rest is still on its way.
      const result = await upload(
        url,
        big,
        { symbol: 'BIG', year: 2023, jobId: job.id },
        { chunk: 256 * 1024, delayMs: () => 25 },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.uploadTickFile).toEqual({
        key: 'data/ticks/daily/BIG/2023/ticks.parquet',
        size: big.byteLength,
      });
      expect(
        Buffer.compare(await objectBytes(store, 'data/ticks/daily/BIG/2023/ticks.parquet'), Buffer.from(big)),
      ).toBe(0);

      const seen = await watching.all;
      expectMonotone(seen);
      expect(seen[0].state).toBe('QUEUED');
      expect(seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1])).toEqual([
        'QUEUED',
        'RUNNING',
        'SUCCEEDED',
      ]);
      expect(
        seen.some((s) => s.state === 'RUNNING' && s.transferredBytes > 0 && s.transferredBytes < big.byteLength),
      ).toBe(true);
      expect(seen.at(-1)).toMatchObject({
        state: 'SUCCEEDED',
        doneFiles: 1,
        failedFiles: 0,
        transferredBytes: big.byteLength,
        totalBytes: big.byteLength,
        errors: [],
      });
      const queried = await post(url, `query($id: ID!) { job(id: $id) { ${JOB} } }`, { id: job.id });
      expect(queried.data.job).toEqual(seen.at(-1));
    });

    it('a file that fails validation ends the job FAILED with the typed error, and nothing is stored', async () => {
      for (const [symbol, bytes] of [
        ['BADSMALL', small(2021)],
        ['BADBIG', big],
      ] as const) {
        const job = await create(symbol, 2024, bytes.byteLength);
        const watching = follow(url, job.id);
        await watching.first;
        const result = await upload(url, bytes, { symbol, year: 2024, jobId: job.id });
        expect(result.errors![0].extensions!.code).toBe('INVALID_DATA');
        expect(result.errors![0].message).toMatch(/outside 2024/);
        const seen = await watching.all;
        expectMonotone(seen);
        const key = `data/ticks/daily/${symbol}/2024/ticks.parquet`;
        expect(seen.at(-1)).toMatchObject({
          state: 'FAILED',
          doneFiles: 0,
          failedFiles: 1,
          errors: [{ path: 'ticks.parquet', key, code: 'INVALID_DATA' }],
        });
        expect(seen.at(-1)!.errors[0].message).toMatch(/outside 2024/);
        await expect(store.head(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      expect(await leftovers('data/ticks/daily/')).toEqual({ uploads: [], markers: [] });
    });

    it('cancelJob mid-stream aborts the upload: CANCELLED for the job, its subscriber and the uploader, nothing left behind', async () => {
      const job = await create('CANCELME', 2023, big.byteLength);
      let stored!: () => void;
      const partStored = new Promise<void>((resolve) => (stored = resolve));
      const watching = follow(url, job.id, (s) => {
        if (s.transferredBytes > 0) stored();
      });
      await watching.first;
      // Slow until the cancel, then at full speed, so the rest of the request drains quickly.
      let cancelled = false;
      const uploading = upload(
        url,
        big,
        { symbol: 'CANCELME', year: 2023, jobId: job.id },
        { chunk: 128 * 1024, delayMs: () => (cancelled ? 0 : 40) },
      );
      await partStored;
      const answer = await post(
        url,
        'mutation($id: ID!) { cancelJob(id: $id) { state transferredBytes totalBytes } }',
        { id: job.id },
      );
      cancelled = true;
      expect(answer.data.cancelJob.state).toBe('CANCELLED');
      expect(answer.data.cancelJob.transferredBytes).toBeLessThan(big.byteLength);
      const result = await uploading;
      expect(result.errors![0].extensions!.code).toBe('CANCELLED');
      expect((await watching.all).at(-1)!.state).toBe('CANCELLED');
      await expect(store.head('data/ticks/daily/CANCELME/2023/ticks.parquet')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await leftovers('data/ticks/daily/CANCELME/')).toEqual({ uploads: [], markers: [] });
    });

    it('uploadTickFile without jobId creates no job, as before', async () => {
      const before = (await post(url, '{ jobs(kind: UPLOAD) { id } }')).data.jobs.length;
      const result = await upload(url, small(2020), { symbol: 'NOJOB', year: 2020 });
      expect(result.errors).toBeUndefined();
      expect((await post(url, '{ jobs(kind: UPLOAD) { id } }')).data.jobs.length).toBe(before);
    });
  });
}
for (const { name, reason } of skippedS3Servers()) it.skip(`UPLOAD jobs on ${name}: ${reason}`, () => {});

describe('UPLOAD job rules', () => {
  let app: App;
  let url: string;
  let store: LocalStore;

  beforeAll(async () => {
    const dir = await tempDir('upload-job-rules');
    store = new LocalStore(dir);
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0', LAKEQL_UPLOAD_JOB_TIMEOUT: '1' }), {
      store,
      location: { kind: 'local', directory: dir },
      log: () => {},
    });
    url = await app.start();
  });
  afterAll(() => app.stop());

  it('refuses bad arguments before registering anything', async () => {
    expect((await post(url, CREATE, { symbol: 'AAPL', year: 2024, n: 5 })).errors![0].extensions!.code).toBe(
      'BAD_USER_INPUT',
    );
    const monthly = await post(
      url,
      'mutation { createUploadJob(symbol: "AAPL", year: 2024, month: 3, contentLength: 100) { id } }',
    );
    expect(monthly.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const unknown = await upload(url, small(2024), { symbol: 'AAPL', year: 2024, jobId: 'no-such-job' });
    expect(unknown.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('takes one upload, for its own key and exact size; a cancelled job takes none', async () => {
    const bytes = small(2024);
    const job = (await post(url, CREATE, { symbol: 'ONCE', year: 2024, n: bytes.byteLength })).data
      .createUploadJob as JobSnapshot;
    const elsewhere = await upload(url, bytes, { symbol: 'OTHER', year: 2024, jobId: job.id });
    expect(elsewhere.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(elsewhere.errors![0].message).toMatch(/uploads to data\/ticks\/daily\/ONCE\/2024/);
    expect((await app.services.transfers!.jobs.get(job.id))!.state).toBe('QUEUED');
    expect((await upload(url, bytes, { symbol: 'ONCE', year: 2024, jobId: job.id })).errors).toBeUndefined();
    const again = await upload(url, bytes, { symbol: 'ONCE', year: 2024, jobId: job.id });
    expect(again.errors![0].extensions!.code).toBe('PRECONDITION_FAILED');
    expect(again.errors![0].message).toMatch(/SUCCEEDED/);

    // One byte more or less than announced: refused, the job FAILED, nothing stored.
    for (const [symbol, announced] of [
      ['LONGER', bytes.byteLength - 1],
      ['SHORTER', bytes.byteLength + 1],
    ] as const) {
      const sized = (await post(url, CREATE, { symbol, year: 2024, n: announced })).data.createUploadJob as JobSnapshot;
      const result = await upload(url, bytes, { symbol, year: 2024, jobId: sized.id });
      expect(result.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/announced for its upload job/);
      expect(await app.services.transfers!.jobs.get(sized.id)).toMatchObject({
        state: 'FAILED',
        errors: [{ code: 'INVALID_INPUT' }],
      });
      await expect(store.head(`data/ticks/daily/${symbol}/2024/ticks.parquet`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }

    const dropped = (await post(url, CREATE, { symbol: 'DROPPED', year: 2024, n: bytes.byteLength })).data
      .createUploadJob as JobSnapshot;
    const watching = follow(url, dropped.id);
    const cancelled = await post(url, 'mutation($id: ID!) { cancelJob(id: $id) { state } }', { id: dropped.id });
    expect(cancelled.data.cancelJob.state).toBe('CANCELLED');
    expect((await watching.all).at(-1)!.state).toBe('CANCELLED');
    expect(
      (await upload(url, bytes, { symbol: 'DROPPED', year: 2024, jobId: dropped.id })).errors![0].extensions!.code,
    ).toBe('CANCELLED');
  });

  it('an UPLOAD job nobody streams into fails after LAKEQL_UPLOAD_JOB_TIMEOUT, saying why', async () => {
    const began = Date.now();
    const job = (await post(url, CREATE, { symbol: 'LATE', year: 2024, n: 1000 })).data.createUploadJob as JobSnapshot;
    const seen = await follow(url, job.id).all;
    expect(seen.map((s) => s.state)).toEqual(['QUEUED', 'FAILED']);
    expect(seen[1].message).toMatch(/nothing was uploaded into this job within 1 s/);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    const late = await upload(url, small(2024), { symbol: 'LATE', year: 2024, jobId: job.id });
    expect(late.errors![0].extensions!.code).toBe('PRECONDITION_FAILED');
    expect(late.errors![0].message).toMatch(/FAILED \(nothing was uploaded/);
  });
});

describe('UPLOAD jobs across two instances sharing Redis', () => {
  let redis: RedisServer;
  let a: App;
  let b: App;
  let urlA: string;
  let urlB: string;
  let store: LocalStore;
  let aStopped = false;
  const big = bigDailyFile(2022);

  beforeAll(async () => {
    redis = await startRedis();
    const dir = await tempDir('upload-jobs-redis');
    store = new LocalStore(dir);
    const config = () =>
      loadConfig({
        LAKEQL_DEMO: 'never',
        LAKEQL_PORT: '0',
        LAKEQL_REDIS_URL: redis.url,
        LAKEQL_PART_SIZE: String(5 * MiB),
        LAKEQL_UPLOAD_JOB_TIMEOUT: '2',
      });
    [a, b] = await Promise.all(
      [0, 1].map(() => buildApp(config(), { store, location: { kind: 'local', directory: dir }, log: () => {} })),
    );
    [urlA, urlB] = await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([aStopped ? undefined : a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('a job created on A is streamed into on B and followed on A to SUCCEEDED', async () => {
    const bytes = small(2024);
    const job = (await post(urlA, CREATE, { symbol: 'SHARED', year: 2024, n: bytes.byteLength })).data
      .createUploadJob as JobSnapshot;
    const watching = follow(urlA, job.id);
    await watching.first;
    expect((await upload(urlB, bytes, { symbol: 'SHARED', year: 2024, jobId: job.id })).errors).toBeUndefined();
    const seen = await watching.all;
    expectMonotone(seen);
    expect(seen.at(-1)).toMatchObject({
      state: 'SUCCEEDED',
      transferredBytes: bytes.byteLength,
      totalBytes: bytes.byteLength,
    });
    expect((await post(urlA, `query($id: ID!) { job(id: $id) { ${JOB} } }`, { id: job.id })).data.job).toEqual(
      seen.at(-1),
    );
    // The claim is decided by the shared registry: A refuses a second upload into the job B ran.
    expect(
      (await upload(urlA, bytes, { symbol: 'SHARED', year: 2024, jobId: job.id })).errors![0].extensions!.code,
    ).toBe('PRECONDITION_FAILED');
  });

  it('cancelJob on A aborts the upload streaming into B', async () => {
    const job = (await post(urlA, CREATE, { symbol: 'FARCANCEL', year: 2022, n: big.byteLength })).data
      .createUploadJob as JobSnapshot;
    let stored!: () => void;
    const partStored = new Promise<void>((resolve) => (stored = resolve));
    const watching = follow(urlA, job.id, (s) => {
      if (s.transferredBytes > 0) stored();
    });
    await watching.first;
    let cancelled = false;
    const uploading = upload(
      urlB,
      big,
      { symbol: 'FARCANCEL', year: 2022, jobId: job.id },
      { chunk: 128 * 1024, delayMs: () => (cancelled ? 0 : 40) },
    );
    await partStored;
    const answer = await post(urlA, 'mutation($id: ID!) { cancelJob(id: $id) { state } }', { id: job.id });
    cancelled = true;
    expect(answer.data.cancelJob.state).toBe('CANCELLED');
    expect((await uploading).errors![0].extensions!.code).toBe('CANCELLED');
    expect((await watching.all).at(-1)!.state).toBe('CANCELLED');
    await expect(store.head('data/ticks/daily/FARCANCEL/2022/ticks.parquet')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.listMultipartUploads('data/')).toEqual([]);
  });

  it('an unclaimed job expires even when the instance that created it is gone', async () => {
    const job = (await post(urlA, CREATE, { symbol: 'ORPHAN', year: 2024, n: 1000 })).data
      .createUploadJob as JobSnapshot;
    await a.stop();
    aStopped = true;
    await sleep(2200);
    const onB = await post(urlB, `query($id: ID!) { job(id: $id) { state message } }`, { id: job.id });
    expect(onB.data.job).toEqual({
      state: 'FAILED',
      message: expect.stringMatching(/nothing was uploaded into this job within 2 s/),
    });
  });
});
