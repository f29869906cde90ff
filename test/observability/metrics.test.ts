// /metrics: GraphQL timings by operation and outcome, HTTP routes, S3 requests and bytes, directory store calls, jobs by state.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gql } from '../support/graphql.js';
import { writeCatalogLake } from '../support/lake-fixture.js';
import { createBucket, s3Servers, skippedS3Servers } from '../support/s3-servers.js';

/** Samples of the Prometheus text format as `name{labels}` → value. */
async function scrape(app: App, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const response = await app.yoga.fetch('http://lakeql.test/metrics', { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const sum = (samples: Map<string, number>, prefix: string, ...labels: string[]) =>
  [...samples]
    .filter(([k]) => k.startsWith(prefix) && labels.every((l) => k.includes(l)))
    .reduce((a, [, v]) => a + v, 0);

describe('metrics on a directory lake', () => {
  let dir: string;
  let app: App;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-metrics-'));
    await writeCatalogLake(new LocalStore(dir), { symbols: 4, years: [2023, 2024], quarters: 1 });
    // Opened from configuration, as in production: the directory store is wrapped to count calls.
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: dir }));
  });
  afterAll(async () => {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('times GraphQL operations by name, type and outcome', async () => {
    expect(
      (await gql(app, 'query Catalog { symbols(first: 2) { nodes { ticker years { year } } } }')).errors,
    ).toBeUndefined();
    expect((await gql(app, 'query Catalog { symbols(first: 1) { nodes { ticker } } }')).errors).toBeUndefined();
    expect(
      (await gql(app, 'query Broken { symbol(ticker: "no such ticker!") { ticker } }')).errors?.[0].extensions?.code,
    ).toBe('BAD_USER_INPUT');
    await gql(app, '{ lake { kind } }');
    const m = await scrape(app);
    expect(
      m.get(
        'lakeql_graphql_operation_duration_seconds_count{operation_name="Catalog",operation_type="query",outcome="ok"}',
      ),
    ).toBe(2);
    expect(
      m.get(
        'lakeql_graphql_operation_duration_seconds_count{operation_name="Broken",operation_type="query",outcome="error"}',
      ),
    ).toBe(1);
    expect(
      m.get(
        'lakeql_graphql_operation_duration_seconds_count{operation_name="anonymous",operation_type="query",outcome="ok"}',
      ),
    ).toBe(1);
    expect(
      m.get(
        'lakeql_graphql_operation_duration_seconds_bucket{le="+Inf",operation_name="Catalog",operation_type="query",outcome="ok"}',
      ),
    ).toBe(2);
  });

  it('counts operations refused before execution by phase', async () => {
    await gql(app, '{ lake { ');
    await gql(app, '{ noSuchField }');
    const m = await scrape(app);
    expect(m.get('lakeql_graphql_rejected_total{phase="parse"}')).toBe(1);
    expect(m.get('lakeql_graphql_rejected_total{phase="validate"}')).toBe(1);
  });

  it('counts HTTP requests by route, never by raw path', async () => {
    await app.yoga.fetch('http://lakeql.test/files/data/ticks/daily/S001/2023/ticks.parquet?expires=1&signature=x');
    await app.yoga.fetch('http://lakeql.test/no/such/thing');
    const m = await scrape(app);
    expect(
      sum(m, 'lakeql_http_request_duration_seconds_count', 'route="graphql"', 'method="POST"', 'status="200"'),
    ).toBeGreaterThanOrEqual(4);
    expect(sum(m, 'lakeql_http_request_duration_seconds_count', 'route="files"', 'status="403"')).toBe(1);
    expect(sum(m, 'lakeql_http_request_duration_seconds_count', 'route="other"')).toBe(1);
    expect([...m.keys()].some((k) => k.includes('S001'))).toBe(false);
  });

  it('counts directory store calls by method', async () => {
    const before = sum(await scrape(app), 'lakeql_store_calls_total', 'backend="local"', 'method="list"');
    // A fresh catalog index answers without listing: forget its age so this query lists the lake again.
    app.services.catalog.invalidate();
    await gql(app, '{ symbols(first: 4) { nodes { ticker years { year tickFile { size } } } } }');
    const after = sum(await scrape(app), 'lakeql_store_calls_total', 'backend="local"', 'method="list"');
    expect(after).toBeGreaterThan(before);
  });

  it('reports jobs by state and kind, and the bytes they moved', async () => {
    const jobs = app.services.transfers!.jobs;
    const ok = await jobs.start({
      kind: 'BACKFILL',
      description: 'metrics test',
      work: async (tracker) => {
        tracker.plan({ totalFiles: 2, totalBytes: 3000, skippedFiles: 0 });
        tracker.progress('a', 500);
        tracker.fileDone('a', 1000);
        tracker.progress('b', 2000);
        tracker.fileDone('b', 2000);
      },
    });
    await jobs.wait(ok.id);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const running = await jobs.start({ kind: 'DOWNLOAD', description: 'held open', work: () => blocked });
    await waitFor(async () => (await jobs.get(running.id))?.state === 'RUNNING');
    const m = await scrape(app);
    expect(m.get('lakeql_jobs{state="SUCCEEDED",kind="BACKFILL"}')).toBe(1);
    expect(m.get('lakeql_jobs{state="RUNNING",kind="DOWNLOAD"}')).toBe(1);
    expect(m.get('lakeql_jobs{state="FAILED",kind="BACKFILL"}')).toBe(0);
    expect(m.get('lakeql_jobs_finished_total{kind="BACKFILL",state="SUCCEEDED"}')).toBe(1);
    expect(m.get('lakeql_job_bytes_total{kind="BACKFILL"}')).toBe(3000);
    release();
    await jobs.wait(running.id);
    expect((await scrape(app)).get('lakeql_jobs{state="RUNNING",kind="DOWNLOAD"}')).toBe(0);
  });

  it('caps distinct operation names so clients cannot grow the series without bound', async () => {
    for (let i = 0; i < 205; i++) await gql(app, `query Op${i} { lake { kind } }`);
    const m = await scrape(app);
    const names = new Set(
      [...m.keys()]
        .filter((k) => k.startsWith('lakeql_graphql_operation_duration_seconds_count'))
        .map((k) => /operation_name="([^"]+)"/.exec(k)![1]),
    );
    // 200 client-chosen names, plus "anonymous" and "other".
    expect(names.size).toBe(202);
    expect(
      m.get(
        'lakeql_graphql_operation_duration_seconds_count{operation_name="other",operation_type="query",outcome="ok"}',
      ),
    ).toBeGreaterThan(0);
  });
});

