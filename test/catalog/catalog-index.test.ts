// The catalog index's freshness contract on every backend: other writers within the bound, own writes at once, one refresh at a time.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/lake/catalog-index/build.js';
import { CatalogIndex } from '../../src/lake/catalog-index/catalog-index.js';
import { FileEntry } from '../../src/lake/catalog-index/snapshot.js';
import { WatchedStore } from '../../src/lake/catalog-index/watched-store.js';
import { StoreError } from '../../src/lake/errors.js';
import { dailyTicksKey, fundamentalsKey } from '../../src/lake/layout.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { ListOptions, ListPage, ObjectStore } from '../../src/lake/store/types.js';
import { tempDir } from '../jobs/support.js';
import { writeCatalogLake } from '../support/lake-fixture.js';
import { createBucket, s3Servers, s3StoreOn } from '../support/s3-servers.js';

const run = promisify(execFile);
const MAX_AGE = 10_000;

/** A lake, and a writer that is not lakeql (the file system itself, the raw SDK, boto3). */
interface Lake {
  store: ObjectStore;
  external(key: string, body: string): Promise<void>;
  close(): void;
}

const lakes: { name: string; open(): Promise<Lake> }[] = [
  {
    name: 'directory',
    open: async () => {
      const dir = await tempDir('catalog-index');
      return {
        store: new LocalStore(dir),
        async external(key, body) {
          await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
          await writeFile(path.join(dir, key), body);
        },
        close: () => {},
      };
    },
  },
  ...s3Servers().map((server) => ({
    name: server.name,
    open: async (): Promise<Lake> => {
      const bucket = await createBucket(server, 'catalog-index');
      const s3 = s3StoreOn(server, bucket);
      return {
        store: s3,
        async external(key, body) {
          await s3.getS3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        },
        close: () => s3.close(),
      };
    },
  })),
];

/** Holds every list()'s answer until released, and fails them while `failing` is set: to watch refreshes in flight. */
class GatedStore extends CountingStore {
  gate: Promise<void> | undefined;
  failing = false;
  #open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.gate = undefined;
  }

  /** The page is read first and handed over on release: a held refresh holds a listing older than what happens meanwhile. */
  override async list(options?: ListOptions): Promise<ListPage> {
    const gate = this.gate;
    if (this.failing) throw new StoreError('injected: the store is down', { store: 'gated' });
    const page = await super.list(options);
    if (gate) await gate;
    return page;
  }
}

function indexOn(store: ObjectStore) {
  let now = 1_000_000;
  const changes: number[] = [];
  const index = new CatalogIndex(store, { maxAgeMs: MAX_AGE, now: () => now, onChange: () => changes.push(now) });
  return {
    index,
    changes,
    at: (t: number) => {
      now = 1_000_000 + t;
    },
  };
}

const has = async (index: CatalogIndex, ticker: string) => (await index.current()).has(ticker);

