// ensureDemoLake on a real LocalStore in a temp directory, checked through the store API and by DuckDB reading the files.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regularSessionMinutes, tradingDays } from '../../src/lake/calendar/nyse.js';
import {
  DEMO_MARKER_KEY,
  DEMO_MINUTE_SYMBOLS,
  DEMO_YEARS,
  ensureDemoLake,
  type DemoLakeProgress,
  type DemoLakeReport,
} from '../../src/lake/demo/create-demo-lake.js';
import { dailyBarsForYear } from '../../src/lake/demo/random-walk.js';
import { DEMO_SPLITS, demoCorporateActions, rawBars } from '../../src/lake/demo/corporate-actions.js';
import { DEMO_SEED } from '../../src/lake/demo/prng.js';
import { DEMO_TICKERS, demoTicker } from '../../src/lake/demo/tickers.js';
import { CancelledError } from '../../src/lake/errors.js';
import {
  corporateActionsKey,
  dailyTicksKey,
  fundamentalsKey,
  JSON_CONTENT_TYPE,
  minuteTicksKey,
  PARQUET_CONTENT_TYPE,
  parseKey,
} from '../../src/lake/layout.js';
import { REFERENCE_KEY } from '../../src/lake/reference.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { counting, openDuck, sqlString, type Duck } from './support.js';

const dirs: string[] = [];
async function tempStore(): Promise<{ dir: string; store: LocalStore }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-demo-test-'));
  dirs.push(dir);
  return { dir, store: new LocalStore(dir) };
}

async function listKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list({ continuationToken: token });
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextContinuationToken;
  } while (token);
  return keys;
}

async function fileHashes(dir: string, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of keys)
    out.set(
      key,
      createHash('sha256')
        .update(await readFile(path.join(dir, key)))
        .digest('hex'),
    );
  return out;
}

const hasActions = (symbol: string, year: number) => {
  const a = demoCorporateActions(symbol, year, DEMO_SEED);
  return a.splits.length + a.dividends.length > 0;
};
const SYMBOLS = DEMO_TICKERS.map((t) => t.symbol);
const STOCKS = DEMO_TICKERS.filter((t) => !t.etf).map((t) => t.symbol);
const MINUTE_MONTHS = [10, 11, 12];

let lake: { dir: string; store: LocalStore; report: DemoLakeReport; keys: string[] };
let duck: Duck;
const glob = (pattern: string) => sqlString(path.join(lake.dir, pattern));

beforeAll(async () => {
  const { dir, store } = await tempStore();
  const report = await ensureDemoLake(store);
  if (!report) throw new Error('the demo lake was not written');
  // Shown in the test output: how long a fresh demo lake takes on this machine.
  console.log(`demo lake: ${report.objects} objects, ${report.bytes} bytes, ${report.ms} ms`);
  lake = { dir, store, report, keys: await listKeys(store) };
  duck = await openDuck();
}, 60_000);

