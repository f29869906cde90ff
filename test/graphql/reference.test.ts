// Reference data: names, exchanges and types from data/reference/symbols.json in every writer's shape, search by name, refresh on overwrite, and a fuzzed parser.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { isLakeError } from '../../src/lake/errors.js';
import { matchesQuery, parseReference, REFERENCE_KEY } from '../../src/lake/reference.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { rng, hostileString } from '../security/hostile.js';
import { gql } from '../support/graphql.js';

describe('parseReference', () => {
  it("reads our own rows, Polygon's results, Alpaca's assets and an object keyed by ticker", () => {
    expect(
      parseReference(
        JSON.stringify([{ ticker: 'aapl', name: 'Apple Inc.', exchange: 'XNAS', type: 'CS', currency: 'USD' }]),
      ).get('AAPL'),
    ).toEqual({ ticker: 'AAPL', name: 'Apple Inc.', exchange: 'XNAS', type: 'CS', currency: 'USD' });
    const polygon = {
      results: [
        {
          ticker: 'MSFT',
          name: 'Microsoft Corp',
          primary_exchange: 'XNAS',
          type: 'CS',
          currency_name: 'usd',
          market: 'stocks',
        },
      ],
      status: 'OK',
    };
    expect(parseReference(JSON.stringify(polygon)).get('MSFT')).toEqual({
      ticker: 'MSFT',
      name: 'Microsoft Corp',
      exchange: 'XNAS',
      type: 'CS',
      currency: 'usd',
    });
    const alpaca = [
      {
        id: 'x',
        class: 'us_equity',
        exchange: 'NYSE',
        symbol: 'BRK.B',
        name: 'Berkshire Hathaway Inc. Class B',
        status: 'active',
      },
    ];
    expect(parseReference(JSON.stringify(alpaca)).get('BRK.B')).toEqual({
      ticker: 'BRK.B',
      name: 'Berkshire Hathaway Inc. Class B',
      exchange: 'NYSE',
      type: 'us_equity',
      currency: null,
    });
    expect(
      parseReference(JSON.stringify({ SPY: { name: 'SPDR S&P 500 ETF Trust', type: 'ETF' } })).get('SPY'),
    ).toMatchObject({ name: 'SPDR S&P 500 ETF Trust', type: 'ETF' });
    // Records without a usable ticker are skipped, not fatal.
    expect([...parseReference(JSON.stringify([{ name: 'nameless' }, { ticker: '../etc' }, 7, null])).keys()]).toEqual(
      [],
    );
  });

  it('matches a ticker prefix or the start of each word of the name, case-insensitively', () => {
    expect(matchesQuery('apple', 'AAPL', 'Apple Inc.')).toBe(true);
    expect(matchesQuery('aa', 'AAPL', 'Apple Inc.')).toBe(true);
    expect(matchesQuery('united health', 'UNH', 'UnitedHealth Group Incorporated')).toBe(false);
    expect(matchesQuery('unitedhealth gr', 'UNH', 'UnitedHealth Group Incorporated')).toBe(true);
    expect(matchesQuery('pple', 'AAPL', 'Apple Inc.')).toBe(false);
    expect(matchesQuery('coca', 'KO', 'The Coca-Cola Company')).toBe(true);
  });

  it('answers 3,000 generated documents with a map or INVALID_DATA naming the key, never anything else', () => {
    const r = rng(0x5eed);
    const value = (depth: number): unknown => {
      const x = r();
      if (depth > 3 || x < 0.3)
        return [hostileString(r), r() * 1e6, null, true, -0, 'AAPL', { ticker: hostileString(r) }][Math.floor(r() * 7)];
      if (x < 0.6) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
      const keys = [
        'ticker',
        'symbol',
        'name',
        'results',
        'exchange',
        'type',
        hostileString(r),
        '__proto__',
        'constructor',
      ];
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 5) }, () => [keys[Math.floor(r() * keys.length)], value(depth + 1)]),
      );
    };
    const outcomes = { parsed: 0, invalid: 0 };
    for (let i = 0; i < 3000; i++) {
      let text = JSON.stringify(value(0)) ?? 'undefined';
      if (r() < 0.2) text = text.slice(0, Math.floor(r() * text.length));
      try {
        const parsed = parseReference(text);
        for (const ref of parsed.values()) expect(ref.ticker).toMatch(/^[A-Z0-9][A-Z0-9.-]{0,14}$/);
        outcomes.parsed++;
      } catch (error) {
        expect(isLakeError(error) && error.code === 'INVALID_DATA' && error.message.startsWith(REFERENCE_KEY)).toBe(
          true,
        );
        outcomes.invalid++;
      }
    }
    console.log(`reference fuzz: ${JSON.stringify(outcomes)}`);
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.invalid).toBeGreaterThan(100);
  });
});

