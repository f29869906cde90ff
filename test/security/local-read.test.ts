// The directory store's read path under attack and change: links swapped mid-read, FIFOs, replaced files, remembered sidecars, the non-Linux fallback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLakeError, NotFoundError, PermissionDeniedError } from '../../src/lake/errors.js';
import { getBytes } from '../../src/lake/store/helpers.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { ONE_SHOT_MAX } from '../../src/lake/store/local/read.js';

let base: string;
let lake: string;
let outside: string;
const secret = `SENTINEL-${randomBytes(16).toString('hex')}`;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(tmpdir(), 'lakeql-local-read-')));
  lake = path.join(base, 'lake');
  outside = path.join(base, 'outside');
  await fs.mkdir(lake);
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'x'), secret);
});
afterAll(() => fs.rm(base, { recursive: true, force: true }));

/** The store as it runs where /proc is missing (macOS, BSD): realpath, then open. */
function fallbackStore(root: string): LocalStore {
  const store = new LocalStore(root);
  (store as unknown as { reader: { procFd?: boolean } }).reader.procFd = false;
  return store;
}

describe.each([
  ['opened-file check (Linux /proc)', (root: string) => new LocalStore(root)],
  ['realpath fallback', fallbackStore],
])('LocalStore reads, %s', (_name, make) => {
  it('refuses links out of the lake for get, ranged get and head, and serves links that stay in', async () => {
    const root = await fs.mkdtemp(path.join(lake, 'links-'));
    const store = make(root);
    await store.put('real/target', 'inside', { metadata: { a: '1' } });
    await fs.symlink(outside, path.join(root, 'dir-out'));
    await fs.symlink(path.join(outside, 'x'), path.join(root, 'file-out'));
    await fs.symlink(path.join(root, 'real', 'target'), path.join(root, 'file-in'));
    await fs.mkdir(path.join(root, '.lakeql', 'meta'), { recursive: true });
    await fs.symlink(path.join(root, '.lakeql', 'meta'), path.join(root, 'internal'));
    for (const key of ['dir-out/x', 'file-out', 'internal/real/target.json']) {
      for (const call of [
        () => store.get(key),
        () => store.get(key, { range: { suffix: 4 } }),
        () => store.head(key),
      ]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, key).toBeInstanceOf(PermissionDeniedError);
        expect(error).toMatchObject({ backendCode: 'SYMLINK_ESCAPE' });
      }
    }
    expect(Buffer.from(await getBytes(store, 'file-in')).toString()).toBe('inside');
    expect((await store.head('file-in')).size).toBe(6);
  });

  it.skipIf(process.platform === 'win32')(
    'answers NotFound for a FIFO in the lake instead of waiting for a writer',
    async () => {
      const root = await fs.mkdtemp(path.join(lake, 'fifo-'));
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
      const store = make(root);
      expect(
        await store.head('pipe').then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).toBeInstanceOf(NotFoundError);
      expect(
        await store.get('pipe').then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).toBeInstanceOf(NotFoundError);
    },
    5_000,
  );

  it('streams objects larger than one read and reads ranges across them, whole, while a put replaces the object', async () => {
    const root = await fs.mkdtemp(path.join(lake, 'large-'));
    const store = make(root);
    const first = randomBytes(ONE_SHOT_MAX * 2 + 123);
    await store.put('big', first, { metadata: { v: '1' } });
    const { head, body } = await store.get('big');
    await store.put('big', randomBytes(first.length), { metadata: { v: '2' } });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    // The descriptor holds the first version's inode: all of it, with its own metadata.
    expect(Buffer.concat(chunks).equals(first)).toBe(true);
    expect(head.metadata).toEqual({ v: '1' });
    expect((await store.head('big')).metadata).toEqual({ v: '2' });
    await expect(store.get('big', { ifMatch: head.etag })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
  });
});

describe('LocalStore sidecars remembered per process', () => {
  it('follows another store (another process) replacing an object and its metadata', async () => {
    const root = await fs.mkdtemp(path.join(lake, 'sidecars-'));
    const reader = new LocalStore(root);
    const writer = new LocalStore(root);
    await writer.put('k', 'one', { contentType: 'text/plain', metadata: { v: '1' } });
    expect(await reader.head('k')).toMatchObject({ contentType: 'text/plain', metadata: { v: '1' } });
    await writer.put('k', 'two', { metadata: { v: '2' } });
    expect(await reader.head('k')).toMatchObject({ contentType: 'application/octet-stream', metadata: { v: '2' } });
    expect((await reader.get('k')).head.metadata).toEqual({ v: '2' });
    // Bytes rewritten in place by another tool: the sidecar describes other bytes now.
    await fs.writeFile(path.join(root, 'k'), 'three, longer');
    expect((await reader.head('k')).metadata).toEqual({});
  });

  it('hands every caller its own metadata object', async () => {
    const root = await fs.mkdtemp(path.join(lake, 'copies-'));
    const store = new LocalStore(root);
    await store.put('k', 'x', { metadata: { a: '1' } });
    (await store.head('k')).metadata.a = 'changed';
    (await store.get('k')).head.metadata.b = 'added';
    expect((await store.head('k')).metadata).toEqual({ a: '1' });
  });
});

describe('LocalStore reads while a directory is swapped for a link out of the lake', () => {
  let swapper: ChildProcess | undefined;
  afterEach(() => {
    if (swapper?.pid !== undefined && swapper.exitCode === null) process.kill(swapper.pid);
  });

  it('serves the inside bytes, NotFound or PermissionDenied — never the outside file', async () => {
    const root = await fs.mkdtemp(path.join(lake, 'swap-'));
    const store = new LocalStore(root);
    await store.put('real/x', 'inside');
    await fs.symlink(outside, path.join(root, 'link'));
    // "d" flips between the real directory and the link as fast as rename allows, in another process.
    const script = `const fs = require('fs'); const p = (n) => require('path').join(${JSON.stringify(root)}, n);
      for (;;) { fs.renameSync(p('real'), p('d')); fs.renameSync(p('d'), p('real')); fs.renameSync(p('link'), p('d')); fs.renameSync(p('d'), p('link')); }`;
    swapper = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const outcomes: Record<string, number> = {};
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      for (const read of [
        () => getBytes(store, 'd/x'),
        () => getBytes(store, 'd/x', { range: { suffix: 6 } }),
        async () => JSON.stringify(await store.head('d/x')),
      ]) {
        let outcome: string;
        try {
          const value = Buffer.from(await read()).toString();
          expect(value).not.toContain(secret);
          outcome = value.includes('inside') || value.includes('"size":6') ? 'inside' : value;
        } catch (error) {
          if (!isLakeError(error)) throw error;
          outcome = error.code;
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }
    expect(
      Object.keys(outcomes).every((o) => ['inside', 'NOT_FOUND', 'PERMISSION_DENIED'].includes(o)),
      JSON.stringify(outcomes),
    ).toBe(true);
    expect(outcomes.inside).toBeGreaterThan(0);
  });
});
