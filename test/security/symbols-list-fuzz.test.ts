// Generated ticker lists (empty items, repeats, odd characters, huge lists) sent to /v1/bars?symbols= over real HTTP and to symbols(tickers:): every answer typed, the first bad item named.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { isTicker } from '../../src/lake/layout.js';
import { writeDailySymbol } from '../bars/lakes.js';
import { duck } from '../bars/support.js';
import { gql } from '../support/graphql.js';
import { hostileString, rng } from './hostile.js';

const CASES = 300;
const CAP = 100;
const KNOWN = ['TSUS', 'VEND'];

let dir: string;
let db: DuckDBConnection;
let app: App;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-symbols-fuzz-'));
  db = await duck();
  await writeDailySymbol(db, dir, { symbol: 'TSUS', years: { 2023: 'TSUS' } }, 1);
  await writeDailySymbol(db, dir, { symbol: 'VEND', years: { 2023: 'VEND' } }, 2);
  app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: dir, LAKEQL_PORT: '0' }));
  origin = new URL(await app.start()).origin;
});
afterAll(async () => {
  await app?.stop();
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** A list of items, each a known ticker (any case, padded), an unknown one, an empty one, a repeat or a hostile string. */
function generateList(r: ReturnType<typeof rng>): string[] {
  const shape = r();
  const length = shape < 0.05 ? CAP + 1 + Math.floor(r() * 300) : shape < 0.1 ? 0 : 1 + Math.floor(r() * 12);
  const items: string[] = [];
  for (let i = 0; i < length; i++) {
    const kind = r();
    if (kind < 0.3)
      items.push(r() < 0.5 ? KNOWN[Math.floor(r() * 2)] : ` ${KNOWN[Math.floor(r() * 2)].toLowerCase()} `);
    else if (kind < 0.45) items.push(`Q${Math.floor(r() * 1e6)}`);
    else if (kind < 0.55) items.push(r() < 0.5 ? '' : '  ');
    else if (kind < 0.65 && items.length > 0) items.push(items[Math.floor(r() * items.length)]);
    else items.push(hostileString(r).replace(/,/g, ''));
  }
  return items;
}

/** What the list must get: 400 naming the first bad item (or the cap), else 404 for unknown tickers, else 200. */
function oracle(items: string[], argument: string): { status: number; message?: RegExp } {
  if (items.length > CAP)
    return { status: 400, message: new RegExp(`^${argument} names ${items.length} tickers; at most ${CAP}`) };
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const ticker = items[i].trim().toUpperCase();
    if (ticker === '') return { status: 400, message: new RegExp(`^${argument}\\[${i}\\] is empty`) };
    if (!isTicker(ticker))
      return { status: 400, message: new RegExp(`^${argument}\\[${i}\\]: ".*" is not a ticker`, 's') };
    if (seen.has(ticker))
      return { status: 400, message: new RegExp(`^${argument}\\[${i}\\] repeats ${ticker.replace(/\./g, '\\.')}`) };
    seen.add(ticker);
  }
  return { status: items.some((t) => !KNOWN.includes(t.trim().toUpperCase())) ? 404 : 200 };
}

describe('hostile ticker lists', () => {
  it(`GET /v1/bars?symbols= over real HTTP: ${CASES} generated lists answer 200, or a typed 400/404 naming the problem`, async () => {
    const r = rng(14);
    const seen = new Map<number, number>();
    for (let n = 0; n < CASES; n++) {
      const items = generateList(r);
      const expected = oracle(items.length === 0 ? [''] : items, 'symbols');
      const query = new URLSearchParams({ symbols: items.join(','), format: 'ndjson' });
      // Over real sockets a list too long for one URL is refused by Node's header limit; send those in-process.
      const url = `${origin}/v1/bars?${query}`;
      const response = url.length > 12_000 ? await app.yoga.fetch(url) : await fetch(url);
      const label = `case ${n}: ${JSON.stringify(items).slice(0, 200)}`;
      expect(response.status, label).toBe(expected.status);
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      if (expected.status === 200) {
        const lines = (await response.text()).trim().split('\n');
        const symbols = new Set(lines.map((l) => JSON.parse(l).symbol));
        expect([...symbols], label).toEqual([...new Set(items.map((t) => t.trim().toUpperCase()))].sort());
        continue;
      }
      expect(response.headers.get('content-type'), label).toMatch(/^application\/json/);
      const body = await response.json();
      const error = body.errors[0];
      expect(error.extensions.code, label).toBe(expected.status === 400 ? 'BAD_USER_INPUT' : 'NOT_FOUND');
      if (expected.message) expect(error.message, label).toMatch(expected.message);
      expect(error.message, label).not.toMatch(/\n\s+at /);
      expect(error.message.length, label).toBeLessThan(400);
    }
    // The generator reaches every answer.
    expect([...seen.keys()].sort()).toEqual([200, 400, 404]);
  });

  it('huge lists and huge items are refused at once, and the gateway keeps answering', async () => {
    for (const symbols of [
      Array(10_000).fill('AAPL').join(','),
      ','.repeat(200_000),
      'A'.repeat(1_000_000),
      Array.from({ length: 50_000 }, (_, i) => `T${i}`).join(','),
    ]) {
      const response = await app.yoga.fetch(`http://lakeql.test/v1/bars?${new URLSearchParams({ symbols })}`);
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0].message.length).toBeLessThan(400);
    }
    for (const query of [
      '',
      'symbols=',
      'symbols=TSUS&symbol=VEND',
      'symbol=TSUS&symbol=VEND',
      'symbols=TSUS&symbols=TSUS',
    ]) {
      const response = await fetch(`${origin}/v1/bars?${query}`);
      expect(response.status, query).toBe(400);
      expect((await response.json()).errors[0].extensions.code, query).toBe('BAD_USER_INPUT');
    }
    const repeated = await fetch(`${origin}/v1/bars?symbols=VEND&symbols=TSUS&format=csv`);
    expect(repeated.status).toBe(200);
    const ok = await fetch(`${origin}/v1/bars?symbols=VEND,tsus&format=csv&to=2023-01-03`);
    expect(await ok.text()).toMatch(
      /^symbol,time,date,open,high,low,close,volume,vwap,trades\nTSUS,2023-01-02T00:00:00.000Z,2023-01-02,/,
    );
  });

  it(`symbols(tickers:): ${CASES} generated lists answer data with unknownTickers, or BAD_USER_INPUT naming the first bad item`, async () => {
    const r = rng(41);
    for (let n = 0; n < CASES; n++) {
      const items = generateList(r);
      const expected = oracle(items, 'tickers');
      const label = `case ${n}: ${JSON.stringify(items).slice(0, 200)}`;
      const result = await gql(
        app,
        'query ($t: [String!]) { symbols(tickers: $t) { unknownTickers nodes { ticker } } }',
        { t: items },
      );
      if (expected.status === 400) {
        expect(result.errors?.[0].extensions?.code, label).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0].message, label).toMatch(expected.message!);
        continue;
      }
      expect(result.errors, label).toBeUndefined();
      const normalized = items.map((t) => t.trim().toUpperCase());
      expect(
        result.data.symbols.nodes.map((s: { ticker: string }) => s.ticker),
        label,
      ).toEqual(normalized.filter((t) => KNOWN.includes(t)));
      expect(result.data.symbols.unknownTickers, label).toEqual(normalized.filter((t) => !KNOWN.includes(t)));
    }
    const up = await gql(app, '{ symbols(tickers: ["TSUS"]) { nodes { ticker } } }');
    expect(up.data.symbols.nodes).toEqual([{ ticker: 'TSUS' }]);
  });
});
