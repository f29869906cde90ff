// Backfills never read outside the upload root and downloads never write outside the download root, links included.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { downloadJob } from '../../src/lake/uploads/download.js';
import { harness, objectBytes, tempDir } from './support.js';

describe('confinement to the upload and download roots', () => {
  it('follows links to files inside the root, refuses links out of it by name, and never follows directory links', async () => {
    const root = await tempDir('confine-up');
    const outside = await tempDir('confine-secret');
    await fs.writeFile(path.join(outside, 'secret.parquet'), 'top secret');
    await fs.mkdir(path.join(outside, 'dir'));
    await fs.writeFile(path.join(outside, 'dir', 'also.parquet'), 'also secret');
    const src = path.join(root, 'src');
    await fs.mkdir(path.join(src, 'A'), { recursive: true });
    await fs.writeFile(path.join(src, 'A', 'real.parquet'), 'real');
    await fs.writeFile(path.join(root, 'shared.parquet'), 'shared');
    await fs.symlink(path.join(outside, 'secret.parquet'), path.join(src, 'A', 'leak.parquet'));
    await fs.symlink(path.join(root, 'shared.parquet'), path.join(src, 'A', 'inside.parquet'));
    await fs.symlink(path.join(outside, 'dir'), path.join(src, 'linked-dir'));
    const store = new LocalStore(await tempDir('confine-lake'));
    const h = harness(store, { uploadRoot: root });

    const dry = (await h.jobs.wait(
      (
        await h.jobs.start(await backfillJob(h.engine, { source: 'src', dryRun: true }))
      ).id,
    ))!;
    expect(dry.plan!.map((p) => [p.path, p.action])).toEqual([
      ['A/inside.parquet', 'UPLOAD'],
      ['A/real.parquet', 'UPLOAD'],
      ['A/leak.parquet', 'REFUSE'],
    ]);
    expect(dry.plan![2].reason).toMatch(/outside the upload root/);

    const run = (await h.jobs.wait((await h.jobs.start(await backfillJob(h.engine, { source: 'src' }))).id))!;
    expect(run).toMatchObject({ state: 'FAILED', totalFiles: 3, doneFiles: 2, failedFiles: 1 });
    expect(run.errors).toEqual([expect.objectContaining({ path: 'A/leak.parquet', code: 'PERMISSION_DENIED' })]);
    expect((await objectBytes(store, 'src/A/inside.parquet')).toString()).toBe('shared');
    await expect(store.head('src/A/leak.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.head('src/linked-dir/also.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The source itself may not be, or lead, outside.
    await fs.symlink(outside, path.join(root, 'escape'));
    await expect(backfillJob(h.engine, { source: 'escape' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(backfillJob(h.engine, { source: '../' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // Nor may a backfill write into lakeql's own key space (the multipart markers).
    const own = (await h.jobs.wait(
      (
        await h.jobs.start(await backfillJob(h.engine, { source: 'src', prefix: '_lakeql/multipart', dryRun: true }))
      ).id,
    ))!;
    expect(own.plan!.map((p) => p.action)).toEqual(['REFUSE', 'REFUSE', 'REFUSE']);
  });

  it('a download whose destination leads outside through a link is refused before anything is written', async () => {
    const downloadRoot = await tempDir('confine-down');
    const outside = await tempDir('confine-target');
    await fs.symlink(outside, path.join(downloadRoot, 'out'));
    const store = new LocalStore(await tempDir('confine-lake2'));
    await store.put('data/x.parquet', 'x');
    const h = harness(store, { downloadRoot });
    await expect(downloadJob(h.engine, { prefix: 'data/', destination: 'out/sub' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    await expect(downloadJob(h.engine, { prefix: 'data/', destination: '/etc' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(await fs.readdir(outside)).toEqual([]);
  });
});
