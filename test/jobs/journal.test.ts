// The job journal: records survive a reopen, one process holds it, its default place inside a directory lake, and start-up resuming what it holds.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { JobJournal } from '../../src/lake/jobs/journal.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { bytesOf, md5, objectBytes, tempDir } from './support.js';

function snapshot(id: string, patch: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id,
    kind: 'BACKFILL',
    state: 'RUNNING',
    seq: 7,
    description: 'test',
    dryRun: false,
    createdAt: 1_000,
    startedAt: 1_001,
    totalFiles: 3,
    doneFiles: 1,
    failedFiles: 0,
    skippedFiles: 0,
    totalBytes: 300,
    transferredBytes: 150,
    bytesPerSecond: 10,
    errors: [],
    ...patch,
  };
}

describe('JobJournal', () => {
  it('reads back jobs and file records after a reopen; a final snapshot drops the file records; prune keeps the newest finished', async () => {
    const dir = path.join(await tempDir('journal'), 'state');
    let journal = await JobJournal.open(dir);
    await journal.record(snapshot('a'), { kind: 'BACKFILL', options: { source: 'src' } });
    await journal.record(snapshot('b', { createdAt: 2_000 }), { kind: 'DOWNLOAD', options: { prefix: 'data/' } });
    const log = await journal.fileLog('a');
    await log.started('data/x', { uploadId: 'u1', partSize: 5, size: 12, mtimeMs: 1.5 });
    await log.done('data/y', { size: 3, mtimeMs: 2.25, etag: '"e"' });
    await journal.saveSnapshot(snapshot('a', { seq: 9, transferredBytes: 200 }), false);
    await journal.close();

    journal = await JobJournal.open(dir);
    const jobs = await journal.jobs();
    expect(jobs.map((j) => [j.snapshot.id, j.snapshot.seq, j.request.kind])).toEqual([
      ['a', 9, 'BACKFILL'],
      ['b', 7, 'DOWNLOAD'],
    ]);
    expect([...(await journal.fileLog('a')).previous]).toEqual([
      ['data/x', { state: 'started', uploadId: 'u1', partSize: 5, size: 12, mtimeMs: 1.5 }],
      ['data/y', { state: 'done', size: 3, mtimeMs: 2.25, etag: '"e"' }],
    ]);
    await journal.saveSnapshot(snapshot('a', { seq: 10, state: 'SUCCEEDED', finishedAt: 3_000 }), true);
    expect((await journal.fileLog('a')).previous.size).toBe(0);
    await journal.saveSnapshot(snapshot('b', { seq: 8, state: 'FAILED', finishedAt: 4_000 }), true);
    await journal.prune(1);
    expect((await journal.jobs()).map((j) => j.snapshot.id)).toEqual(['b']);
    await journal.close();
  });

  it('is held by one process at a time: a second open fails with LEVEL_LOCKED', async () => {
    const dir = path.join(await tempDir('journal-lock'), 'state');
    const journal = await JobJournal.open(dir);
    await expect(JobJournal.open(dir)).rejects.toMatchObject({ cause: { code: 'LEVEL_LOCKED' } });
    await journal.close();
  });
});

