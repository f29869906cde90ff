// The decoded-file cache: hits cost no GET, an overwritten file (new ETag) is read afresh, and the byte budget holds.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { BarFileReader } from '../../src/lake/bars/reader.js';
import { PreconditionFailedError } from '../../src/lake/errors.js';
import { dailyTicksKey } from '../../src/lake/layout.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { allBars } from './client.js';
import { duckDaily, writeDailySymbol, type DailySymbol } from './lakes.js';
import { barBackends, duck, expectRows, fromDuck, RecordingStore } from './support.js';

const CACHE: DailySymbol = { symbol: 'CACHE', years: { 2022: 'DDATE', 2023: 'DDATE' } };
const KEY = dailyTicksKey('CACHE', 2023);

let dir: string;
let spare: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-cache-'));
  spare = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-cache-new-'));
  db = await duck();
  await writeDailySymbol(db, dir, CACHE, 1);
  // The same symbol written again with other numbers: the bytes that will overwrite 2023.
  await writeDailySymbol(db, spare, CACHE, 2);
});
const copies: string[] = [];
afterAll(async () => {
  db?.closeSync();
  for (const d of [dir, spare, ...copies]) await rm(d, { recursive: true, force: true });
});

async function copyOf(source: string): Promise<string> {
  const target = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-cache-copy-'));
  copies.push(target);
  await cp(source, target, { recursive: true });
  return target;
}

// Each backend gets its own copy: the tests overwrite files, and `dir` stays DuckDB's reference.
const backends = barBackends(() => dir, 'bars-cache', copyOf);

for (const backend of backends) {
  describe(`decoded-file cache over ${backend.name}`, () => {
    let store: RecordingStore;
    let app: App;
    beforeAll(async () => {
      store = new RecordingStore(await backend.open());
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
    });

    it('serves a repeated query from the cache, then an overwritten file afresh (the ETag changed)', async () => {
      const range = { from: '2023-01-01', to: '2023-12-31' };
      const before = (await duckDaily(db, dir, CACHE, range)).map(fromDuck);
      store.reset();
      expectRows((await allBars(app, 'CACHE', range)).rows, before, 'first read');
      expect(store.gets.filter((g) => g.key === KEY)).toHaveLength(1);

      store.reset();
      expectRows((await allBars(app, 'CACHE', range)).rows, before, 'cached read');
      expect(store.gets).toEqual([]);

      const etag = (await store.head(KEY)).etag;
      await store.put(KEY, await readFile(path.join(spare, KEY)));
      expect((await store.head(KEY)).etag).not.toBe(etag);
      // Overwritten around lakeql: as once the catalog index's bound has passed, the next query lists again.
      app.services.catalog.invalidate();
      store.reset();
      const after = (await duckDaily(db, spare, CACHE, range)).map(fromDuck);
      expect(after[0].close).not.toBe(before[0].close);
      expectRows((await allBars(app, 'CACHE', range)).rows, after, 'after overwrite');
      expect(store.gets.filter((g) => g.key === KEY)).toHaveLength(1);
    });

    it('reads pinned to a listed ETag fail once the object is replaced, rather than mixing versions', async () => {
      const listed = (await store.list({ prefix: KEY })).objects[0];
      const reader = new BarFileReader(store);
      await reader.read({ ...listed, dataset: 'daily' });
      // Different bytes on every backend (S3's ETag is the MD5, so equal bytes would keep it).
      await store.put(KEY, Buffer.concat([await readFile(path.join(spare, KEY)), Buffer.from('changed')]));
      const stale = new BarFileReader(store);
      await expect(stale.read({ ...listed, dataset: 'daily' })).rejects.toBeInstanceOf(PreconditionFailedError);
    });
  });
}

describe('the decoded-file cache budget', () => {
  it('keeps at most its byte budget, evicting the least recently used file', async () => {
    const local = new RecordingStore(new LocalStore(await copyOf(dir)));
    const listed = (await local.list({ prefix: 'data/ticks/daily/CACHE/' })).objects;
    expect(listed).toHaveLength(2);
    // One year of daily bars with every column: 2 time arrays + 7 values, 8 bytes each, ~261 rows ≈ 19 KB.
    const reader = new BarFileReader(local, { cacheBytes: 25_000 });
    const [a, b] = listed.map((o) => ({ ...o, dataset: 'daily' as const }));
    const firstA = await reader.read(a);
    expect(reader.decoded.size).toBe(1);
    const firstB = await reader.read(b);
    expect(reader.decoded.size).toBe(1);
    expect(reader.decoded.bytes).toBeGreaterThan(12_500);
    expect(reader.decoded.bytes).toBeLessThanOrEqual(25_000);
    local.reset();
    expect(await reader.read(b)).toBe(firstB);
    // A was evicted: decoded again (its bytes are still in the footer cache, which keeps the tail it read).
    const again = await reader.read(a);
    expect(again).not.toBe(firstA);
    expect(again.values.close).toEqual(firstA.values.close);
    expect(local.gets).toEqual([]);
  });
});
