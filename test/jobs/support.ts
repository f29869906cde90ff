// Shared pieces of the job tests: source trees with known bytes, an engine over any store, and a recorder of snapshots.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryJobRegistry } from '../../src/lake/jobs/memory-registry.js';
import { ByteBudget } from '../../src/lake/jobs/pool.js';
import { JobService } from '../../src/lake/jobs/service.js';
import type { JobSnapshot } from '../../src/lake/jobs/types.js';
import { OwnUploads } from '../../src/lake/store/own-uploads.js';
import { listAll } from '../../src/lake/store/helpers.js';
import type { MultipartStore, ObjectStore } from '../../src/lake/store/types.js';
import { uploaderFor } from '../../src/lake/store/uploader.js';
import type { TransferEngine } from '../../src/lake/uploads/engine.js';

export const MiB = 1024 * 1024;

export interface SourceFile {
  path: string;
  size: number;
  md5: string;
}

/** Deterministic bytes (xorshift), so a failing comparison can be reproduced. */
export function bytesOf(seed: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < size; i++) out[i] = (x >>> (8 * (i % 4))) & 0xff;
  return out;
}

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

const made: string[] = [];
// Registered on the importing test file: its temporary directories go when it ends.
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

export async function tempDir(hint: string): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(tmpdir(), `lakeql-${hint}-`)));
  made.push(dir);
  return dir;
}

/**
 * `small` files of 1–60 KB in the seed's daily layout below `root/dir` (tickers T000…, years from
 * 2000), plus one file per entry of `large` (bytes) in MINUTE-layout paths. Returns them by relative path.
 */
export async function writeSourceTree(
  root: string,
  dir: string,
  small: number,
  large: number[] = [],
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const write = async (relative: string, bytes: Buffer) => {
    const full = path.join(root, dir, relative);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, bytes);
    files.push({ path: relative, size: bytes.length, md5: md5(bytes) });
  };
  for (let i = 0; i < small; i++) {
    const size = 1024 + ((i * 7919) % 60_000);
    await write(
      `T${String(Math.floor(i / 20)).padStart(3, '0')}/${2000 + (i % 20)}/ticks.parquet`,
      bytesOf(i + 1, size),
    );
  }
  for (const [i, size] of large.entries())
    await write(`BIG${i}/2024/0${i + 1}/ticks.parquet`, bytesOf(100_000 + i, size));
  return files;
}

export interface Harness {
  engine: TransferEngine;
  jobs: JobService;
  /** Every snapshot published, per job, in order. */
  published: Map<string, JobSnapshot[]>;
}

export function harness(
  store: ObjectStore,
  options: {
    uploadRoot?: string;
    downloadRoot?: string;
    partSize?: number;
    concurrency?: number;
    attempts?: number;
  } = {},
): Harness {
  const published = new Map<string, JobSnapshot[]>();
  const jobs = new JobService({
    registry: new MemoryJobRegistry(),
    publish: (s) => published.set(s.id, [...(published.get(s.id) ?? []), s]),
    maxRunningJobs: 2,
  });
  const own = new OwnUploads(store);
  const engine: TransferEngine = {
    store,
    uploader: uploaderFor(store, own),
    uploadHooks: own,
    uploadRoot: options.uploadRoot,
    downloadRoot: options.downloadRoot,
    budget: new ByteBudget(256 * MiB),
    defaults: { concurrency: options.concurrency ?? 16, partSize: options.partSize ?? 5 * MiB, queueSize: 4 },
    retry: { maxAttempts: options.attempts ?? 5, baseDelayMs: 5, maxDelayMs: 200 },
    maxConcurrency: 64,
  };
  return { engine, jobs, published };
}

/** Progress seen by subscribers never goes back and ends where the job does. */
export function assertMonotone(snapshots: JobSnapshot[]): void {
  for (let i = 1; i < snapshots.length; i++) {
    const [a, b] = [snapshots[i - 1], snapshots[i]];
    if (b.seq !== a.seq + 1) throw new Error(`seq jumps from ${a.seq} to ${b.seq}`);
    if (b.transferredBytes < a.transferredBytes)
      throw new Error(`transferredBytes went back from ${a.transferredBytes} to ${b.transferredBytes} at seq ${b.seq}`);
    if (b.doneFiles < a.doneFiles || b.failedFiles < a.failedFiles)
      throw new Error(`file counts went back at seq ${b.seq}`);
  }
}

/** Reads a whole object. */
export async function objectBytes(store: ObjectStore, key: string): Promise<Buffer> {
  const { body } = await store.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a bucket holds under `prefix`: complete objects, and the unfinished uploads with the bytes of their parts. */
export interface HeldInBucket {
  stored: Set<string>;
  uploads: { key: string; uploadId: string; parts: number; bytes: number }[];
  heldBytes: number;
}

/**
 * The bucket as a killed process left it. A request whose body had all left when the process died
 * may still be stored by the server a moment later, so the snapshot is taken until two in a row,
 * 200 ms apart, agree.
 */
export async function heldAfterKill(store: ObjectStore & MultipartStore, prefix: string): Promise<HeldInBucket> {
  const snapshot = async (): Promise<HeldInBucket> => {
    const stored = new Set<string>();
    for await (const o of listAll(store, { prefix })) stored.add(o.key);
    const uploads: HeldInBucket['uploads'] = [];
    for (const u of await store.listMultipartUploads(prefix)) {
      const parts = await store.listParts(u.key, u.uploadId);
      uploads.push({
        key: u.key,
        uploadId: u.uploadId,
        parts: parts.length,
        bytes: parts.reduce((s, p) => s + p.size, 0),
      });
    }
    return { stored, uploads, heldBytes: uploads.reduce((s, u) => s + u.bytes, 0) };
  };
  let last = await snapshot();
  for (let i = 0; i < 25; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const next = await snapshot();
    if (JSON.stringify({ ...next, stored: [...next.stored] }) === JSON.stringify({ ...last, stored: [...last.stored] }))
      return next;
    last = next;
  }
  throw new Error('the bucket kept changing after the kill');
}
