// Catalog queries answered from the index: store requests counted, totalCount, and writes seen at once by a second instance over Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { BarRow } from '../../src/lake/bars/types.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import type { LakeLocation } from '../../src/lake/store/open.js';
import { createHash } from 'node:crypto';
import { PrefixedStore } from '../../src/lake/store/prefixed.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { tempDir } from '../jobs/support.js';
import { startRedis, type RedisServer } from '../scale/support.js';
import { gql } from '../support/graphql.js';
import { writeCatalogLake } from '../support/lake-fixture.js';
import { createBucket, s3Servers, s3StoreOn } from '../support/s3-servers.js';

const YEARS = [2019, 2020, 2021];

/** A lake and a count of the store requests lakeql makes on it (S3 requests below retries; directory store calls). */
interface CountedLake {
  name: string;
  open(): Promise<{
    store: ObjectStore;
    location: LakeLocation;
    requests(): number;
    sibling(): ObjectStore;
    close(): void;
  }>;
}

const lakes: CountedLake[] = [
  {
    name: 'directory',
    open: async () => {
      const dir = await tempDir('catalog-index-gql');
      const store = new CountingStore(new LocalStore(dir));
      return {
        store,
        location: { kind: 'local', directory: dir },
        requests: () => store.total(),
        sibling: () => new LocalStore(dir),
        close: () => {},
      };
    },
  },
  ...s3Servers().map(
    (server): CountedLake => ({
      name: server.name,
      open: async () => {
        const bucket = await createBucket(server, 'catalog-index-gql');
        let n = 0;
        const raw = s3StoreOn(server, bucket, {
          onRequest: () => {
            n++;
          },
        });
        const other = s3StoreOn(server, bucket);
        return {
          store: new PrefixedStore(raw, 'lake/'),
          location: { kind: 's3', bucket, prefix: 'lake/' },
          requests: () => n,
          sibling: () => new PrefixedStore(other, 'lake/'),
          close: () => {
            raw.close();
            other.close();
          },
        };
      },
    }),
  ),
];

const config = (env: Record<string, string> = {}) =>
  loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_CATALOG_MAX_AGE: '3600', ...env });

const MIX = [
  `{ symbols(first: 20) { totalCount edges { node { ticker years { year tickFile { size etag } } } } } }`,
  `{ symbol(ticker: "S003") { years { year tickFiles { key etag } fundamentals { quarter revenue } } } }`,
  `{ symbol(ticker: "ZZZZ") { ticker } }`,
  `{ symbols(prefix: "s00", first: 3, after: "${Buffer.from('symbol:S002').toString('base64url')}") { totalCount pageInfo { hasNextPage } nodes { ticker } } }`,
];