describe('the journal in a gateway', () => {
  it('lives in <lake>/.lakeql/jobs by default, which listings never show; an explicit LAKEQL_STATE_DIR another process holds stops start-up', async () => {
    const lake = await tempDir('journal-lake');
    const messages: string[] = [];
    const app = await buildApp(loadConfig({ LAKEQL_LAKE: lake, LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), {
      log: (m) => messages.push(m),
    });
    expect((await fs.readdir(path.join(lake, '.lakeql/jobs'))).length).toBeGreaterThan(0);
    expect((await new LocalStore(lake).list({})).objects).toEqual([]);
    expect((await new LocalStore(lake).list({ delimiter: '/' })).commonPrefixes).toEqual([]);
    // A second gateway on the same lake starts, without a journal, and says so.
    const second = await buildApp(loadConfig({ LAKEQL_LAKE: lake, LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), {
      log: (m) => messages.push(m),
    });
    expect(messages.join('\n')).toMatch(/jobs will not survive a restart: .*another lakeql process holds it/);
    await expect(
      buildApp(
        loadConfig({ LAKEQL_LAKE: lake, LAKEQL_DEMO: 'never', LAKEQL_STATE_DIR: path.join(lake, '.lakeql/jobs') }),
        { log: () => {} },
      ),
    ).rejects.toThrow(/LAKEQL_STATE_DIR: cannot open the job journal .*another lakeql process holds it/);
    await second.stop();
    await app.stop();
  });

  it('resumes journaled jobs at start: stored files are not sent again, the others are, seq continues; a job whose source is gone fails saying why', async () => {
    const root = await tempDir('journal-resume');
    const lake = path.join(root, 'lake');
    const uploads = path.join(root, 'uploads');
    const state = path.join(root, 'state');
    const files = ['A/2020/ticks.parquet', 'B/2020/ticks.parquet', 'C/2020/ticks.parquet'];
    for (const [i, f] of files.entries()) {
      await fs.mkdir(path.dirname(path.join(uploads, 'src', f)), { recursive: true });
      await fs.writeFile(path.join(uploads, 'src', f), bytesOf(i + 1, 1000 + i));
    }
    // What a killed run leaves: the journal says A was stored (and it is), the rest not yet.
    await fs.mkdir(lake);
    const store = new LocalStore(lake);
    await store.put('data/src/A/2020/ticks.parquet', bytesOf(1, 1000));
    const stamp = await fs.stat(path.join(uploads, 'src', files[0]));
    const journal = await JobJournal.open(state);
    await journal.record(snapshot('job-1', { seq: 12 }), {
      kind: 'BACKFILL',
      options: { source: 'src', prefix: 'data/src', concurrency: 2, partSize: 5 * 1024 * 1024 },
    });
    await (await journal.fileLog('job-1')).done('data/src/A/2020/ticks.parquet', {
      size: stamp.size,
      mtimeMs: stamp.mtimeMs,
    });
    await journal.record(snapshot('job-2', { seq: 4, createdAt: 5_000 }), {
      kind: 'BACKFILL',
      options: { source: 'gone', concurrency: 2, partSize: 5 * 1024 * 1024 },
    });
    await journal.close();
    await fs.utimes(path.join(lake, 'data/src/A/2020/ticks.parquet'), new Date(1_000_000), new Date(1_000_000));
    const before = (await store.head('data/src/A/2020/ticks.parquet')).lastModified.getTime();

    const app = await buildApp(
      loadConfig({
        LAKEQL_LAKE: lake,
        LAKEQL_DEMO: 'never',
        LAKEQL_PORT: '0',
        LAKEQL_UPLOAD_ROOT: uploads,
        LAKEQL_STATE_DIR: state,
      }),
      { log: () => {} },
    );
    const published: JobSnapshot[] = [];
    app.services.transfers.jobs.onPublish((s) => published.push(s));
    await app.start();
    const final = await app.services.transfers.jobs.wait('job-1');
    expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 3, failedFiles: 0, totalFiles: 3 });
    expect(published.filter((s) => s.id === 'job-1')[0].seq).toBe(13);
    for (const [i, f] of files.entries())
      expect(md5(await objectBytes(store, `data/src/${f}`))).toBe(md5(bytesOf(i + 1, 1000 + i)));
    // A was not written again.
    expect((await store.head('data/src/A/2020/ticks.parquet')).lastModified.getTime()).toBe(before);
    const lost = await app.services.transfers.jobs.get('job-2');
    expect(lost).toMatchObject({ state: 'FAILED', seq: 5 });
    expect(lost!.message).toMatch(/could not be resumed after a restart: .*gone/);
    await app.stop();
  });

  it('a graceful stop interrupts a journaled backfill instead of cancelling it; the next start finishes it', async () => {
    const root = await tempDir('journal-stop');
    const lake = path.join(root, 'lake');
    const uploads = path.join(root, 'uploads');
    const state = path.join(root, 'state');
    await fs.mkdir(lake);
    const files = Array.from({ length: 300 }, (_, i) => `S${i}/2020/ticks.parquet`);
    for (const [i, f] of files.entries()) {
      await fs.mkdir(path.dirname(path.join(uploads, 'src', f)), { recursive: true });
      await fs.writeFile(path.join(uploads, 'src', f), bytesOf(i + 7, 20_000));
    }
    const config = loadConfig({
      LAKEQL_LAKE: lake,
      LAKEQL_DEMO: 'never',
      LAKEQL_PORT: '0',
      LAKEQL_UPLOAD_ROOT: uploads,
      LAKEQL_STATE_DIR: state,
      LAKEQL_JOB_CONCURRENCY: '1',
    });
    const first = await buildApp(config, { log: () => {} });
    await first.start();
    const started = await first.services.transfers.jobs.start(
      await backfillJob(first.services.transfers.engine, { source: 'src', prefix: 'data/src', concurrency: 1 }),
    );
    await first.stop();
    expect((await first.services.transfers.jobs.get(started.id))!.state).not.toMatch(/CANCELLED|SUCCEEDED/);

    const second = await buildApp(config, { log: () => {} });
    await second.start();
    const final = await second.services.transfers.jobs.wait(started.id);
    expect(final).toMatchObject({ state: 'SUCCEEDED', doneFiles: 300, failedFiles: 0 });
    const store = new LocalStore(lake);
    for (const [i, f] of files.entries())
      expect(md5(await objectBytes(store, `data/src/${f}`))).toBe(md5(bytesOf(i + 7, 20_000)));
    await second.stop();
  });
});
