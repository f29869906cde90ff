// Counts the real S3 requests catalog queries make: listings answer sizes/ETags/dates, HEADs only for metadata, deduplicated.
import { DATASETS } from '../../src/lake/layout.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { PrefixedStore } from '../../src/lake/store/prefixed.js';
import type { S3RequestEvent, S3Store } from '../../src/lake/store/s3/store.js';
import { gql } from '../support/graphql.js';
import { writeCatalogLake } from '../support/lake-fixture.js';
import { createBucket, s3Servers, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';

const YEARS = Array.from({ length: 10 }, (_, i) => 2015 + i);
const SYMBOLS = 50;
const QUARTERS = 4;
/** S3 returns at most 1000 keys a page. */
const PAGE = 1000;

const CATALOG_QUERY = `{ symbols(first: 50) { edges { node { ticker years { year tickFile { size etag lastModified } } } } } }`;

for (const server of s3Servers()) {
  describe(`catalog batching on ${server.name}`, () => {
    let raw: S3Store;
    let app: App;
    const requests: S3RequestEvent[] = [];
    const count = (operation: string) => requests.filter((r) => r.operation === operation).length;

    beforeAll(async () => {
      const bucket = await createBucket(server, 'batching');
      raw = s3StoreOn(server, bucket, { onRequest: (event) => requests.push(event) });
      // A prefixed lake, as with LAKEQL_LAKE=s3://bucket/prefix, to prove the prefix costs nothing extra.
      const store = new PrefixedStore(raw, 'lakes/prod/');
      await writeCatalogLake(store, { symbols: SYMBOLS, years: YEARS, quarters: QUARTERS });
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
        store,
        location: { kind: 's3', bucket, prefix: 'lakes/prod/' },
      });
    });
    afterAll(() => raw?.close());

    it('answers 50 symbols × 10 years of sizes, ETags and dates from LIST pages alone, with zero HEADs', async () => {
      requests.length = 0;
      const result = await gql(app, CATALOG_QUERY);
      expect(result.errors).toBeUndefined();
      const edges = result.data.symbols.edges;
      expect(edges).toHaveLength(SYMBOLS);
      for (const { node } of edges) {
        expect(node.years.map((y: { year: number }) => y.year)).toEqual(YEARS);
        for (const y of node.years) {
          expect(y.tickFile.size).toBeGreaterThan(0);
          expect(y.tickFile.etag).toMatch(/\S/);
          expect(Number.isNaN(Date.parse(y.tickFile.lastModified))).toBe(false);
        }
      }
      // Pages the data needs: the daily root holds 500 keys (1 page), fundamentals 2000 (2 pages).
      const pagesNeeded =
        Math.ceil((SYMBOLS * YEARS.length) / PAGE) + Math.ceil((SYMBOLS * YEARS.length * QUARTERS) / PAGE);
      // Constant: one delimiter LIST per dataset root (daily, minute, fundamentals, corporate actions) for the page of symbols.
      const constant = DATASETS.length;
      console.log(
        `[${server.name}] symbols(first: 50) with years and tick files: ${count('ListObjectsV2')} LIST, ${count('HeadObject')} HEAD, ${count('GetObject')} GET, ${requests.length} requests in all (LIST pages needed: ${pagesNeeded})`,
      );
      expect(count('HeadObject')).toBe(0);
      expect(count('GetObject')).toBe(0);
      expect(count('ListObjectsV2')).toBeLessThanOrEqual(pagesNeeded + constant);
      expect(requests.length).toBe(count('ListObjectsV2'));
    });

    it('HEADs each file once when metadata is asked, however many paths reach it', async () => {
      requests.length = 0;
      const result = await gql(
        app,
        `{
          symbols(first: 50) { edges { node { ticker years { year tickFile { metadata contentType } } } } }
          one: symbol(ticker: "S001") { year(year: 2015) { tickFile { metadata } tickFiles { metadata contentType } } }
          again: symbol(ticker: "s001") { years { tickFile { metadata } } }
        }`,
      );
      expect(result.errors).toBeUndefined();
      const first = result.data.symbols.edges[0].node.years[0].tickFile;
      expect(first.metadata).toEqual({ symbol: 'S001', year: '2015', 'data-type': 'daily-ticks' });
      expect(first.contentType).toBe('application/vnd.apache.parquet');
      console.log(
        `[${server.name}] metadata over 500 files reached by 3 paths: ${count('HeadObject')} HEAD, ${count('ListObjectsV2')} LIST`,
      );
      expect(count('HeadObject')).toBe(SYMBOLS * YEARS.length);
    });

    it('reads fundamentals with one GET per document', async () => {
      requests.length = 0;
      const result = await gql(
        app,
        `{ symbol(ticker: "S002") { fundamentals(year: 2020) { quarter revenue netIncome eps data } } }`,
      );
      expect(result.errors).toBeUndefined();
      const rows = result.data.symbol.fundamentals;
      expect(rows.map((r: { quarter: number }) => r.quarter)).toEqual([1, 2, 3, 4]);
      expect(rows[2]).toMatchObject({ revenue: 2020 * 1000 + 3, netIncome: 30, eps: 0.75 });
      expect(rows[2].data).toMatchObject({ symbol: 'S002', year: 2020, quarter: 3 });
      expect(count('GetObject')).toBe(4);
      expect(count('HeadObject')).toBe(0);
    });

    it('presigns download URLs that fetch the object without credentials', async () => {
      const result = await gql(
        app,
        `{ symbol(ticker: "S003") { year(year: 2016) { tickFile { key downloadUrl(expiresIn: 60) } } } }`,
      );
      expect(result.errors).toBeUndefined();
      const file = result.data.symbol.year.tickFile;
      expect(file.key).toBe('data/ticks/daily/S003/2016/ticks.parquet');
      const response = await fetch(file.downloadUrl);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('PAR1 S003 2016 PAR1');
    });

    it('pages through every symbol with cursors, none twice, none missed', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const page: any = await gql(
          app,
          `query($after: String) { symbols(first: 7, after: $after) { edges { node { ticker } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        expect(page.errors).toBeUndefined();
        seen.push(...page.data.symbols.edges.map((e: any) => e.node.ticker));
        if (!page.data.symbols.pageInfo.hasNextPage) break;
        after = page.data.symbols.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(SYMBOLS);
      expect(new Set(seen).size).toBe(SYMBOLS);
      expect(seen).toEqual([...seen].sort());
    });
  });
}

for (const { name, reason } of skippedS3Servers()) it.skip(`catalog batching on ${name}: ${reason}`, () => {});
