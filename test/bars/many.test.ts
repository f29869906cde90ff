// Many symbols per request: symbols(tickers:) and GET /v1/bars?symbols= equal DuckDB over every writer dialect, on a directory and on S3 (moto); order, unknown tickers, requests per file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { MANY_SYMBOLS_PARALLELISM, streamManyBars } from '../../src/lake/bars/many.js';
import { BarFileReader } from '../../src/lake/bars/reader.js';
import { indexSymbol } from '../../src/lake/catalog.js';
import type { GetOptions, GetResult, ObjectStore } from '../../src/lake/store/types.js';
import { gql } from '../support/graphql.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { exportRows } from './client.js';
import {
  DAILY_SYMBOLS,
  duckDaily,
  duckDailyTable,
  duckResample,
  writeDailySymbol,
  writeMinuteSymbol,
} from './lakes.js';
import { bySymbol, manyBars, manyExportRows, manyResponse } from './many-client.js';
import { barBackends, duck, expectRows, fromDuck, RecordingStore, rows, type Row } from './support.js';

let dir: string;
let db: DuckDBConnection;
const SYMBOLS = DAILY_SYMBOLS.map((s) => s.symbol);
const spec = (symbol: string) => DAILY_SYMBOLS.find((s) => s.symbol === symbol)!;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-many-'));
  db = await duck();
  let seed = 1;
  for (const s of DAILY_SYMBOLS) {
    await writeDailySymbol(db, dir, s, seed++);
    await duckDailyTable(db, dir, s, `many_${s.symbol}`);
  }
  await writeMinuteSymbol(db, dir);
  // A file no Parquet reader can read, for one symbol among good ones.
  await mkdir(path.join(dir, 'data/ticks/daily/BAD/2023'), { recursive: true });
  await writeFile(
    path.join(dir, 'data/ticks/daily/BAD/2023/ticks.parquet'),
    'not parquet at all, but long enough to have a tail'.repeat(20),
  );
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** A fixed shuffle, so the order asked for is neither key order nor the dialects' order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const backends = barBackends(() => dir, 'bars-many');
for (const { name, reason } of skippedS3Servers()) it.skip(`many symbols over S3 on ${name}: ${reason}`, () => {});