for (const setup of lakes) {
  describe(`catalog from the index on ${setup.name}`, () => {
    let lake: Awaited<ReturnType<CountedLake['open']>>;
    let app: App;
    beforeAll(async () => {
      lake = await setup.open();
      await writeCatalogLake(lake.store, { symbols: 25, years: YEARS, quarters: 2 });
      app = await buildApp(config(), { store: lake.store, location: lake.location });
    });
    afterAll(() => lake?.close());

    it('answers 100 catalog queries with no store request once the index is fresh; an unknown ticker costs none', async () => {
      const warm = await Promise.all(MIX.map((q) => gql(app, q)));
      for (const r of warm) expect(r.errors).toBeUndefined();
      const before = lake.requests();
      const unknown = await gql(app, `{ symbol(ticker: "NOPE") { ticker years { year } } }`);
      expect(unknown.data.symbol).toBeNull();
      expect(lake.requests()).toBe(before);
      for (let i = 0; i < 100; i++) {
        const r = await gql(app, MIX[i % MIX.length]);
        expect(r.errors).toBeUndefined();
      }
      console.log(
        `[${setup.name}] store requests for 100 catalog queries on a fresh index: ${lake.requests() - before}`,
      );
      expect(lake.requests() - before).toBe(0);
      const metrics = await (await app.yoga.fetch('http://lakeql.test/metrics')).text();
      // 25 symbols × 3 years × (1 daily + 2 fundamentals).
      expect(metrics).toMatch(/^lakeql_catalog_index_keys 225$/m);
      expect(Number(/^lakeql_catalog_index_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(225 * 100);
    });

    it('answers the same pages, totalCount included, with the index as without it (LAKEQL_CATALOG_MAX_AGE=0)', async () => {
      const listing = await buildApp(config({ LAKEQL_CATALOG_MAX_AGE: '0' }), {
        store: lake.store,
        location: lake.location,
      });
      for (const query of MIX) {
        const [a, b] = await Promise.all([gql(app, query), gql(listing, query)]);
        expect(a).toEqual(b);
      }
      const all = await gql(app, `{ symbols(first: 100) { totalCount nodes { ticker } } }`);
      expect(all.data.symbols.totalCount).toBe(25);
      expect(all.data.symbols.nodes).toHaveLength(25);
      const s1 = await gql(listing, `{ symbols(prefix: "S01", first: 100) { totalCount } }`);
      expect(s1.data.symbols.totalCount).toBe(10);
      // Without the index every query lists again.
      const before = lake.requests();
      await gql(listing, `{ symbol(ticker: "NOPE") { ticker } }`);
      expect(lake.requests()).toBeGreaterThan(before);
    });

    it('50 clients asking for the same cold fundamentals at once cost the store what one client does', async () => {
      const fresh = () =>
        buildApp(config({ LAKEQL_RESPONSE_CACHE_ENTRIES: '0' }), { store: lake.store, location: lake.location });
      const query = (ticker: string) =>
        `{ symbol(ticker: "${ticker}") { fundamentals(year: 2021) { quarter revenue } } }`;
      const cost = async (clients: number, ticker: string) => {
        const app = await fresh();
        expect((await gql(app, `{ symbols(first: 1) { totalCount } }`)).errors).toBeUndefined();
        const before = lake.requests();
        const answers = await Promise.all(Array.from({ length: clients }, () => gql(app, query(ticker))));
        for (const answer of answers) expect(answer.data.symbol.fundamentals).toHaveLength(2);
        return lake.requests() - before;
      };
      const one = await cost(1, 'S004');
      expect(one).toBe(2);
      expect(await cost(50, 'S005')).toBe(one);
    });

    it('serves fundamentals from memory by key + ETag, and an overwrite through lakeql at once', async () => {
      const q = `{ symbol(ticker: "S001") { fundamentals(year: 2020, quarter: 1) { revenue size } } }`;
      await gql(app, q);
      const before = lake.requests();
      expect((await gql(app, q)).data.symbol.fundamentals[0].revenue).toBe(2020 * 1000 + 1);
      expect(lake.requests()).toBe(before);
      const put = await gql(
        app,
        `mutation { putFundamentals(symbol: "S001", year: 2020, quarter: 1, data: { revenue: 42, note: "restated" }) { etag } }`,
      );
      expect(put.errors).toBeUndefined();
      const after = await gql(app, q);
      expect(after.data.symbol.fundamentals[0].revenue).toBe(42);
    });
  });

  it.runIf(setup.name !== 'directory')(
    `shows a presigned PUT on ${setup.name} at once after completeUpload, and writeBars and deletes as they happen`,
    async () => {
      const lake = await setup.open();
      try {
        await writeCatalogLake(lake.store, { symbols: 2, years: [2020] });
        const app = await buildApp(config(), { store: lake.store, location: lake.location });
        const query = `{ symbol(ticker: "UPL1") { years { year tickFile { etag } } } }`;
        expect((await gql(app, query)).data.symbol).toBeNull();
        const rows: BarRow[] = Array.from({ length: 20 }, (_, i) => ({
          time: Date.UTC(2021, 0, 4 + i),
          open: 1,
          high: 2,
          low: 0.5,
          close: 1.5,
          volume: 100 + i,
        }));
        const bytes = writeBarsParquet(rows, { resolution: 'DAILY' });
        const grant = await gql(
          app,
          `mutation($n: SafeInt!, $c: String!) { createUploadUrl(symbol: "UPL1", year: 2021, contentLength: $n, checksum: $c) { url headers key completionToken } }`,
          {
            n: bytes.byteLength,
            c: createHash('sha256').update(bytes).digest('base64'),
          },
        );
        expect(grant.errors).toBeUndefined();
        const { url, headers, key, completionToken } = grant.data.createUploadUrl;
        expect((await fetch(url, { method: 'PUT', headers, body: new Uint8Array(bytes) })).status).toBe(200);
        // Around lakeql: not in the index (fresh for an hour) until completeUpload vouches for it.
        expect((await gql(app, query)).data.symbol).toBeNull();
        expect(
          (
            await gql(app, 'mutation($k: String!, $t: String!) { completeUpload(key: $k, token: $t) { key } }', {
              k: key,
              t: completionToken,
            })
          ).errors,
        ).toBeUndefined();
        const shown = (await gql(app, query)).data.symbol;
        expect(shown.years).toEqual([{ year: 2021, tickFile: { etag: (await lake.store.head(key)).etag } }]);
        const bars = await gql(
          app,
          `mutation { writeBars(symbol: "UPL2", year: 2022, bars: [{ time: "2022-01-03T00:00:00Z", open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }]) { __typename } }`,
        );
        expect(bars.errors).toBeUndefined();
        expect((await gql(app, `{ symbol(ticker: "UPL2") { years { year } } }`)).data.symbol).toEqual({
          years: [{ year: 2022 }],
        });
        await app.services.store.delete(key);
        expect((await gql(app, query)).data.symbol).toBeNull();
      } finally {
        lake.close();
      }
    },
  );

  describe(`two instances over Redis on ${setup.name}`, () => {
    let redis: RedisServer;
    let lake: Awaited<ReturnType<CountedLake['open']>>;
    let a: App;
    let b: App;
    beforeAll(async () => {
      redis = await startRedis();
      lake = await setup.open();
      await writeCatalogLake(lake.store, { symbols: 3, years: [2020] });
      const env = { LAKEQL_REDIS_URL: redis.url };
      a = await buildApp(config(env), { store: lake.store, location: lake.location });
      // Its own store object on the same lake, as another process would have.
      b = await buildApp(config(env), { store: lake.sibling(), location: lake.location });
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      lake?.close();
      await redis?.stop();
    });

    it('shows a write made through one instance on the other at once, with the index a whole hour from its bound', async () => {
      const query = `{ symbol(ticker: "NEW1") { fundamentals { quarter revenue } } }`;
      expect((await gql(b, query)).data.symbol).toBeNull();
      const version = b.services.lakeVersion.current();
      const put = await gql(
        a,
        `mutation { putFundamentals(symbol: "NEW1", year: 2021, quarter: 2, data: { revenue: 7 }) { key } }`,
      );
      expect(put.errors).toBeUndefined();
      // Delivery through Redis takes a round trip, not a refresh: allow 2 s against a 3600 s bound.
      await expect
        .poll(async () => (await gql(b, query)).data.symbol, { timeout: 2000, interval: 20 })
        .toEqual({ fundamentals: [{ quarter: 2, revenue: 7 }] });
      expect(b.services.lakeVersion.current()).not.toBe(version);
      await gql(
        a,
        `mutation { putFundamentals(symbol: "NEW1", year: 2021, quarter: 2, data: { revenue: 8, restated: true }) { key } }`,
      );
      await expect
        .poll(async () => (await gql(b, query)).data.symbol.fundamentals[0].revenue, { timeout: 2000, interval: 20 })
        .toBe(8);
    });
  });
}
