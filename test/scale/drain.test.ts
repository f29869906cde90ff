// SIGTERM drains: running jobs are cancelled with their multipart uploads aborted, subscribers get the final state, the process exits in bound.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gqlAt, sse, startInstance, type Instance } from './support.js';

const BOUND_MS = 5000;
const MiB = 1024 * 1024;

describe('SIGTERM', () => {
  let base: string;
  let lake: string;
  let instance: Instance;

  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-drain-'));
    lake = path.join(base, 'lake');
    const source = path.join(base, 'uploads', 'big');
    await fs.mkdir(lake);
    await fs.mkdir(source, { recursive: true });
    // 12 MiB files go up in 5 MiB parts: multipart uploads that a careless stop would leave behind.
    for (let i = 0; i < 6; i++) await fs.writeFile(path.join(source, `f${i}.parquet`), randomBytes(12 * MiB));
    instance = await startInstance({
      LAKEQL_LAKE: lake,
      LAKEQL_UPLOAD_ROOT: path.join(base, 'uploads'),
      LAKEQL_PART_SIZE: String(5 * MiB),
      LAKEQL_SHUTDOWN_TIMEOUT_MS: String(BOUND_MS),
      SLOW_WRITE_MS: '400',
      LAKEQL_JOB_CONCURRENCY: '2',
    });
  });
  afterAll(async () => {
    await instance?.stop();
    await fs.rm(base, { recursive: true, force: true });
  });

  it('cancels the running job, aborts its multipart uploads, tells the subscriber, and exits within LAKEQL_SHUTDOWN_TIMEOUT_MS', async () => {
    const started = await gqlAt(instance.url, 'mutation { startBackfill(source: "big", prefix: "data/big") { id } }');
    expect(started.errors).toBeUndefined();
    const id = started.data.startBackfill.id as string;
    const seen: JobSnapshot[] = [];
    const following = sse(
      instance.url,
      'subscription($id: ID!) { jobProgress(id: $id) { id state seq doneFiles } }',
      { id },
      (e: any) => seen.push(e.data.jobProgress),
    );
    // Wait until multipart uploads are open in the lake: the state a crash would orphan.
    const store = new LocalStore(lake);
    for (let i = 0; (await store.listMultipartUploads()).length === 0; i++) {
      if (i > 200) throw new Error('no multipart upload started');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const exited = new Promise<number | null>((resolve) => instance.child.once('exit', (code) => resolve(code)));
    const signalled = Date.now();
    instance.child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - signalled;
    expect(code).toBe(0);
    expect(took).toBeLessThan(BOUND_MS);
    await following;
    expect(seen.at(-1)).toMatchObject({ id, state: 'CANCELLED' });
    expect(await store.listMultipartUploads()).toEqual([]);
    // Whatever did land is whole: every object has the source file's full size.
    for (const object of (await store.list({ prefix: 'data/big/' })).objects) expect(object.size).toBe(12 * MiB);
    await expect(fetch(instance.url)).rejects.toThrow();
  });
});

describe('a stopping gateway', () => {
  it('answers new requests and operations with 503 SHUTTING_DOWN and keeps its probes', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-stopping-'));
    try {
      const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
        store: new LocalStore(dir),
        location: { kind: 'local', directory: dir },
        log: () => {},
      });
      await app.stop();
      const r = await app.yoga.fetch('http://lakeql.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ lake { kind } }"}',
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await r.json()).errors[0].extensions.code).toBe('SHUTTING_DOWN');
      expect((await app.yoga.fetch('http://lakeql.test/health')).status).toBe(200);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