for (const backend of backends) {
  describe(`many symbols per request, over ${backend.name}`, () => {
    let app: App;
    beforeAll(async () => {
      const store = await backend.open();
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
        store,
        location: { kind: 'local', directory: dir },
      });
    });
    afterAll(async () => app?.stop());

    it("symbols(tickers:) answers exactly the symbols asked for, in that order, unknown ones named; every value equals DuckDB's reading", async () => {
      const order = shuffled(SYMBOLS, 7);
      // Lower case is the same ticker; unknown ones go anywhere in the list.
      const asked = [
        ...order.slice(0, 4),
        'zzzz',
        ...order.slice(4).map((t, i) => (i % 2 ? t.toLowerCase() : t)),
        'NOPE.B',
      ];
      const result = await manyBars(app, asked);
      expect(result.tickers).toEqual(order);
      expect(result.unknownTickers).toEqual(['ZZZZ', 'NOPE.B']);
      for (const symbol of order) {
        const expected = (await duckDaily(db, dir, spec(symbol))).map(fromDuck);
        expect(expected.length).toBeGreaterThan(250);
        expectRows(result.bars.get(symbol)!, expected, `${symbol} in symbols(tickers:)`);
      }
    });

    it("WEEK bars and a date range of many symbols equal DuckDB's GROUP BY, in GraphQL and in the export", async () => {
      const tickers = ['MIX', 'NULLS', 'TSUS', 'UNSORT'];
      const where = `d BETWEEN epoch_ms(TIMESTAMP '2021-12-01') AND epoch_ms(TIMESTAMP '2023-01-31')`;
      const expected = new Map<string, Row[]>();
      for (const t of tickers) expected.set(t, (await duckResample(db, `many_${t}`, 'week', where)).map(fromDuck));
      const range = { from: '2021-12-01', to: '2023-01-31' };
      const graph = await manyBars(app, tickers, { ...range, timeframe: 'WEEK' });
      for (const t of tickers) expectRows(graph.bars.get(t)!, expected.get(t)!, `${t} WEEK graphql`);
      const exported = bySymbol(
        await manyExportRows(app, 'ndjson', { symbols: tickers.join(','), timeframe: 'week', ...range }),
      );
      expect(exported.order).toEqual(tickers);
      for (const t of tickers) expectRows(exported.rows.get(t)!, expected.get(t)!, `${t} WEEK export`);
    });

    it('the export answers every symbol in long format, ordered by symbol then time, equal to DuckDB in every format', async () => {
      const asked = shuffled(SYMBOLS, 3);
      const range = { from: '2021-11-15', to: '2023-02-10' };
      // DuckDB's own order of the same selection: ORDER BY symbol, t.
      const expectedOrder = (
        await rows(db, `SELECT s FROM (VALUES ${asked.map((s) => `('${s}')`).join(', ')}) v(s) ORDER BY s`)
      ).map((r) => r.s as string);
      expect(expectedOrder).toEqual([...asked].sort());
      const expected = new Map<string, Row[]>();
      for (const s of asked) expected.set(s, (await duckDaily(db, dir, spec(s), range)).map(fromDuck));
      for (const format of ['json', 'ndjson', 'csv', 'arrow', 'parquet'] as const) {
        const long = await manyExportRows(app, format, { symbols: asked.join(','), ...range }, db, dir);
        const { order, rows: got } = bySymbol(long);
        expect(order, `${format}: symbols in order`).toEqual(expectedOrder);
        for (const s of expectedOrder) expectRows(got.get(s)!, expected.get(s)!, `${s} as ${format}`);
      }
    });

    it('minute bars of several symbols stream one symbol after another; a symbol without minute files adds no rows', async () => {
      const range = { from: '2024-02-01', to: '2024-02-29' };
      const expected = (
        await rows(
          db,
          `SELECT t, nyd AS d, * EXCLUDE (t, nyd) FROM mn_minutes
        WHERE nyd BETWEEN epoch_ms(TIMESTAMP '2024-02-01') AND epoch_ms(TIMESTAMP '2024-02-29') ORDER BY t`,
        )
      ).map(fromDuck);
      const long = await manyExportRows(app, 'arrow', { symbols: 'TSUS,MN', timeframe: 'MINUTE', ...range });
      const { order, rows: got } = bySymbol(long);
      expect(order).toEqual(['MN']);
      expectRows(got.get('MN')!, expected, 'MN minutes in a many-symbol export');
    });

    it('a symbol whose file cannot be read fails its own bars only in GraphQL, and the whole export with 422 before any byte', async () => {
      const result = await gql(
        app,
        '{ symbols(tickers: ["TSUS", "BAD", "VEND"]) { nodes { ticker bars(first: 1000) { nodes { close } } } } }',
      );
      expect(result.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['TSUS', 'BAD', 'VEND']);
      expect(result.data.symbols.nodes[1].bars.nodes).toBeNull();
      expect(result.data.symbols.nodes[0].bars.nodes.length).toBeGreaterThan(250);
      expect(result.data.symbols.nodes[2].bars.nodes.length).toBeGreaterThan(250);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].path).toEqual(['symbols', 'nodes', 1, 'bars', 'nodes']);
      expect(result.errors![0].extensions).toMatchObject({
        code: 'INVALID_DATA',
        key: 'data/ticks/daily/BAD/2023/ticks.parquet',
      });
      const response = await manyResponse(app, { symbols: 'TSUS,BAD,VEND', format: 'arrow' });
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.errors[0].extensions).toEqual({
        code: 'INVALID_DATA',
        key: 'data/ticks/daily/BAD/2023/ticks.parquet',
      });
    });

    it('symbol= and /v1/bars/{SYMBOL} keep the one-symbol shape; a symbols= list of one has the symbol column', async () => {
      const expected = (await duckDaily(db, dir, spec('VEND'))).map(fromDuck);
      expectRows(await exportRows(app, 'VEND', 'csv'), expected, 'VEND by path');
      const single = await manyResponse(app, { symbol: 'vend', format: 'csv' });
      const text = await single.text();
      expect(text.split('\n')[0]).toBe('time,date,open,high,low,close,volume,vwap,trades');
      expect(text.trimEnd().split('\n')).toHaveLength(expected.length + 1);
      const long = bySymbol(await manyExportRows(app, 'csv', { symbols: 'VEND' }));
      expect(long.order).toEqual(['VEND']);
      expectRows(long.rows.get('VEND')!, expected, 'VEND as a list of one');
    });
  });
}

/** A store whose GETs take a while, recording how many different symbols have a GET in flight at once. */
class SlowStore extends RecordingStore {
  private readonly inflight = new Map<string, number>();
  maxSymbolsInFlight = 0;

  constructor(
    inner: ObjectStore,
    private readonly delayMs: number,
  ) {
    super(inner);
  }

  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    const symbol = key.split('/')[3] ?? key;
    this.inflight.set(symbol, (this.inflight.get(symbol) ?? 0) + 1);
    this.maxSymbolsInFlight = Math.max(this.maxSymbolsInFlight, this.inflight.size);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const result = await super.get(key, options);
      return result;
    } finally {
      const left = this.inflight.get(symbol)! - 1;
      if (left === 0) this.inflight.delete(symbol);
      else this.inflight.set(symbol, left);
    }
  }
}

