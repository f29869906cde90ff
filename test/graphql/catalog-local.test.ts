// The catalog over a directory lake: typed errors for bad input, lakeql-signed download URLs, lake info.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { gql } from '../support/graphql.js';
import { writeCatalogLake } from '../support/lake-fixture.js';

describe('catalog on a directory lake', () => {
  let dir: string;
  let app: App;
  let store: CountingStore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-catalog-'));
    const local = new LocalStore(dir);
    await writeCatalogLake(local, { symbols: 12, years: [2022, 2023], quarters: 2 });
    // Another writer drops files in with no sidecar metadata, including odd tickers and stray files.
    await mkdir(path.join(dir, 'data/ticks/daily/BRK.B/2024'), { recursive: true });
    await writeFile(path.join(dir, 'data/ticks/daily/BRK.B/2024/ticks.parquet'), 'PAR1 pandas PAR1');
    await mkdir(path.join(dir, 'data/ticks/daily/BRK/2023'), { recursive: true });
    await writeFile(path.join(dir, 'data/ticks/daily/BRK/2023/ticks.parquet'), 'PAR1 duckdb PAR1');
    await mkdir(path.join(dir, 'data/fundamental/BF-B/2021'), { recursive: true });
    await writeFile(
      path.join(dir, 'data/fundamental/BF-B/2021/Q3.json'),
      JSON.stringify({ revenue: '1200.5', netIncome: 17 }),
    );
    await mkdir(path.join(dir, 'data/fundamental/BAD/2021'), { recursive: true });
    await writeFile(path.join(dir, 'data/fundamental/BAD/2021/Q1.json'), '{ not json');
    await writeFile(path.join(dir, 'data/ticks/daily/README.txt'), 'not a symbol');
    store = new CountingStore(local);
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_MAX_PAGE_SIZE: '100' }), {
      store,
      location: { kind: 'local', directory: dir },
    });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('describes the lake', async () => {
    const result = await gql(app, '{ lake { kind directory bucket url } }');
    expect(result.data.lake).toEqual({ kind: 'LOCAL', directory: dir, bucket: null, url: `file://${dir}` });
  });

  it('lists symbols from every dataset in S3 key order, including files other writers dropped in', async () => {
    const result = await gql(app, '{ symbols(first: 50) { edges { node { ticker } } pageInfo { hasNextPage } } }');
    const tickers = result.data.symbols.edges.map((e: any) => e.node.ticker);
    expect(tickers.slice(0, 4)).toEqual(['BAD', 'BF-B', 'BRK.B', 'BRK']);
    expect(tickers).toHaveLength(4 + 12);
    expect(result.data.symbols.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by prefix and returns null for a symbol with no data', async () => {
    const result = await gql(
      app,
      '{ symbols(prefix: "brk") { edges { node { ticker years { year } } } } symbol(ticker: "ZZZ") { ticker } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.symbols.edges.map((e: any) => e.node)).toEqual([
      { ticker: 'BRK.B', years: [{ year: 2024 }] },
      { ticker: 'BRK', years: [{ year: 2023 }] },
    ]);
    expect(result.data.symbol).toBeNull();
  });

  it('reads camelCase and numeric-string figures from foreign fundamentals', async () => {
    const result = await gql(
      app,
      '{ symbol(ticker: "BF-B") { years { year } fundamentals { quarter revenue netIncome eps } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.symbol).toEqual({
      years: [{ year: 2021 }],
      fundamentals: [{ quarter: 3, revenue: 1200.5, netIncome: 17, eps: null }],
    });
  });

  it('reports a corrupt document as INVALID_DATA naming the key, and still answers the rest', async () => {
    const result = await gql(
      app,
      '{ bad: symbol(ticker: "BAD") { fundamentals { revenue } } good: symbol(ticker: "S001") { ticker } }',
    );
    expect(result.data.good).toEqual({ ticker: 'S001' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({
      code: 'INVALID_DATA',
      key: 'data/fundamental/BAD/2021/Q1.json',
    });
  });

  it('gives typed BAD_USER_INPUT errors, without stack traces, for malformed arguments', async () => {
    const cases = [
      '{ symbol(ticker: "AA$PL") { ticker } }',
      '{ symbol(ticker: "../etc") { ticker } }',
      '{ symbol(ticker: "S001") { year(year: 1850) { year } } }',
      '{ symbol(ticker: "S001") { fundamentals(quarter: 5) { quarter } } }',
      '{ symbols(first: 101) { edges { cursor } } }',
      '{ symbols(first: 0) { edges { cursor } } }',
      '{ symbols(after: "garbage") { edges { cursor } } }',
      '{ symbols(prefix: "A/B") { edges { cursor } } }',
      '{ symbol(ticker: "S001") { year(year: 2022) { tickFile { downloadUrl(expiresIn: 0) } } } }',
    ];
    for (const query of cases) {
      const result = await gql(app, query);
      expect(result.errors, query).toHaveLength(1);
      const [error] = result.errors!;
      expect(error.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(error), query).not.toMatch(/at .*\.ts:\d+|stack/);
    }
  });

  it('rejects a page size above the cap before touching the store', async () => {
    const before = store.count('list');
    const result = await gql(app, '{ symbols(first: 1000) { edges { cursor } } }');
    expect(result.errors![0].message).toContain('between 1 and 100');
    expect(store.count('list')).toBe(before);
  });

  it('serves signed download URLs with ranges and refuses tampered or expired ones', async () => {
    const result = await gql(
      app,
      '{ symbol(ticker: "BRK.B") { year(year: 2024) { tickFile { downloadUrl(expiresIn: 60) size } } } }',
    );
    const { downloadUrl, size } = result.data.symbol.year.tickFile;
    expect(downloadUrl).toMatch(
      /^http:\/\/lakeql\.test\/files\/data\/ticks\/daily\/BRK\.B\/2024\/ticks\.parquet\?expires=\d+&signature=[0-9a-f]{64}$/,
    );
    const full = await app.yoga.fetch(downloadUrl);
    expect(full.status).toBe(200);
    expect(await full.text()).toBe('PAR1 pandas PAR1');
    expect(size).toBe('PAR1 pandas PAR1'.length);
    const tail = await app.yoga.fetch(downloadUrl, { headers: { range: 'bytes=-4' } });
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe('PAR1');
    const tampered = await app.yoga.fetch(downloadUrl.replace('BRK.B', 'BRK'));
    expect(tampered.status).toBe(403);
    const expired = await app.yoga.fetch(downloadUrl.replace(/expires=\d+/, 'expires=1000'));
    expect(expired.status).toBe(403);
  });

  it('answers /health and /ready', async () => {
    expect((await app.yoga.fetch('http://lakeql.test/health')).status).toBe(200);
    expect((await app.yoga.fetch('http://lakeql.test/ready')).status).toBe(200);
  });
});

describe('configuration', () => {
  it('names the variable when a value is wrong', async () => {
    const { ConfigError } = await import('../../src/config.js');
    expect(() => loadConfig({ LAKEQL_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ LAKEQL_PORT: '70000' })).toThrow(/LAKEQL_PORT: expected 0 to 65535/);
    expect(() => loadConfig({ LAKEQL_MAX_PAGE_SIZE: '10' })).toThrow(/LAKEQL_MAX_PAGE_SIZE/);
    expect(() => loadConfig({ LAKEQL_LAKE: 'gs://bucket' })).toThrow(/LAKEQL_LAKE: unsupported scheme/);
    expect(() => loadConfig({ LAKEQL_LAKE: 's3://No_Such' })).toThrow(
      /LAKEQL_LAKE: "No_Such" is not a valid S3 bucket name/,
    );
    expect(() => loadConfig({ LAKEQL_DEMO: 'yes' })).toThrow(/LAKEQL_DEMO/);
  });

  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      lake: './lake',
      host: '127.0.0.1',
      port: 4000,
      demo: 'auto',
      maxPageSize: 500,
    });
  });
});