afterAll(async () => {
  duck?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('ensureDemoLake: what it writes', () => {
  it('writes ≥ 30 tickers × 2021–2025 of daily bars, 3 × 3 months of minute bars, fundamentals for stocks, and the marker', async () => {
    expect(SYMBOLS.length).toBeGreaterThanOrEqual(30);
    expect(DEMO_YEARS).toEqual([2021, 2022, 2023, 2024, 2025]);
    const expected = [
      ...SYMBOLS.flatMap((s) => DEMO_YEARS.map((y) => dailyTicksKey(s, y))),
      ...DEMO_MINUTE_SYMBOLS.flatMap((s) => MINUTE_MONTHS.map((m) => minuteTicksKey(s, 2025, m))),
      ...STOCKS.flatMap((s) => DEMO_YEARS.flatMap((y) => [1, 2, 3, 4].map((q) => fundamentalsKey(s, y, q)))),
      ...SYMBOLS.flatMap((s) => DEMO_YEARS.filter((y) => hasActions(s, y)).map((y) => corporateActionsKey(s, y))),
      REFERENCE_KEY,
      DEMO_MARKER_KEY,
    ];
    expect([...lake.keys].sort()).toEqual([...expected].sort());
    expect(lake.report.objects).toBe(expected.length);
    let bytes = 0;
    for (const key of lake.keys) bytes += (await lake.store.head(key)).size;
    expect(lake.report.bytes).toBe(bytes);
  });

  it('sets the seed-style metadata and content types on every object', async () => {
    for (const key of lake.keys) {
      if (key === DEMO_MARKER_KEY) continue;
      const head = await lake.store.head(key);
      if (key === REFERENCE_KEY) {
        expect(head.contentType).toBe(JSON_CONTENT_TYPE);
        expect(head.metadata).toEqual({ 'data-type': 'reference' });
        continue;
      }
      const parsed = parseKey(key)!;
      if (parsed.kind === 'fundamentals') {
        expect(head.contentType).toBe(JSON_CONTENT_TYPE);
        expect(head.metadata).toEqual({
          symbol: parsed.symbol,
          year: String(parsed.year),
          quarter: String(parsed.quarter),
          'data-type': 'fundamentals',
        });
      } else if (parsed.kind === 'corporate-actions') {
        expect(head.contentType).toBe(JSON_CONTENT_TYPE);
        expect(head.metadata).toEqual({
          symbol: parsed.symbol,
          year: String(parsed.year),
          'data-type': 'corporate-actions',
        });
      } else if (parsed.resolution === 'DAILY') {
        expect(head.contentType).toBe(PARQUET_CONTENT_TYPE);
        expect(head.metadata).toEqual({ symbol: parsed.symbol, year: String(parsed.year), 'data-type': 'daily-ticks' });
      } else {
        expect(head.contentType).toBe(PARQUET_CONTENT_TYPE);
        expect(head.metadata).toEqual({
          symbol: parsed.symbol,
          year: String(parsed.year),
          month: String(parsed.month),
          'data-type': 'minute-ticks',
        });
      }
    }
  });

  it('compresses every Parquet column chunk with ZSTD', async () => {
    const rows = await duck.rows(
      `select distinct compression from parquet_metadata(${glob('data/ticks/*/*/*/ticks.parquet')})`,
    );
    expect(rows).toEqual([{ compression: 'ZSTD' }]);
    const minute = await duck.rows(
      `select distinct compression from parquet_metadata(${glob('data/ticks/minute/*/*/*/ticks.parquet')})`,
    );
    expect(minute).toEqual([{ compression: 'ZSTD' }]);
  });

  it('has exactly the NYSE trading days of its year in every daily file', async () => {
    const rows = await duck.rows(
      `select filename, list(strftime(date, '%Y-%m-%d') order by date) as dates, count(*) as n, count(distinct date) as distinct_dates
       from read_parquet(${glob('data/ticks/daily/*/*/ticks.parquet')}, filename = true) group by filename`,
    );
    expect(rows).toHaveLength(SYMBOLS.length * DEMO_YEARS.length);
    for (const row of rows) {
      const parsed = parseKey(path.relative(lake.dir, String(row.filename)).split(path.sep).join('/'));
      expect(parsed).toMatchObject({ kind: 'ticks', resolution: 'DAILY' });
      expect(row.dates).toEqual(tradingDays(parsed!.year));
      expect(row.n).toBe(row.distinct_dates);
    }
  });

  it('keeps low ≤ open, close ≤ high, vwap in range and positive whole volumes and trades on every row', async () => {
    for (const pattern of ['data/ticks/daily/*/*/ticks.parquet', 'data/ticks/minute/*/*/*/ticks.parquet']) {
      const [row] = await duck.rows(
        `select count(*) as rows,
                count(*) filter (where not (low > 0 and low <= least(open, close) and high >= greatest(open, close))) as bad_prices,
                count(*) filter (where not (vwap between low and high)) as bad_vwap,
                count(*) filter (where not (volume > 0 and trades > 0)) as bad_counts,
                count(*) filter (where open is null or high is null or low is null or close is null or volume is null) as nulls
         from read_parquet(${glob(pattern)})`,
      );
      expect(row.rows).toBeGreaterThan(0n);
      expect(row).toMatchObject({ bad_prices: 0n, bad_vwap: 0n, bad_counts: 0n, nulls: 0n });
    }
  });

  it('stores exactly the values the generator produced (dates, prices, volumes)', async () => {
    for (const [symbol, year] of [
      ['AAPL', 2021],
      ['BRK.B', 2025],
      ['BF-B', 2023],
      ['SPY', 2024],
      ['NVDA', 2024],
      ['NFLX', 2025],
    ] as const) {
      const rows = await duck.rows(
        `select (date - DATE '1970-01-01')::BIGINT * 86400000 as time, open, high, low, close, volume, vwap, trades
         from read_parquet(${sqlString(path.join(lake.dir, dailyTicksKey(symbol, year)))})`,
      );
      const bars = rawBars(symbol, dailyBarsForYear(demoTicker(symbol), year));
      expect(rows).toEqual(
        bars.map((b) => ({ ...b, time: BigInt(b.time), volume: BigInt(b.volume), trades: BigInt(b.trades!) })),
      );
    }
  });

  it('writes 390 minute bars per trading day, at the session minutes, agreeing with the daily bar', async () => {
    for (const symbol of DEMO_MINUTE_SYMBOLS) {
      for (const month of MINUTE_MONTHS) {
        const file = sqlString(path.join(lake.dir, minuteTicksKey(symbol, 2025, month)));
        const [times] = await duck.rows(
          `select list(epoch_ms("timestamp") order by "timestamp") as ms from read_parquet(${file})`,
        );
        const days = tradingDays(2025).filter((d) => Number(d.slice(5, 7)) === month);
        expect((times.ms as bigint[]).map(Number)).toEqual(days.flatMap(regularSessionMinutes));
      }
      const mismatches = await duck.rows(
        `with m as (
           select (epoch_ms("timestamp") // 86400000) as day, arg_min(open, "timestamp") as open, arg_max(close, "timestamp") as close,
                  max(high) as high, min(low) as low, sum(volume)::BIGINT as volume
           from read_parquet(${glob(`data/ticks/minute/${symbol}/2025/*/ticks.parquet`)}) group by all),
         d as (select (date - DATE '1970-01-01') as day, open, close, high, low, volume
               from read_parquet(${sqlString(path.join(lake.dir, dailyTicksKey(symbol, 2025)))}))
         select m.day from m left join d using (day)
         where d.day is null or m.open <> d.open or m.close <> d.close or m.high <> d.high or m.low <> d.low or m.volume <> d.volume`,
      );
      expect(mismatches).toEqual([]);
    }
  });

  it('writes fundamentals as 2-space-indented JSON with the expected fields, none for ETFs', async () => {
    const fundamentals = lake.keys.filter((k) => parseKey(k)?.kind === 'fundamentals');
    expect(fundamentals).toHaveLength(STOCKS.length * DEMO_YEARS.length * 4);
    expect(fundamentals.some((k) => k.includes('/SPY/') || k.includes('/QQQ/'))).toBe(false);
    for (const key of fundamentals) {
      const text = await readFile(path.join(lake.dir, key), 'utf8');
      const doc = JSON.parse(text);
      const parsed = parseKey(key) as { symbol: string; year: number; quarter: number };
      expect(text).toBe(JSON.stringify(doc, null, 2));
      expect(doc).toMatchObject({
        symbol: parsed.symbol,
        year: parsed.year,
        quarter: parsed.quarter,
        currency: 'USD',
        source: 'lakeql-demo',
      });
      for (const field of [
        'revenue',
        'net_income',
        'eps',
        'shares_outstanding',
        'total_assets',
        'total_liabilities',
        'operating_cash_flow',
      ]) {
        expect(typeof doc[field]).toBe('number');
      }
      expect(doc.fiscal_period_end.startsWith(`${parsed.year}-`)).toBe(true);
    }
  });

  it('holds the real splits of 2021–2025 in actions.json, with raw prices that drop by the split ratio at each ex-date', async () => {
    const splits = Object.entries(DEMO_SPLITS).flatMap(([symbol, list]) => list.map((s) => ({ symbol, ...s })));
    expect(splits.map((s) => `${s.symbol} ${s.exDate} ${s.from}:${s.to}`).sort()).toEqual([
      'AMZN 2022-06-06 1:20',
      'GOOGL 2022-07-18 1:20',
      'NFLX 2025-11-17 1:10',
      'NVDA 2021-07-20 1:4',
      'NVDA 2024-06-10 1:10',
      'TSLA 2022-08-25 1:3',
      'WMT 2024-02-26 1:3',
    ]);
    for (const split of splits) {
      const year = Number(split.exDate.slice(0, 4));
      const doc = JSON.parse(await readFile(path.join(lake.dir, corporateActionsKey(split.symbol, year)), 'utf8'));
      expect(doc.splits).toContainEqual({ ex_date: split.exDate, split_from: split.from, split_to: split.to });
      const [jump] = await duck.rows(
        `select last(close order by date) filter (where date < DATE '${split.exDate}') as before, first(open order by date) filter (where date >= DATE '${split.exDate}') as after
         from read_parquet(${sqlString(path.join(lake.dir, dailyTicksKey(split.symbol, year)))})`,
      );
      const ratio = (jump.before as number) / (jump.after as number);
      // The day's own move is a few percent; the split is a factor of 3 to 20.
      expect(ratio / (split.to / split.from)).toBeGreaterThan(0.85);
      expect(ratio / (split.to / split.from)).toBeLessThan(1.15);
    }
  });

  it('gives dividend payers four dividends a year on trading days, below the previous close, and none to non-payers', async () => {
    for (const symbol of ['AAPL', 'MSFT', 'JPM', 'SPY']) {
      for (const year of DEMO_YEARS) {
        const doc = JSON.parse(await readFile(path.join(lake.dir, corporateActionsKey(symbol, year)), 'utf8'));
        expect(doc.dividends).toHaveLength(4);
        for (const d of doc.dividends) {
          expect(tradingDays(year)).toContain(d.ex_date);
          expect(d.cash_amount).toBeGreaterThan(0);
          expect(d.cash_amount).toBeLessThan(0.05 * 50);
        }
      }
    }
    for (const symbol of ['AMZN', 'TSLA', 'BRK.B', 'BA']) {
      for (const year of DEMO_YEARS) {
        const key = corporateActionsKey(symbol, year);
        if (lake.keys.includes(key))
          expect(JSON.parse(await readFile(path.join(lake.dir, key), 'utf8')).dividends).toEqual([]);
      }
    }
    expect(lake.keys).not.toContain(corporateActionsKey('BRK.B', 2024));
  });

  it('marks the lake complete', async () => {
    const marker = JSON.parse(await readFile(path.join(lake.dir, DEMO_MARKER_KEY), 'utf8'));
    expect(marker).toMatchObject({
      generator: 'lakeql-demo',
      status: 'complete',
      years: DEMO_YEARS,
      minuteMonths: ['2025-10', '2025-11', '2025-12'],
    });
  });
});

describe('ensureDemoLake: when and how it writes', () => {
  it('is idempotent: a second call writes nothing', async () => {
    const store = counting(lake.store);
    expect(await ensureDemoLake(store)).toBeUndefined();
    expect(store.puts).toEqual([]);
  });

  it('writes byte-identical objects for the same seed, and different ones for another seed', async () => {
    const again = await tempStore();
    await ensureDemoLake(again.store);
    expect(await fileHashes(again.dir, lake.keys)).toEqual(await fileHashes(lake.dir, lake.keys));

    const other = await tempStore();
    await ensureDemoLake(other.store, { seed: 1, tickers: ['AAPL'], years: [2021], minuteMonths: 0 });
    const key = dailyTicksKey('AAPL', 2021);
    expect((await fileHashes(other.dir, [key])).get(key)).not.toBe((await fileHashes(lake.dir, [key])).get(key));
  }, 60_000);

  it('gives a subset the same bytes the full lake has for the same objects', async () => {
    const { dir, store } = await tempStore();
    const report = await ensureDemoLake(store, {
      tickers: ['aapl', 'BRK.B'],
      years: [2024],
      minuteSymbols: ['AAPL'],
      minuteMonths: 1,
    });
    const fundamentals = ['AAPL', 'BRK.B'].flatMap((s) => [1, 2, 3, 4].map((q) => fundamentalsKey(s, 2024, q)));
    const expected = [
      dailyTicksKey('AAPL', 2024),
      dailyTicksKey('BRK.B', 2024),
      minuteTicksKey('AAPL', 2024, 12),
      ...fundamentals,
      corporateActionsKey('AAPL', 2024),
      REFERENCE_KEY,
      DEMO_MARKER_KEY,
    ];
    expect((await listKeys(store)).sort()).toEqual(expected.sort());
    expect(report?.objects).toBe(14);
    // The walk is anchored, not started at the first year asked for: 2024 alone matches 2024 of the full lake.
    const shared = [
      dailyTicksKey('AAPL', 2024),
      dailyTicksKey('BRK.B', 2024),
      ...fundamentals,
      corporateActionsKey('AAPL', 2024),
    ];
    expect(await fileHashes(dir, shared)).toEqual(await fileHashes(lake.dir, shared));
  });

  it('ships reference data naming every ticker, with exchange, type and currency', async () => {
    const reference = JSON.parse(await readFile(path.join(lake.dir, REFERENCE_KEY), 'utf8')) as {
      ticker: string;
      name: string;
      exchange: string;
      type: string;
      currency: string;
    }[];
    expect(reference.map((r) => r.ticker).sort()).toEqual([...SYMBOLS].sort());
    expect(reference.find((r) => r.ticker === 'AAPL')).toMatchObject({
      name: 'Apple Inc.',
      exchange: 'XNAS',
      type: 'CS',
      currency: 'USD',
    });
    expect(reference.find((r) => r.ticker === 'SPY')).toMatchObject({ exchange: 'ARCX', type: 'ETF' });
    expect(reference.find((r) => r.ticker === 'JPM')).toMatchObject({ exchange: 'XNYS', type: 'CS' });
  });

  it('leaves a lake that already holds other data alone', async () => {
    const { store } = await tempStore();
    await store.put('data/ticks/daily/XYZ/2020/ticks.parquet', 'not ours');
    const spy = counting(store);
    expect(await ensureDemoLake(spy)).toBeUndefined();
    expect(spy.puts).toEqual([]);
    expect(await listKeys(store)).toEqual(['data/ticks/daily/XYZ/2020/ticks.parquet']);
  });

  it('finishes a run that stopped half way (marker still "writing")', async () => {
    const { store } = await tempStore();
    const options = { tickers: ['MSFT'], years: [2025], minuteSymbols: [], minuteMonths: 0 };
    await store.put(DEMO_MARKER_KEY, JSON.stringify({ status: 'writing' }));
    await store.put(dailyTicksKey('MSFT', 2025), 'half a file');
    const report = await ensureDemoLake(store, options);
    // The daily file, four fundamentals, the year's dividends, the reference file and the marker.
    expect(report?.objects).toBe(8);
    const head = await store.head(dailyTicksKey('MSFT', 2025));
    expect(head.size).toBeGreaterThan(1000);
    expect(head.metadata['data-type']).toBe('daily-ticks');
    expect(await ensureDemoLake(store, options)).toBeUndefined();
  });

  it('keeps at most `concurrency` puts in flight and reports progress for every object', async () => {
    const { store } = await tempStore();
    const spy = counting(store);
    const progress: DemoLakeProgress[] = [];
    const report = await ensureDemoLake(spy, {
      tickers: SYMBOLS.slice(0, 6),
      years: [2024, 2025],
      minuteSymbols: ['SPY'],
      minuteMonths: 2,
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    });
    expect(spy.maxInFlight).toBeLessThanOrEqual(3);
    expect(spy.maxInFlight).toBeGreaterThan(1);
    // Every object but the marker goes through the pool.
    expect(progress).toHaveLength(report!.objects - 1);
    expect(progress.map((p) => p.done)).toEqual(progress.map((_, i) => i + 1));
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([report!.objects - 1]));
    expect(spy.puts.filter((k) => k !== DEMO_MARKER_KEY).sort()).toEqual(progress.map((p) => p.key).sort());
  });

  it('stops with CancelledError when its signal is aborted, leaving the lake resumable', async () => {
    const { store } = await tempStore();
    const controller = new AbortController();
    const run = ensureDemoLake(store, {
      tickers: ['AAPL', 'MSFT'],
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => p.done === 3 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    const marker = JSON.parse(await readFile(path.join(store.root, DEMO_MARKER_KEY), 'utf8'));
    expect(marker.status).toBe('writing');
    expect(await ensureDemoLake(store, { tickers: ['AAPL', 'MSFT'] })).toBeDefined();
  });
});