/** GETs per key, and the keys read, of a RecordingStore. */
function getsByKey(store: RecordingStore): Map<string, number> {
  const out = new Map<string, number>();
  for (const { key } of store.gets) out.set(key, (out.get(key) ?? 0) + 1);
  return out;
}

for (const backend of backends) {
  describe(`requests of many symbols, over ${backend.name}`, () => {
    let base: ObjectStore;
    const apps: App[] = [];
    beforeAll(async () => {
      base = await backend.open();
    });
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
    });
    async function appOn(store: ObjectStore, env: Record<string, string> = {}): Promise<App> {
      const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', ...env }), {
        store,
        location: { kind: 'local', directory: dir },
      });
      apps.push(app);
      return app;
    }

    it('N symbols read each needed file exactly as often as one symbol alone does, only the files the range needs, and nothing when warm', async () => {
      const tickers = ['MIX', 'NULLS', 'TSUS', 'VEND', 'WIDE'];
      const range = { from: '2022-03-01', to: '2023-12-31' };
      const alone = new Map<string, number>();
      for (const t of tickers) {
        const store = new RecordingStore(base);
        const app = await appOn(store);
        await manyExportRows(app, 'json', { symbols: t, ...range });
        for (const [key, n] of getsByKey(store)) alone.set(key, n);
      }
      // MIX's 2021 file lies outside the range: never read.
      const needed = tickers
        .flatMap((t) => ['2022', '2023'].map((y) => `data/ticks/daily/${t}/${y}/ticks.parquet`))
        .sort();
      expect([...alone.keys()].sort()).toEqual(needed);

      for (const read of ['export', 'graphql'] as const) {
        const store = new RecordingStore(base);
        const app = await appOn(store);
        if (read === 'export') await manyExportRows(app, 'arrow', { symbols: tickers.join(','), ...range });
        else await manyBars(app, tickers, range);
        expect(Object.fromEntries(getsByKey(store)), `${read}: GETs per file`).toEqual(Object.fromEntries(alone));
        // Each range of each file fetched once.
        const ranges = store.gets.map((g) => `${g.key} ${JSON.stringify(g.range ?? null)}`);
        expect(new Set(ranges).size, `${read}: no range fetched twice`).toBe(ranges.length);
        store.reset();
        if (read === 'export') await manyExportRows(app, 'arrow', { symbols: tickers.join(','), ...range });
        else await manyBars(app, tickers, range);
        expect(store.gets, `${read}: warm`).toHaveLength(0);
      }
    });

    it(`reads at most ${MANY_SYMBOLS_PARALLELISM} symbols at once, and more than one`, async () => {
      for (const read of ['export', 'graphql'] as const) {
        const store = new SlowStore(base, 15);
        const app = await appOn(store);
        if (read === 'export') await manyExportRows(app, 'ndjson', { symbols: SYMBOLS.join(',') });
        else await manyBars(app, SYMBOLS);
        expect(SYMBOLS.length).toBeGreaterThan(MANY_SYMBOLS_PARALLELISM);
        expect(store.maxSymbolsInFlight, read).toBeLessThanOrEqual(MANY_SYMBOLS_PARALLELISM);
        expect(store.maxSymbolsInFlight, read).toBeGreaterThan(1);
      }
    });

    it(`streamManyBars reads ahead at most ${MANY_SYMBOLS_PARALLELISM} symbols, yields them in the order given, and stops reading when closed`, async () => {
      const store = new SlowStore(base, 15);
      const reader = new BarFileReader(store);
      const symbols = await Promise.all(
        SYMBOLS.map(async (ticker) => ({
          ticker,
          index: await indexSymbol(store, ticker),
          query: { timeframe: 'DAY' as const },
        })),
      );
      const order: string[] = [];
      for await (const { symbol } of streamManyBars(reader, symbols)) if (order.at(-1) !== symbol) order.push(symbol);
      expect(order).toEqual(SYMBOLS);
      expect(store.maxSymbolsInFlight).toBeLessThanOrEqual(MANY_SYMBOLS_PARALLELISM);
      expect(store.maxSymbolsInFlight).toBeGreaterThan(1);

      const fresh = new SlowStore(base, 15);
      const stream = streamManyBars(new BarFileReader(fresh), symbols);
      await stream.next();
      await stream.return(undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const read = new Set(fresh.gets.map((g) => g.key.split('/')[3]));
      // The first symbol and those read ahead with it; never all of them.
      expect(read.size).toBeLessThanOrEqual(MANY_SYMBOLS_PARALLELISM + 1);
    });

    it('unknown tickers in the export: 404 naming every one before any file is read', async () => {
      const store = new RecordingStore(base);
      const app = await appOn(store);
      await gql(app, '{ symbols(first: 1) { nodes { ticker } } }'); // the catalog index's first build
      store.reset();
      const response = await manyResponse(app, { symbols: 'TSUS,QQQQ,VEND,ZZZZ', format: 'arrow' });
      expect(response.status).toBe(404);
      const body = await response.json();
      expect(body.errors[0].extensions).toEqual({ code: 'NOT_FOUND', unknownSymbols: ['QQQQ', 'ZZZZ'] });
      expect(body.errors[0].message).toBe('the lake holds nothing for QQQQ, ZZZZ');
      expect(store.gets).toHaveLength(0);
    });

    it('a cost above the limit is refused before any store call; N tickers cost N bars pages', async () => {
      const store = new RecordingStore(base);
      const app = await appOn(store);
      store.reset();
      const query = `query ($tickers: [String!]) { symbols(tickers: $tickers) { nodes { ticker bars(timeframe: MINUTE, first: 10000) { nodes { time date open high low close volume vwap trades } } } } }`;
      const refused = await gql(app, query, { tickers: ['TSUS', 'MN'] });
      expect(refused.errors?.[0].extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
      expect(refused.errors?.[0].message).toMatch(/LAKEQL_MAX_COST/);
      const literal = await gql(
        app,
        query.replace('($tickers: [String!])', '').replace('$tickers', '["TSUS", "MN", "VEND"]'),
      );
      expect(literal.errors?.[0].extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
      expect(store.total()).toBe(0);
      const one = await gql(app, query, { tickers: ['MN'] });
      expect(one.errors).toBeUndefined();
      expect(one.data.symbols.nodes[0].bars.nodes).toHaveLength(10_000);
    });

    it('the symbol cap: more tickers than LAKEQL_MAX_SYMBOLS is BAD_USER_INPUT naming the setting, before any store call', async () => {
      const store = new RecordingStore(base);
      const app = await appOn(store, { LAKEQL_MAX_SYMBOLS: '3' });
      store.reset();
      const graph = await gql(app, '{ symbols(tickers: ["TSUS", "VEND", "MIX", "NULLS"]) { nodes { ticker } } }');
      expect(graph.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(graph.errors?.[0].message).toBe(
        'tickers names 4 tickers; at most 3 are allowed per request (LAKEQL_MAX_SYMBOLS)',
      );
      const response = await manyResponse(app, { symbols: 'TSUS,VEND,MIX,NULLS' });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0].message).toBe(
        'symbols names 4 tickers; at most 3 are allowed per request (LAKEQL_MAX_SYMBOLS)',
      );
      expect(store.total()).toBe(0);
      const three = await manyBars(app, ['TSUS', 'VEND', 'MIX']);
      expect(three.tickers).toEqual(['TSUS', 'VEND', 'MIX']);
    });

    it('without the catalog index (LAKEQL_CATALOG_MAX_AGE=0) tickers are listed one by one, with the same answers', async () => {
      const app = await appOn(base, { LAKEQL_CATALOG_MAX_AGE: '0' });
      const asked = ['VEND', 'NOPE', ...SYMBOLS.filter((s) => s !== 'VEND').reverse()];
      const result = await manyBars(app, asked, { from: '2023-06-01' });
      expect(result.tickers).toEqual(asked.filter((t) => t !== 'NOPE'));
      expect(result.unknownTickers).toEqual(['NOPE']);
      for (const symbol of ['VEND', 'MIX', 'TSNS']) {
        expectRows(
          result.bars.get(symbol)!,
          (await duckDaily(db, dir, spec(symbol), { from: '2023-06-01' })).map(fromDuck),
          `${symbol} without the index`,
        );
      }
      const response = await manyResponse(app, { symbols: 'VEND,NOPE' });
      expect(response.status).toBe(404);
      expect((await response.json()).errors[0].extensions.unknownSymbols).toEqual(['NOPE']);
    });

    it('first/after page through the tickers asked for, in their order', async () => {
      const app = await appOn(base);
      const asked = ['VEND', 'NOPE', 'MIX', 'TSUS', 'ISOD'];
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 5; page++) {
        const result = await gql(
          app,
          'query ($t: [String!], $after: String) { symbols(tickers: $t, first: 2, after: $after) { totalCount unknownTickers pageInfo { hasNextPage endCursor } nodes { ticker } } }',
          { t: asked, after },
        );
        expect(result.errors).toBeUndefined();
        const c = result.data.symbols;
        expect(c.totalCount).toBe(4);
        expect(c.unknownTickers).toEqual(['NOPE']);
        seen.push(...c.nodes.map((n: { ticker: string }) => n.ticker));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect(seen).toEqual(['VEND', 'MIX', 'TSUS', 'ISOD']);
      const mixed = await gql(app, '{ symbols(tickers: ["VEND"], prefix: "V") { nodes { ticker } } }');
      expect(mixed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });
  });
}