describe('reference data over GraphQL', () => {
  let dir: string;
  let app: App;
  let store: CountingStore;
  const SEARCH = `query($q: String!, $first: Int, $after: String) { symbols(query: $q, first: $first, after: $after) { nodes { ticker name exchange type currency } pageInfo { hasNextPage endCursor } } }`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-reference-'));
    await mkdir(path.join(dir, 'lake'));
    store = new CountingStore(new LocalStore(path.join(dir, 'lake')));
    await ensureDemoLake(store, {
      tickers: ['AAPL', 'MSFT', 'KO', 'PEP', 'SPY', 'UNH'],
      years: [2024],
      minuteSymbols: [],
    });
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
      store,
      location: { kind: 'local', directory: path.join(dir, 'lake') },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives symbols their names, exchanges, types and currencies from the demo lake's reference file", async () => {
    const result = await gql(app, `{ symbol(ticker: "SPY") { ticker name exchange type currency } }`);
    expect(result.data.symbol).toEqual({
      ticker: 'SPY',
      name: 'SPDR S&P 500 ETF Trust',
      exchange: 'ARCX',
      type: 'ETF',
      currency: 'USD',
    });
  });

  it('finds symbols by a word of the name or a ticker prefix, and pages through matches', async () => {
    const apple = await gql(app, SEARCH, { q: 'apple' });
    expect(apple.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['AAPL']);
    const cola = await gql(app, SEARCH, { q: 'COCA cola' });
    expect(cola.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['KO']);
    const byTicker = await gql(app, SEARCH, { q: 'ms' });
    expect(byTicker.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['MSFT']);
    // "inc" starts a word of Apple Inc., PepsiCo, Inc. and UnitedHealth Group Incorporated.
    const first = await gql(app, SEARCH, { q: 'inc', first: 2 });
    expect(first.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['AAPL', 'PEP']);
    expect(first.data.symbols.pageInfo.hasNextPage).toBe(true);
    const rest = await gql(app, SEARCH, { q: 'inc', first: 2, after: first.data.symbols.pageInfo.endCursor });
    expect(rest.data.symbols.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['UNH']);
    expect(rest.data.symbols.pageInfo.hasNextPage).toBe(false);
  });

  it('reads the file again only when it changes, and serves a rewrite at once', async () => {
    await gql(app, `{ symbol(ticker: "AAPL") { name } }`);
    store.reset();
    await gql(app, `{ symbol(ticker: "AAPL") { name } }`);
    expect(store.count('get')).toBe(0);
    await store.put(
      REFERENCE_KEY,
      JSON.stringify({ results: [{ ticker: 'AAPL', name: 'Apple Computer, Inc.', primary_exchange: 'XNAS' }] }),
    );
    const renamed = await gql(app, `{ symbol(ticker: "AAPL") { name exchange type } }`);
    expect(renamed.data.symbol).toEqual({ name: 'Apple Computer, Inc.', exchange: 'XNAS', type: null });
  });

  it('answers INVALID_DATA naming the file when the reference file is not JSON, and names stay null without one', async () => {
    await store.put(REFERENCE_KEY, '{ not json');
    const broken = await gql(app, `{ symbol(ticker: "AAPL") { ticker name } }`);
    expect(broken.errors?.[0].extensions?.code).toBe('INVALID_DATA');
    expect(broken.errors?.[0].message).toContain(REFERENCE_KEY);
    // The field is nullable: the error nulls the name alone, the rest of the answer stands.
    expect(broken.data.symbol).toEqual({ ticker: 'AAPL', name: null });
    await store.delete(REFERENCE_KEY);
    const none = await gql(app, `{ symbol(ticker: "AAPL") { ticker name } }`);
    expect(none.data.symbol).toEqual({ ticker: 'AAPL', name: null });
  });
});