for (const setup of lakes) {
  describe(`catalog index on ${setup.name}`, () => {
    let lake: Lake;
    beforeAll(async () => {
      lake = await setup.open();
      await writeCatalogLake(lake.store, { symbols: 3, years: [2020, 2021], quarters: 1 });
    });
    afterAll(() => lake?.close());

    it('shows a file another tool put no later than the bound, and never serves the older listing past it', async () => {
      const store = new CountingStore(lake.store);
      const { index, at } = indexOn(store);
      expect(await has(index, 'EXT1')).toBe(false);
      const built = store.count('list');
      at(1000);
      await lake.external(dailyTicksKey('EXT1', 2020), 'PAR1 external PAR1');
      // Within the first half of the bound: answered from memory, no request.
      at(4000);
      await index.current();
      expect(store.count('list')).toBe(built);
      // Past the bound counted from when the held listing *started*: the old answer is never given again.
      at(MAX_AGE + 1);
      expect(await has(index, 'EXT1')).toBe(true);
      const files = (await index.current()).files('EXT1', 0);
      expect(files.map((f) => f.meta.key)).toEqual([dailyTicksKey('EXT1', 2020)]);
      expect(files[0].meta.etag).toBe((await lake.store.head(dailyTicksKey('EXT1', 2020))).etag);
    });

    it('answers at once past half the bound and refreshes in the background; queries never wait for it', async () => {
      const store = new GatedStore(lake.store);
      const { index, at, changes } = indexOn(store);
      await index.current();
      await lake.external(dailyTicksKey('EXT2', 2020), 'PAR1 external PAR1');
      store.hold();
      at(MAX_AGE / 2 + 1);
      const before = store.count('list');
      // Resolves although every list() is held: the old snapshot, within the bound.
      expect(await has(index, 'EXT2')).toBe(false);
      expect(await has(index, 'EXT2')).toBe(false);
      const changesBefore = changes.length;
      store.release();
      await index.refresh();
      expect(await has(index, 'EXT2')).toBe(true);
      expect(changes.length).toBe(changesBefore + 1);
      // One refresh, not one per query made while it ran (each root costs one LIST on this small lake).
      expect(store.count('list') - before).toBe(index.datasets.length);
    });

    it('runs one refresh at a time, however many callers ask', async () => {
      const store = new GatedStore(lake.store);
      const { index, at } = indexOn(store);
      await index.current();
      const perBuild = store.count('list');
      store.hold();
      at(MAX_AGE * 3);
      const callers = [index.refresh(), index.current(), index.current(), index.refresh(), index.current()];
      await new Promise((resolve) => setTimeout(resolve, 50));
      store.release();
      const snapshots = await Promise.all(callers);
      expect(new Set(snapshots).size).toBe(1);
      expect(store.count('list')).toBe(perBuild * 2);
    });

    it('keeps answering within the bound while refreshes fail, and fails past it until the store answers again', async () => {
      const store = new GatedStore(lake.store);
      const { index, at } = indexOn(store);
      await index.current();
      store.failing = true;
      at(MAX_AGE * 0.6);
      await expect(index.current()).resolves.toBeDefined();
      await expect(index.refresh()).rejects.toThrow(/store is down/);
      at(MAX_AGE);
      await expect(index.current()).resolves.toBeDefined();
      expect(index.refreshFailures).toBeGreaterThanOrEqual(1);
      at(MAX_AGE + 1);
      await expect(index.current()).rejects.toThrow(/store is down/);
      await expect(index.current()).rejects.toThrow(/store is down/);
      store.failing = false;
      await expect(index.current()).resolves.toBeDefined();
      expect(index.peek()).toBeDefined();
    });

    it("applies writes made through lakeql at once, over a refresh already listing, and never keeps an overwritten file's old ETag", async () => {
      const store = new GatedStore(lake.store);
      const { index, at } = indexOn(store);
      const watched = new WatchedStore(store, (key, entry) => {
        if (entry === 'unknown') index.invalidate();
        else index.note({ key, entry });
      });
      await index.current();
      const key = fundamentalsKey('OWN1', 2022, 3);
      await watched.put(key, '{"revenue":1}');
      expect(await has(index, 'OWN1')).toBe(true);
      const first = (await index.current()).files('OWN1', 2)[0].meta.etag;
      // A refresh that started listing before the overwrite must not bring the old ETag back.
      store.hold();
      at(MAX_AGE * 2);
      const refreshing = index.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await watched.put(key, '{"revenue":2,"longer":true}');
      store.release();
      await refreshing;
      const now = (await index.current()).files('OWN1', 2)[0].meta;
      expect(now.etag).not.toBe(first);
      expect(now.etag).toBe((await lake.store.head(key)).etag);
      await watched.delete(key);
      expect(await has(index, 'OWN1')).toBe(false);
    });

    it('builds the same index from ranged parallel listings as from one listing, past one page per root', async () => {
      const big = await setup.open();
      try {
        // 66 × 4 × 4 = 1056 fundamentals: one page more than S3 gives at once.
        await writeCatalogLake(big.store, {
          symbols: 66,
          years: [2019, 2020, 2021, 2022],
          quarters: 4,
          concurrency: 32,
        });
        const counted = new CountingStore(big.store);
        const ranged = await buildSnapshot(counted, { concurrency: 4 });
        expect(ranged.fileCount).toBe(66 * 4 * 5);
        expect(ranged.symbolCount).toBe(66);
        // 4 roots + the fundamentals root's symbols (delimiter listing) + its remaining range.
        expect(counted.count('list')).toBe(6);
        const serial = await buildSnapshot(big.store, { concurrency: 1 });
        expect(ranged.equals(serial)).toBe(true);
        expect(ranged.count('S0')).toBe(66);
        expect(ranged.page({ first: 2, after: 'S010' }).tickers).toEqual(['S011', 'S012']);
      } finally {
        big.close();
      }
    });
  });
}

describe.runIf(s3Servers().length > 0)('catalog index and boto3', () => {
  it('shows an object boto3 put, within the bound', async () => {
    const server = s3Servers()[0];
    const bucket = await createBucket(server, 'catalog-index-boto3');
    const s3 = s3StoreOn(server, bucket);
    try {
      const { index, at } = indexOn(s3);
      expect(await has(index, 'BOTO')).toBe(false);
      const script = [
        'import boto3, os',
        "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['AWS_REGION'])",
        "s3.put_object(Bucket=os.environ['BUCKET'], Key=os.environ['KEY'], Body=b'{}', Metadata={'symbol': 'BOTO', 'year': '2020', 'data-type': 'fundamentals'})",
      ].join('\n');
      await run('python3', ['-c', script], {
        env: {
          ...process.env,
          ...server.env,
          ENDPOINT: server.endpoint,
          BUCKET: bucket,
          KEY: fundamentalsKey('BOTO', 2020, 2),
        },
      });
      at(MAX_AGE + 1);
      expect(await has(index, 'BOTO')).toBe(true);
      expect(FileEntry.of(await s3.head(fundamentalsKey('BOTO', 2020, 2))).etag).toBe(
        (await index.current()).files('BOTO', 2)[0].meta.etag,
      );
    } finally {
      s3.close();
    }
  });
});
