// Backward bar pages (last/before) and latestBar: DuckDB's ORDER BY t DESC LIMIT n, the forward sequence reversed, real page flags, few reads.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { estimateCost } from '../../src/http/cost.js';
import { schema } from '../../src/schema/index.js';
import { BarFileReader, type BarFile } from '../../src/lake/bars/reader.js';
import { encodeBarCursor } from '../../src/lake/bars/page.js';
import { dailyTicksKey } from '../../src/lake/layout.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import type { BarRow } from '../../src/lake/bars/types.js';
import { gql, type GraphQLResponse } from '../support/graphql.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { allBars } from './client.js';
import { DAILY_SYMBOLS, duckDaily, writeDailySymbol, writeMinuteSymbol } from './lakes.js';
import {
  barBackends,
  dailySource,
  duck,
  rows,
  expectRows,
  fromDuck,
  fromGraphQL,
  RecordingStore,
  type Row,
} from './support.js';

const PAGE = `query($ticker: String!, $from: Date, $to: Date, $timeframe: Timeframe! = DAY, $first: Int, $after: String, $last: Int, $before: String, $adjustment: Adjustment! = RAW) {
  symbol(ticker: $ticker) {
    bars(from: $from, to: $to, timeframe: $timeframe, first: $first, after: $after, last: $last, before: $before, adjustment: $adjustment) {
      edges { cursor }
      nodes { time date open high low close volume vwap trades }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

const LATEST = `query($ticker: String!, $timeframe: Timeframe! = DAY) {
  symbol(ticker: $ticker) { latestBar(timeframe: $timeframe) { time date open high low close volume vwap trades } }
}`;

/** 30 years of daily bars, 64 rows a row group: the history the request-count test reads the end of. */
const LONG = { symbol: 'LONG', from: 1995, to: 2024 };

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-backward-'));
  db = await duck();
  let seed = 300;
  for (const spec of DAILY_SYMBOLS) await writeDailySymbol(db, dir, spec, seed++);
  await writeMinuteSymbol(db, dir);
  // Written by lakeql's own writer: DuckDB's never makes row groups smaller than 2048 rows.
  const table = await dailySource(db, LONG.symbol, LONG.from, LONG.to, 77);
  for (let year = LONG.from; year <= LONG.to; year++) {
    const source = await rows(
      db,
      `SELECT epoch_ms(d::TIMESTAMP)::DOUBLE AS time, open, high, low, close, volume::DOUBLE AS volume, vwap, trades::DOUBLE AS trades FROM ${table} WHERE year(d) = ${year} ORDER BY d`,
    );
    const file = path.join(dir, dailyTicksKey(LONG.symbol, year));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, writeBarsParquet(source as unknown as BarRow[], { resolution: 'DAILY', rowGroupSize: 64 }));
  }
}, 120_000);
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** A reader that records which row groups of which files it decodes. */
class RecordingReader extends BarFileReader {
  readonly decodes: { key: string; rowGroups?: number[] }[] = [];
  override read(file: BarFile, rowGroups?: number[]) {
    this.decodes.push({ key: file.key, rowGroups });
    return super.read(file, rowGroups);
  }
}

async function page(app: App, variables: Record<string, unknown>) {
  const result: GraphQLResponse = await gql(app, PAGE, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const bars = result.data.symbol.bars;
  return {
    rows: bars.nodes.map(fromGraphQL) as Row[],
    cursors: bars.edges.map((e: { cursor: string }) => e.cursor) as string[],
    info: bars.pageInfo,
  };
}

/** Every bar, paging backward from the end with `last`, then put back in time order. */
async function allBackward(app: App, variables: Record<string, unknown>, last: number): Promise<Row[]> {
  const pages: Row[][] = [];
  let before: string | undefined;
  for (;;) {
    const { rows, cursors, info } = await page(app, { ...variables, last, before });
    expect(rows.length).toBeLessThanOrEqual(last);
    // Time order inside the page, and the flags: more behind when the page is full and more remain.
    for (let i = 1; i < rows.length; i++) expect(rows[i].time).toBeGreaterThan(rows[i - 1].time);
    expect(info.hasNextPage).toBe(before !== undefined);
    expect(info.startCursor).toBe(cursors[0] ?? null);
    pages.unshift(rows);
    if (!info.hasPreviousPage) return pages.flat();
    expect(rows.length).toBe(last);
    before = info.startCursor;
  }
}

const backends = barBackends(() => dir, 'bars-backward');
for (const { name, reason } of skippedS3Servers()) it.skip(`backward bars over S3 on ${name}: ${reason}`, () => {});

for (const backend of backends) {
  describe(`backward bar pages over ${backend.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: await backend.open() });
    }, 120_000);

    for (const spec of DAILY_SYMBOLS) {
      it(`${spec.symbol}: last n equals DuckDB's ORDER BY t DESC LIMIT n`, async () => {
        const all = (await duckDaily(db, dir, spec)).map(fromDuck);
        for (const n of [1, 37, all.length - 1, all.length, all.length + 5]) {
          const expected = all.slice(Math.max(0, all.length - n));
          const { rows, info } = await page(app, { ticker: spec.symbol, last: n });
          expectRows(rows, expected, `${spec.symbol} last ${n}`);
          expect(info.hasPreviousPage, `${spec.symbol} last ${n} hasPreviousPage`).toBe(n < all.length);
          expect(info.hasNextPage).toBe(false);
        }
      });
    }

    it("a range and a before cursor: DuckDB's last n before that bar, within [from, to]", async () => {
      const spec = DAILY_SYMBOLS.find((s) => s.symbol === 'MIX')!;
      const range = { from: '2021-03-10', to: '2023-05-17' };
      const all = (await duckDaily(db, dir, spec, range)).map(fromDuck);
      const cut = all.length - 200;
      const before = encodeBarCursor('DAY', all[cut].time);
      const { rows, info } = await page(app, { ticker: 'MIX', ...range, last: 150, before });
      expectRows(rows, all.slice(cut - 150, cut), 'MIX last 150 before a cursor');
      expect(info).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
      // `first` with `before`: the first bars of the range, stopped at the cursor.
      const head = await page(app, { ticker: 'MIX', ...range, first: cut + 10, before });
      expectRows(head.rows, all.slice(0, cut), 'MIX first before a cursor');
      expect(head.info).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      // `last` with `after` and `before`: the bars between the two cursors only.
      const between = await page(app, {
        ticker: 'MIX',
        ...range,
        last: 1000,
        after: encodeBarCursor('DAY', all[cut - 20].time),
        before,
      });
      expectRows(between.rows, all.slice(cut - 19, cut), 'MIX between two cursors');
      expect(between.info).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    });

    for (const [ticker, timeframe, last, range] of [
      ['MIX', 'DAY', 97, {}],
      ['MIX', 'WEEK', 13, {}],
      ['MIX', 'MONTH', 5, { from: '2021-02-17', to: '2023-10-03' }],
      ['MN', 'DAY', 9, {}],
      ['MN', 'WEEK', 4, {}],
      ['MN', 'MINUTE', 1500, { from: '2024-02-26', to: '2024-03-12' }],
      ['LONG', 'MONTH', 50, { from: '1996-06-06' }],
    ] as const) {
      it(`${ticker} ${timeframe}: paging backward yields the forward sequence, reversed page by page`, async () => {
        const forward = (await allBars(app, ticker, { ...range, timeframe })).rows;
        expect(forward.length).toBeGreaterThan(last);
        expectRows(
          await allBackward(app, { ticker, ...range, timeframe }, last),
          forward,
          `${ticker} ${timeframe} backward`,
        );
      });
    }

    it('adjusted bars page backward exactly as forward', async () => {
      // Written through lakeql's own store, so the catalog index knows of it at once.
      await app.services.store.put(
        'data/corporate-actions/MIX/2022/actions.json',
        JSON.stringify({
          splits: [{ ex_date: '2022-06-06', from: 1, to: 4 }],
          dividends: [{ ex_date: '2022-09-12', amount: 0.5 }],
        }),
      );
      try {
        for (const [timeframe, last] of [
          ['DAY', 120],
          ['WEEK', 17],
        ] as const) {
          const forward = (await allBars(app, 'MIX', { timeframe, adjustment: 'ALL' })).rows;
          const raw = (await allBars(app, 'MIX', { timeframe })).rows;
          expect(forward[0].close).not.toBe(raw[0].close);
          expectRows(
            await allBackward(app, { ticker: 'MIX', timeframe, adjustment: 'ALL' }, last),
            forward,
            `MIX ${timeframe} adjusted backward`,
          );
        }
      } finally {
        await app.services.store.delete('data/corporate-actions/MIX/2022/actions.json');
      }
    });

    it('hasPreviousPage and hasNextPage, both directions', async () => {
      const all = (await allBars(app, 'DDATE')).rows;
      const cursor = (i: number) => encodeBarCursor('DAY', all[i].time);
      const n = all.length;
      const cases: [
        string,
        Record<string, unknown>,
        { hasPreviousPage: boolean; hasNextPage: boolean },
        [number, number],
      ][] = [
        ['first page forward', { first: 10 }, { hasPreviousPage: false, hasNextPage: true }, [0, 10]],
        [
          'middle page forward',
          { first: 10, after: cursor(9) },
          { hasPreviousPage: true, hasNextPage: true },
          [10, 20],
        ],
        [
          'last page forward',
          { first: 10, after: cursor(n - 11) },
          { hasPreviousPage: true, hasNextPage: false },
          [n - 10, n],
        ],
        ['whole range forward', { first: n }, { hasPreviousPage: false, hasNextPage: false }, [0, n]],
        [
          'after the last bar',
          { first: 10, after: cursor(n - 1) },
          { hasPreviousPage: true, hasNextPage: false },
          [n, n],
        ],
        ['last page backward', { last: 10 }, { hasPreviousPage: true, hasNextPage: false }, [n - 10, n]],
        [
          'middle page backward',
          { last: 10, before: cursor(20) },
          { hasPreviousPage: true, hasNextPage: true },
          [10, 20],
        ],
        [
          'first page backward',
          { last: 10, before: cursor(10) },
          { hasPreviousPage: false, hasNextPage: true },
          [0, 10],
        ],
        [
          'short first page backward',
          { last: 10, before: cursor(4) },
          { hasPreviousPage: false, hasNextPage: true },
          [0, 4],
        ],
        ['whole range backward', { last: n }, { hasPreviousPage: false, hasNextPage: false }, [0, n]],
        [
          'before the first bar',
          { last: 10, before: cursor(0) },
          { hasPreviousPage: false, hasNextPage: true },
          [0, 0],
        ],
        [
          'before a day with no bar, after the end',
          { last: 3, before: encodeBarCursor('DAY', all[n - 1].time + 86_400_000 * 3) },
          { hasPreviousPage: true, hasNextPage: false },
          [n - 3, n],
        ],
      ];
      for (const [label, args, flags, [lo, hi]] of cases) {
        const { rows, info, cursors } = await page(app, { ticker: 'DDATE', ...args });
        expect(info, label).toMatchObject(flags);
        expect(
          rows.map((r) => r.time),
          label,
        ).toEqual(all.slice(lo, hi).map((r) => r.time));
        expect(info.startCursor, label).toBe(cursors[0] ?? null);
        expect(info.endCursor, label).toBe(cursors.at(-1) ?? null);
      }
      // An empty range answers an empty page both ways.
      for (const args of [{ first: 5 }, { last: 5 }]) {
        const { rows, info } = await page(app, { ticker: 'DDATE', from: '2030-01-01', ...args });
        expect(rows).toEqual([]);
        expect(info).toMatchObject({ hasPreviousPage: false, hasNextPage: false, startCursor: null, endCursor: null });
      }
    });

    it('latestBar is the newest bar of every timeframe, and null for a symbol without bars', async () => {
      for (const spec of DAILY_SYMBOLS) {
        const all = (await duckDaily(db, dir, spec)).map(fromDuck);
        const result = await gql(app, LATEST, { ticker: spec.symbol });
        expect(result.errors).toBeUndefined();
        expectRows([fromGraphQL(result.data.symbol.latestBar)], all.slice(-1), `${spec.symbol} latestBar`);
      }
      for (const timeframe of ['MINUTE', 'DAY', 'WEEK', 'QUARTER']) {
        const forward = (await allBars(app, 'MN', { timeframe })).rows;
        const result = await gql(app, LATEST, { ticker: 'MN', timeframe });
        expectRows([fromGraphQL(result.data.symbol.latestBar)], forward.slice(-1), `MN ${timeframe} latestBar`);
      }
      await app.services.store.put('data/fundamental/NOBARS/2024/Q1.json', JSON.stringify({ revenue: 1 }));
      const none = await gql(app, LATEST, { ticker: 'NOBARS' });
      expect(none.errors).toBeUndefined();
      expect(none.data.symbol).toEqual({ latestBar: null });
    });

    it("the last 100 daily bars of a 30-year history read the last file's footer and trailing row groups only", async () => {
      const store = new RecordingStore(await backend.open());
      const bars = new RecordingReader(store);
      const fresh = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store, bars });
      const expected = (await rowsOfLong()).slice(-100);
      // The symbol's listing (catalog) is not what is counted: warm it first.
      await gql(fresh, `{ symbol(ticker: "LONG") { ticker } }`);
      store.reset();
      const { rows, info } = await page(fresh, { ticker: 'LONG', last: 100 });
      expectRows(rows, expected, 'LONG last 100');
      expect(info).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      const files = new Set(store.gets.map((g) => g.key));
      expect(files.size, [...files].join(', ')).toBeLessThanOrEqual(2);
      expect(store.gets.length).toBeLessThanOrEqual(4);
      expect(store.count('list')).toBe(0);
      // 262 bars in 2024, in groups of 64 (the last holds 6): the 101 bars that answer the page are the last three groups.
      const last = dailyTicksKey('LONG', 2024);
      expect(bars.decodes.map((d) => d.key)).toEqual([last]);
      const head = await store.head(last);
      const { rowGroups } = await bars.info({ key: last, size: head.size, etag: head.etag });
      expect(rowGroups.map((g) => g.numRows)).toEqual([64, 64, 64, 64, 6]);
      expect(bars.decodes[0].rowGroups).toEqual([2, 3, 4]);
      // latestBar: one row group; warm, nothing is read at all.
      bars.decodes.length = 0;
      const latest = await gql(fresh, LATEST, { ticker: 'LONG' });
      expectRows([fromGraphQL(latest.data.symbol.latestBar)], expected.slice(-1), 'LONG latestBar');
      store.reset();
      await page(fresh, { ticker: 'LONG', last: 100 });
      await gql(fresh, LATEST, { ticker: 'LONG' });
      expect(store.gets.length).toBe(0);
    });

    it('hostile cursors, page sizes and argument mixes answer typed errors', async () => {
      const ok = encodeBarCursor('DAY', Date.UTC(2023, 0, 3));
      const hostile = [
        '',
        'x',
        '====',
        'bm90LWEtY3Vyc29y',
        ok.slice(0, 10),
        `${ok}AAAA`,
        encodeBarCursor('WEEK', Date.UTC(2023, 0, 2)),
        Buffer.from('bars:v1:DAY:12345678901234567').toString('base64url'),
        Buffer.from('bars:v1:DAY:1e10').toString('base64url'),
        Buffer.from('bars:v1:DAY:0x10').toString('base64url'),
        Buffer.from('bars:v2:DAY:0').toString('base64url'),
        Buffer.from('bars:v1:DAY:0\n').toString('base64url'),
        Buffer.from('bars:v1:day:0').toString('base64url'),
        'A'.repeat(100_000),
        '\u0000\uffff\ud800',
        '../../etc/passwd',
      ];
      for (const before of hostile) {
        const result = await gql(app, PAGE, { ticker: 'DDATE', last: 5, before });
        expect(result.errors?.[0]?.extensions?.code, `before ${JSON.stringify(before.slice(0, 60))}`).toBe(
          'BAD_USER_INPUT',
        );
        expect(result.data?.symbol?.bars ?? null, 'the bars field fails whole').toBeNull();
      }
      // Generated ones: random bytes, alone or after a valid prefix. A few happen to spell a time and get a page; the rest a typed error.
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let refused = 0;
      for (let k = 0; k < 200; k++) {
        const bytes = Buffer.from(
          Array.from({ length: 1 + Math.floor(random() * 60) }, () => Math.floor(random() * 256)),
        );
        const before =
          random() < 0.5
            ? bytes.toString('base64url')
            : Buffer.concat([Buffer.from(random() < 0.5 ? 'bars:v1:DAY:' : 'bars:v1:DAY:-1'), bytes]).toString(
                'base64url',
              );
        const result = await gql(app, PAGE, { ticker: 'DDATE', last: 5, before });
        if (result.errors) {
          expect(
            result.errors.map((e) => e.extensions?.code),
            before,
          ).toEqual(['BAD_USER_INPUT']);
          refused++;
        } else expect(result.data.symbol.bars.nodes.length).toBeLessThanOrEqual(5);
      }
      expect(refused).toBeGreaterThan(150);
      // Well-formed cursors at the ends of time are no error: the pages are just empty or whole.
      for (const time of [
        -9_000_000_000_000_000, -8_640_000_000_000_000, -8_639_999_999_999_999, 0, 8_639_999_999_999_999,
        9_000_000_000_000_000,
      ]) {
        const cursor = Buffer.from(`bars:v1:DAY:${time}`).toString('base64url');
        for (const args of [
          { last: 3, before: cursor },
          { first: 3, after: cursor },
          { last: 3, after: cursor },
          { first: 3, before: cursor },
        ]) {
          const result = await gql(app, PAGE, { ticker: 'DDATE', ...args });
          expect(result.errors, `${time} ${JSON.stringify(Object.keys(args))}`).toBeUndefined();
          expect(result.data.symbol.bars.nodes.length).toBeLessThanOrEqual(3);
        }
      }
      for (const args of [
        { first: 5, last: 5 },
        { last: 0 },
        { last: -1 },
        { last: 10_001 },
        { first: 1, last: 1, before: ok },
      ]) {
        const result = await gql(app, PAGE, { ticker: 'DDATE', ...args });
        expect(result.errors?.[0]?.extensions?.code, JSON.stringify(args)).toBe('BAD_USER_INPUT');
      }
    });
  });
}

async function rowsOfLong(): Promise<Row[]> {
  const years = Object.fromEntries(Array.from({ length: LONG.to - LONG.from + 1 }, (_, k) => [LONG.from + k, 'DDATE']));
  return (await duckDaily(db, dir, { symbol: LONG.symbol, years })).map(fromDuck);
}

describe('the cost of a backward page', () => {
  it('counts last like first, and a bars field without either at its default page', () => {
    const cost = (query: string) => estimateCost(schema, { document: parse(query) });
    const forward = cost('{ symbol(ticker: "A") { bars(first: 5000) { nodes { close } } } }');
    expect(cost('{ symbol(ticker: "A") { bars(last: 5000) { nodes { close } } } }')).toBe(forward);
    expect(cost('{ symbol(ticker: "A") { bars(last: 5000, before: "x") { nodes { close } } } }')).toBe(forward);
    expect(cost('{ symbol(ticker: "A") { bars { nodes { close } } } }')).toBe(
      cost('{ symbol(ticker: "A") { bars(first: 1000) { nodes { close } } } }'),
    );
    expect(cost('{ symbol(ticker: "A") { bars(last: 10) { nodes { close } } } }')).toBeLessThan(forward);
  });
});