describe('metrics behind auth', () => {
  it('needs the read scope when auth is on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-metrics-auth-'));
    const key = 'metrics-reader-key-0123456789';
    const app = await buildApp(
      loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: dir, LAKEQL_API_KEYS: `prom:${key}:read` }),
    );
    try {
      expect((await app.yoga.fetch('http://lakeql.test/metrics')).status).toBe(401);
      await scrape(app, { authorization: `Bearer ${key}` });
    } finally {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

for (const server of s3Servers()) {
  describe(`S3 metrics on ${server.name}`, () => {
    let app: App;
    const saved = { ...process.env };

    beforeAll(async () => {
      const bucket = await createBucket(server, 'metrics');
      // The store is opened from LAKEQL_LAKE and the AWS environment, exactly as `npm start` does.
      Object.assign(process.env, server.env);
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: `s3://${bucket}/lake` }));
      await writeCatalogLake(app.services.store, { symbols: 3, years: [2024] });
    });
    afterAll(async () => {
      await app?.stop();
      process.env = saved;
    });

    it('counts S3 requests by operation and outcome, and bytes each way', async () => {
      const before = await scrape(app);
      expect(before.get('lakeql_s3_requests_total{operation="PutObject",outcome="ok"}')).toBe(3);
      expect((await gql(app, '{ symbols(first: 3) { nodes { ticker years { year } } } }')).errors).toBeUndefined();
      const body = 'x'.repeat(10_000);
      await app.services.store.put('scratch/bytes.bin', body);
      const got = await app.services.store.get('scratch/bytes.bin');
      for await (const _ of got.body) void _;
      await expect(app.services.store.get('scratch/missing.bin')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const after = await scrape(app);
      expect(sum(after, 'lakeql_s3_requests_total', 'operation="ListObjectsV2"', 'outcome="ok"')).toBeGreaterThan(0);
      expect(after.get('lakeql_s3_requests_total{operation="GetObject",outcome="error"}')).toBe(1);
      expect(after.get('lakeql_s3_requests_total{operation="GetObject",outcome="ok"}')).toBe(1);
      expect(
        (after.get('lakeql_s3_bytes_total{direction="sent"}') ?? 0) -
          (before.get('lakeql_s3_bytes_total{direction="sent"}') ?? 0),
      ).toBe(10_000);
      expect(after.get('lakeql_s3_bytes_total{direction="received"}')).toBeGreaterThanOrEqual(10_000);
    });

    it('counts the small-file fast path of backfills too (it sends PutObject without the SDK)', async () => {
      const before = await scrape(app);
      const uploader = app.services.transfers!.engine.uploader;
      for (let i = 0; i < 3; i++) await uploader.uploadStream(`scratch/fast-${i}.bin`, new Uint8Array(20_000 + i), {});
      const after = await scrape(app);
      const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(delta('lakeql_s3_requests_total{operation="PutObject",outcome="ok"}')).toBe(3);
      expect(delta('lakeql_s3_bytes_total{direction="sent"}')).toBe(60_003);
    });
  });
}
for (const { name, reason } of skippedS3Servers()) it.skip(`S3 metrics on ${name}: ${reason}`, () => {});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
